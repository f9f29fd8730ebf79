"""The enterprise profile (一企一档) section: every policy support the enterprise received or is in
the middle of receiving, and any broken condition."""

from __future__ import annotations

from typing import Any

from peiyu.accounts.audit import record_view
from peiyu.policies import audit_actions as A
from peiyu.policies import queries
from peiyu.policies.models import AwardStatus


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    awards = list(
        queries.awards(request.user).filter(enterprise=enterprise).order_by("-year", "-paid_on", "-id")
    )
    breaches = list(queries.breaches(request.user).filter(award__enterprise=enterprise))
    if awards:
        record_view(
            request, A.PROFILE_VIEW, f"{enterprise.name} 政策兑现", credit_code=enterprise.credit_code
        )
    return {
        "template": "policies/profile_section.html",
        "order": 55,
        "awards": awards,
        "breaches": breaches,
        "paid_fen": sum(a.amount_fen for a in awards if a.status == AwardStatus.PAID),
        "paid_count": sum(1 for a in awards if a.status == AwardStatus.PAID),
    }
