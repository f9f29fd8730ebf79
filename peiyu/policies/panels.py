"""Home panel: the policy work waiting for the user (awards to confirm, review, publish, pay; breaches
to recover) and this year's money paid within the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum

from peiyu.policies import queries
from peiyu.policies.models import AwardStatus


def home_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    awards = queries.awards(user)
    year = dt.date.today().year
    open_by_status = {
        s: awards.filter(item__is_open=True, status=s).count()
        for s in ("eligible", "submitted", "publicity", "approved")
    }
    breaches = queries.breaches(user).filter(item__is_open=True).count()
    paid = awards.filter(status=AwardStatus.PAID, paid_on__year=year).aggregate(s=Sum("amount_fen"))["s"] or 0
    if not any(open_by_status.values()) and not breaches and not paid:
        return None
    labels = dict(AwardStatus.choices)
    return {
        "template": "policies/panel.html",
        "order": 60,
        "year": year,
        "paid_fen": paid,
        "rows": [(s, labels[s], n) for s, n in open_by_status.items()],
        "breaches": breaches,
    }
