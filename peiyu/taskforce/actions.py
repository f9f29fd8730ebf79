"""Writes of the task-force app, each one audited (``do_<verb>_<object>``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record
from peiyu.accounts.models import Role
from peiyu.taskforce import audit_actions as A
from peiyu.taskforce import queries
from peiyu.taskforce.models import (
    ContactLog,
    InfoReport,
    Measure,
    MeasurePlan,
    MeasureProgress,
    PublicityEvent,
    ReportTemplate,
    TaskForce,
)


class TaskForceError(ValueError):
    """A refused change, with a Chinese message."""


def _real(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _require_manage(user: Any, tf: TaskForce, request: Any = None) -> None:
    if user is None:
        return
    if not queries.can_manage(user, tf):
        scope_mod.denied(request, user, tf, action=scope_mod.CHANGE)
        raise PermissionDenied("您不是该专班成员，不能办理")


def _require_admin(user: Any) -> None:
    if user is not None and not scope_mod.is_admin(user):
        raise PermissionDenied("仅系统管理员可以办理")


# ---------------------------------------------------------------------------------------------
# Task forces


def do_save_taskforce(
    acting_user: Any,
    industry: Any,
    *,
    name: str = "",
    office: Any = None,
    leaders: Any = (),
    departments: Any = (),
    areas: Any = (),
    members: Any = (),
    liaison_member: Any = None,
    note: str = "",
    reason: str = "",
    request: Any = None,
) -> TaskForce:
    """Create or update the task force of ``industry`` (administrators)."""
    _require_admin(acting_user)
    with transaction.atomic():
        tf, created = TaskForce.objects.get_or_create(
            industry=industry, defaults={"name": name or f"{industry.name}产业专班"}
        )
        before = None if created else {"name": tf.name, "office": tf.office_id}
        if name:
            tf.name = name
        tf.office = office
        tf.liaison_member = liaison_member
        tf.note = note
        tf.save()
        tf.leaders.set(list(leaders))
        tf.departments.set(list(departments))
        tf.areas.set(list(areas))
        tf.members.set(list(members))
        record(
            acting_user,
            A.TASKFORCE_SAVE,
            tf,
            before=before,
            after={
                "name": tf.name,
                "office": tf.office_id,
                "leaders": [u.pk for u in tf.leaders.all()],
                "members": [u.pk for u in tf.members.all()],
                "departments": [d.pk for d in tf.departments.all()],
                "areas": [a.pk for a in tf.areas.all()],
            },
            reason=reason,
            request=request,
        )
    return tf


def do_schedule_taskforce_meeting(
    acting_user: Any,
    tf: TaskForce,
    *,
    date: dt.date,
    title: str = "",
    time: dt.time | None = None,
    location: str = "",
    attendees: str = "",
    agenda: str = "",
    data_month: str = "",
    request: Any = None,
) -> Any:
    """A task-force meeting (kind ``taskforce``) owned by the task force, in its industry."""
    from peiyu.meetings import actions as meeting_actions
    from peiyu.taskforce.pack import default_title

    _require_manage(acting_user, tf, request)
    return meeting_actions.do_schedule_meeting(
        acting_user,
        kind="taskforce",
        title=title or default_title(tf, date),
        date=date,
        time=time,
        location=location,
        owner=tf,
        industry=tf.industry,
        attendees=attendees,
        agenda=agenda
        or "一、上次会议议定事项落实情况\n二、产业税收与目标进度\n三、重点企业与预警\n四、议定事项",
        data_month=data_month,
        request=request,
    )


# ---------------------------------------------------------------------------------------------
# Information reports


PREFILL_SOURCES = {
    "tax.month": "当月区级税收（万元）",
    "tax.ytd": "累计区级税收（万元）",
    "tax.yoy": "累计同比（%）",
    "warnings.open": "未关闭预警（条）",
    "decisions.open": "未落实议定事项（项）",
    "liaison.coverage": "重点企业联络员覆盖",
    "contacts.month": "当月企业联络（次）",
}

DEFAULT_FIELDS = [
    {"key": "tax_month", "label": "当月区级税收（万元）", "kind": "number", "prefill": "tax.month"},
    {"key": "tax_ytd", "label": "累计区级税收（万元）", "kind": "number", "prefill": "tax.ytd"},
    {"key": "warnings", "label": "未关闭预警（条）", "kind": "number", "prefill": "warnings.open"},
    {"key": "decisions", "label": "未落实议定事项（项）", "kind": "number", "prefill": "decisions.open"},
    {"key": "contacts", "label": "当月企业联络（次）", "kind": "number", "prefill": "contacts.month"},
    {"key": "progress", "label": "重点工作进展", "kind": "text", "prefill": ""},
    {"key": "problems", "label": "存在问题与需协调事项", "kind": "text", "prefill": ""},
    {"key": "plan", "label": "下步工作计划", "kind": "text", "prefill": ""},
]


def period_end(period: str, kind: str = ReportTemplate.Period.MONTHLY) -> dt.date:
    from peiyu.taskforce.measures import month_end

    return month_end(period)


def prefill(tf: TaskForce, period: str, *, department: Any = None, area: Any = None) -> dict[str, Any]:
    """What the system already knows for this unit and period (never asked again)."""
    from django.contrib.contenttypes.models import ContentType

    from peiyu.core.money import format_wan
    from peiyu.meetings.models import Decision
    from peiyu.taxes import analytics

    out: dict[str, Any] = {}
    if period in analytics.months_available():
        t = analytics.totals(
            scope_mod.EVERYTHING,
            period,
            industry_id=tf.industry_id,
            area_id=area.pk if area is not None else None,
        )
        out["tax.month"] = format_wan(t["month_fen"])
        out["tax.ytd"] = format_wan(t["ytd_fen"])
        out["tax.yoy"] = "—" if t["yoy_pct"] is None else f"{t['yoy_pct']:.1f}"
    warnings = queries.warnings(scope_mod.EVERYTHING, tf).filter(item__is_open=True)
    if area is not None:
        warnings = warnings.filter(enterprise__area=area)
    out["warnings.open"] = warnings.count()
    unit = department or area
    decisions = Decision.objects.filter(
        meeting__owner_type=ContentType.objects.get_for_model(TaskForce),
        meeting__owner_id=tf.pk,
        item__is_open=True,
    )
    if unit is not None:
        decisions = decisions.filter(unit_type=ContentType.objects.get_for_model(type(unit)), unit_id=unit.pk)
    out["decisions.open"] = decisions.count()
    start = dt.date(int(period[:4]), int(period[5:7]), 1)
    contacts = ContactLog.objects.filter(
        enterprise__key_industry=tf.industry, date__gte=start, date__lte=period_end(period)
    )
    if area is not None:
        contacts = contacts.filter(enterprise__area=area)
    elif department is not None:
        contacts = contacts.filter(user__departments=department)
    out["contacts.month"] = contacts.count()
    return out


def do_save_template(
    acting_user: Any,
    tf: TaskForce,
    *,
    name: str,
    period: str = ReportTemplate.Period.MONTHLY,
    due_workdays: int = 5,
    fields: list[dict[str, Any]] | None = None,
    departments: Any = (),
    areas: Any = (),
    request: Any = None,
) -> ReportTemplate:
    _require_manage(acting_user, tf, request)
    fields = fields or DEFAULT_FIELDS
    for f in fields:
        if f.get("prefill") and f["prefill"] not in PREFILL_SOURCES:
            raise TaskForceError(f"未知的预填来源：{f['prefill']}")
    with transaction.atomic():
        t, _ = ReportTemplate.objects.update_or_create(
            taskforce=tf,
            name=name,
            defaults={"period": period, "due_workdays": due_workdays, "fields": fields},
        )
        t.departments.set(list(departments))
        t.areas.set(list(areas))
        record(
            acting_user,
            A.TEMPLATE_SAVE,
            t,
            after={"name": name, "period": period, "fields": len(fields)},
            request=request,
        )
    return t


def do_issue_reports(
    acting_user: Any,
    template: ReportTemplate,
    period: str,
    *,
    opened_at: dt.datetime | None = None,
    request: Any = None,
) -> list[InfoReport]:
    """Open the period's report for every unit of the template (skipping those already issued),
    each pre-filled and with its tracked item due ``due_workdays`` working days after the period."""
    from peiyu.work import actions as work_actions
    from peiyu.work import workdays

    tf = template.taskforce
    _require_manage(acting_user, tf, request)
    if template.period == ReportTemplate.Period.QUARTERLY and int(period[5:7]) % 3:
        raise TaskForceError("季报的期次应为季末月（3、6、9、12 月）")
    due = workdays.add_working_days(period_end(period), template.due_workdays)
    units: list[tuple[Any, Any]] = [(d, None) for d in template.departments.all()] + [
        (None, a) for a in template.areas.all()
    ]
    made: list[InfoReport] = []
    with transaction.atomic():
        for dept, area in units:
            if InfoReport.objects.filter(
                template=template, period=period, department=dept, area=area
            ).exists():
                continue
            r = InfoReport.objects.create(
                template=template,
                period=period,
                department=dept,
                area=area,
                due=due,
                prefilled=prefill(tf, period, department=dept, area=area),
            )
            spec = work_actions.ItemSpec(
                r,
                "taskforce.report",
                f"{tf.name}{template.name}（{period}）：{r.unit_name}",
                unit=dept or area,
                due=workdays.end_of_day(due),
                opened_at=opened_at,
            )
            r.item = work_actions.open_items(acting_user, [spec])[0]
            r.save(update_fields=["item"])
            made.append(r)
        record(
            acting_user,
            A.REPORTS_ISSUE,
            template,
            after={"reports": [r.pk for r in made]},
            request=request,
            detail={"period": period, "taskforce": tf.pk},
        )
    return made


def can_submit(user: Any, report: InfoReport) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if scope_mod.is_admin(user):
        return True
    if report.department_id and user.departments.filter(pk=report.department_id).exists():
        return True
    return bool(report.area_id and user.areas.filter(pk=report.area_id).exists())


def do_submit_report(
    acting_user: Any,
    report: InfoReport,
    values: dict[str, Any],
    *,
    when: dt.datetime | None = None,
    request: Any = None,
) -> InfoReport:
    """Submit the unit's part (the fields without a pre-fill source; pre-filled ones are ignored)."""
    from peiyu.work import actions as work_actions

    if acting_user is not None and not can_submit(acting_user, report):
        scope_mod.denied(request, acting_user, report, action=scope_mod.CHANGE)
        raise PermissionDenied("只有报送单位可以报送")
    asked = [f for f in report.template.fields if not f.get("prefill")]
    clean = {f["key"]: str(values.get(f["key"], "") or "").strip()[:4000] for f in asked}
    if asked and not any(clean.values()):
        raise TaskForceError("请至少填写一项内容")
    with transaction.atomic():
        r = InfoReport.objects.select_for_update().get(pk=report.pk)
        before = {"values": r.values, "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None}
        r.values = clean
        r.submitted_at = when or timezone.now()
        r.submitted_by = _real(acting_user)
        r.save(update_fields=["values", "submitted_at", "submitted_by"])
        if r.item is not None and r.item.is_open:
            item = work_actions._locked(r.item)
            work_actions.apply_transition(
                item, "submitted", by=acting_user, note="已报送", now=r.submitted_at
            )
        record(
            acting_user,
            A.REPORT_SUBMIT,
            r,
            before=before,
            after={"values": clean, "submitted_at": r.submitted_at.isoformat()},
            request=request,
            detail={"period": r.period},
        )
    return r


# ---------------------------------------------------------------------------------------------
# Directed liaison


def may_assign_liaison(user: Any, enterprise: Any) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if scope_mod.is_admin(user):
        return True
    if user.role not in (Role.TASKFORCE, Role.AREA, Role.DEPARTMENT):
        return False
    return scope_mod.can(user, enterprise, scope_mod.CHANGE)


def rule_liaison(enterprise: Any, tf: TaskForce | None) -> tuple[Any, str]:
    """The liaison officer the rule names: the area officer of the enterprise's sub-district, else
    the task force's industry liaison member (else its first member)."""
    from peiyu.accounts.models import User

    if enterprise.area_id:
        officer = (
            User.objects.filter(is_active=True, role=Role.AREA, areas=enterprise.area_id)
            .order_by("username")
            .first()
        )
        if officer is not None:
            return officer, "area"
    if tf is not None:
        if tf.liaison_member is not None and tf.liaison_member.is_active:
            return tf.liaison_member, "taskforce"
        member = tf.members.filter(is_active=True).order_by("username").first()
        if member is not None:
            return member, "taskforce"
    return None, ""


RULE_LABELS = {"area": "街镇联络员", "taskforce": "专班产业联络员", "manual": "手工指定", "import": "导入"}


def _set_liaison(enterprise: Any, user: Any) -> None:
    from peiyu.registry.models import Enterprise

    Enterprise.objects.filter(pk=enterprise.pk).update(liaison=user, updated_at=timezone.now())
    enterprise.liaison = user


def _dimension_changed(ids: list[int], why: str) -> None:
    if not ids:
        return
    from peiyu.registry import classify

    classify.notify_dimension_changed(ids, why)


def do_assign_liaison(
    acting_user: Any,
    enterprise: Any,
    user: Any,
    *,
    reason: str = "",
    rule: str = "manual",
    request: Any = None,
) -> None:
    if not may_assign_liaison(acting_user, enterprise):
        scope_mod.denied(request, acting_user, enterprise, action=scope_mod.CHANGE)
        raise PermissionDenied("不能为您办理范围以外的企业指定联络员")
    if user is not None and not user.is_active:
        raise TaskForceError("联络员账户已停用")
    with transaction.atomic():
        before = str(enterprise.liaison) if enterprise.liaison_id else ""
        _set_liaison(enterprise, user)
        record(
            acting_user,
            A.LIAISON_ASSIGN,
            enterprise,
            before={"liaison": before},
            after={"liaison": str(user) if user else ""},
            reason=reason,
            request=request,
            detail={"rule": RULE_LABELS.get(rule, rule)},
        )
        _dimension_changed([enterprise.pk], "联络员变更")


def do_assign_liaisons_by_rule(
    acting_user: Any,
    tf: TaskForce,
    enterprises: list[Any],
    *,
    only_missing: bool = True,
    reason: str = "",
    request: Any = None,
) -> dict[str, int]:
    """Bulk assignment: every given enterprise (those without one, unless ``only_missing`` is
    False) gets the liaison officer the rule names. One audit row for the batch."""
    _require_manage(acting_user, tf, request)
    assigned: list[dict[str, Any]] = []
    skipped = 0
    with transaction.atomic():
        for ent in enterprises:
            if only_missing and ent.liaison_id:
                skipped += 1
                continue
            if not may_assign_liaison(acting_user, ent):
                skipped += 1
                continue
            user, rule = rule_liaison(ent, tf)
            if user is None or user.pk == ent.liaison_id:
                skipped += 1
                continue
            _set_liaison(ent, user)
            assigned.append({"enterprise": ent.credit_code, "liaison": user.username, "rule": rule})
        record(
            acting_user,
            A.LIAISON_BULK,
            tf,
            after={"assigned": assigned[:500]},
            reason=reason or "按规则批量指定联络员",
            request=request,
            detail={"assigned": len(assigned), "skipped": skipped},
        )
        from peiyu.registry.models import Enterprise

        ids = list(
            Enterprise.objects.filter(credit_code__in=[a["enterprise"] for a in assigned]).values_list(
                "pk", flat=True
            )
        )
        _dimension_changed(ids, "联络员批量指定")
    return {"assigned": len(assigned), "skipped": skipped}


def do_log_contact(
    acting_user: Any,
    enterprise: Any,
    *,
    date: dt.date,
    summary: str,
    method: str = ContactLog.Method.VISIT,
    contact: str = "",
    needs: str = "",
    request: Any = None,
) -> ContactLog:
    if acting_user is not None and not scope_mod.can(acting_user, enterprise, scope_mod.CHANGE):
        scope_mod.denied(request, acting_user, enterprise, action=scope_mod.CHANGE)
        raise PermissionDenied("不能为您办理范围以外的企业记录联络")
    if not (summary or "").strip():
        raise TaskForceError("请填写联络情况")
    if method not in ContactLog.Method.values:
        method = ContactLog.Method.OTHER
    with transaction.atomic():
        log = ContactLog.objects.create(
            enterprise=enterprise,
            user=_real(acting_user),
            date=date,
            method=method,
            contact=contact[:60],
            summary=summary.strip(),
            needs=needs.strip(),
        )
        record(
            acting_user,
            A.CONTACT_LOG,
            log,
            after={"enterprise": enterprise.credit_code, "date": date.isoformat(), "method": method},
            request=request,
        )
    return log


# ---------------------------------------------------------------------------------------------
# Business-environment measures


def can_report_measure(user: Any, measure: Measure) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if scope_mod.is_admin(user):
        return True
    return user.departments.filter(pk=measure.unit_id).exists()


def do_report_measure_progress(
    acting_user: Any,
    measure: Measure,
    *,
    text: str,
    done: dt.date | None = None,
    evidence: str = "",
    date: dt.date | None = None,
    request: Any = None,
) -> MeasureProgress:
    """A unit reports progress; a completion date (with evidence) completes the measure. The
    status follows from the dates."""
    if acting_user is not None and not can_report_measure(acting_user, measure):
        scope_mod.denied(request, acting_user, measure, action=scope_mod.CHANGE)
        raise PermissionDenied("只有责任单位可以报告进展")
    if not (text or "").strip():
        raise TaskForceError("请填写进展情况")
    if done is not None and not (evidence or "").strip():
        raise TaskForceError("完成的措施须提供佐证材料")
    if done is not None and done > timezone.localdate():
        raise TaskForceError("完成日期不能晚于今天")
    with transaction.atomic():
        m = Measure.objects.select_for_update().get(pk=measure.pk)
        before = m.snapshot()
        p = MeasureProgress.objects.create(
            measure=m,
            date=date or timezone.localdate(),
            text=text.strip(),
            done=done,
            evidence=evidence.strip(),
            reported_by=_real(acting_user),
        )
        if done is not None:
            m.done = done
            m.evidence = evidence.strip()
            m.save(update_fields=["done", "evidence", "updated_at"])
        record(
            acting_user,
            A.MEASURE_PROGRESS,
            m,
            before=before,
            after=m.snapshot(),
            request=request,
            detail={"measure": m.number},
        )
    return p


def get_or_create_plan(name: str, *, version: str = "", year: int | None = None) -> MeasurePlan:
    from peiyu.accounts.models import Department

    plan = MeasurePlan.objects.filter(name=name).first()
    if plan is None:
        lead = Department.objects.filter(name="区发改委").first()
        plan = MeasurePlan.objects.create(name=name, version=version, year=year, lead_department=lead)
        MeasurePlan.objects.exclude(pk=plan.pk).update(active=False)
    return plan


def save_measure(plan: MeasurePlan, data: dict[str, Any]) -> tuple[Measure, bool]:
    """Create or update one measure of a plan (inside the importer's transaction; the import is
    audited as one batch)."""
    m = Measure.objects.filter(plan=plan, number=data["number"]).first()
    created = m is None
    if m is None:
        m = Measure(plan=plan, number=data["number"])
    for key in ("seq", "block", "text", "unit", "kpi", "deadline", "done", "evidence"):
        if key in data:
            setattr(m, key, data[key])
    m.save()
    if "co_units" in data:
        m.co_units.set(data["co_units"])
    return m, created


def do_save_publicity(
    acting_user: Any,
    *,
    date: dt.date,
    theme: str,
    kind: str = PublicityEvent.Kind.PRESS,
    taskforce: TaskForce | None = None,
    policies: str = "",
    media: str = "",
    inquiries: int = 0,
    applications: int = 0,
    followups: str = "",
    request: Any = None,
) -> PublicityEvent:
    if taskforce is not None:
        _require_manage(acting_user, taskforce, request)
    else:
        _require_admin(acting_user)
    if not (theme or "").strip():
        raise TaskForceError("请填写主题")
    with transaction.atomic():
        ev = PublicityEvent.objects.create(
            kind=kind if kind in PublicityEvent.Kind.values else PublicityEvent.Kind.PRESS,
            date=date,
            theme=theme.strip()[:200],
            taskforce=taskforce,
            industry=taskforce.industry if taskforce else None,
            policies=policies,
            media=media[:300],
            inquiries=max(0, int(inquiries or 0)),
            applications=max(0, int(applications or 0)),
            followups=followups,
            created_by=_real(acting_user),
        )
        record(
            acting_user,
            A.PUBLICITY_SAVE,
            ev,
            after={"theme": ev.theme, "date": date.isoformat()},
            request=request,
        )
    return ev
