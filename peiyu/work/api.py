"""GET /api/v1/inbox (the caller's 我的待办), /api/v1/items/{id} (one item, scope-checked),
/api/v1/workdays/add?date=YYYY-MM-DD&n=N (the working-day rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Router

from peiyu.work import actions, queries, workdays

router = Router(tags=["督办与待办"])


@router.get("inbox", summary="我的待办（跨模块，超期在前，其余按期限）")
def inbox(request: Any) -> dict[str, Any]:
    now = timezone.now()
    items = queries.items_for(request.auth, now=now)
    return {"items": [queries.row(i, now) for i in items], "counts": queries.counts(request.auth, now)}


@router.get("items/{item_id}", summary="一个督办事项及其处理记录")
def item(request: Any, item_id: int) -> dict[str, Any]:
    it = queries.get_or_404(request.auth, item_id)
    out = queries.row(it)
    out["deadlines"] = {
        k: (timezone.localtime(v).isoformat() if v else None) for k, v in actions.stage_deadlines(it).items()
    }
    out["events"] = [
        {
            "time": timezone.localtime(e.time).isoformat(),
            "step": e.text,
            "from": e.from_status,
            "to": e.to_status,
            "by": e.user.username if e.user is not None else None,
            "note": e.note,
        }
        for e in it.events.select_related("user")
    ]
    out["notes"] = [
        {
            "method": n.method,
            "date": n.date.isoformat(),
            "contact": n.contact,
            "text": n.text,
            "by": n.created_by.username if n.created_by is not None else None,
            "attachments": [a.name for a in n.attachments.all()],
        }
        for n in it.notes.select_related("created_by").prefetch_related("attachments")
    ]
    return out


@router.get("workdays/add", summary="日期之后第 N 个工作日（日期当天不计）")
def workdays_add(request: Any, date: str, n: int) -> dict[str, Any]:
    try:
        start = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404("日期格式应为 YYYY-MM-DD") from None
    if n < 0 or n > 400:
        raise Http404("工作日数应在 0–400 之间")
    try:
        due = workdays.add_working_days(start, n)
    except workdays.CalendarMissing as exc:
        return {"start": start.isoformat(), "days": n, "due": None, "error": str(exc)}
    return {"start": start.isoformat(), "days": n, "due": due.isoformat()}
