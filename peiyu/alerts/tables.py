"""The warning list and the key-enterprise list, declared once (page, Excel export)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peiyu.core.tables import Column, TableSpec

WARNINGS = TableSpec(
    Column("name", "企业名称", template="alerts/cells/enterprise.html"),
    Column("credit_code", "统一社会信用代码", screen=False),
    Column("key_industry", "重点产业", screen=False),
    Column("area", "街道镇", screen=False),
    Column("rule_label", "预警规则"),
    Column("severity_label", "级别", template="alerts/cells/severity.html"),
    Column("first_month", "首次触发", screen=False),
    Column("last_month", "最近触发", template="alerts/cells/months.html"),
    Column("summary", "触发依据", width=60, template="alerts/cells/summary.html"),
    Column("status_label", "状态", template="alerts/cells/status.html"),
    Column("holds", "条件仍满足", screen=False),
    Column("owner_name", "责任人", template="alerts/cells/owner.html"),
    Column("overdue_text", "超期", screen=False),
    Column("last_activity", "最近处理", "datetime"),
    Column("resolution", "关闭理由", width=40, screen=False),
    empty="没有预警。",
)


def warning_rows(warnings: Iterable[Any], overdue_days: int) -> list[dict[str, Any]]:
    """Warnings as the list's rows (``row_dict`` plus the export's texts; ``w`` is the warning)."""
    from peiyu.alerts import queries

    rows = []
    for w in warnings:
        d = queries.row_dict(w, overdue_days)
        d["w"] = w
        d["holds"] = "是" if w.condition_holds else "否（条件已消除）"
        d["overdue_text"] = "超期" if d["overdue"] else ""
        d["last_activity"] = w.last_activity_at
        d["overdue_days"] = overdue_days
        rows.append(d)
    return rows


def _row_attrs(row: dict[str, Any]) -> dict[str, Any]:
    return {"class": "warning-row", "data-rule": row["rule"], "data-status": row["status"]}


def render_warnings(rows: list[dict[str, Any]]) -> Any:
    return WARNINGS.render(rows, id="warning-table", classes="", row_attrs=_row_attrs)


KEY_ENTERPRISES = TableSpec(
    Column("industry", "重点产业"),
    Column("area", "街道镇"),
    Column("name", "企业名称"),
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("sum_fen", "近12个月区级税收（万元）", "money", total=True),
    Column("industry_share", "占产业比重（%）", "percent"),
    Column("area_share", "占街道镇比重（%）", "percent"),
    Column("reasons_text", "纳入依据"),
    Column("liaison", "联络员"),
    Column("status", "登记状态"),
    empty="没有重点企业。",
)
# On the page each group is one industry (or one area): the group's own column and the other share go.
KEY_BY_INDUSTRY = KEY_ENTERPRISES.without("industry", "area_share")
KEY_BY_AREA = KEY_ENTERPRISES.without("area", "industry_share")
