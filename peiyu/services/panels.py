"""Home panel: the user's open, overdue and dissatisfied requests, and the visits the plan proposes."""

from __future__ import annotations

from typing import Any

from peiyu.services import queries


def home_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    counts = queries.counts(user)
    if not counts["total"]:
        return None
    return {"template": "services/panel.html", "order": 35, "counts": counts}
