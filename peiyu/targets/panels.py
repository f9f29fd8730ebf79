"""Home panel: the status of the user's key targets for the latest month (most behind first)."""

from __future__ import annotations

from typing import Any

from peiyu.targets import progress
from peiyu.taxes import analytics


def home_panel(request: Any) -> dict[str, Any] | None:
    month = analytics.latest_month()
    if month is None:
        return None
    year = int(month[:4])
    rows = progress.board(request.user, year, month)
    if not rows:
        return None
    worst = progress.sort_rows(rows, "gap")[:6]
    return {
        "template": "targets/panel.html",
        "order": 20,
        "year": year,
        "month": month,
        "month_no": int(month[5:]),
        "time_progress": progress.time_progress(month),
        "counts": progress.status_counts(rows),
        "rows": worst,
    }
