"""Target pages: the board, departments' responsibilities, a target's detail and history, the five-year
plan, import and thresholds. Views are thin: rules live in progress.py, actions.py and importer.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import audit
from peiyu.accounts import scope as scope_mod
from peiyu.accounts.models import AuditLog, Department
from peiyu.accounts.views import admin_required
from peiyu.core.money import format_wan
from peiyu.targets import actions, plan, progress
from peiyu.targets import audit_actions as A
from peiyu.targets.forms import PlanForm, PlanLineForm, ReportForm, SettingsForm, TargetForm
from peiyu.targets.models import FiveYearPlan, Target, TargetKind, TargetReport, TargetSettings
from peiyu.targets.tables import BOARD
from peiyu.taxes import analytics

# ---------------------------------------------------------------------------------------------
# Helpers


def _year_month(request: Any) -> tuple[int, str]:
    """The board's year and month from ?year=&month= (month as YYYY-MM or 1..12), defaulting to the
    latest month of the library (or the current year)."""
    latest = analytics.latest_month()
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    raw_month = request.GET.get("month", "").strip()
    month = None
    if len(raw_month) == 7 and raw_month[4] == "-" and raw_month[:4].isdigit() and raw_month[5:].isdigit():
        if 1 <= int(raw_month[5:]) <= 12:
            month = raw_month
            year = year or int(raw_month[:4])
    elif raw_month.isdigit() and 1 <= int(raw_month) <= 12 and year:
        month = f"{year:04d}-{int(raw_month):02d}"
    if year is None:
        year = int(latest[:4]) if latest else dt.date.today().year
    if month is None or int(month[:4]) != year:
        if latest and int(latest[:4]) == year:
            month = latest
        elif latest and int(latest[:4]) > year:
            month = f"{year:04d}-12"
        else:
            month = f"{year:04d}-01"
    return year, month


def tax_link(row: progress.Progress) -> str | None:
    """The tax dashboard for the target's series and month, if the tax pages exist."""
    try:
        base = reverse("taxes:dashboard")
    except NoReverseMatch:
        return None
    t = row.target
    params: dict[str, str | int] = {"month": progress.effective_month(t.year, row.month) or row.month}
    if t.key_industry_id:
        params["industry"] = t.key_industry_id
    if t.area_id:
        params["area"] = t.area_id
    return f"{base}?{urlencode(params)}"


