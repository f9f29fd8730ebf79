"""Session hygiene: idle timeout and forced password change at first login (or after a reset)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from peiyu.accounts import audit_actions as A

_EXEMPT_PREFIXES = (
    "/static/",
    "/accounts/login",
    "/accounts/logout",
    "/accounts/password",
    "/i18n/",
)


class SecurityMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from peiyu.accounts import scope

        scope.set_current_request(request)  # denied attempts recorded deep inside know where from
        try:
            return self._call(request)
        finally:
            scope.set_current_request(None)

    def _call(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            idle = settings.SESSION_IDLE_MINUTES * 60
            if last is not None and now - int(last) > idle:
                from peiyu.accounts.audit import record

                record(
                    user,
                    A.LOGOUT,
                    user,
                    object_id=user.username,
                    detail={"reason": "idle_timeout", "idle_minutes": settings.SESSION_IDLE_MINUTES},
                    request=request,
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"timeout": "1", "next": request.get_full_path()})
                return redirect(f"{reverse('accounts:login')}?{query}")
            if last is None or now - int(last) > 30:
                request.session["last_seen"] = now
            if getattr(user, "must_change_password", False) and not request.path.startswith(_EXEMPT_PREFIXES):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "须先在网页上修改初始密码后才能使用数据接口。"}, status=403
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)
