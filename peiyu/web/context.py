from __future__ import annotations

from typing import Any

from peiyu.accounts import scope
from peiyu.web.nav import build_nav


def shell(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": build_nav(user, request.path),
        "scope_text": scope.describe(user),
        "role_label": user.get_role_display() if not user.is_superuser else "管理员",
    }
