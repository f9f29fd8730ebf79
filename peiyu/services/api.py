"""Enterprise requests in the JSON API (read-only, scoped).

GET /api/v1/services/requests?as_of=YYYY-MM-DD  → {"requests": [...]} (the rows of ``peiyu requests --json``)
GET /api/v1/services/visits?credit_code=…
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router
from ninja.errors import HttpError

from peiyu.services import queries

PREFIX = "services/"
router = Router(tags=["企业服务"])


@router.get("requests", summary="企业诉求及期限（数据范围内）")
def list_requests(request: Any, as_of: str = "") -> dict[str, Any]:
    day = None
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise HttpError(400, "日期格式应为 YYYY-MM-DD") from None
    rows = queries.request_rows(queries.visible_requests(request.auth), day)
    return {"requests": queries.json_rows(rows)}


@router.get("visits", summary="企业走访记录（数据范围内）")
def list_visits(request: Any, credit_code: str = "") -> dict[str, Any]:
    qs = queries.visible_visits(request.auth)
    if credit_code:
        qs = qs.filter(enterprise__credit_code=credit_code)
    return {
        "visits": [
            {
                "credit_code": v.enterprise.credit_code,
                "date": v.date.isoformat(),
                "visitor": v.visitor_name,
                "findings": v.findings,
                "flags": v.flags,
            }
            for v in qs[:2000]
        ]
    }
