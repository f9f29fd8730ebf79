"""The audit log list, declared once (page and Excel export)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from peiyu.core.tables import Column, TableSpec

AUDIT = TableSpec(
    Column("time", "时间", "datetime", value=lambda r: r["time"]),
    Column("user", "用户"),
    Column("action", "操作", help="操作名称"),
    Column("code", "操作代码", screen=False),
    Column("object_type", "对象类型", screen=False),
    Column("object_id", "对象标识", screen=False),
    Column("object", "对象"),
    Column("summary", "说明", width=50),
    Column("before", "修改前", width=40, screen=False),
    Column("after", "修改后", width=40, screen=False),
    Column("detail", "详情", width=40, screen=False),
    Column("reason", "原因", screen=False),
    Column("ip", "来源地址"),
    empty="没有符合条件的记录。",
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value not in (None, {}, "") else ""


def audit_rows(entries: Iterable[Any]) -> Iterator[dict[str, Any]]:
    from peiyu.accounts.audit import action_label

    for r in entries:
        before = _json(r.before) if r.before is not None else ""
        after = _json(r.after) if r.after is not None else ""
        detail = _json(r.detail)
        parts = [
            f"修改前：{before}" if before else "",
            f"修改后：{after}" if after else "",
            detail,
            f"原因：{r.reason}" if r.reason else "",
        ]
        yield {
            "time": r.time,
            "user": r.username,
            "action": action_label(r.action),
            "code": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "object": r.object_repr or r.object_id,
            "summary": "；".join(p for p in parts if p),
            "before": before,
            "after": after,
            "detail": detail,
            "reason": r.reason,
            "ip": r.ip or "",
        }