def bullet_option(rows: list[progress.Progress]) -> dict[str, Any]:
    """ECharts option: completion bars against time-progress and seasonal-progress markers."""
    names = [r.target.name for r in rows][::-1]
    ordered = rows[::-1]
    values = [float(r.completion_pct) for r in rows if r.completion_pct is not None]
    axis_max = max(120, -(-int(max(values, default=0)) // 20) * 20)
    axis_min = min(0, (int(min(values, default=0)) // 20) * 20)
    return {
        "grid": {"left": 8, "right": 40, "top": 30, "bottom": 20, "containLabel": True},
        "legend": {"data": ["完成率", "时间进度", "季节性时间进度"], "top": 0},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}, "max": axis_max, "min": axis_min},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {
                "name": "完成率",
                "type": "bar",
                "barWidth": 14,
                "data": [
                    {
                        "value": None if r.completion_pct is None else float(r.completion_pct),
                        "itemStyle": {"color": r.status_color},
                        "key": r.target.pk,
                    }
                    for r in ordered
                ],
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            },
            {
                "name": "时间进度",
                "type": "scatter",
                "symbol": "rect",
                "symbolSize": [3, 24],
                "itemStyle": {"color": "#1d273b"},
                "data": [{"value": float(r.time_progress_pct), "key": r.target.pk} for r in ordered],
            },
            {
                "name": "季节性时间进度",
                "type": "scatter",
                "symbol": "diamond",
                "symbolSize": 10,
                "itemStyle": {"color": "#4299e1"},
                "data": [
                    {
                        "value": None if r.seasonal_progress_pct is None else float(r.seasonal_progress_pct),
                        "key": r.target.pk,
                    }
                    for r in ordered
                ],
            },
        ],
    }


def _years() -> list[int]:
    years = set(Target.objects.values_list("year", flat=True).distinct())
    latest = analytics.latest_month()
    years.add(int(latest[:4]) if latest else dt.date.today().year)
    return sorted(years, reverse=True)


# ---------------------------------------------------------------------------------------------
# Board


@login_required
def board(request: Any) -> HttpResponse:
    year, month = _year_month(request)
    sort = request.GET.get("sort", "")
    rows = progress.sort_rows(progress.board(request.user, year, month), sort)
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        return export_xlsx(request, rows, year, month)
    if fmt == "docx":
        return export_docx(request, rows, year, month)
    for r in rows:
        r.tax_url = tax_link(r) if r.target.is_tax or r.target.kind == TargetKind.SHARE else None
    context = {
        "page_title": f"{year} 年目标看板",
        "year": year,
        "month": month,
        "month_no": int(month[5:]),
        "years": _years(),
        "month_choices": range(1, 13),
        "rows": rows,
        "sort": sort,
        "target_table": board_table(request, rows, sort),
        "counts": progress.status_counts(rows),
        "time_progress": progress.time_progress(month),
        "chart": bullet_option(rows),
        "chart_height": max(240, 34 * len(rows) + 60),
        "click_url": reverse("targets:detail", args=[0]).replace("/0/", "/__KEY__/") + f"?month={month}",
        "settings": TargetSettings.current(),
        "status_labels": progress.STATUS_LABELS,
    }
    return render(request, "targets/board.html", context)


def _row_attrs(row: progress.Progress) -> dict[str, Any]:
    return {"data-target": row.target.pk}


def board_table(request: Any, rows: list[progress.Progress], sort: str | None = None, **kwargs: Any) -> Any:
    """The board's table (:data:`peiyu.targets.tables.BOARD`); with ``sort``, the completion and gap
    headers are sort links."""
    links = None
    if sort is not None:

        def link(value: str) -> str:
            query = request.GET.copy()
            query["sort"] = value
            return "?" + query.urlencode()

        completion = "-completion" if sort in ("gap", "completion") else "completion"
        links = {
            "completion_pct": (link(completion), "sort-completion"),
            "gap_pp": (link("-gap" if sort == "gap" else "gap"), "sort-gap"),
        }
    return BOARD.render(rows, id="target-table", row_attrs=_row_attrs, header_links=links, **kwargs)


def export_xlsx(request: Any, rows: list[progress.Progress], year: int, month: str) -> HttpResponse:
    audit.record_view(request, A.BOARD_EXPORT, f"{month} 目标看板 Excel", rows=len(rows))
    note = f"时间进度 {progress.time_progress(month):.1f}%；金额为区级税收（万元）。"
    return BOARD.xlsx(
        f"目标完成情况_{month}.xlsx",
        rows,
        sheet="目标完成情况",
        title=f"{year} 年目标完成情况（截至 {month}）",
        notes=[note],
    )


def export_docx(request: Any, rows: list[progress.Progress], year: int, month: str) -> HttpResponse:
    """The board as a Word report in the official layout (:mod:`peiyu.core.documents`: A4, 仿宋/黑体,
    header with the issuing unit and date, page numbers, repeating table header, chart) that officials
    paste into the monthly analysis; the same section the monthly report carries."""
    from peiyu.core import documents
    from peiyu.targets.reports import progress_section

    audit.record_view(request, A.BOARD_EXPORT, f"{month} 目标看板 Word", rows=len(rows))
    section = progress_section(rows, month, title="目标完成情况")
    data = documents.render_docx(
        title=f"{year} 年重点产业目标完成情况（截至 {int(month[5:])} 月）",
        sections=[section],
        issuer=documents.default_issuer(),
        date=dt.date.today(),
        basis="金额为区级税收（万元），月份按入库日期归属；时间进度 = 月份 ÷ 12。",
    )
    return documents.docx_response(f"目标完成情况_{month}.docx", data)


# ---------------------------------------------------------------------------------------------
# Departments


@login_required
def departments(request: Any) -> HttpResponse:
    year, month = _year_month(request)
    user = request.user
    if scope_mod.scope_for(user).everything:
        depts = list(Department.objects.all())
    else:
        depts = list(user.departments.all())
    chosen = request.GET.get("dept", "")
    if chosen.isdigit():
        depts = [d for d in depts if d.pk == int(chosen)]
    rows = (
        progress.board(user, year, month, Target.objects.filter(departments__in=depts).distinct())
        if depts
        else []
    )
    by_dept: list[dict[str, Any]] = []
    for d in depts:
        mine = [r for r in rows if any(x.pk == d.pk for x in r.target.departments.all())]
        table = board_table(request, mine, empty="本部门该年度没有责任目标。")
        table.id = "dept-table"
        by_dept.append(
            {"department": d, "rows": mine, "counts": progress.status_counts(mine), "table": table}
        )
    context = {
        "page_title": f"{year} 年部门目标责任",
        "year": year,
        "month": month,
        "month_no": int(month[5:]),
        "years": _years(),
        "month_choices": range(1, 13),
        "groups": by_dept,
        "time_progress": progress.time_progress(month),
    }
    return render(request, "targets/departments.html", context)


# ---------------------------------------------------------------------------------------------
# One target


def _target_or_404(request: Any, pk: int) -> Target:
    target = get_object_or_404(Target.objects.select_related("key_industry", "area"), pk=pk)
    if not progress.can_see(request.user, target):
        raise Http404("目标不存在")
    return target


FIELD_LABELS = {
    "year": "年度",
    "name": "指标名称",
    "kind": "类型",
    "key_industry": "重点产业",
    "area": "街道镇",
    "target_fen": "区级税收目标（万元）",
    "growth_pct": "增长目标（%）",
    "target_value": "目标值",
    "unit": "单位",
    "departments": "责任部门",
    "note": "备注",
    "month": "截至月份",
    "value": "完成值",
    "attachment": "附件",
    "department": "报送部门",
}


def _show(key: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if key == "target_fen":
        return format_wan(int(value))
    if key == "kind":
        return TargetKind(value).label if value in TargetKind.values else str(value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def history_rows(target: Target) -> list[dict[str, Any]]:
    """The target's change history, read from its audit rows (newest first)."""
    rows = []
    codes = [
        code
        for action in (A.TARGET_CREATE, A.TARGET_UPDATE, A.TARGET_DELETE, A.TARGET_REPORT, A.ATTACHMENT_VIEW)
        for code in audit.action_codes(action)
    ]
    qs = AuditLog.objects.filter(object_type="targets.target", object_id=str(target.pk), action__in=codes)
    for row in qs.order_by("-time", "-id"):
        before, after = row.before or {}, row.after or {}
        changes = []
        for key in [k for k in FIELD_LABELS if k in before or k in after]:
            b, a = _show(key, before.get(key)), _show(key, after.get(key))
            if b != a:
                changes.append({"field": FIELD_LABELS[key], "before": b, "after": a})
        rows.append(
            {
                "row": row,
                "label": audit.action_label(row.action),
                "is_update": row.action in audit.action_codes(A.TARGET_UPDATE),
                "changes": changes,
            }
        )
    return rows


@login_required
def detail(request: Any, pk: int) -> HttpResponse:
    target = _target_or_404(request, pk)
    _, month = _year_month(request) if request.GET.get("month") else (None, None)
    if month is None:
        latest = analytics.latest_month()
        month = latest if latest and int(latest[:4]) == target.year else f"{target.year:04d}-12"
        if latest and int(latest[:4]) < target.year:
            month = f"{target.year:04d}-01"
    actuals = progress.Actuals(target.year)
    row = progress.compute(target, month, actuals)
    row.tax_url = tax_link(row) if target.is_tax else None
    chart = None
    if target.is_tax:
        path = progress.monthly_path(target, month, actuals)
        chart = {
            "_fenAxis": True,
            "legend": {"top": 0},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": path["months"]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": "本年累计",
                    "type": "bar",
                    "data": path["actual"],
                    "itemStyle": {"color": row.status_color},
                },
                {"name": "上年累计", "type": "line", "data": path["last"], "lineStyle": {"type": "dotted"}},
                {"name": "按上年进度应完成", "type": "line", "data": path["path"]},
                {
                    "name": "按时间进度应完成",
                    "type": "line",
                    "data": path["linear"],
                    "lineStyle": {"type": "dashed"},
                },
            ],
        }
    context = {
        "page_title": str(target),
        "target": target,
        "row": row,
        "month": month,
        "chart": chart,
        "reports": target.reports.select_related("reported_by", "department").all(),
        "history": history_rows(target),
        "can_report": target.kind == TargetKind.REPORTED and progress.can_report(request.user, target),
        "report_form": ReportForm(initial={"month": month}),
        "is_admin": request.user.is_admin,
    }
    return render(request, "targets/detail.html", context)


@login_required
@require_POST
def report(request: Any, pk: int) -> HttpResponse:
    target = _target_or_404(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_report_value(
                request.user,
                target,
                month=form.cleaned_data["month"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                attachment=form.cleaned_data.get("attachment"),
                request=request,
            )
            messages.success(request, "已报送完成情况。")
        except actions.ActionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(
            request, "报送内容不完整：" + "；".join(str(e) for errs in form.errors.values() for e in errs)
        )
    return redirect("targets:detail", pk=target.pk)


@login_required
def attachment(request: Any, pk: int) -> FileResponse:
    rep = get_object_or_404(TargetReport.objects.select_related("target"), pk=pk)
    if not rep.attachment or not progress.can_see(request.user, rep.target):
        raise Http404("附件不存在")
    name = rep.attachment.name
    assert name is not None  # a FieldFile is truthy only when it has a name
    audit.record(request.user, A.ATTACHMENT_VIEW, rep.target, detail={"report": rep.pk}, request=request)
    return FileResponse(
        rep.attachment.open("rb"),
        as_attachment=True,
        filename=rep.attachment_name or Path(name).name,
    )


@admin_required
def edit(request: Any, pk: int | None = None) -> HttpResponse:
    target = (
        get_object_or_404(Target, pk=pk)
        if pk
        else Target(year=int(request.GET.get("year") or dt.date.today().year))
    )
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.target_fen = form.cleaned_data["target_wan"]
        try:
            actions.do_save_target(
                request.user,
                obj,
                form.cleaned_data["departments"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "目标已保存。")
            return redirect("targets:detail", pk=obj.pk)
    return render(
        request,
        "targets/form.html",
        {"page_title": "修改目标" if pk else "新建目标", "form": form, "target": target},
    )


@admin_required
@require_POST
def delete(request: Any, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    year = target.year
    try:
        actions.do_delete_target(request.user, target, reason=request.POST.get("reason", ""), request=request)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("targets:detail", pk=pk)
    messages.success(request, "目标已删除。")
    return redirect(f"{reverse('targets:board')}?year={year}")


# ---------------------------------------------------------------------------------------------
# Five-year plan


@login_required
def plan_view(request: Any) -> HttpResponse:
    plans = list(FiveYearPlan.objects.all())
    chosen = request.GET.get("plan", "")
    current = next((p for p in plans if str(p.pk) == chosen), plans[0] if plans else None)
    plan_form: PlanForm | None
    if request.method == "POST" and request.POST.get("form") == "plan" and request.user.is_admin:
        plan_form = PlanForm(request.POST)
        if plan_form.is_valid():
            try:
                new = actions.do_create_plan(request.user, request=request, **plan_form.cleaned_data)
                messages.success(request, "已新建五年规划。")
                return redirect(f"{reverse('targets:plan')}?plan={new.pk}")
            except actions.ActionError as exc:
                plan_form.add_error(None, str(exc))
    else:
        plan_form = PlanForm() if request.user.is_admin else None
    form = (
        PlanLineForm(request.POST if request.POST.get("form") == "line" else None)
        if request.user.is_admin
        else None
    )
    if request.method == "POST" and current and form is not None and form.is_bound and form.is_valid():
        try:
            actions.do_save_plan_line(
                request.user,
                current,
                form.cleaned_data["key_industry"],
                base_fen=form.cleaned_data["base_wan"],
                goal_fen=form.cleaned_data["goal_wan"],
                request=request,
            )
            messages.success(request, "规划目标已保存（年度里程碑按倍增路径生成）。")
            return redirect(f"{reverse('targets:plan')}?plan={current.pk}")
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
    lines = plan.plan_progress(request.user, current) if current else []
    return render(
        request,
        "targets/plan.html",
        {
            "page_title": "五年规划",
            "plans": plans,
            "plan": current,
            "lines": lines,
            "form": form,
            "plan_form": plan_form,
        },
    )


# ---------------------------------------------------------------------------------------------
# Import and thresholds (administrators)


@admin_required
def import_view(request: Any) -> HttpResponse:
    from peiyu.core.imports.views import upload_page
    from peiyu.targets.importer import TargetImporter

    if request.GET.get("template"):
        return import_template()
    return upload_page(
        request,
        TargetImporter,
        title="目标导入",
        help_text=(
            "列：产业/指标、年度、区级税收目标（万元）或 增长目标(%) 或 目标值、责任部门（多个用 、 , ; 分隔）、"
            "单位、备注。表头前可有标题行。有任何错误时整个文件不导入；同一年度同名指标将被更新。"
        ),
        context={"template_url": "?template=1"},
        report_url=lambda pk: reverse("targets:import_report", args=[pk]),
    )


@admin_required
def import_report(request: Any, pk: int) -> HttpResponse:
    """The report of one target import (the upload runs as a background job)."""
    from peiyu.core.imports import views as imports
    from peiyu.targets.importer import TargetImporter

    return imports.report_page(
        request,
        imports.get_batch(TargetImporter, pk),
        TargetImporter,
        back_url=reverse("targets:import"),
        errors_url=reverse("targets:import_errors", args=[pk]),
    )


@admin_required
def import_errors(request: Any, pk: int) -> HttpResponse:
    from peiyu.core.imports import views as imports
    from peiyu.targets.importer import TargetImporter

    return imports.errors_xlsx(request, imports.get_batch(TargetImporter, pk))


def import_template() -> HttpResponse:
    """An example target table officials can fill in (the importer reads it back as is)."""
    from peiyu.core.export import Column, Table, xlsx_response

    year = dt.date.today().year
    columns = [
        Column("产业/指标", "name"),
        Column("年度", "year", "int"),
        Column("区级税收目标（万元）", "amount"),
        Column("增长目标(%)", "growth"),
        Column("目标值", "value"),
        Column("责任部门", "depts"),
        Column("单位", "unit"),
        Column("备注", "note"),
    ]
    rows = [
        {"name": "智能软件", "year": year, "amount": "20000", "depts": "区科委", "note": "税收金额目标"},
        {
            "name": "生命健康",
            "year": year,
            "growth": "10",
            "depts": "区科委、区卫健委",
            "note": "按上年实际折算",
        },
        {"name": "桃浦镇", "year": year, "amount": "6000", "depts": "", "note": "街道镇目标"},
        {"name": "全区", "year": year, "growth": "6", "depts": "区发改委", "note": "全区区级税收"},
        {
            "name": "四大重点产业占区级税收比重",
            "year": year,
            "value": "4",
            "depts": "区科委、区金融办、区商务委",
            "unit": "个百分点",
        },
        {"name": "新增税收亿元楼", "year": year, "value": "3", "depts": "区投促办", "unit": "幢"},
    ]
    notes = [
        "每行一个指标；产业/指标填重点产业、街道镇名称或“全区”为税收目标，其他名称为部门报送或占比指标。"
    ]
    return xlsx_response(
        "目标责任表模板.xlsx", [Table("目标责任表", columns, rows, title=f"{year} 年目标责任表", notes=notes)]
    )


@admin_required
def settings_view(request: Any) -> HttpResponse:
    current = TargetSettings.current()
    form = SettingsForm(
        request.POST or None,
        initial={"green_gap": current.green_gap, "yellow_gap": current.yellow_gap, "basis": current.basis},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_settings(request.user, request=request, **form.cleaned_data)
            messages.success(request, "阈值已保存。")
            return redirect("targets:settings")
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "targets/settings.html", {"page_title": "目标进度阈值", "form": form, "current": current}
    )
