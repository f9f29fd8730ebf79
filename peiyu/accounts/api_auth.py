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
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


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
