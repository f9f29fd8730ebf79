"""The enterprise profile (一企一档) section: the enterprise's warnings, follow-ups and key status."""

from __future__ import annotations

from typing import Any

from peiyu.accounts.audit import record_view
from peiyu.alerts import audit_actions as A
from peiyu.alerts import queries
from peiyu.alerts.models import FollowUp, KeyEnterpriseOverride


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    warnings = list(
        queries.visible(request.user).filter(enterprise=enterprise).order_by("-last_month", "-id")
    )
    followups = list(
        FollowUp.objects.filter(warning__in=warnings)
        .select_related("warning", "created_by")
        .order_by("-date", "-id")[:20]
    )
    overrides = list(
        KeyEnterpriseOverride.objects.filter(enterprise=enterprise).select_related("created_by")[:5]
    )
    if warnings:
        record_view(request, A.PROFILE_VIEW, f"{enterprise.name} 预警", credit_code=enterprise.credit_code)
    return {
        "template": "alerts/profile_section.html",
        "order": 40,
        "warnings": warnings,
        "followups": followups,
        "overrides": overrides,
        "is_key_manual": enterprise.is_key,
    }
