"""Pages of the warning loop (thin: rules in :mod:`rules`/:mod:`keyset`, changes in :mod:`actions`,
reads in :mod:`queries`). State transitions are htmx forms that swap the warning's loop card."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record_view
from peiyu.accounts.scope import admin_required
from peiyu.alerts import actions, explain, keyset, queries, rules
from peiyu.alerts import audit_actions as A
from peiyu.alerts.forms import FollowUpForm, NoteForm, OverrideForm, ReasonForm, ReassignForm, SettingsForm
from peiyu.alerts.models import (
    AlertSettings,
    FollowUpKind,
    KeyEnterpriseOverride,
    Rule,
    Severity,
    Status,
)
from peiyu.alerts.tables import (
    KEY_BY_AREA,
    KEY_BY_INDUSTRY,
    KEY_ENTERPRISES,
    WARNINGS,
    render_warnings,
    warning_rows,
)
from peiyu.core import datacache
from peiyu.core.export import xlsx_response
from peiyu.core.pagecache import reused_page
from peiyu.taxes import analytics


def _filter_choices(user: Any) -> dict[str, Any]:
    from peiyu.registry.models import Area, KeyIndustry

    sc = scope_mod.scope_for(user)
    industries = KeyIndustry.objects.filter(active=True)
    areas = Area.objects.all()
    if not sc.everything:
        industries = industries.filter(pk__in=sc.industry_ids) if sc.industry_ids else industries.none()
        areas = areas.filter(pk__in=sc.area_ids) if sc.area_ids else areas.none()
    return {
        "rules": Rule.choices,
        "severities": Severity.choices,
        "statuses": [("open", "未关闭"), ("closed", "已关闭"), *Status.choices],
        "industries": industries,
        "areas": areas,
        "months": list(reversed(analytics.months_available()))[:36],
    }


def _export(request: Any, warnings: list, title: str) -> HttpResponse:
    days = AlertSettings.current().overdue_days
    rows = warning_rows(warnings, days)
    record_view(request, A.WARNINGS_EXPORT, title, count=len(rows))
    return WARNINGS.xlsx(
        f"{title}.xlsx",
        rows,
        sheet="预警",
        title=title,
        notes=[f"超期：{days} 天无任何处理；金额单位：万元；涉税数据，注意保密"],
    )


INBOX_PAGE = 50  # rows per page of the inbox (the Excel export has them all)


@login_required
@reused_page
def inbox(request: Any) -> HttpResponse:
    user = request.user
    warnings = queries.in_order(queries.inbox(user))
    days = AlertSettings.current().overdue_days
    if request.GET.get("format") == "xlsx":
        return _export(request, list(warnings), "我的待办预警")
    page = Paginator(warnings, INBOX_PAGE).get_page(request.GET.get("page"))
    total = page.paginator.count
    record_view(request, A.INBOX_VIEW, "我的待办预警", count=total)
    return render(
        request,
        "alerts/inbox.html",
        {
            "page_title": "我的待办预警",
            "page": page,
            "total": total,
            "rows": [(w, w.is_overdue(days)) for w in page],
            "warning_table": render_warnings(warning_rows(page, days)),
            "counts": queries.counts(user),
            "overdue_days": days,
            "is_manager": actions.is_manager(user),
        },
    )


@login_required
@reused_page
def warning_list(request: Any) -> HttpResponse:
    params = request.GET.dict()
    if "status" not in params:
        params["status"] = "open"
    qs = queries.filtered(request.user, params)
    warnings = queries.in_order(qs)
    if request.GET.get("format") == "xlsx":
        return _export(request, list(warnings), "预警列表")
    days = AlertSettings.current().overdue_days
    page = Paginator(warnings, 50).get_page(request.GET.get("page"))
    total = page.paginator.count
    record_view(request, A.WARNINGS_VIEW, "预警列表", count=total)
    return render(
        request,
        "alerts/list.html",
        {
            "page_title": "预警列表",
            "page": page,
            "rows": [(w, w.is_overdue(days)) for w in page],
            "warning_table": render_warnings(warning_rows(page, days)),
            "params": params,
            "total": total,
            "overdue_days": days,
            **_filter_choices(request.user),
        },
    )


def _loop_context(request: Any, w: Any, **extra: Any) -> dict[str, Any]:
    cfg = AlertSettings.current()
    user = request.user
    return {
        "w": w,
        "overdue": w.is_overdue(cfg.overdue_days),
        "overdue_days": cfg.overdue_days,
        "can_act": actions.can_act(user, w),
        "can_reassign": w.is_open and (actions.is_manager(user) or w.owner_id == user.pk),
        "allowed": {s: actions.allowed(w, s) for s in Status.values},
        "followups": list(w.item.notes.select_related("created_by").prefetch_related("attachments"))
        if w.item
        else [],
        "events": list(w.item.events.select_related("user")) if w.item else [],
        "followup_form": extra.pop("followup_form", None) or FollowUpForm(),
        "followup_kinds": FollowUpKind.choices,
        "assignable": actions.assignable_users(w) if w.is_open else [],
        **extra,
    }


@login_required
def detail(request: Any, pk: int) -> HttpResponse:
    w = queries.get_or_404(request.user, pk)
    ctx = _loop_context(request, w)
    ctx.update(
        {
            "page_title": f"预警：{w.enterprise.name}",
            "why": explain.explain(request.user, w),
            "others": queries.visible(request.user)
            .filter(enterprise=w.enterprise)
            .exclude(pk=w.pk)
            .order_by("-last_month"),
        }
    )
    record_view(request, A.WARNING_VIEW, str(w), warning=w.pk, credit_code=w.enterprise.credit_code)
    return render(request, "alerts/detail.html", ctx)


TRANSITIONS = ("acknowledge", "followup", "resolve", "dismiss", "reassign")


@login_required
@require_POST
def transition(request: Any, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    w = queries.get_or_404(request.user, pk)  # outside the scope: 404
    if request.method == "POST":  # seeing is not acting: a read-only leader gets a recorded 403
        scope_mod.require_change(request.user, w.enterprise, request=request)
    error = ""
    followup_form = None
    try:
        if action == "acknowledge":
            form: forms.Form = NoteForm(request.POST)
            form.is_valid()
            actions.do_acknowledge(request.user, w, form.cleaned_data.get("note", ""), request=request)
            done = "已确认"
        elif action == "followup":
            followup_form = FollowUpForm(request.POST)
            if not followup_form.is_valid():
                raise actions.ActionError("请完整填写跟进方式、日期和情况记录")
            d = followup_form.cleaned_data
            actions.do_follow_up(
                request.user,
                w,
                kind=d["kind"],
                date=d["date"],
                note=d["note"],
                contact=d["contact"],
                files=request.FILES.getlist("files"),
                request=request,
            )
            followup_form = None
            done = "已记录跟进"
        elif action in ("resolve", "dismiss"):
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            fn = actions.do_resolve if action == "resolve" else actions.do_dismiss
            fn(request.user, w, reason, request=request)
            done = "已解决" if action == "resolve" else "已排除"
        else:
            form = ReassignForm(request.POST)
            from peiyu.accounts.models import User

            owner = User.objects.filter(username=form.data.get("owner", "").strip()).first()
            actions.do_reassign(request.user, w, owner, form.data.get("reason", ""), request=request)
            done = f"已转派给 {owner}"
    except actions.ActionError as exc:
        error, done = str(exc), ""
    if request.headers.get("HX-Request"):
        w = queries.get_or_404(request.user, pk)
        ctx = _loop_context(request, w, error=error, done=done, followup_form=followup_form)
        return render(request, "alerts/_loop.html", ctx, status=200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("alerts:detail", pk=pk)


# ---------------------------------------------------------------------------------------------
# Key enterprises


@login_required
@reused_page
def key_enterprises(request: Any) -> HttpResponse:
    months = analytics.months_available()
    month = request.GET.get("month") or (months[-1] if months else "")
    if month and month not in months and months:
        month = months[-1]
    by = request.GET.get("by") if request.GET.get("by") in ("industry", "area") else "industry"
    cfg = AlertSettings.current()
    rows = (
        datacache.cached(f"key_list:{month}", request.user, lambda: keyset.key_list(request.user, month, cfg))
        if month
        else []
    )
    window = keyset.window(month, cfg.key_window_months) if month else []
    if request.GET.get("format") == "xlsx":
        record_view(request, A.KEY_ENTERPRISES_EXPORT, f"重点企业名单 {month}", count=len(rows))
        title = f"重点企业名单（{month}，统计期 {window[0]}至{window[-1]}）" if window else "重点企业名单"
        ind_rows = sorted(rows, key=lambda r: (r["industry"], -r["sum_fen"]))
        area_rows = sorted(rows, key=lambda r: (r["area"], -r["sum_fen"]))
        return xlsx_response(
            f"重点企业名单_{month}.xlsx",
            [
                KEY_ENTERPRISES.table(ind_rows, sheet="按产业", title=title),
                KEY_ENTERPRISES.table(area_rows, sheet="按街道镇", title=title),
            ],
        )
    record_view(request, A.KEY_ENTERPRISES_VIEW, f"重点企业名单 {month}", count=len(rows))
    overrides = scope_mod.restrict(
        request.user, KeyEnterpriseOverride.objects.select_related("enterprise", "created_by", "revoked_by")
    )[:50]
    can_edit = request.user.is_admin or request.user.role in ("taskforce", "department")
    return render(
        request,
        "alerts/key_enterprises.html",
        {
            "page_title": "重点企业",
            "month": month,
            "months": list(reversed(months))[:36],
            "window": window,
            "by": by,
            "groups": _key_groups(rows, by),
            "total": len(rows),
            "total_fen": sum(r["sum_fen"] for r in rows),
            "cfg": cfg,
            "overrides": overrides,
            "can_edit": can_edit,
            "form": OverrideForm(),
        },
    )


def _key_groups(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    spec = KEY_BY_INDUSTRY if by == "industry" else KEY_BY_AREA
    groups = keyset.grouped(rows, by)
    for g in groups:
        g["table"] = spec.render(
            g["rows"], row_attrs=lambda r: {"class": "key-row", "data-code": r["credit_code"]}
        )
    return groups


@login_required
@require_POST
def key_override(request: Any) -> HttpResponse:
    back = reverse("alerts:key_enterprises")
    if request.POST.get("revoke"):
        ov = (
            scope_mod.restrict(request.user, KeyEnterpriseOverride.objects.all())
            .filter(pk=request.POST["revoke"])
            .first()
        )
        if ov is None:
            raise Http404("调整记录不存在")
        try:
            actions.do_revoke_override(request.user, ov, request.POST.get("reason", ""), request=request)
            messages.success(request, "已撤销")
        except actions.ActionError as exc:
            messages.error(request, str(exc))
        return redirect(back)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写信用代码、调整类型和理由")
        return redirect(back)
    ent = scope_mod.get_enterprise_or_404(request.user, form.cleaned_data["credit_code"].strip().upper())
    try:
        actions.do_key_override(
            request.user, ent, form.cleaned_data["kind"], form.cleaned_data["reason"], request=request
        )
        messages.success(
            request, f"已{KeyEnterpriseOverride.Kind(form.cleaned_data['kind']).label}：{ent.name}"
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# Rules (administrators)


def _job(request: Any) -> Any:
    from peiyu.work.models import Job

    pk = request.GET.get("job", "")
    return Job.objects.filter(pk=int(pk), created_by=request.user).first() if pk.isdigit() else None


@admin_required
def rules_page(request: Any) -> HttpResponse:
    cfg = AlertSettings.current()
    form = SettingsForm(instance=AlertSettings.current())
    if request.method == "POST" and request.POST.get("recompute"):
        month = request.POST.get("month") or analytics.latest_month()
        if month not in analytics.months_available():
            messages.error(request, "该月份没有税收数据")
            return redirect("alerts:rules")
        from peiyu.work import jobs

        job = jobs.start("alerts.compute_month", user=request.user, request=request, month=month)
        if job.status == job.Status.DONE:
            messages.success(request, job.message)
        return redirect(reverse("alerts:rules") + f"?job={job.pk}")
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=AlertSettings.current())
        if form.is_valid():
            try:
                actions.do_update_settings(
                    request.user, form.changes(), request=request, reason=request.POST.get("reason", "")
                )
                messages.success(request, "预警规则已保存；下次导入或重新计算时生效")
                return redirect("alerts:rules")
            except actions.ActionError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "alerts/rules.html",
        {
            "page_title": "预警规则",
            "form": form,
            "cfg": cfg,
            "months": list(reversed(analytics.months_available()))[:24],
            "open_count": queries.visible(request.user).filter(item__is_open=True).count(),
            "rules_text": rules.describe(cfg),
            "job": _job(request),
        },
    )
