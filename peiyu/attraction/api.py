"""The attraction pipeline in the JSON API (scoped like the pages)."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from peiyu.attraction import queries, tables

PREFIX = ""
router = Router(tags=["招商引资"])


def _user(request: Any) -> Any:
    return getattr(request, "auth", None) or request.user


@router.get("attraction/projects", summary="招商项目（本人范围）")
def projects(request: Any, stage: str | None = None) -> dict[str, Any]:
    user = _user(request)
    qs = queries.visible(user)
    if stage:
        qs = qs.filter(stage=stage)
    rows = [tables.project_row(p, user) for p in qs]
    for r in rows:
        r["id"] = r["p"].pk
    items = tables.PROJECTS.api_rows(rows)
    for item, r in zip(items, rows, strict=True):
        item["id"], item["stage"], item["status"] = r["id"], r["stage"], r["status"]
    return {"count": len(items), "items": items}


@router.get(
    "attraction/year/{year}",
    summary="某年末项目库与各小组当年签约、落地（同 peiyu attraction --year --json）",
)
def year_view(request: Any, year: int) -> dict[str, Any]:
    if not 1990 <= year <= 2100:
        raise HttpError(422, f"年份“{year}”无效，应为 1990—2100 之间的四位年份")
    return queries.year_view(year, _user(request))
