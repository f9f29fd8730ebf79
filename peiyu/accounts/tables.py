"""The audit log list, declared once (page and Excel export): the same columns, the page drawing the
details as Chinese key/value lines, the export as one line each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from peiyu.core.tables import Column, TableSpec

AUDIT = TableSpec(
    Column("time", "时间", "datetime"),
    Column("user", "用户"),
    Column("action", "操作", template="accounts/cells/action.html"),
    Column("code", "操作代码", screen=False),
    Column("object_type", "对象类型", screen=False),
    Column("object_id", "对象标识", screen=False),
    Column("object", "对象"),
    Column("before", "修改前", width=40, template="accounts/cells/before.html"),
    Column("after", "修改后", width=40, template="accounts/cells/after.html"),
    Column("detail", "详情", width=40, template="accounts/cells/detail.html"),
    Column("reason", "原因"),
    Column("ip", "来源地址"),
    empty="没有符合条件的记录。",
)


def audit_rows(entries: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Audit rows as people read them: label, name, details (text for Excel, lines for the page)."""
    from peiyu.accounts import audit as audit_mod

    for r in entries:
        detail = r.detail or None
        yield {
            "time": r.time,
            "user": audit_mod.display_name(r),
            "action": audit_mod.action_label(r.action),
            "code": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "object": r.object_repr or r.object_id,
            "before": audit_mod.readable_text(r.before),
            "after": audit_mod.readable_text(r.after),
            "detail": audit_mod.readable_text(detail),
            "before_lines": audit_mod.readable(r.before),
            "after_lines": audit_mod.readable(r.after),
            "detail_lines": audit_mod.readable(detail),
            "reason": r.reason,
            "ip": r.ip or "",
        }
