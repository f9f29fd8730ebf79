"""Stages, their gates and who may move what.

- Stages in order: 线索 → 接洽 → 在谈 → 签约 → 注册落地 → 纳税. Reaching a stage requires the gate
  fields of that stage and of every stage before it (``GATES``; ``settings.PEIYU_ATTRACTION_GATES``
  replaces them, e.g. to add a field).
- The team (its members and its leader) moves its project between 线索 and 签约; only the 投促办
  confirms 注册落地 (and may move any stage below 纳税, back as well); nobody sets 纳税 by hand: it is
  reached when the tax library shows the landed company's first district-level tax
  (:func:`peiyu.attraction.taxlink.refresh`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from peiyu.accounts import scope
from peiyu.attraction.models import Project, Stage, Status, Team, office_department_ids

ORDER: list[str] = [s.value for s in Stage]
TEAM_MAX = Stage.SIGNED.value

# stage -> the fields a project must have to reach it (cumulative with the stages before)
GATES: dict[str, tuple[str, ...]] = {
    Stage.LEAD: ("name",),
    Stage.CONTACT: ("investor",),
    Stage.TALKS: ("invest_fen", "industry", "space_need"),
    Stage.SIGNED: ("signed_on", "agreement_terms", "promised_tax_fen"),
    Stage.LANDED: ("credit_code", "area"),
    Stage.TAXPAYING: (),
}

FIELD_LABELS: dict[str, str] = {
    "name": "项目名称",
    "investor": "投资方",
    "invest_fen": "计划投资额",
    "industry": "产业",
    "space_need": "空间需求",
    "signed_on": "签约日期",
    "agreement_terms": "协议主要条款",
    "promised_tax_fen": "承诺年税收",
    "credit_code": "统一社会信用代码",
    "area": "落地街道镇",
}

REASON_STATUSES = (Status.DELAYED, Status.LOST, Status.ENDED, Status.STALLED)


def gates() -> dict[str, tuple[str, ...]]:
    return {**GATES, **getattr(settings, "PEIYU_ATTRACTION_GATES", {})}


def index(stage: str) -> int:
    return ORDER.index(stage)


def label(stage: str) -> str:
    return str(Stage(stage).label) if stage in ORDER else stage


def required_for(stage: str) -> list[str]:
    """Every field the gates up to ``stage`` require."""
    g = gates()
    out: list[str] = []
    for s in ORDER[: index(stage) + 1]:
        out += [f for f in g.get(s, ()) if f not in out]
    return out


def _filled(project: Project, field: str) -> bool:
    if field in ("industry", "area", "team", "enterprise"):
        return getattr(project, f"{field}_id", None) is not None
    value = getattr(project, field, None)
    return value not in (None, "")


def missing_for(project: Project, stage: str) -> list[str]:
    """The gate fields ``project`` lacks for ``stage`` (field names)."""
    return [f for f in required_for(stage) if not _filled(project, f)]


def missing_labels(fields: list[str]) -> list[str]:
    return [FIELD_LABELS.get(f, f) for f in fields]


def is_office(user: Any) -> bool:
    """Administrators and the 投促办's staff verify and see everything."""
    if scope.is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    ids = office_department_ids()
    return bool(ids) and user.departments.filter(pk__in=ids).exists()


def is_team_member(user: Any, team: Team) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return team.leader_id == user.pk or team.members.filter(pk=user.pk).exists()


def can_edit(user: Any, project: Project) -> bool:
    """Edit the fields (and the status) of a project: its team and the 投促办."""
    return is_office(user) or is_team_member(user, project.team)


def move_refusal(user: Any, project: Project, to_stage: str) -> str | None:
    """Why ``user`` may not move ``project`` to ``to_stage`` by hand (None: allowed)."""
    if to_stage not in ORDER:
        return f"未知阶段：{to_stage}"
    if to_stage == Stage.TAXPAYING:
        return "“纳税”阶段由系统根据税收库自动确认（落地企业首次产生区级税收），不能手工设置"
    if project.stage == Stage.TAXPAYING:
        return "项目已纳税，阶段由税收库确认，不能手工变更"
    if to_stage == project.stage:
        return "项目已处于该阶段"
    office = is_office(user)
    if not office:
        if not is_team_member(user, project.team):
            return "只有本招商小组成员或投促办可以变更项目阶段"
        if index(to_stage) > index(TEAM_MAX):
            return "注册落地须由投促办核实确认"
        if index(project.stage) > index(TEAM_MAX):
            return "项目已注册落地，阶段只能由投促办调整"
    return None


def stage_as_of(project: Project, year: int) -> str | None:
    """The project's stage at the end of ``year`` from its dated milestones (None: not yet entered)."""
    import datetime as dt

    end = dt.date(year, 12, 31)
    if project.entered_on and project.entered_on > end:
        return None
    cur = index(project.stage)
    if cur >= index(Stage.TAXPAYING) and project.first_tax_month and project.first_tax_month <= f"{year}-12":
        return Stage.TAXPAYING.value
    if cur >= index(Stage.LANDED) and (landing_date(project) or end) <= end:
        return Stage.LANDED.value
    if cur >= index(Stage.SIGNED) and (project.signed_on or end) <= end:
        return Stage.SIGNED.value
    if cur >= index(Stage.SIGNED):
        return Stage.TALKS.value
    return project.stage


def landing_date(project: Project) -> Any:
    if index(project.stage) < index(Stage.LANDED):
        return None
    return project.registered_on or project.signed_on or project.entered_on
