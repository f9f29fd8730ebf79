"""The enterprise profile (一企一档) section: the carriers (building, park, incubator) the enterprise
is or was in, with leased area and dates."""

from __future__ import annotations

from typing import Any

from peiyu.accounts.audit import record_view
from peiyu.carriers import audit_actions as A
from peiyu.carriers.models import Tenancy


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    tenancies = list(
        Tenancy.objects.filter(enterprise=enterprise)
        .select_related("carrier", "carrier__area", "space")
        .order_by("-move_in")
    )
    if not tenancies:
        return None
    record_view(request, A.PROFILE_VIEW, f"{enterprise.name} 入驻载体", credit_code=enterprise.credit_code)
    return {"template": "carriers/profile_section.html", "order": 55, "tenancies": tenancies}
