"""Home panel: the user's inbox at a glance (待办, 超期) and the next items due."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peiyu.work import queries


def home_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    items = queries.items_for(user, now=now)
    if not items:
        return None
    rows = [{**queries.row(i, now), "url": queries.item_url(i)} for i in items[:6]]
    return {
        "template": "work/panel.html",
        "order": 5,
        "counts": queries.counts(user, now),
        "rows": rows,
    }
