"""The tax section of the enterprise profile (一企一档): this year's monthly district-level tax
against last year's, with the import batch (file, version) and source rows behind every month."""

from __future__ import annotations

from typing import Any

from peiyu.accounts import audit
from peiyu.taxes import analytics, charts
from peiyu.taxes import audit_actions as A


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    """``enterprise`` is already checked against the user's scope by the profile page."""
    month = analytics.latest_month()
    if month is None:
        return {"template": "taxes/profile_section.html", "order": 20, "series": None}
    series = analytics.enterprise_monthly(request.user, enterprise.id, month)
    audit.record_view(
        request,
        A.ENTERPRISE_VIEW,
        f"企业税收 {enterprise.name}",
        credit_code=enterprise.credit_code,
        year=series["year"],
    )
    monthly = {
        "year": series["year"],
        "labels": [r["label"] for r in series["rows"]],
        "this_year": [r["district_fen"] for r in series["rows"]],
        "last_year": [r["last_year_fen"] for r in series["rows"]],
    }
    return {
        "template": "taxes/profile_section.html",
        "order": 20,
        "series": series,
        "chart": charts.year_compare(monthly),
        "chart_id": f"tax-chart-{enterprise.id}",
        "credit_code": enterprise.credit_code,
    }
