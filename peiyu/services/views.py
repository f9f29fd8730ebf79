"""Pages of enterprise services (thin: changes in :mod:`actions`, reads in :mod:`queries`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peiyu.accounts import scope
from peiyu.accounts.audit import record_view
from peiyu.core.imports import views as imports
from peiyu.core.money import parse_amount_fen
from peiyu.services import actions, queries
from peiyu.services import audit_actions as A
from peiyu.services import tables as T
from peiyu.services.importer import FeedbackImporter, RequestImporter, VisitImporter
from peiyu.services.models import (
    Category,
    Channel,
    FinancingApplication,
    FinancingStage,
    ListingSheet,
    ListingStage,
    Product,
    RedFlag,
    Request,
    Satisfaction,
    Status,
)


def _date(raw: Any, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)) if raw else default
    except ValueError:
        return default


def _fail(request: Any, exc: Exception, url: str) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect(url)


# ---------------------------------------------------------------------------------------------
# Requests


@login_required
def request_list(request: Any) -> HttpResponse:
    qs = queries.visible_requests(request.user)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(enterprise__name__icontains=q) | qs.filter(ref__icontains=q)
    cat = request.GET.get("category") or ""
    if cat:
        qs = qs.filter(category__code=cat)
    rows = queries.request_rows(qs)
    rows.reverse()
    status = request.GET.get("status") or "open"
    if status == "open":
        rows = [r for r in rows if r["_status"] not in queries.CLOSED]
    elif status == "overdue":
        rows = [r for r in rows if r["overdue"]]
    elif status == "dissatisfied":
        rows = [r for r in rows if r["_r"].satisfaction == Satisfaction.DISSATISFIED or r["_r"].reopened]
    elif status in Status.values:
        rows = [r for r in rows if r["_status"] == status]
    if request.GET.get("format") == "xlsx":
        record_view(request, A.REQUESTS_EXPORT, "企业诉求", count=len(rows))
        return T.REQUESTS.xlsx(
            "企业诉求.xlsx",
            rows,
            sheet="诉求",
            title="企业诉求一览",
            notes=["期限为工作日（按国务院节假日安排，含调休）"],
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "services/request_list.html",
        {
            "page_title": "企业诉求",
            "table": T.REQUESTS.render(list(page), id="request-table"),
            "page": page,
            "total": len(rows),
            "status": status,
            "q": q,
            "categories": Category.objects.filter(active=True),
            "category": cat,
            "statuses": [
                ("open", "未办结"),
                ("overdue", "超期"),
                ("dissatisfied", "不满意/重办"),
                ("all", "全部"),
                *Status.choices,
            ],
            "counts": queries.counts(request.user),
        },
    )


@login_required
def request_new(request: Any) -> HttpResponse:
    ctx: dict[str, Any] = {
        "page_title": "登记企业诉求",
        "categories": Category.objects.filter(active=True),
        "channels": [c for c in Channel.choices if c[0] != Channel.IMPORT],
        "form": request.POST if request.method == "POST" else {},
    }
    if request.method == "POST":
        code = (request.POST.get("credit_code") or "").strip()
        try:
            ent = scope.get_enterprise_or_404(request.user, code, action=scope.CHANGE, request=request)
        except Http404:
            ctx["error"] = "找不到该信用代码的企业（或不在您的办理范围内）"
            ctx["form"] = {**request.POST.dict(), "credit_code": ""}  # never echo an unknown code
            return render(request, "services/request_new.html", ctx, status=400)
        cat = Category.objects.filter(code=request.POST.get("category"), active=True).first()
        if cat is None:
            ctx["error"] = "请选择诉求类别"
            return render(request, "services/request_new.html", ctx, status=400)
        try:
            req = actions.do_create_request(
                request.user,
                ent,
                category=cat,
                content=request.POST.get("content", ""),
                channel=request.POST.get("channel") or Channel.PHONE,
                contact=request.POST.get("contact", ""),
                files=request.FILES.getlist("files"),
                request=request,
            )
        except actions.ActionError as exc:
            ctx["error"] = str(exc)
            return render(request, "services/request_new.html", ctx, status=400)
        messages.success(request, f"已登记诉求 {req.ref}")
        return redirect("services:request_detail", req.pk)
    return render(request, "services/request_new.html", ctx)


@login_required
def request_detail(request: Any, pk: int) -> HttpResponse:
    req = scope.get_object_or_404(
        request.user, queries.visible_requests(request.user), request=request, pk=pk
    )
    item = req.item
    events = list(item.events.select_related("user").order_by("time", "id")) if item else []
    can_change = scope.can(request.user, req, scope.CHANGE)
    reply_url = ""
    if can_change and req.reply_round and not req.feedback.filter(round=req.reply_round).exists():
        reply_url = request.build_absolute_uri(reverse("services:reply") + "?t=" + actions.reply_token(req))
    return render(
        request,
        "services/request_detail.html",
        {
            "page_title": f"诉求 {req.ref}",
            "r": req,
            "events": events,
            "feedback": list(req.feedback.all()),
            "can_change": can_change,
            "reply_url": reply_url,
            "overdue": queries.is_overdue(
                req, req.status, *queries.state_as_of(req, None)[1:], timezone.localdate()
            ),
            "files": list(req.files.all()),
        },
    )


REQUEST_ACTIONS = ("accept", "handle", "reply", "close", "return", "extend")


@login_required
@require_POST
def request_action(request: Any, pk: int, action: str) -> HttpResponse:
    if action not in REQUEST_ACTIONS:
        raise Http404("未知操作")
    req = scope.get_object_or_404(request.user, Request, action=scope.CHANGE, request=request, pk=pk)
    url = reverse("services:request_detail", args=[req.pk])
    text = (request.POST.get("note") or request.POST.get("reason") or "").strip()
    try:
        if action == "accept":
            actions.do_accept_request(request.user, req, text, request=request)
        elif action == "handle":
            actions.do_handle_request(request.user, req, text, request=request)
        elif action == "reply":
            actions.do_reply_request(request.user, req, request.POST.get("answer") or text, request=request)
        elif action == "close":
            actions.do_close_request(request.user, req, text, request=request)
        elif action == "return":
            actions.do_return_request(request.user, req, text, request=request)
        elif action == "extend":
            actions.do_extend_request(request.user, req, text, request=request)
    except actions.ActionError as exc:
        return _fail(request, exc, url)
    messages.success(request, "已保存")
    return redirect(url)


def reply(request: Any) -> HttpResponse:
    """The enterprise's own evaluation, through the signed one-time link (no login)."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    try:
        req, rnd = actions.read_token(token)
    except actions.ActionError as exc:
        raise Http404(str(exc)) from None
    ctx: dict[str, Any] = {
        "page_title": "诉求办理评价",
        "r": req,
        "token": token,
        "choices": Satisfaction.choices,
        "done": None,
    }
    if request.method == "POST":
        try:
            ctx["done"] = actions.do_record_feedback(
                None,
                req,
                round=rnd,
                result=request.POST.get("result", ""),
                comment=request.POST.get("comment", ""),
                evidence="回访链接",
                request=request,
            )
        except actions.ActionError as exc:
            ctx["error"] = str(exc)
            return render(request, "services/reply.html", ctx, status=400)
    return render(request, "services/reply.html", ctx)


