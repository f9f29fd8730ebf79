from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from peiyu.accounts.models import ApiToken


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: Any, token: str) -> Any:
        token = (token or "").strip()
        if not token:
            return None
        row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if row is None or not row.is_active or not row.user.is_active:
            _refused(request, token, row)
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


def _refused(request: Any, token: str, row: ApiToken | None) -> None:
    """A refused token is a security event: who (when the token is known), which token, from where."""
    from peiyu.accounts import audit
    from peiyu.accounts import audit_actions as A

    if row is None:
        why = "令牌不存在"
    elif row.revoked_at is not None:
        why = "令牌已撤销"
    elif not row.user.is_active:
        why = "用户已停用"
    else:
        why = "令牌已过期"
    audit.record(
        row.user if row is not None else None,
        A.TOKEN_REFUSED,
        row,
        object_type="accounts.apitoken",
        object_repr=f"API 令牌 {token[:6]}…",
        detail={"reason": why, "path": request.get_full_path()[:500]},
        request=request,
        username=row.user.username if row is not None else "anonymous",
    )


class SessionAuth(APIKeyCookie):
    """Django session (the browser's own cookie); CSRF is irrelevant for a read-only API."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: Any, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
