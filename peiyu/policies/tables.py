"""The policy app's lists, declared once: the page table, the Excel export and the API rows."""

from __future__ import annotations

from peiyu.core.tables import Column, TableSpec

POLICIES = TableSpec(
    Column("name", "政策名称", url="url"),
    Column("doc_number", "文号"),
    Column("kind", "类别"),
    Column("department", "主管部门"),
    Column("round", "轮次"),
    Column("valid", "有效期"),
    Column("clauses", "条款数", "integer"),
    Column("recipients", "受益企业（家）", "integer", help="本范围内已兑现的企业"),
    Column("paid_fen", "已兑现（万元）", "money", total=True),
    empty="没有您可以查看的政策。",
)

AWARDS = TableSpec(
    Column("year", "年度"),
    Column("credit_code", "统一社会信用代码", mono=True, screen=False),
    Column("enterprise", "企业名称", url="url"),
    Column("policy", "政策"),
    Column("clause", "条款"),
    Column("amount_fen", "金额（万元）", "money", total=True),
    Column("origin", "来源"),
    Column("status", "状态"),
    Column("paid_on", "兑现日期", "date"),
    Column("due", "当前期限", "datetime"),
    empty="没有符合条件的兑现记录。",
)

ELIGIBLE = TableSpec(
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("name", "企业名称"),
    Column("tax_last_year_fen", "上年区级税收（万元）", "money", total=True),
    Column("basis", "符合条件的数据"),
    Column("amount_fen", "按规则测算金额（万元）", "money", total=True),
    Column("listed", "已列入/已兑现"),
    empty="按现有数据没有符合条件的企业。",
)

GAP = TableSpec(
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("name", "企业名称"),
    Column("area", "街镇"),
    Column("industry", "重点产业"),
    Column("clauses", "符合的免申即享条款"),
    Column("amount_fen", "测算可享金额（万元）", "money", total=True),
    empty="符合免申即享条件的企业均已享受过政策。",
)

EVALUATION = TableSpec(
    Column("name", "政策", url="url"),
    Column("kind", "类别"),
    Column("recipients", "受益企业（家）", "integer", total=True),
    Column("paid_fen", "兑现金额（万元）", "money", total=True),
    Column("tax_before_fen", "前一年区级税收（万元）", "money", total=True),
    Column("tax_after_fen", "后一年区级税收（万元）", "money", total=True),
    Column("recipients_growth_pct", "受益企业增长（%）", "percent", signed=True),
    Column("comparison_firms", "可比企业（家）", "integer"),
    Column("comparison_growth_pct", "可比企业增长（%）", "percent", signed=True),
    Column("effect_pp", "成效估计（百分点）", "points", signed=True),
    Column("interval", "90%区间（百分点）"),
    Column("extra_tax_fen", "税收增量（万元）", "money", total=True),
    Column("return_per_yuan", "每元兑现带来税收增量（元）", "decimal", places=2),
    empty="该年度没有已兑现的政策，或您的范围内没有受益企业。",
)

BREACHES = TableSpec(
    Column("enterprise", "企业名称", url="url"),
    Column("policy", "政策"),
    Column("kind", "违约情形"),
    Column("month", "发现月份"),
    Column("recover_fen", "应追回（万元）", "money", total=True),
    Column("status", "办理状态"),
    empty="没有兑现条件违约。",
)

PUBLICITY = (
    AWARDS.only("credit_code", "enterprise", "policy", "clause", "amount_fen")
    .extended(Column("publicity", "公示期"))
    .with_options(empty="当前没有公示中的兑现。")
)