@scope.admin_required
def request_import(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        RequestImporter,
        title="企业诉求台账导入",
        report_url=lambda pk: reverse("services:import_report", args=[pk]),
        help_text="列：编号、统一社会信用代码、企业名称、受理时间、诉求类别、诉求内容、承办单位、受理渠道、办结时间、办理结果；有错则整表不导入。",
    )


@scope.admin_required
def visit_import(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        VisitImporter,
        title="企业走访记录导入",
        report_url=lambda pk: reverse("services:import_report", args=[pk]),
        help_text="列：统一社会信用代码、企业名称、走访日期、走访人、接待人、走访情况、风险信号。",
    )


@scope.admin_required
def feedback_import(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        FeedbackImporter,
        title="企业回访评价导入",
        report_url=lambda pk: reverse("services:import_report", args=[pk]),
        help_text="企业本人的回复（12345 回访系统、短信平台导出）：诉求编号、答复轮次、企业评价、企业意见、回复渠道及凭据、回复时间。不满意的诉求自动重新办理。",
    )


IMPORTERS = {cls.kind: (cls, back) for cls, back in (
    (RequestImporter, "services:request_import"),
    (VisitImporter, "services:visit_import"),
    (FeedbackImporter, "services:feedback_import"),
)}  # fmt: skip


