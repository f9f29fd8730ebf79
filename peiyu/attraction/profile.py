"""一企一档: the enterprise's attraction history (the projects it landed through or brought in)."""

from __future__ import annotations

from typing import Any

from peiyu.accounts.audit import record_view
from peiyu.attraction import audit_actions as A
from peiyu.attraction import queries, stages


def profile_section(request: Any, enterprise: Any) -> dict[str, Any] | None:
    projects = queries.projects_for(enterprise, request.user)
    if not projects:
        return None
    rows = []
    for p in projects:
        rows.append(
            {
                "p": p,
                "stage": stages.label(p.stage),
                "role": "以商引商来源企业"
                if p.source_enterprise_id == enterprise.pk and p.enterprise_id != enterprise.pk
                else "落地企业",
                "logs": list(p.stage_logs.all()),
            }
        )
    if any(p.tax12_fen for p in projects):
        record_view(request, A.TAX_VIEW, f"{enterprise.name} 招商项目", credit_code=enterprise.credit_code)
    return {"template": "attraction/profile_section.html", "order": 45, "rows": rows}
