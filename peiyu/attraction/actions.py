"""Every write of the attraction app: one ``do_*`` function, one transaction, one audit row.

``acting_user=None`` is the system (the command line, the tax-library check); any other user is
checked against :mod:`peiyu.attraction.stages` (who may move what) and the scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit
from peiyu.accounts import scope as scope_mod
from peiyu.attraction import audit_actions as A
from peiyu.attraction import stages
from peiyu.attraction.models import (
    AnchorFirm,
    CooperationEvent,
    FollowUp,
    Fund,
    Project,
    Stage,
    StageLog,
    Status,
    Team,
)

EDITABLE = (
    "name",
    "channel",
    "source_enterprise",
    "anchor",
    "chain_position",
    "fund",
    "partner_city",
    "partner_institution",
    "event",
    "investor",
    "invest_fen",
    "industry",
    "space_need",
    "signed_on",
    "agreement_terms",
    "promised_tax_fen",
    "credit_code",
    "area",
    "registered_on",
    "estimated_landing",
    "is_capital_increase",
    "increase_fen",
    "is_relocation",
    "entered_on",
    "note",
)


class ActionError(ValueError):
    """A refused write, with a Chinese message for the user."""


def _system(user: Any) -> bool:
    return user is None


def _snapshot(p: Project) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in (*EDITABLE, "stage", "status", "status_reason", "lost_to", "team"):
        v = getattr(p, f"{f}_id", None) if f in _FK else getattr(p, f, None)
        out[f] = v.isoformat() if isinstance(v, dt.date) else v
    return out


_FK = {"source_enterprise", "anchor", "fund", "event", "industry", "area", "team"}


def require_office(user: Any) -> None:
    if not _system(user) and not stages.is_office(user):
        raise PermissionDenied("此操作须由投促办办理")


def _require_edit(user: Any, project: Project, request: Any = None) -> None:
    if _system(user):
        return
    scope_mod.require_change(user, project, request=request)
    if not stages.can_edit(user, project):
        raise PermissionDenied("只有本招商小组成员或投促办可以修改该项目")


# ---------------------------------------------------------------------------- reference objects


def do_create_team(
    acting_user: Any, name: str, *, leader: Any = None, reason: str = "", request: Any = None
) -> Team:
    require_office(acting_user)
    name = name.strip()
    if not name:
        raise ActionError("小组名称不能为空")
    with transaction.atomic():
        order = (Team.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        team = Team.objects.create(name=name, leader=leader, order=order)
        audit.record(acting_user, A.TEAM_SAVE, team, after={"name": name}, reason=reason, request=request)
    return team


def do_save_team(
    acting_user: Any,
    team: Team,
    *,
    members: list[Any] | None = None,
    departments: list[Any] | None = None,
    reason: str = "",
    request: Any = None,
    **fields: Any,
) -> Team:
    require_office(acting_user)
    allowed = {
        "name",
        "leader",
        "leader_title",
        "order",
        "target_signed",
        "target_landed",
        "target_invest_fen",
        "active",
    }
    with transaction.atomic():
        before = {k: getattr(team, k if k != "leader" else "leader_id") for k in allowed}
        for k, v in fields.items():
            if k not in allowed:
                raise ActionError(f"未知字段：{k}")
            setattr(team, k, v)
        team.save()
        if members is not None:
            team.members.set(members)
        if departments is not None:
            team.departments.set(departments)
        after = {k: getattr(team, k if k != "leader" else "leader_id") for k in allowed}
        audit.record(
            acting_user, A.TEAM_SAVE, team, before=before, after=after, reason=reason, request=request
        )
    return team


def do_create_fund(
    acting_user: Any, name: str, *, manager: str = "", reason: str = "", request: Any = None
) -> Fund:
    require_office(acting_user)
    with transaction.atomic():
        fund = Fund.objects.create(name=name.strip(), manager=manager)
        audit.record(
            acting_user, A.FUND_SAVE, fund, after={"name": fund.name}, reason=reason, request=request
        )
    return fund


def do_create_anchor(
    acting_user: Any,
    name: str,
    *,
    industry: Any = None,
    note: str = "",
    reason: str = "",
    request: Any = None,
) -> AnchorFirm:
    require_office(acting_user)
    with transaction.atomic():
        firm = AnchorFirm.objects.create(name=name.strip(), industry=industry, note=note)
        audit.record(
            acting_user, A.ANCHOR_SAVE, firm, after={"name": firm.name}, reason=reason, request=request
        )
    return firm


def do_create_event(
    acting_user: Any, *, reason: str = "", request: Any = None, **fields: Any
) -> CooperationEvent:
    require_office(acting_user)
    with transaction.atomic():
        event = CooperationEvent.objects.create(**fields)
        audit.record(
            acting_user,
            A.EVENT_SAVE,
            event,
            after={"name": event.name, "date": str(event.date)},
            reason=reason,
            request=request,
        )
    return event


# ---------------------------------------------------------------------------- projects


def _resolve_enterprise(project: Project) -> None:
    from peiyu.registry.models import Enterprise

    code = (project.credit_code or "").strip().upper()
    project.credit_code = code
    if not code:
        project.enterprise = None
        return
    ent = Enterprise.objects.filter(credit_code=code).first()
    project.enterprise = ent
    if ent is not None and ent.area_id is not None:  # the registry says where it is registered
        project.area_id = ent.area_id


def recompute_duplicates(code: str) -> None:
    """Projects registering the same company: the first entered (or the one the 投促办 awarded)
    keeps the credit; the others point at it (``duplicate_of``)."""
    if not code:
        return
    claims = list(Project.objects.filter(credit_code=code).order_by("-credit_awarded", "entered_at", "pk"))
    winner = claims[0] if claims else None
    for p in claims:
        want = None if p is winner else winner
        if p.duplicate_of_id != (want.pk if want else None):
            Project.objects.filter(pk=p.pk).update(duplicate_of=want)


def _refresh_missing(project: Project) -> None:
    project.missing_fields = stages.missing_for(project, project.stage)


def do_create_project(
    acting_user: Any,
    team: Team,
    *,
    stage: str = Stage.LEAD,
    status: str = Status.NORMAL,
    status_reason: str = "",
    allow_missing: bool = False,
    reason: str = "",
    request: Any = None,
    **fields: Any,
) -> Project:
    """A new project of ``team`` at ``stage``. The gates of ``stage`` apply, unless
    ``allow_missing`` (a ledger import: the missing gate fields are listed to be completed)."""
    if not _system(acting_user) and not (
        stages.is_office(acting_user) or stages.is_team_member(acting_user, team)
    ):
        raise PermissionDenied("只能为本招商小组新建项目")
    if stage == Stage.TAXPAYING and not allow_missing:
        raise ActionError("“纳税”阶段由税收库自动确认，不能手工设置")
    if stage == Stage.LANDED and not _system(acting_user) and not stages.is_office(acting_user):
        raise PermissionDenied("注册落地须由投促办核实确认")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ActionError(f"未知字段：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        p = Project(team=team, stage=stage, status=status, status_reason=status_reason, **fields)
        if not fields.get("entered_on"):
            dates = [d for d in (p.signed_on, p.registered_on) if d]
            p.entered_on = min([*dates, timezone.localdate()])
        if not _system(acting_user):
            p.created_by = acting_user
        _resolve_enterprise(p)
        missing = stages.missing_for(p, stage)
        if missing and not allow_missing:
            raise ActionError(
                f"进入“{stages.label(stage)}”阶段须填写：{'、'.join(stages.missing_labels(missing))}"
            )
        if stage == Stage.TAXPAYING:  # the ledger says so; the tax check decides (see taxlink)
            p.stage = Stage.LANDED
        p.missing_fields = missing
        p.save()
        StageLog.objects.create(
            project=p,
            from_stage="",
            to_stage=p.stage,
            by=None if _system(acting_user) else acting_user,
            reason=reason[:300],
        )
        recompute_duplicates(p.credit_code)
        audit.record(acting_user, A.PROJECT_CREATE, p, after=_snapshot(p), reason=reason, request=request)
    p.refresh_from_db()
    return p


def do_update_project(
    acting_user: Any, project: Project, *, reason: str = "", request: Any = None, **changes: Any
) -> Project:
    _require_edit(acting_user, project, request)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ActionError(f"未知字段：{'、'.join(sorted(unknown))}")
    if (
        "credit_code" in changes
        and stages.index(project.stage) >= stages.index(Stage.LANDED)
        and not _system(acting_user)
        and not stages.is_office(acting_user)
        and (changes["credit_code"] or "") != project.credit_code
    ):
        raise PermissionDenied("已落地项目的统一社会信用代码只能由投促办修改")
    with transaction.atomic():
        before = _snapshot(project)
        old_code = project.credit_code
        for k, v in changes.items():
            setattr(project, k, v)
        _resolve_enterprise(project)
        _refresh_missing(project)
        project.save()
        recompute_duplicates(old_code)
        recompute_duplicates(project.credit_code)
        audit.record(
            acting_user,
            A.PROJECT_UPDATE,
            project,
            before=before,
            after=_snapshot(project),
            reason=reason,
            request=request,
        )
    project.refresh_from_db()
    return project


def do_move_stage(
    acting_user: Any, project: Project, to_stage: str, *, reason: str = "", request: Any = None
) -> Project:
    """Move a project to another stage by hand (see :func:`stages.move_refusal` for who may)."""
    if not _system(acting_user):
        scope_mod.require_change(acting_user, project, request=request)
        why = stages.move_refusal(acting_user, project, to_stage)
        if why:
            raise PermissionDenied(why)
    elif to_stage == Stage.TAXPAYING:
        raise ActionError("“纳税”阶段由税收库自动确认，不能手工设置")
    forward = stages.index(to_stage) > stages.index(project.stage)
    if forward:
        missing = stages.missing_for(project, to_stage)
        if missing:
            raise ActionError(
                f"进入“{stages.label(to_stage)}”阶段须先填写：{'、'.join(stages.missing_labels(missing))}"
            )
    with transaction.atomic():
        before = project.stage
        project.stage = to_stage
        if to_stage == Stage.LANDED and project.registered_on is None:
            project.registered_on = timezone.localdate()
        _refresh_missing(project)
        project.save()
        StageLog.objects.create(
            project=project,
            from_stage=before,
            to_stage=to_stage,
            by=None if _system(acting_user) else acting_user,
            reason=reason[:300],
        )
        action = A.PROJECT_LAND if to_stage == Stage.LANDED else A.PROJECT_STAGE
        audit.record(
            acting_user,
            action,
            project,
            before={"stage": before},
            after={"stage": to_stage},
            reason=reason,
            request=request,
        )
    if to_stage == Stage.LANDED:
        from peiyu.attraction import taxlink

        taxlink.refresh([project.pk])  # the tax may already be there: 纳税 at once
        project.refresh_from_db()
    return project


def do_confirm_landing(
    acting_user: Any,
    project: Project,
    *,
    credit_code: str | None = None,
    area: Any = None,
    registered_on: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> Project:
    """The 投促办 confirms 注册落地 (the registered company's credit code and area)."""
    if not _system(acting_user):
        scope_mod.require_change(acting_user, project, request=request)
        if not stages.is_office(acting_user):
            raise PermissionDenied("注册落地须由投促办核实确认")
    changes: dict[str, Any] = {}
    if credit_code is not None:
        changes["credit_code"] = credit_code
    if area is not None:
        changes["area"] = area
    if registered_on is not None:
        changes["registered_on"] = registered_on
    with transaction.atomic():
        if changes:
            do_update_project(acting_user, project, reason=reason, request=request, **changes)
        return do_move_stage(
            acting_user, project, Stage.LANDED, reason=reason or "投促办确认注册落地", request=request
        )


def do_set_status(
    acting_user: Any,
    project: Project,
    status: str,
    *,
    reason: str = "",
    lost_to: str = "",
    request: Any = None,
) -> Project:
    _require_edit(acting_user, project, request)
    if status not in Status.values:
        raise ActionError(f"未知状态：{status}")
    if status in stages.REASON_STATUSES and not reason.strip():
        raise ActionError(f"状态“{Status(status).label}”须说明原因")
    if status == Status.LOST and not lost_to.strip():
        raise ActionError("流失项目须填写流失去向（流失至哪个区）")
    with transaction.atomic():
        before = {
            "status": project.status,
            "status_reason": project.status_reason,
            "lost_to": project.lost_to,
        }
        project.status = status
        project.status_reason = reason.strip()[:300] if status != Status.NORMAL else ""
        project.lost_to = lost_to.strip()[:100] if status == Status.LOST else ""
        project.save(update_fields=["status", "status_reason", "lost_to", "updated_at"])
        after = {"status": project.status, "status_reason": project.status_reason, "lost_to": project.lost_to}
        audit.record(
            acting_user, A.PROJECT_STATUS, project, before=before, after=after, reason=reason, request=request
        )
    return project


def do_add_followup(
    acting_user: Any,
    project: Project,
    *,
    text: str,
    problem: str = "",
    date: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> FollowUp:
    _require_edit(acting_user, project, request)
    if not text.strip():
        raise ActionError("请填写跟进情况")
    with transaction.atomic():
        f = FollowUp.objects.create(
            project=project,
            text=text.strip(),
            problem=problem.strip(),
            date=date or timezone.localdate(),
            by=None if _system(acting_user) else acting_user,
        )
        if project.last_followup is None or f.date > project.last_followup:
            project.last_followup = f.date
            project.save(update_fields=["last_followup", "updated_at"])
        audit.record(
            acting_user,
            A.PROJECT_FOLLOWUP,
            project,
            after={"text": f.text, "problem": f.problem, "date": str(f.date)},
            reason=reason,
            request=request,
        )
    return f


def do_settle_duplicate(
    acting_user: Any, project: Project, *, reason: str = "", request: Any = None
) -> Project:
    """The 投促办 settles a duplicate claim: ``project`` keeps the credit, the others become duplicates."""
    require_office(acting_user)
    if not project.credit_code or Project.objects.filter(credit_code=project.credit_code).count() < 2:
        raise ActionError("该项目没有重复申报")
    if not reason.strip():
        raise ActionError("请说明认定理由")
    with transaction.atomic():
        before = {"duplicate_of": project.duplicate_of_id}
        Project.objects.filter(credit_code=project.credit_code).exclude(pk=project.pk).update(
            credit_awarded=False
        )
        Project.objects.filter(pk=project.pk).update(credit_awarded=True)
        recompute_duplicates(project.credit_code)
        project.refresh_from_db()
        audit.record(
            acting_user,
            A.DUPLICATE_SETTLE,
            project,
            before=before,
            after={"duplicate_of": None, "credited_team": project.team.name},
            reason=reason,
            request=request,
        )
    return project


def apply_tax(project: Project, *, first_month: str | None, tax12: int | None, by_year: list[int]) -> bool:
    """Store what the tax library says about a landed project; reach 纳税 automatically (or go back
    to 注册落地 if a rollback removed the tax). System only. Returns whether the stage changed."""
    changed = False
    with transaction.atomic():
        before = {"stage": project.stage, "first_tax_month": project.first_tax_month}
        project.first_tax_month = first_month or ""
        project.tax12_fen = tax12
        project.tax_by_year = by_year
        project.tax_checked_at = timezone.now()
        to = project.stage
        if first_month and project.stage == Stage.LANDED:
            to = Stage.TAXPAYING
        elif not first_month and project.stage == Stage.TAXPAYING:
            to = Stage.LANDED
        if to != project.stage:
            StageLog.objects.create(
                project=project,
                from_stage=project.stage,
                to_stage=to,
                automatic=True,
                reason=f"税收库显示 {first_month} 首次产生区级税收"
                if first_month
                else "税收库中已无该企业的区级税收",
            )
            project.stage = to
            changed = True
        project.save(
            update_fields=[
                "first_tax_month",
                "tax12_fen",
                "tax_by_year",
                "tax_checked_at",
                "stage",
                "updated_at",
            ]
        )
        if changed:
            audit.record(
                None,
                A.PROJECT_TAX,
                project,
                before=before,
                after={"stage": to, "first_tax_month": first_month},
            )
    return changed
