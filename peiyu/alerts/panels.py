"""Home panel: open and overdue warnings in the user's scope, and the newest high-severity ones."""

from __future__ import annotations

from typing import Any

from peiyu.alerts import queries
from peiyu.alerts.models import Severity


def home_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    counts = queries.counts(user)
    newest = list(
        queries.visible(user)
        .filter(item__is_open=True, severity=Severity.HIGH)
        .order_by("-last_month", "-created_at")[:5]
    )
    if not counts["open"] and not newest:
        return None
    return {"template": "alerts/panel.html", "order": 30, "counts": counts, "newest": newest}
