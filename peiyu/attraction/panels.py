"""Home panel: the user's pipeline by stage, with what waits for them (the 投促办: landings to
confirm and duplicate claims to settle)."""

from __future__ import annotations

from typing import Any


def home_panel(request: Any) -> dict[str, Any] | None:
    from peiyu.attraction import queries, stages
    from peiyu.attraction.models import Stage

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    qs = queries.visible(user)
    counts = queries.by_stage_counts(qs)
    if not any(counts.values()):
        return None
    office = stages.is_office(user)
    return {
        "template": "attraction/panel.html",
        "order": 45,
        "stages": [(stages.label(s), counts[s]) for s in stages.ORDER],
        "office": office,
        "to_confirm": qs.filter(stage=Stage.SIGNED).exclude(credit_code="").count() if office else 0,
        "duplicates": qs.filter(duplicate_of__isnull=False).count() if office else 0,
    }
