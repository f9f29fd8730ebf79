"""The attraction lists, declared once (page, Excel export, API rows)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from peiyu.attraction import stages
from peiyu.attraction.models import Project
from peiyu.core.tables import Column, TableSpec

PROJECTS = TableSpec(
    Column("name", "项目名称", url="url"),
    Column("team", "招商小组"),
    Column("stage_label", "阶段"),
    Column("status_label", "状态"),
    Column("industry", "产业"),
    Column("channel", "渠道"),
    Column("investor", "投资方", screen=False),
    Column("invest_fen", "计划投资额（万元）", "money", total=True),
    Column("signed_on", "签约日期", "date"),
    Column("promised_tax_fen", "承诺年税收（万元）", "money", screen=False),
    Column("enterprise", "落地企业"),
    Column("credit_code", "统一社会信用代码", screen=False),
    Column("area", "落地街道镇"),
    Column("registered_on", "注册落地日期", "date", screen=False),
    Column("first_tax_month", "首次纳税月份"),
    Column("tax12_fen", "首12个月区级税收（万元）", "money", total=True),
    Column("credited", "计入小组"),
    Column("missing", "待补充", screen=False),
    Column("status_reason", "状态原因", screen=False),
    empty="没有符合条件的项目",
)

LEAGUE = TableSpec(
    Column("name", "招商小组"),
    Column("leader", "牵头领导"),
    Column("projects", "项目总数", "integer", total=True),
    Column("lead", "线索/接洽", "integer", total=True),
    Column("talks", "在谈", "integer", total=True),
    Column("signed", "当年签约", "integer", total=True),
    Column("target_signed", "签约目标", "integer", total=True),
    Column("signed_invest_fen", "签约投资额（万元）", "money", total=True),
    Column("landed", "当年落地（计入）", "integer", total=True),
    Column("target_landed", "落地目标", "integer", total=True),
    Column("taxpaying", "当年首次纳税", "integer", total=True),
    Column("first_year_tax_fen", "首年区级税收（万元）", "money", total=True),
    Column("duplicates", "重复申报", "integer", total=True),
    empty="没有招商小组",
)

DUPLICATES = TableSpec(
    Column("name", "重复申报项目", url="url"),
    Column("team", "申报小组"),
    Column("entered_on", "登记日期", "date"),
    Column("credit_code", "统一社会信用代码"),
    Column("credited_name", "计入项目", url="credited_url"),
    Column("credited_team", "计入小组"),
    empty="没有重复申报",
)

FUNDS = TableSpec(
    Column("name", "基金"),
    Column("manager", "管理机构"),
    Column("size_fen", "基金规模（万元）", "money"),
    Column("projects", "引进项目", "integer", total=True),
    Column("landed", "已落地", "integer", total=True),
    Column("invest_fen", "计划投资额（万元）", "money", total=True),
    Column("project_names", "项目", width=60),
    empty="没有基金",
)

EVENTS = TableSpec(
    Column("date", "日期", "date"),
    Column("name", "活动"),
    Column("kind", "类型"),
    Column("city", "合作城市/地区"),
    Column("institution", "合作机构"),
    Column("projects", "签约项目", "integer", total=True),
    Column("project_names", "项目", width=60),
    empty="没有区域合作活动",
)


def project_row(p: Project, user: Any = None) -> dict[str, Any]:
    from peiyu.attraction.queries import enterprise_name

    credited = p.team.name if p.is_credited else ("不计（区内迁址）" if p.is_relocation else "重复申报")
    return {
        "p": p,
        "url": reverse("attraction:project", args=[p.pk]),
        "name": p.name,
        "team": p.team.name,
        "stage": p.stage,
        "stage_label": stages.label(p.stage),
        "status": p.status,
        "status_label": p.get_status_display(),
        "industry": p.industry.name if p.industry else "",
        "channel": p.get_channel_display() if p.channel else "",
        "investor": p.investor,
        "invest_fen": p.invest_fen,
        "signed_on": p.signed_on,
        "promised_tax_fen": p.promised_tax_fen,
        "enterprise": enterprise_name(user, p),
        "credit_code": p.credit_code,
        "area": p.area.name if p.area else "",
        "registered_on": p.registered_on,
        "first_tax_month": p.first_tax_month,
        "tax12_fen": p.tax12_fen,
        "credited": credited,
        "missing": "、".join(stages.missing_labels(p.missing_fields or [])),
        "status_reason": p.status_reason,
    }


def duplicate_row(p: Project) -> dict[str, Any]:
    winner = p.duplicate_of
    return {
        "name": p.name,
        "url": reverse("attraction:project", args=[p.pk]),
        "team": p.team.name,
        "entered_on": p.entered_on,
        "credit_code": p.credit_code,
        "credited_name": winner.name if winner else "",
        "credited_url": reverse("attraction:project", args=[winner.pk]) if winner else "",
        "credited_team": winner.team.name if winner else "",
    }
