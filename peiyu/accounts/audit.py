"""Writing and reading audit rows. Every data change goes through a small ``do_*`` action that calls
:func:`record` inside its transaction; every view or export of enterprise-level tax figures calls
:func:`record_view`.

Retention: audit rows are append-only for every role, enforced three times: the model refuses
``save()`` of an existing row and ``delete()``, the queryset refuses ``update()``/``delete()``, and
database triggers (migration 0003, SQLite and PostgreSQL) abort any UPDATE, DELETE (and, on
PostgreSQL, TRUNCATE) of the table. There is deliberately **no purge command**: rows are kept for
at least ``settings.AUDIT_RETENTION_DAYS`` (never below 180 days) simply by never deleting them.
Archiving older rows is a database administrator's job (backup, then a maintenance window with the
triggers disabled), outside the application. The only in-application exception is ``flush`` (which
erases the whole database, used by the test suite), see ``management/commands/flush.py``.
"""

from __future__ import annotations

from typing import Any

from peiyu.accounts.models import AuditLog


def client_ip(request: Any) -> str | None:
    """The caller's address. X-Forwarded-For is trusted only behind our own reverse proxy
    (``settings.AUDIT_TRUST_X_FORWARDED_FOR``), and then only its last hop, the one our proxy
    added: anything to its left is whatever the client chose to send."""
    if request is None:
        return None
    from django.conf import settings

    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return _valid_ip(hops[-1])
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def _valid_ip(text: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


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
    username: str = "",
) -> AuditLog:
    """Append one audit row. ``user`` may be None (system/CLI) or a string naming the actor;
    ``username`` overrides the recorded name (failed logins record the name that was tried)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "credit_code", None) or obj.pk)
        object_repr = object_repr or str(obj)
    real_user = user if getattr(user, "is_authenticated", False) else None
    return AuditLog.objects.create(
        user=real_user,
        username=(
            username or getattr(real_user, "username", "") or ("system" if user is None else str(user))
        )[:150],
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


ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "login_locked": "账户锁定",
    "password_change": "修改密码",
    "password_reset": "重置密码",
    "user_create": "新建用户",
    "user_update": "修改用户及范围",
    "user_deactivate": "停用用户",
    "user_activate": "启用用户",
    "user_unlock": "解除锁定",
    "user_reset": "重置管理员",
    "token_create": "生成 API 令牌",
    "token_revoke": "撤销 API 令牌",
    "users_import": "批量导入用户",
    "audit_export": "导出审计日志",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def search(
    *,
    user: str = "",
    action: str = "",
    since: Any = None,
    until: Any = None,
    obj: str = "",
):
    """Audit rows filtered the way the viewer and ``peiyu audit`` filter them (newest first).

    ``since``/``until`` are dates (inclusive, in the local time zone) or datetimes."""
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    qs = AuditLog.objects.all()
    if user:
        qs = qs.filter(username__iexact=user.strip())
    if action:
        qs = qs.filter(action=action.strip())
    if since:
        if not isinstance(since, dt.datetime):
            since = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        qs = qs.filter(time__gte=since)
    if until:
        if not isinstance(until, dt.datetime):
            until = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
            qs = qs.filter(time__lt=until)
        else:
            qs = qs.filter(time__lte=until)
    if obj:
        obj = obj.strip()
        qs = qs.filter(
            Q(object_id__icontains=obj) | Q(object_repr__icontains=obj) | Q(object_type__iexact=obj)
        )
    return qs


def entry_dict(row: AuditLog) -> dict[str, Any]:
    """One row as the CLI's JSON prints it: ``{time, user, action, object, detail}``."""
    from django.utils import timezone

    detail: dict[str, Any] = dict(row.detail or {})
    if row.before is not None:
        detail["before"] = row.before
    if row.after is not None:
        detail["after"] = row.after
    if row.reason:
        detail["reason"] = row.reason
    if row.ip:
        detail["ip"] = row.ip
    return {
        "time": timezone.localtime(row.time).isoformat(),
        "user": row.username,
        "action": row.action,
        "object": row.object_repr or row.object_id,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "detail": detail,
    }
