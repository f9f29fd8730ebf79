"""Audit rows for authentication events that happen outside our views: failed logins (Django's
``user_login_failed``) and lock-outs (django-axes' ``user_locked_out``)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from peiyu.accounts import audit_actions as A
from peiyu.accounts.audit import record


def _username(credentials: dict[str, Any] | None, request: Any) -> str:
    name = (credentials or {}).get("username") or ""
    if not name and request is not None:
        name = request.POST.get("username", "") if request.method == "POST" else ""
    return str(name)[:150]


@receiver(user_login_failed, dispatch_uid="peiyu_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    name = _username(credentials, request)
    locked = bool(getattr(request, "axes_locked_out", False)) if request is not None else False
    record(
        None,
        A.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=name,
        object_repr=name,
        detail={"locked": True} if locked else None,
        request=request,
        username=name or "anonymous",
    )


@receiver(user_locked_out, dispatch_uid="peiyu_audit_locked_out")
def audit_locked_out(
    sender: Any,
    request: Any = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    name = str(username or "")[:150]
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        return  # an attempt while already locked: its login_failed row says so (detail.locked)
    record(
        None,
        A.USER_LOCK,
        object_type="accounts.user",
        object_id=name,
        object_repr=name,
        detail={"ip": ip_address} if ip_address else None,
        request=request,
        username=name or "anonymous",
    )
