"""Carriers in the JSON API (read-only, scoped, audited).

GET /api/v1/carriers/buildings?year=YYYY[&through=YYYY-MM]  — the object of ``peiyu carriers buildings --json``
GET /api/v1/carriers/match?area_m2=…&industry=…&area=…        — carriers with enough vacancy
"""

from __future__ import annotations

from typing import Any

from ninja import Router

from peiyu.accounts.audit import record_view
from peiyu.carriers import audit_actions as A

PREFIX = "carriers/"
router = Router(tags=["载体"])


@router.get("buildings", summary="楼宇年度税收、纳税企业、每平方米税收与层级（数据范围内）")
def buildings(request: Any, year: int, through: str = "") -> dict[str, Any]:
    from peiyu.analytics import parse_month
    from peiyu.carriers.economy import buildings_report

    user = request.auth
    month = None
    if through:
        try:
            month = parse_month(through)
        except ValueError:
            from ninja.errors import HttpError

            raise HttpError(400, "截至月份格式应为 YYYY-MM") from None
    record_view(request, A.BUILDINGS_API, f"接口读取 {year} 年楼宇税收", year=year)
    return buildings_report(user, year, through=month)


@router.get("match", summary="按面积、产业、街道镇匹配有空置面积的载体")
def match(request: Any, area_m2: str, industry: str = "", area: str = "") -> dict[str, Any]:
    from peiyu.carriers.matching import SpaceNeed, spaces_for

    need = SpaceNeed.of({"area_m2": area_m2, "industry": industry, "area": area})
    return {
        "area_m2": str(need.area_m2),
        "carriers": [
            {
                "id": m.carrier.pk,
                "name": m.carrier.name,
                "kind": m.carrier.get_kind_display(),
                "area": m.carrier.area.name if m.carrier.area else "",
                "vacancy_m2": str(m.vacancy_m2),
                "reasons": m.reasons,
            }
            for m in (spaces_for(need) if need.area_m2 > 0 else [])
        ],
    }
