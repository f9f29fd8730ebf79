from __future__ import annotations

from typing import Any

from peiyu.accounts import scope
from peiyu.core import datacache
from peiyu.web.nav import build_nav


def shell(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": build_nav(user, request.path),
        "scope_text": datacache.cached("scope_text", user, lambda: scope.describe(user)),
        "share_label": scope.share_label(user),  # 占全区 / 占本范围: what a share is of
        "role_label": user.get_role_display() if not user.is_superuser else "管理员",
        "work_counts": _work_counts(user),
    }


def _work_counts(user: Any) -> dict[str, int] | None:
    """我的待办 / 超期 / 未读 for the top bar (the work app's counts), when it is installed."""
    from django.apps import apps

    if not apps.is_installed("peiyu.work"):
        return None
    from peiyu.work.queries import counts

    return datacache.cached("work_counts", user, lambda: counts(user), ttl=60)
