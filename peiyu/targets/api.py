"""Targets in the JSON API: the targets a user may see, and their progress for a month."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from peiyu.targets import progress

PREFIX = ""
router = Router(tags=["目标考核"])


def _user(request: Any) -> Any:
    return getattr(request, "auth", None) or request.user


@router.get("targets", summary="目标列表（按年度）")
def list_targets(request: Any, year: int | None = None) -> dict[str, Any]:
    qs = (
        progress.visible_targets(_user(request))
        .select_related("key_industry", "area")
        .prefetch_related("departments")
    )
    if year is not None:
        qs = qs.filter(year=year)
    items = []
    for t in qs.order_by("-year", "order", "id"):
        items.append(
            {
                "id": t.pk,
                "year": t.year,
                "name": t.name,
                "kind": t.kind,
                "industry": t.key_industry.name if t.key_industry is not None else None,
                "area": t.area.name if t.area is not None else None,
                "target_fen": t.target_fen,
                "growth_pct": None if t.growth_pct is None else float(t.growth_pct),
                "target_value": None if t.target_value is None else float(t.target_value),
                "unit": t.unit,
                "departments": [d.name for d in t.departments.all()],
                "note": t.note,
            }
        )
    return {"year": year, "count": len(items), "items": items}


@router.get("stats/targets", summary="目标进度（某月：完成率、时间进度、差距、状态、年末预计）")
def stats_targets(request: Any, month: str | None = None) -> dict[str, Any]:
    from peiyu.targets.stats import StatsError
    from peiyu.targets.stats import stats_targets as build

    try:
        return build(month, user=_user(request))
    except StatsError as exc:
        raise HttpError(400, str(exc)) from None
