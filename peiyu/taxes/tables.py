"""The tax pages' tables, declared once: each renders the page table, the Excel sheet and the API
rows (see :mod:`peiyu.core.tables`)."""

from __future__ import annotations

from typing import Any

from peiyu.core.tables import Column, TableSpec


def _unmatched(row: Any) -> str | None:
    return None if row.get("matched", True) else "未匹配"


MEASURES = (
    Column("month_fen", "本月区级税收（万元）", "money"),
    Column("prev_month_fen", "上月（万元）", "money"),
    Column("mom_pct", "环比（%）", "percent", signed=True),
    Column("ytd_fen", "累计区级税收（万元）", "money"),
    Column("prev_ytd_fen", "上年同期累计（万元）", "money"),
    Column("yoy_pct", "同比（%）", "percent", signed=True),
    Column("change_fen", "增减额（万元）", "money", signed=True),
    Column("ytd_total_fen", "累计税收总额（万元）", "money"),
)


def breakdown(label: str) -> TableSpec:
    """By industry or by area: the shared measures, the taxpayer count and the share."""
    return TableSpec(
        Column("name", label, url="url"),
        *MEASURES,
        Column("taxpayers", "纳税企业数", "integer"),
        Column("share_pct", "累计占比（%）", "percent"),
    )


BY_INDUSTRY = breakdown("产业")
BY_AREA = breakdown("街道镇")

TAX_TYPES = TableSpec(
    Column("tax_type", "税种"),
    Column("month_fen", "本月（万元）", "money"),
    Column("ytd_fen", "累计（万元）", "money"),
    Column("prev_ytd_fen", "上年同期累计（万元）", "money"),
    Column("yoy_pct", "同比（%）", "percent", signed=True),
    Column("share_pct", "累计占比（%）", "percent"),
)

MONTHLY = TableSpec(
    Column("label", "月份"),
    Column("this", "本年（万元）", "money"),
    Column("last", "上年（万元）", "money"),
)

ENTERPRISES = TableSpec(
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("name", "企业名称", url="profile_url", badge=_unmatched),
    Column("key_industry", "重点产业"),
    Column("area", "街道镇"),
    *MEASURES,
    empty="没有符合条件的企业",
)

TOP = TableSpec(
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("name", "企业名称", url="profile_url", badge=_unmatched),
    Column("key_industry", "重点产业"),
    Column("area", "街道镇"),
    Column("month_fen", "本月（万元）", "money"),
    Column("ytd_fen", "累计区级税收（万元）", "money"),
    Column("prev_ytd_fen", "上年同期累计（万元）", "money"),
    Column("yoy_pct", "同比（%）", "percent", signed=True),
    Column("share_pct", "占比（%）", "percent"),
    numbered="排名",
)

DECOMPOSITION = TableSpec(
    Column("label", "构成"),
    Column("fen", "金额（万元）", "money", signed=True),
    Column("enterprises", "企业数", "integer"),
    Column("help", "口径"),
)

DECOMPOSITION_FIRMS = TableSpec(
    Column("part", "构成", screen=False),
    Column("credit_code", "统一社会信用代码", screen=False),
    Column("name", "企业名称", url="profile_url"),
    Column("cur", "本年累计（万元）", "money"),
    Column("prev", "上年同期（万元）", "money"),
    Column("delta", "增减（万元）", "money", signed=True),
    empty="无",
)

ENTERPRISE_MONTHS = TableSpec(
    Column("month", "月份"),
    Column("district_fen", "区级税收（万元）", "money"),
    Column("total_fen", "税收总额（万元）", "money"),
    Column("last_year_fen", "上年同月区级（万元）", "money"),
    Column("yoy_pct", "同比（%）", "percent", signed=True),
    Column("source", "来源（批次、文件、版本、行）"),
)


SHARE_COLUMNS = ("BY_INDUSTRY", "BY_AREA", "TAX_TYPES", "TOP")


class _Scoped:
    """The tables with their share headings saying what the share is of: a scoped user's share is
    of their scope's total (占本范围), never of the district (占全区)."""

    def __init__(self, limited: bool) -> None:
        for name in SHARE_COLUMNS:
            spec: TableSpec = globals()[name]
            if limited:
                label = next(c.label for c in spec.columns if c.key == "share_pct")
                spec = spec.relabel(share_pct=label.replace("占比", "占本范围"))
            setattr(self, name, spec)

    def __getattr__(self, name: str) -> Any:
        return globals()[name]


_DISTRICT = _Scoped(False)
_LIMITED = _Scoped(True)


def scoped(who: Any) -> Any:
    """``tables.scoped(request.user).BY_INDUSTRY`` — the spec with the right share heading."""
    from peiyu.accounts import scope

    return _LIMITED if scope.scope_for(who).is_limited else _DISTRICT
