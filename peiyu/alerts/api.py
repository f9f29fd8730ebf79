"""Warnings and key enterprises in the JSON API (read-only, scoped, every call audited).

GET /api/v1/warnings?month=YYYY-MM&status=open|closed|new|…&rule=&severity=&industry=&area=&overdue=1
GET /api/v1/warnings/{id}
GET /api/v1/key-enterprises?month=YYYY-MM
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from ninja import Router

from peiyu.accounts.audit import record_view
from peiyu.alerts import audit_actions as A
from peiyu.alerts import keyset, queries
from peiyu.alerts.models import AlertSettings
from peiyu.alerts.tracked import EVENT_CODES
from peiyu.core.pagecache import reused_api
from peiyu.taxes import analytics

PREFIX = ""
router = Router(tags=["预警"])


@router.get("warnings", summary="预警列表（数据范围内）")
@reused_api
def list_warnings(
    request: Any,
    month: str = "",
    status: str = "",
    rule: str = "",
    severity: str = "",
    industry: str = "",
    area: str = "",
    overdue: str = "",
    limit: int = 500,
    offset: int = 0,
) -> dict[str, Any]:
    params = {
        "month": month,
        "status": status,
        "rule": rule,
        "severity": severity,
        "industry": industry,
        "area": area,
        "overdue": overdue,
    }
    rows = queries.in_order(queries.filtered(request.auth, params))
    days = AlertSettings.current().overdue_days
    limit = max(1, min(limit, 2000))
    offset = max(0, offset)
    page = list(rows[offset : offset + limit])
    record_view(
        request, A.WARNINGS_API, "API 预警列表", count=len(page), **{k: v for k, v in params.items() if v}
    )
    return {
        "month": month or None,
        "count": rows.count(),
        "warnings": [queries.row_dict(w, days) for w in page],
    }


@router.get("warnings/{warning_id}", summary="一条预警及其处理记录")
def get_warning(request: Any, warning_id: int) -> dict[str, Any]:
    w = queries.get_or_404(request.auth, warning_id)
    record_view(request, A.WARNING_API, str(w), warning=w.pk)
    out = queries.row_dict(w)
    item = w.item
    out["followups"] = [
        {
            "kind": f.method,
            "date": f.date.isoformat(),
            "contact": f.contact,
            "note": f.text,
            "by": f.created_by.username if f.created_by is not None else None,
        }
        for f in (item.notes.select_related("created_by") if item is not None else [])
    ]
    out["events"] = [
        {
            "time": e.time.isoformat(),
            "kind": EVENT_CODES.get(e.label, e.kind),
            "label": e.label or e.get_kind_display(),
            "month": e.month,
            "from": e.from_status,
            "to": e.to_status,
            "note": e.note,
            "by": e.user.username if e.user is not None else None,
        }
        for e in (item.events.select_related("user") if item is not None else [])
    ]
    return out


@router.get("key-enterprises", summary="重点企业名单（数据范围内）")
def key_enterprises(request: Any, month: str = "") -> dict[str, Any]:
    months = analytics.months_available()
    month = month or (months[-1] if months else "")
    if not month:
        return {"month": None, "enterprises": []}
    if month not in months:
        raise Http404("该月份没有税收数据")
    rows = keyset.key_list(request.auth, month)
    record_view(request, A.KEY_ENTERPRISES_API, f"API 重点企业 {month}", count=len(rows))
    keep = (
        "credit_code",
        "name",
        "industry",
        "area",
        "sum_fen",
        "industry_share",
        "area_share",
        "reasons",
        "status",
    )
    return {"month": month, "enterprises": [{k: r[k] for k in keep} for r in rows]}
