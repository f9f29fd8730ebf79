"""Session hygiene: idle timeout and forced password change at first login."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

_EXEMPT_PREFIXES = (
    "/static/",
    "/accounts/login",
    "/accounts/logout",
    "/accounts/password",
    "/i18n/",
    "/api/",
)


class SecurityMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            idle = settings.SESSION_IDLE_MINUTES * 60
            if last is not None and now - int(last) > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse('accounts:login')}?timeout=1&next={request.path}")
            if last is None or now - int(last) > 30:
                request.session["last_seen"] = now
            if getattr(user, "must_change_password", False) and not request.path.startswith(_EXEMPT_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
