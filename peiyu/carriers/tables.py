"""The carriers' tables: one declaration each for the page, the Excel export and the API."""

from __future__ import annotations

from peiyu.core.tables import Column, TableSpec

BUILDINGS = TableSpec(
    Column("name", "载体名称", url="url"),
    Column("kind", "类型"),
    Column("area", "所属街道镇"),
    Column("tax_fen", "税收（万元）", "money", total=True),
    Column("district_tax_fen", "区级税收（万元）", "money", total=True),
    Column("growth_pct", "同比（%）", "percent", signed=True),
    Column("paying_tenants", "纳税企业（户）", "integer", total=True),
    Column("registered_only", "入驻未纳税（户）", "integer", total=True),
    Column("gross_area_m2", "建筑面积（㎡）", "decimal", places=0, total=True),
    Column("tax_per_m2_yuan", "每平方米税收（元）", "decimal", places=2),
    Column("vacancy_pct", "空置率（%）", "percent"),
    Column("tier", "层级", badge=lambda r: r.get("candidate") and f"{r['candidate']}培育"),
    Column("top3_pct", "前三户占比（%）", "percent", screen=False),
    Column("prev_tax_fen", "上年同期（万元）", "money", screen=False),
    Column("candidate", "培育方向", screen=False),
    numbered=True,
    empty="没有符合条件的载体",
)

TENANTS = TableSpec(
    Column("name", "企业名称", url="url"),
    Column("credit_code", "统一社会信用代码", mono=True, screen=False),
    Column("industry", "重点产业"),
    Column("area_m2", "租用面积（㎡）", "decimal", places=0),
    Column("move_in", "入驻日期", "date"),
    Column("move_out", "迁出日期", "date"),
    Column("months", "计入月数", "integer"),
    Column("tax_fen", "税收（万元）", "money", total=True),
    Column("district_fen", "区级税收（万元）", "money", total=True),
    Column("prev_tax_fen", "上年同期（万元）", "money", total=True),
    numbered=True,
    empty="没有入驻企业（或不在您的数据范围内）",
)

RENT = TableSpec(
    Column("name", "企业名称", url="url"),
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("industry", "重点产业"),
    Column("carriers", "载体"),
    Column("area_m2", "租用面积（㎡）", "decimal", places=2),
    Column("tax_fen", "当年区级税收（万元）", "money", total=True),
    Column("base_fen", "基准年区级税收（万元）", "money", total=True),
    Column("increment_fen", "增量（万元）", "money", total=True),
    Column("support_fen", "测算支持金额（万元）", "money", total=True),
    Column("qualifies", "是否符合", "bool"),
    Column("why", "测算说明"),
    numbered=True,
    empty="没有租用载体的企业",
)

RANKING = TableSpec(
    Column("name", "孵化器", url="url"),
    Column("level", "级别"),
    Column("area", "所属街道镇"),
    Column("score", "得分", "decimal", places=2),
    Column("grade", "等级"),
    Column("support_fen", "支持金额（万元）", "money", total=True),
    Column("status", "状态"),
    Column("publicity_end", "公示截止", "date"),
    numbered="排名",
    empty="尚无评价",
)

MATCHES = TableSpec(
    Column("name", "载体", url="url"),
    Column("kind", "类型"),
    Column("area", "所属街道镇"),
    Column("focus", "主导产业"),
    Column("vacancy_m2", "空置面积（㎡）", "decimal", places=0),
    Column("reasons", "匹配说明"),
    numbered=True,
    empty="没有空置面积满足需求的载体",
)

PARKS = TableSpec(
    Column("name", "园区", url="url"),
    Column("area", "所属街道镇"),
    Column("focus", "主导产业"),
    Column("firms", "入驻企业（户）", "integer"),
    Column("focus_firm_pct", "主导产业企业占比（%）", "percent"),
    Column("prev_focus_firm_pct", "上年同期占比（%）", "percent"),
    Column("tax_fen", "税收（万元）", "money", total=True),
    Column("growth_pct", "同比（%）", "percent", signed=True),
    Column("focus_tax_pct", "主导产业税收占比（%）", "percent"),
    Column("prev_focus_tax_pct", "上年同期占比（%）", "percent"),
    Column("tax_per_m2_yuan", "每平方米税收（元）", "decimal", places=2),
    numbered=True,
    empty="没有园区",
)

# the sheet for the policy app's disbursement ledger import (政策兑现台账: its column names)
LEDGER = TableSpec(
    Column("credit_code", "统一社会信用代码", mono=True),
    Column("name", "企业名称"),
    Column("policy", "政策名称"),
    Column("clause", "条款"),
    Column("support_fen", "兑现金额（万元）", "money", total=True),
    Column("paid_on", "兑现日期"),
    Column("department", "主管部门"),
    Column("year", "兑现年度", "integer"),
    Column("note", "备注"),
    empty="没有符合条件的企业",
)