def _import_batch(pk: int) -> tuple[Any, Any, str]:
    """The batch ``pk`` of a request, visit or feedback import, its importer and upload page (or 404)."""
    from peiyu.core.models import ImportBatch

    kind = ImportBatch.objects.filter(pk=pk, kind__in=IMPORTERS).values_list("kind", flat=True).first()
    if kind is None:
        raise Http404("导入记录不存在")
    cls, back = IMPORTERS[kind]
    return imports.get_batch(cls, pk), cls, back


@scope.admin_required
def import_report(request: Any, pk: int) -> HttpResponse:
    """The report of a request, visit or feedback import (the upload runs as a background job)."""
    batch, cls, back = _import_batch(pk)
    return imports.report_page(
        request,
        batch,
        cls,
        back_url=reverse(back),
        errors_url=reverse("services:import_errors", args=[pk]),
    )


@scope.admin_required
def import_errors(request: Any, pk: int) -> HttpResponse:
    batch, _cls, _back = _import_batch(pk)
    return imports.errors_xlsx(request, batch)


# ---------------------------------------------------------------------------------------------
# Visits


@login_required
def visit_list(request: Any) -> HttpResponse:
    visits = list(queries.visible_visits(request.user)[:2000])
    if request.GET.get("format") == "xlsx":
        return T.VISITS.xlsx("企业走访.xlsx", visits, sheet="走访", title="企业走访记录")
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "services/visit_list.html",
        {
            "page_title": "企业走访",
            "table": T.VISITS.render(list(page), id="visit-table"),
            "page": page,
            "total": len(visits),
        },
    )


@login_required
def visit_new(request: Any) -> HttpResponse:
    ctx: dict[str, Any] = {
        "page_title": "登记走访",
        "flags": RedFlag.choices,
        "categories": Category.objects.filter(active=True),
        "form": request.POST
        if request.method == "POST"
        else {"credit_code": request.GET.get("credit_code", "")},
        "today": timezone.localdate(),
    }
    if request.method == "POST":
        code = (request.POST.get("credit_code") or "").strip()
        try:
            ent = scope.get_enterprise_or_404(request.user, code, action=scope.CHANGE, request=request)
        except Http404:
            ctx["error"] = "找不到该信用代码的企业（或不在您的办理范围内）"
            ctx["form"] = {**request.POST.dict(), "credit_code": ""}  # never echo an unknown code
            return render(request, "services/visit_new.html", ctx, status=400)
        cat = Category.objects.filter(code=request.POST.get("request_category")).first()
        raised = (cat, request.POST.get("request_content", "")) if cat else None
        try:
            actions.do_record_visit(
                request.user,
                ent,
                date=_date(request.POST.get("date"), timezone.localdate()) or timezone.localdate(),
                findings=request.POST.get("findings", ""),
                flags=request.POST.getlist("flags"),
                met=request.POST.get("met", ""),
                raise_request=raised,
                attachment=request.FILES.get("attachment"),
                request=request,
            )
        except actions.ActionError as exc:
            ctx["error"] = str(exc)
            return render(request, "services/visit_new.html", ctx, status=400)
        messages.success(request, "已登记走访")
        return redirect("services:visit_list")
    return render(request, "services/visit_new.html", ctx)


