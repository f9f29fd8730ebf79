"""Home panel: the building economy of the user's scope this year (tiers, the largest buildings)."""

from __future__ import annotations

from typing import Any


def home_panel(request: Any) -> dict[str, Any] | None:
    from peiyu.carriers import economy
    from peiyu.taxes.analytics import latest_month

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    carriers = list(economy.visible_carriers(user))
    month = latest_month()
    if not carriers or not month:
        return None
    year = int(month[:4])
    figs = economy.ranked(economy.figures(user, carriers, year))
    return {
        "template": "carriers/panel.html",
        "order": 60,
        "year": year,
        "month": month,
        "count": len(figs),
        "yi": sum(1 for f in figs if f.tier == economy.TIER_YI),
        "qianwan": sum(1 for f in figs if f.tier == economy.TIER_QIANWAN),
        "top": [f.table_row() for f in figs[:5]],
    }
