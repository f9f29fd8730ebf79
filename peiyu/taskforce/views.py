"""Pages of the task-force app (thin: reads in :mod:`queries`/:mod:`measures`, writes in
:mod:`actions`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record_view
from peiyu.accounts.models import User
from peiyu.core import documents
from peiyu.core.imports import views as imports
from peiyu.meetings import render as rendering
from peiyu.taskforce import actions, measures, queries
from peiyu.taskforce import audit_actions as A
from peiyu.taskforce.forms import AssignForm, ContactForm, ProgressForm, PublicityForm, ScheduleForm
from peiyu.taskforce.importer import LiaisonImporter, MeasureImporter
from peiyu.taskforce.models import ContactLog, InfoReport, Measure, ReportTemplate, TaskForce


def _tf(request: Any, pk: int) -> TaskForce:
    return scope_mod.get_object_or_404(
        request.user,
        TaskForce.objects.select_related("industry", "office").distinct(),
        request=request,
        missing="专班不存在",
        pk=pk,
    )


def _managed(request: Any, pk: int) -> TaskForce:
    tf = _tf(request, pk)
    if not queries.can_manage(request.user, tf):
        scope_mod.denied(request, request.user, tf, action=scope_mod.CHANGE)
        raise PermissionDenied(scope_mod.read_only_message(request.user))
    return tf


def _error(request: Any, exc: Exception) -> None:
    messages.error(request, str(exc))


@login_required
def index(request: Any) -> HttpResponse:
    tfs = list(queries.visible(request.user))
    today = timezone.localdate()
    cards = []
    for tf in tfs:
        cards.append(
            {
                "tf": tf,
                "next": queries.next_meeting(request.user, tf, today),
                "open": len(queries.open_items(request.user, tf)),
                "leaders": ", ".join(str(u) for u in tf.leaders.all()),
            }
        )
    return render(request, "taskforce/index.html", {"page_title": "产业专班", "cards": cards})


@login_required
def detail(request: Any, pk: int) -> HttpResponse:
    tf = _tf(request, pk)
    user = request.user
    month = queries.data_month()
    tax = queries.industry_tax(user, tf, month)
    targets = queries.targets_progress(user, tf, month)
    warnings = queries.warnings(user, tf)
    open_warnings = warnings.filter(item__is_open=True)
    from peiyu.alerts import queries as alert_queries

    newest = list(open_warnings.order_by("-last_month", "-created_at")[:8])
    record_view(request, A.HOME_VIEW, tf.name, taskforce=tf.pk)
    meetings = list(queries.meetings(user, tf)[:12])
    now = timezone.now()
    items = queries.open_items(user, tf)
    return render(
        request,
        "taskforce/detail.html",
        {
            "page_title": tf.name,
            "tf": tf,
            "month": month,
            "tax": tax,
            "targets": targets,
            "warning_counts": {
                "open": open_warnings.count(),
                "overdue": alert_queries.overdue(open_warnings).count(),
                "new": warnings.filter(first_month=month).count() if month else 0,
            },
            "newest": newest,
            "items": items[:15],
            "items_total": len(items),
            "overdue_items": sum(1 for i in items if i.is_overdue(now)),
            "next": queries.next_meeting(user, tf),
            "meetings": meetings,
            "reports": list(queries.reports(user, tf).order_by("-period", "id")[:12]),
            "coverage": queries.coverage(user, tf, month),
            "publicity": list(queries.publicity(user).filter(taskforce=tf)[:5]),
            "pipeline": queries.pipeline(user, tf),
            "can_manage": queries.can_manage(user, tf),
            "schedule_form": ScheduleForm(),
        },
    )


@login_required
@require_POST
def schedule(request: Any, pk: int) -> HttpResponse:
    tf = _managed(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写会议日期")
        return redirect("taskforce:detail", pk=tf.pk)
    try:
        m = actions.do_schedule_taskforce_meeting(
            request.user,
            tf,
            date=form.cleaned_data["date"],
            time=form.cleaned_data["time"],
            title=form.cleaned_data["title"],
            location=form.cleaned_data["location"],
            attendees=form.cleaned_data["attendees"],
            request=request,
        )
    except ValueError as exc:
        _error(request, exc)
        return redirect("taskforce:detail", pk=tf.pk)
    messages.success(request, "会议已安排")
    return redirect("meetings:detail", pk=m.pk)


# ---------------------------------------------------------------------------------------------
# Directed liaison


@login_required
def liaison(request: Any, pk: int) -> HttpResponse:
    tf = _tf(request, pk)
    month = queries.data_month()
    cov = queries.coverage(request.user, tf, month)
    rows = []
    for e in cov["enterprises"]:
        suggested, rule = actions.rule_liaison(e, tf) if not e.liaison_id else (None, "")
        rows.append(
            {
                "e": e,
                "contacted": e.pk in cov["contacted_ids"],
                "suggested": suggested,
                "rule": actions.RULE_LABELS.get(rule, ""),
            }
        )
    logs = list(queries.contact_logs(request.user).filter(enterprise__key_industry=tf.industry)[:30])
    return render(
        request,
        "taskforce/liaison.html",
        {
            "page_title": f"{tf.name} · 定向联络",
            "tf": tf,
            "coverage": cov,
            "rows": rows,
            "logs": logs,
            "can_manage": queries.can_manage(request.user, tf),
            "methods": ContactLog.Method.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def liaison_bulk(request: Any, pk: int) -> HttpResponse:
    tf = _managed(request, pk)
    ents = queries.key_enterprises(request.user, tf, queries.data_month())
    try:
        result = actions.do_assign_liaisons_by_rule(request.user, tf, ents, request=request)
        messages.success(request, f"已按规则指定联络员 {result['assigned']} 家，跳过 {result['skipped']} 家")
    except ValueError as exc:
        _error(request, exc)
    return redirect("taskforce:liaison", pk=tf.pk)


@login_required
@require_POST
def liaison_set(request: Any, pk: int) -> HttpResponse:
    tf = _managed(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写企业和联络员")
        return redirect("taskforce:liaison", pk=tf.pk)
    ent = scope_mod.get_enterprise_or_404(
        request.user, form.cleaned_data["credit_code"], action=scope_mod.CHANGE, request=request
    )
    raw = form.cleaned_data["user"].strip()
    user = User.objects.filter(username=raw, is_active=True).first() or (
        User.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
    )
    if user is None:
        messages.error(request, f"没有用户“{raw}”")
        return redirect("taskforce:liaison", pk=tf.pk)
    try:
        actions.do_assign_liaison(
            request.user, ent, user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, f"{ent.name} 的联络员已指定为 {user}")
    except ValueError as exc:
        _error(request, exc)
    return redirect("taskforce:liaison", pk=tf.pk)


@login_required
@require_POST
def contact(request: Any, pk: int) -> HttpResponse:
    tf = _tf(request, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写企业、日期和联络情况")
        return redirect("taskforce:liaison", pk=tf.pk)
    ent = scope_mod.get_enterprise_or_404(
        request.user, form.cleaned_data["credit_code"], action=scope_mod.CHANGE, request=request
    )
    try:
        actions.do_log_contact(
            request.user,
            ent,
            date=form.cleaned_data["date"],
            method=form.cleaned_data["method"],
            contact=form.cleaned_data["contact"],
            summary=form.cleaned_data["summary"],
            needs=form.cleaned_data["needs"],
            request=request,
        )
        messages.success(request, "联络记录已保存")
    except ValueError as exc:
        _error(request, exc)
    return redirect("taskforce:liaison", pk=tf.pk)


@scope_mod.admin_required
def liaison_import(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        LiaisonImporter,
        title="企业联络员导入",
        help_text="列：统一社会信用代码、企业名称、联络员（用户名或姓名）。有错则整表不导入。",
        report_url=lambda pk: reverse("taskforce:liaison_import_report", args=[pk]),
    )


@scope_mod.admin_required
def measures_import(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        MeasureImporter,
        title="营商环境措施导入",
        help_text="列：编号、板块、措施、责任单位、配合单位、指标、完成时限、完成日期、佐证材料。有错则整表不导入。",
        report_url=lambda pk: reverse("taskforce:measures_import_report", args=[pk]),
    )


@scope_mod.admin_required
def liaison_import_report(request: Any, pk: int) -> HttpResponse:
    batch = imports.get_batch(LiaisonImporter, pk)
    return imports.report_page(request, batch, LiaisonImporter, back_url=reverse("taskforce:liaison_import"))


@scope_mod.admin_required
def measures_import_report(request: Any, pk: int) -> HttpResponse:
    batch = imports.get_batch(MeasureImporter, pk)
    return imports.report_page(request, batch, MeasureImporter, back_url=reverse("taskforce:measures_import"))


# ---------------------------------------------------------------------------------------------
# Information reports


@login_required
def reports(request: Any) -> HttpResponse:
    qs = queries.reports(request.user)
    period = request.GET.get("period") or ""
    if period:
        qs = qs.filter(period=period)
    rows = list(qs.order_by("-period", "template", "id")[:300])
    templates = [
        t
        for t in ReportTemplate.objects.select_related("taskforce")
        if queries.can_manage(request.user, t.taskforce)
    ]
    return render(
        request,
        "taskforce/reports.html",
        {
            "page_title": "信息报送",
            "reports": rows,
            "period": period,
            "templates": templates,
            "default_period": queries.data_month() or f"{timezone.localdate():%Y-%m}",
        },
    )


@login_required
@require_POST
def issue(request: Any, pk: int) -> HttpResponse:
    template = scope_mod.get_object_or_404(
        request.user, ReportTemplate.objects.distinct(), request=request, missing="模板不存在", pk=pk
    )
    if not queries.can_manage(request.user, template.taskforce):
        scope_mod.denied(request, request.user, template, action=scope_mod.CHANGE)
        raise PermissionDenied(scope_mod.read_only_message(request.user))
    period = (request.POST.get("period") or request.POST.get("month") or "").strip()
    try:
        dt.date.fromisoformat(f"{period}-01")
    except ValueError:
        messages.error(request, "期次应为 YYYY-MM")
        return redirect("taskforce:reports")
    try:
        made = actions.do_issue_reports(request.user, template, period, request=request)
        messages.success(request, f"已下发 {len(made)} 份")
    except ValueError as exc:
        _error(request, exc)
    return redirect("taskforce:reports")


@login_required
def report(request: Any, pk: int) -> HttpResponse:
    r = scope_mod.get_object_or_404(
        request.user,
        InfoReport.objects.select_related(
            "template", "template__taskforce", "department", "area", "item"
        ).distinct(),
        request=request,
        missing="报送不存在",
        pk=pk,
    )
    if request.method == "POST":
        if not actions.can_submit(request.user, r):
            scope_mod.denied(request, request.user, r, action=scope_mod.CHANGE)
            raise PermissionDenied("只有报送单位可以报送")
        try:
            actions.do_submit_report(request.user, r, request.POST.dict(), request=request)
            messages.success(request, "已报送")
        except ValueError as exc:
            _error(request, exc)
        return redirect("taskforce:report", pk=r.pk)
    fields = []
    for f in r.template.fields:
        if f.get("prefill"):
            fields.append({**f, "value": r.prefilled.get(f["prefill"], ""), "prefilled": True})
        else:
            fields.append({**f, "value": (r.values or {}).get(f["key"], ""), "prefilled": False})
    return render(
        request,
        "taskforce/report.html",
        {
            "page_title": str(r),
            "r": r,
            "fields": fields,
            "can_submit": actions.can_submit(request.user, r),
            "late": r.is_late(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Measures


@login_required
def measure_list(request: Any) -> HttpResponse:
    plan = measures.current_plan()
    as_of = timezone.localdate()
    raw = request.GET.get("as_of") or ""
    if raw:
        with contextlib.suppress(ValueError):
            as_of = dt.date.fromisoformat(raw)
    rows = list(measures.visible(request.user, plan)) if plan is not None else []
    want = request.GET.get("status") or ""
    counts = dict.fromkeys(measures.STATUSES, 0)
    shown = []
    for m in rows:
        st = measures.status(m.deadline, m.done, as_of)
        counts[st] += 1
        if not want or want == st:
            shown.append({"m": m, "status": st, "label": measures.LABELS[st], "color": measures.COLORS[st]})
    return render(
        request,
        "taskforce/measures.html",
        {
            "page_title": plan.name if plan else "营商环境措施",
            "plan": plan,
            "rows": shown,
            "counts": [(s, measures.LABELS[s], counts[s], measures.COLORS[s]) for s in measures.STATUSES],
            "as_of": as_of,
            "want": want,
        },
    )


@login_required
def measure_detail(request: Any, pk: int) -> HttpResponse:
    m = scope_mod.get_object_or_404(
        request.user,
        Measure.objects.select_related("unit", "plan").distinct(),
        request=request,
        missing="措施不存在",
        pk=pk,
    )
    if request.method == "POST":
        if not actions.can_report_measure(request.user, m):
            scope_mod.denied(request, request.user, m, action=scope_mod.CHANGE)
            raise PermissionDenied("只有责任单位可以报告进展")
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                actions.do_report_measure_progress(request.user, m, request=request, **form.cleaned_data)
                messages.success(request, "进展已报告")
            except ValueError as exc:
                _error(request, exc)
        else:
            messages.error(request, "请填写进展情况")
        return redirect("taskforce:measure", pk=m.pk)
    st = m.status()
    return render(
        request,
        "taskforce/measure.html",
        {
            "page_title": f"措施 {m.number}",
            "m": m,
            "status": st,
            "label": measures.LABELS[st],
            "color": measures.COLORS[st],
            "progress": list(m.progress.select_related("reported_by")),
            "co_units": list(m.co_units.all()),
            "can_report": actions.can_report_measure(request.user, m),
            "form": ProgressForm(),
        },
    )


@login_required
def bulletin(request: Any) -> HttpResponse:
    plan = measures.current_plan()
    month = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    try:
        measures.month_end(month)
    except (ValueError, IndexError):
        month = f"{timezone.localdate():%Y-%m}"
    rows = list(measures.visible(request.user, plan)) if plan is not None else []
    data = measures.bulletin(rows, month)
    sections = measures.bulletin_sections(data, plan)
    title = f"{plan.name if plan else '营商环境方案'}落实情况督办通报（{month}）"
    if request.GET.get("format") == "docx":
        record_view(request, A.BULLETIN_EXPORT, title, month=month)
        data_bytes = documents.render_docx(
            title=title, sections=sections, issuer="普陀区营商环境建设领导小组办公室", date=data["as_of"]
        )
        return documents.docx_response(f"{title}.docx", data_bytes)
    return render(
        request,
        "taskforce/bulletin.html",
        {
            "page_title": "督办通报",
            "title": title,
            "month": month,
            "data": data,
            "sections": rendering.display(sections, "bulletin"),
        },
    )


# ---------------------------------------------------------------------------------------------
# Publicity


@login_required
def publicity(request: Any) -> HttpResponse:
    events = list(queries.publicity(request.user)[:200])
    for ev in events:
        ev.followed = queries.followed(request.user, ev)  # type: ignore[attr-defined]
    tfs = [tf for tf in queries.visible(request.user) if queries.can_manage(request.user, tf)]
    if request.method == "POST":
        form = PublicityForm(request.POST)
        tf_id = request.POST.get("taskforce") or ""
        tf = next((t for t in tfs if str(t.pk) == tf_id), None)
        if tf is None:
            raise PermissionDenied("请选择您所在的专班")
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if v is not None}
                data["media"] = data.pop("outlets", "")
                actions.do_save_publicity(request.user, taskforce=tf, request=request, **data)
                messages.success(request, "已登记")
            except ValueError as exc:
                _error(request, exc)
        else:
            messages.error(request, "请填写日期和主题")
        return redirect("taskforce:publicity")
    return render(
        request,
        "taskforce/publicity.html",
        {"page_title": "宣传推介", "events": events, "taskforces": tfs, "form": PublicityForm()},
    )


# ---------------------------------------------------------------------------------------------
# Task-force composition (administrators)


def _users(raw: str) -> tuple[list[Any], list[str]]:
    import re

    names = [n for n in re.split(r"[\s,，、;；]+", raw or "") if n]
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    return [found[n] for n in names if n in found], [n for n in names if n not in found]


@scope_mod.admin_required
def edit(request: Any, pk: int) -> HttpResponse:
    from peiyu.accounts.models import Department
    from peiyu.registry.models import Area

    tf = _tf(request, pk)
    if request.method == "POST":
        leaders, bad1 = _users(request.POST.get("leaders", ""))
        members, bad2 = _users(request.POST.get("members", ""))
        liaison, bad3 = _users(request.POST.get("liaison_member", ""))
        if bad1 or bad2 or bad3:
            messages.error(request, f"没有这些用户：{'、'.join(bad1 + bad2 + bad3)}")
            return redirect("taskforce:edit", pk=tf.pk)
        office = Department.objects.filter(pk=request.POST.get("office") or 0).first()
        depts = list(
            Department.objects.filter(pk__in=[v for v in request.POST.getlist("departments") if v.isdigit()])
        )
        areas = list(Area.objects.filter(pk__in=[v for v in request.POST.getlist("areas") if v.isdigit()]))
        actions.do_save_taskforce(
            request.user,
            tf.industry,
            name=(request.POST.get("name") or tf.name).strip()[:100],
            office=office,
            leaders=leaders,
            departments=depts,
            areas=areas,
            members=members,
            liaison_member=liaison[0] if liaison else None,
            note=request.POST.get("note", tf.note),
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(request, "专班组成已保存")
        return redirect("taskforce:detail", pk=tf.pk)
    return render(
        request,
        "taskforce/edit.html",
        {
            "page_title": f"{tf.name} · 组成",
            "tf": tf,
            "departments": Department.objects.all(),
            "areas": Area.objects.all(),
            "chosen_departments": set(tf.departments.values_list("pk", flat=True)),
            "chosen_areas": set(tf.areas.values_list("pk", flat=True)),
            "leaders": " ".join(tf.leaders.values_list("username", flat=True)),
            "members": " ".join(tf.members.values_list("username", flat=True)),
        },
    )
