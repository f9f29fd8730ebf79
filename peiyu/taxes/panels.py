"""Home panel: the latest month's district-level tax within the user's scope, per key industry."""

from __future__ import annotations

from typing import Any

from peiyu.accounts import scope as scope_mod
from peiyu.taxes import analytics


def home_panel(request: Any) -> dict[str, Any] | None:
    if scope_mod.scope_for(request.user).is_empty:
        return None
    month = analytics.latest_month()
    if month is None:
        return {"template": "taxes/panel.html", "order": 10, "month": None}
    stats = analytics.industry_stats(request.user, month)
    y, m = month.split("-")
    return {
        "template": "taxes/panel.html",
        "order": 10,
        "month": month,
        "month_label": f"{y}年{int(m)}月",
        "district": stats["district"],
        "industries": stats["industries"],
    }