@login_required
def visit_plan(request: Any) -> HttpResponse:
    try:
        months = max(1, min(24, int(request.GET.get("months") or 6)))
    except ValueError:
        months = 6
    rows = queries.visit_plan(request.user, months=months)
    if request.GET.get("format") == "xlsx":
        return T.PLAN.xlsx(
            "走访计划.xlsx", rows, sheet="走访计划", title=f"走访计划（按风险，{months}个月未访）"
        )
    year = timezone.localdate().year
    cov = queries.coverage(request.user, year)
    return render(
        request,
        "services/visit_plan.html",
        {
            "page_title": "走访计划",
            "table": T.PLAN.render(rows, id="plan-table"),
            "officers": T.OFFICERS.render(cov["officers"], id="officer-table"),
            "areas": T.AREAS.render(cov["areas"], id="area-table"),
            "months": months,
            "year": year,
            "share_label": scope.share_label(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Listing pipeline


@login_required
def listing_list(request: Any) -> HttpResponse:
    sheets = list(
        scope.restrict(request.user, ListingSheet.objects.select_related("enterprise", "owner")).distinct()
    )
    year = request.GET.get("year")
    if year and year.isdigit():
        sheets = [s for s in sheets if s.joined.year <= int(year)]
    try:
        candidates = queries.listing_candidates(request.user)
    except Exception:  # noqa: BLE001 — no tax library: no candidates
        candidates = []
    if request.GET.get("format") == "xlsx":
        return T.LISTING.xlsx(
            "改制上市培育库.xlsx", sheets, sheet="培育库", title="改制上市培育库（一企一表）"
        )
    by_stage = {label: sum(1 for s in sheets if s.stage == code) for code, label in ListingStage.choices}
    return render(
        request,
        "services/listing_list.html",
        {
            "page_title": "改制上市培育库",
            "table": T.LISTING.render(sheets, id="listing-table"),
            "candidates": T.CANDIDATES.render(candidates, id="candidate-table"),
            "by_stage": by_stage,
        },
    )


@login_required
def listingsheet_detail(request: Any, pk: int) -> HttpResponse:
    qs = ListingSheet.objects.select_related("enterprise", "owner")
    sheet = scope.get_object_or_404(request.user, qs, request=request, pk=pk)
    if request.method == "POST":
        sheet = scope.get_object_or_404(request.user, qs, action=scope.CHANGE, request=request, pk=pk)
        try:
            if request.POST.get("step_title"):
                due = _date(request.POST.get("step_due"))
                if due is None:
                    raise actions.ActionError("请填写计划完成日期")
                actions.do_add_listing_step(
                    request.user, sheet, title=request.POST["step_title"], due=due, request=request
                )
            else:
                changes = {k: request.POST[k] for k in actions.LISTING_FIELDS if k in request.POST}
                actions.do_save_listing_sheet(
                    request.user, sheet.enterprise, changes=changes, request=request
                )
        except actions.ActionError as exc:
            return _fail(request, exc, reverse("services:listingsheet_detail", args=[pk]))
        messages.success(request, "已保存")
        return redirect("services:listingsheet_detail", pk)
    from peiyu.work.queries import items_of

    return render(
        request,
        "services/listing_detail.html",
        {
            "page_title": f"一企一表：{sheet.enterprise.name}",
            "s": sheet,
            "steps": list(items_of(sheet)),
            "stages": ListingStage.choices,
            "can_change": scope.can(request.user, sheet, scope.CHANGE),
        },
    )


@login_required
@require_POST
def listing_add(request: Any) -> HttpResponse:
    code = (request.POST.get("credit_code") or "").strip()
    if isinstance(request.POST.getlist("credit_code"), list) and len(request.POST.getlist("credit_code")) > 1:
        code = request.POST.getlist("credit_code")[0]
    ent = scope.get_enterprise_or_404(request.user, code, action=scope.CHANGE, request=request)
    try:
        sheet = actions.do_save_listing_sheet(
            request.user, ent, changes={"stage": ListingStage.NURTURE}, request=request
        )
    except actions.ActionError as exc:
        return _fail(request, exc, reverse("services:listing_list"))
    return redirect("services:listingsheet_detail", sheet.pk)


# ---------------------------------------------------------------------------------------------
# Financing


@login_required
def financing_list(request: Any) -> HttpResponse:
    year = timezone.localdate().year
    with contextlib.suppress(ValueError):
        year = int(request.GET.get("year") or year)
    apps = list(
        scope.restrict(request.user, FinancingApplication.objects.select_related("enterprise"))
        .distinct()
        .filter(applied_on__year=year)
    )
    if request.GET.get("format") == "xlsx":
        return T.FINANCING.xlsx(
            "融资申请.xlsx", apps, sheet="融资申请", title=f"{year} 年融资申请（普会贷/信易贷）"
        )
    f = queries.funnel(request.user, year)
    return render(
        request,
        "services/financing_list.html",
        {
            "page_title": "融资服务",
            "year": year,
            "total": f["total"],
            "table": T.FINANCING.render(apps, id="financing-table"),
            "by_month": T.FUNNEL_ROWS.render(f["month"], id="funnel-month"),
            "by_bank": T.FUNNEL_ROWS.render(f["bank"], id="funnel-bank"),
            "by_product": T.FUNNEL_ROWS.render(f["product"], id="funnel-product"),
            "products": Product.choices,
            "stages": FinancingStage.choices,
            "can_add": scope.has_permission(request.user, "change"),
        },
    )


@login_required
@require_POST
def financing_new(request: Any) -> HttpResponse:
    codes = request.POST.getlist("credit_code")
    ent = scope.get_enterprise_or_404(
        request.user, (codes[0] if codes else "").strip(), action=scope.CHANGE, request=request
    )
    try:
        amount = parse_amount_fen(request.POST.get("amount_wan") or "", unit_fen=1_000_000)
        actions.do_save_financing(
            request.user,
            ent,
            product=request.POST.get("product", ""),
            bank=request.POST.get("bank", ""),
            amount_asked_fen=int(amount or 0),
            applied_on=_date(request.POST.get("applied_on"), timezone.localdate()) or timezone.localdate(),
            request=request,
        )
    except (actions.ActionError, ValueError) as exc:
        return _fail(request, exc, reverse("services:financing_list"))
    messages.success(request, "已登记融资申请")
    return redirect("services:financing_list")


@login_required
@require_POST
def financingapplication_advance(request: Any, pk: int) -> HttpResponse:
    app = scope.get_object_or_404(
        request.user, FinancingApplication, action=scope.CHANGE, request=request, pk=pk
    )
    try:
        granted = request.POST.get("granted_wan")
        actions.do_advance_financing(
            request.user,
            app,
            request.POST.get("stage", ""),
            amount_granted_fen=int(parse_amount_fen(granted, unit_fen=1_000_000) or 0) if granted else None,
            request=request,
        )
    except (actions.ActionError, ValueError) as exc:
        return _fail(request, exc, reverse("services:financing_list"))
    return redirect("services:financing_list")


# ---------------------------------------------------------------------------------------------
# Sub-district service meetings (on the shared meetings core)


@login_required
def meeting_list(request: Any) -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    from peiyu.meetings.actions import MeetingError
    from peiyu.meetings.queries import visible
    from peiyu.registry.models import Area
    from peiyu.services.meetings import AREA, FORMS, do_schedule_area_meeting

    sc = scope.scope_for(request.user, scope.CHANGE)
    areas = Area.objects.all() if sc.everything else Area.objects.filter(pk__in=sc.area_ids)
    if request.method == "POST":
        area = (
            areas.filter(pk=request.POST.get("area") or 0).first()
            if request.POST.get("area", "").isdigit()
            else None
        )
        if area is None:
            messages.error(request, "请选择您负责的街道镇")
            return redirect("services:meeting_list")
        try:
            m = do_schedule_area_meeting(
                request.user,
                area,
                form=request.POST.get("form", ""),
                date=_date(request.POST.get("date"), timezone.localdate()) or timezone.localdate(),
                location=request.POST.get("location", ""),
                agenda=request.POST.get("agenda", ""),
                request=request,
            )
        except (MeetingError, ValueError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("services:meeting_list")
        return redirect("meetings:detail", m.pk)
    meetings = list(
        visible(request.user).filter(kind=AREA.key).select_related("area").order_by("-date", "-id")[:200]
    )
    return render(
        request,
        "services/meeting_list.html",
        {
            "page_title": "街道企业服务会议",
            "meetings": meetings,
            "areas": areas,
            "forms": FORMS,
            "today": timezone.localdate(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Salons and events


@login_required
def event_list(request: Any) -> HttpResponse:
    from peiyu.registry.models import Area
    from peiyu.services.models import ServiceEvent

    sc = scope.scope_for(request.user, scope.CHANGE)
    areas = Area.objects.all() if sc.everything else Area.objects.filter(pk__in=sc.area_ids)
    if request.method == "POST":
        raw_area = request.POST.get("area") or ""
        area = areas.filter(pk=raw_area).first() if raw_area.isdigit() else None
        try:
            if scope.is_leader(request.user) or not scope.has_permission(request.user, "change"):
                raise actions.ActionError("无权登记活动")
            ev = actions.do_create_event(
                request.user,
                kind=request.POST.get("kind") or ServiceEvent.Kind.SALON,
                theme=request.POST.get("theme", ""),
                date=_date(request.POST.get("date"), timezone.localdate()) or timezone.localdate(),
                area=area if area is not None else (None if scope.is_admin(request.user) else areas.first()),
                location=request.POST.get("location", ""),
                organiser=request.POST.get("organiser", ""),
                request=request,
            )
        except actions.ActionError as exc:
            return _fail(request, exc, reverse("services:event_list"))
        return redirect("services:serviceevent_detail", ev.pk)
    events = list(scope.restrict(request.user, ServiceEvent.objects.select_related("area")).distinct()[:500])
    if request.GET.get("format") == "xlsx":
        return T.EVENTS.xlsx("服务活动.xlsx", events, sheet="活动", title="企业服务活动（沙龙、银企对接）")
    return render(
        request,
        "services/event_list.html",
        {
            "page_title": "服务活动",
            "table": T.EVENTS.render(events, id="event-table"),
            "kinds": ServiceEvent.Kind.choices,
            "areas": areas,
            "can_add": scope.has_permission(request.user, "change") and not scope.is_leader(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def serviceevent_detail(request: Any, pk: int) -> HttpResponse:
    from peiyu.services.models import EventAttendance, ServiceEvent
    from peiyu.work.queries import items_of

    ev = scope.get_object_or_404(request.user, ServiceEvent, request=request, pk=pk)
    url = reverse("services:serviceevent_detail", args=[pk])
    if request.method == "POST":
        ev = scope.get_object_or_404(request.user, ServiceEvent, action=scope.CHANGE, request=request, pk=pk)
        try:
            if request.POST.get("followup"):
                due = _date(request.POST.get("due"))
                if due is None:
                    raise actions.ActionError("请填写跟进期限")
                actions.do_add_event_followup(
                    request.user, ev, title=request.POST["followup"], due=due, request=request
                )
            else:
                codes = request.POST.getlist("credit_code")
                ent = scope.get_enterprise_or_404(
                    request.user, (codes[0] if codes else "").strip(), action=scope.CHANGE, request=request
                )
                actions.do_add_attendance(
                    request.user, ev, ent, note=request.POST.get("note", ""), request=request
                )
        except (actions.ActionError, Http404) as exc:
            return _fail(
                request, exc if str(exc) else actions.ActionError("找不到该企业（或不在您的办理范围内）"), url
            )
        return redirect(url)
    attendances = list(
        scope.restrict(
            request.user, EventAttendance.objects.filter(event=ev).select_related("enterprise")
        ).distinct()
    )
    return render(
        request,
        "services/event_detail.html",
        {
            "page_title": ev.theme,
            "ev": ev,
            "attendances": attendances,
            "hidden": EventAttendance.objects.filter(event=ev).count() - len(attendances),
            "followups": list(items_of(ev)),
            "can_change": scope.can(request.user, ev, scope.CHANGE),
        },
    )
