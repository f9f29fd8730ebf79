"""The lists of enterprise services, declared once (page, Excel export, API rows)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from peiyu.core.tables import Column, TableSpec


def _request_url(row: Any) -> str:
    return reverse("services:request_detail", args=[row["_r"].pk])


def _profile_url(row: Any) -> str | None:
    code = row.get("credit_code")
    try:
        return reverse("registry:detail", args=[code]) if code else None
    except Exception:  # noqa: BLE001 — no profile page installed
        return None


REQUESTS = TableSpec(
    Column("ref", "编号", url=_request_url, mono=True),
    Column("name", "企业名称", value=lambda r: r["_r"].enterprise.name),
    Column("credit_code", "统一社会信用代码", screen=False),
    Column("category", "诉求类别"),
    Column("channel", "受理渠道", value=lambda r: r["_r"].get_channel_display(), screen=False),
    Column("content", "诉求内容", value=lambda r: r["_r"].content, width=50, screen=False),
    Column("unit", "承办单位", value=lambda r: str(r["_r"].unit or "")),
    Column("handler", "承办人", value=lambda r: str(r["_r"].handler or "")),
    Column("green", "绿色通道", "bool", value=lambda r: r["_r"].green),
    Column("received", "受理时间", "date"),
    Column("accept_due", "受理期限", "date", screen=False),
    Column("reply_due", "答复期限", "date", screen=False),
    Column("resolve_due", "办结期限", "date"),
    Column("status", "状态"),
    Column("overdue", "超期", "bool"),
    Column("satisfaction", "企业评价", value=lambda r: r["_r"].get_satisfaction_display()),
    empty="没有诉求。",
)

VISITS = TableSpec(
    Column("date", "走访日期", "date"),
    Column("name", "企业名称", value=lambda v: v.enterprise.name),
    Column("credit_code", "统一社会信用代码", value=lambda v: v.enterprise.credit_code, screen=False),
    Column("visitor", "走访人", value=lambda v: v.visitor_name or str(v.visitor or "")),
    Column("met", "接待人"),
    Column("findings", "走访情况", width=60),
    Column("flags", "风险信号", value=lambda v: "、".join(v.flag_labels())),
    empty="没有走访记录。",
)

PLAN = TableSpec(
    Column("name", "企业名称", url=_profile_url),
    Column("credit_code", "统一社会信用代码", screen=False),
    Column("area", "街道镇"),
    Column("reasons", "走访理由", width=60),
    Column("score", "风险分", "integer"),
    Column("last_visit", "上次走访", "date"),
    empty="暂无需要优先走访的企业。",
)

OFFICERS = TableSpec(
    Column("officer", "走访人"),
    Column("visits", "走访次数", "integer", total=True),
    Column("enterprises", "走访企业数", "integer", total=True),
    Column("flags", "发现风险信号", "integer", total=True),
    empty="本年度尚无走访。",
)

AREAS = TableSpec(
    Column("area", "街道镇"),
    Column("key_enterprises", "重点企业数", "integer", total=True),
    Column("visited", "本年已走访", "integer", total=True),
    Column("share", "覆盖率（%）", "percent"),
    empty="没有重点企业。",
)

LISTING = TableSpec(
    Column(
        "name",
        "企业名称",
        value=lambda s: s.enterprise.name,
        url=lambda s: reverse("services:listingsheet_detail", args=[s.pk]),
    ),
    Column("credit_code", "统一社会信用代码", value=lambda s: s.enterprise.credit_code, screen=False),
    Column("stage", "阶段", value=lambda s: s.get_stage_display()),
    Column("board", "目标板块"),
    Column("broker", "券商"),
    Column("law_firm", "律所", screen=False),
    Column("accountant", "会计师事务所", screen=False),
    Column("blockers", "主要障碍", width=40),
    Column("owner", "服务专员", value=lambda s: str(s.owner or "")),
    Column("joined", "入库日期", "date"),
    empty="培育库为空。",
)

CANDIDATES = TableSpec(
    Column("name", "企业名称", url=_profile_url),
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("tax_fen", "近12个月区级税收（万元）", "money"),
    Column("growth", "同比（%）", "percent", signed=True),
    Column("basis", "依据"),
    empty="按当前门槛没有候选企业。",
)

FINANCING = TableSpec(
    Column("applied_on", "申请日期", "date"),
    Column("name", "企业名称", value=lambda a: a.enterprise.name),
    Column("credit_code", "统一社会信用代码", value=lambda a: a.enterprise.credit_code, screen=False),
    Column("product", "产品", value=lambda a: a.get_product_display()),
    Column("bank", "银行"),
    Column("amount_asked_fen", "申请金额（万元）", "money", total=True),
    Column("stage", "进度", value=lambda a: a.get_stage_display()),
    Column("amount_granted_fen", "放款金额（万元）", "money", total=True),
    empty="没有融资申请。",
)

FUNNEL_ROWS = TableSpec(
    Column("key", "分组"),
    Column("applied", "申请", "integer", total=True),
    Column("matched", "对接", "integer", total=True),
    Column("signed", "签约", "integer", total=True),
    Column("granted", "放款", "integer", total=True),
    Column("asked_fen", "申请金额（万元）", "money", total=True),
    Column("granted_fen", "放款金额（万元）", "money", total=True),
    empty="没有数据。",
)

EVENTS = TableSpec(
    Column("date", "日期", "date"),
    Column("kind", "类型", value=lambda e: e.get_kind_display()),
    Column("theme", "主题", url=lambda e: reverse("services:serviceevent_detail", args=[e.pk])),
    Column("area", "主办街道镇", value=lambda e: str(e.area or "全区")),
    Column("organiser", "主办单位"),
    Column("location", "地点", screen=False),
    Column("attendees", "参会企业数", "integer", value=lambda e: e.attendances.count()),
    empty="没有活动。",
)
