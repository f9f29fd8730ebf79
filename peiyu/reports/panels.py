"""Home panel: what needs a decision this week (区领导 first of all), and the latest monthly report."""

from __future__ import annotations

from typing import Any


def home_panel(request: Any) -> dict[str, Any] | None:
    from peiyu.accounts import scope
    from peiyu.reports import cockpit
    from peiyu.reports.models import Report

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    items = cockpit.decisions(user)
    latest = (
        scope.restrict(user, Report.objects.all())
        .defer("docx", "pdf", "data")
        .order_by("-month", "-created_at")
        .first()
    )
    leader = scope.is_leader(user) or scope.is_admin(user)
    if not items and latest is None and not leader:
        return None
    return {
        "template": "reports/panel.html",
        "order": 1 if leader else 80,  # a leader's home opens with the decisions of the week
        "decisions": items,
        "latest": latest,
        "leader": leader,
        "week_end": cockpit.end_of_week().date(),
    }
