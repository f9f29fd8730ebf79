"""Writing audit rows. Every data change goes through a small ``do_*`` action that calls :func:`record`
inside its transaction; every view or export of enterprise-level tax figures calls :func:`record_view`."""

from __future__ import annotations

from typing import Any

from peiyu.accounts.models import AuditLog


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    user: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    request: Any = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "credit_code", None) or obj.pk)
        object_repr = object_repr or str(obj)
    real_user = user if getattr(user, "is_authenticated", False) else None
    return AuditLog.objects.create(
        user=real_user,
        username=getattr(real_user, "username", "") or ("system" if user is None else str(user)),
        action=action,
        object_type=object_type,
        object_id=object_id[:120],
        object_repr=object_repr[:255],
        detail=detail or {},
        before=before,
        after=after,
        reason=reason,
        ip=client_ip(request),
    )


def record_view(request: Any, action: str, what: str, **detail: Any) -> AuditLog:
    """Log a look at (or export of) enterprise-level tax figures."""
    return record(
        getattr(request, "user", None),
        action,
        object_type="view",
        object_repr=what,
        detail={"path": getattr(request, "get_full_path", lambda: "")(), **detail},
        request=request,
    )
