"""GET /api/v1/measures?as_of=YYYY-MM-DD (the measures the caller sees, with their computed status:
the same object as ``peiyu measures --json``), /api/v1/taskforces (the task forces the caller sees)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from peiyu.taskforce import measures, queries

router = Router(tags=["产业专班"])


@router.get("measures", summary="营商环境措施及其状态（green/yellow/red/grey）")
def measure_list(request: Any, as_of: str = "") -> dict[str, Any]:
    day = timezone.localdate()
    if as_of:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise HttpError(422, f"日期“{as_of}”无效，应为 YYYY-MM-DD") from None
    plan = measures.current_plan()
    rows = list(measures.visible(request.auth, plan)) if plan is not None else []
    return measures.as_json(rows, day)


@router.get("taskforces", summary="产业专班")
def taskforce_list(request: Any) -> dict[str, Any]:
    out = []
    for tf in queries.visible(request.auth):
        nxt = queries.next_meeting(request.auth, tf)
        out.append(
            {
                "id": tf.pk,
                "name": tf.name,
                "industry": tf.industry.name,
                "leaders": [str(u) for u in tf.leaders.all()],
                "open_items": len(queries.open_items(request.auth, tf)),
                "next_meeting": nxt.date.isoformat() if nxt is not None else None,
            }
        )
    return {"taskforces": out}
