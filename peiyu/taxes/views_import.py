"""Import and maintenance pages of the tax library (administrators only): upload with progress and
report, versions (list, compare, roll back), the 待匹配 queue and the district sharing ratios.
Thin views: the rules live in peiyu.taxes.actions (the import: do_import_tax_file), parse and library."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import audit, scope
from peiyu.accounts.scope import admin_required
from peiyu.core.imports import save_upload
from peiyu.taxes import actions, library
from peiyu.taxes import audit_actions as A
from peiyu.taxes.models import SharingRatio, TaxBatch, TaxpayerLink
from peiyu.taxes.parse import TAX_ALIASES, normalize_month

ALLOWED_SUFFIXES = {".xlsx", ".xls", ".csv", ".xlsm", ".txt", ".tsv"}
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------------------------------------
# Import


@admin_required
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_upload(request)
    recent = TaxBatch.objects.select_related("uploaded_by")[:15]
    job = None
    if (request.GET.get("job") or "").isdigit():
        from peiyu.work.models import Job

        job = Job.objects.filter(pk=int(request.GET["job"]), kind="taxes.import").first()
    return render(
        request,
        "taxes/import.html",
        {
            "page_title": "税收数据导入",
            "recent": recent,
            "job": job,
            "poll_url": reverse("taxes:import_job", args=[job.pk]) if job else "",
        },
    )


def _handle_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    month = (request.POST.get("month") or "").strip()
    month = normalize_month(month) or month
    force = request.POST.get("force") == "1"
    problem = ""
    if upload is None or upload.name is None:  # (a multipart upload always has a name)
        problem = "请选择要导入的文件"
    elif Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
        problem = f"不支持的文件类型“{Path(upload.name).suffix}”：请上传 .xlsx、.xls 或 .csv 文件"
    elif month and not MONTH_RE.match(month):
        problem = f"月份“{month}”格式应为 YYYY-MM，例如 2025-03"
    if problem:
        if _is_htmx(request):
            return render(request, "taxes/import_problem.html", {"problem": problem}, status=400)
        messages.error(request, problem)
        return redirect("taxes:import")
    assert upload is not None and upload.name is not None  # else a problem was reported above
    saved = save_upload(upload, kind=actions.IMPORT_KIND, file_name=Path(upload.name).name, user=request.user)
    # the import runs as a background job: the page polls its progress (rows read / matched /
    # stored) and shows the report when it is done (at once when jobs run inline)
    from peiyu.work import jobs

    job = jobs.start(
        "taxes.import",
        user=request.user,
        request=request,
        label=f"导入税收文件：{saved.file_name}",
        upload_id=saved.pk,
        month=month or "",
        force=force,
    )
    if _is_htmx(request):
        return _import_job_response(request, job)
    if job.status == job.Status.DONE:
        result = job.result or {}
        if result.get("batch_id") and not result.get("duplicate"):
            return redirect("taxes:batch", pk=result["batch_id"])
        return render(
            request, "taxes/import_result.html", _report_context(request, job) | {"page_title": "导入结果"}
        )
    return redirect(reverse("taxes:import") + f"?job={job.pk}")


def _report_context(request: HttpRequest, job: Any) -> dict[str, Any]:
    """The import report of a finished job, rebuilt from its batch (as the batch page does)."""
    result = job.result or {}
    batch = TaxBatch.objects.filter(pk=result.get("batch_id") or 0).first()
    report: dict[str, Any] = dict(batch.report or {}) if batch is not None else {}
    if batch is not None:
        report["errors"] = batch.errors or []
        report.setdefault("status", batch.status)
    report.update({k: result[k] for k in ("duplicate", "message", "file") if result.get(k) is not None})
    audit.record_view(
        request, A.IMPORT_REPORT_VIEW, f"导入报告 {report.get('file')}", batch_id=result.get("batch_id")
    )
    return {"report": report, "batch": batch}


def _import_job_response(request: HttpRequest, job: Any) -> HttpResponse:
    if job.status == job.Status.DONE:
        return render(request, "taxes/import_report.html", _report_context(request, job))
    return render(
        request,
        "taxes/import_job.html",
        {"job": job, "poll_url": reverse("taxes:import_job", args=[job.pk])},
    )


@admin_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The running import's progress card (polled by the upload page), then its report."""
    from peiyu.work import jobs
    from peiyu.work.models import Job

    job = get_object_or_404(Job, pk=pk, kind="taxes.import")
    if job.status == Job.Status.RUNNING:
        jobs.reap(job)
        job.refresh_from_db()
    return _import_job_response(request, job)


@admin_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(TaxBatch.objects.select_related("uploaded_by"), pk=pk)
    report = dict(batch.report or {})
    report["errors"] = batch.errors or []
    report.setdefault("status", batch.status)
    report["status"] = batch.status
    audit.record_view(request, A.IMPORT_REPORT_VIEW, f"导入报告 {batch}", batch_id=batch.pk)
    return render(
        request,
        "taxes/import_batch.html",
        {
            "page_title": f"导入报告：{batch.file_name}",
            "batch": batch,
            "report": report,
            "ratio_types": actions.ratio_completion(batch),
        },
    )


def _after_import(request: HttpRequest, report: dict[str, Any], fallback: int) -> HttpResponse:
    if report.get("status") == "accepted":
        messages.success(request, str(report.get("message", "")))
    else:
        messages.error(request, str(report.get("message", "")))
    return redirect("taxes:batch", pk=report.get("batch_id") or fallback)


@admin_required
@require_POST
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A 待确认 file, checked by an administrator: accepted as the month's next version."""
    batch = get_object_or_404(TaxBatch, pk=pk, status=TaxBatch.Status.HELD)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, "请填写核实情况后再确认入库")
        return redirect("taxes:batch", pk=pk)
    try:
        report = actions.do_confirm_tax_batch(request.user, batch, reason, request=request)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("taxes:batch", pk=pk)
    return _after_import(request, report, pk)


@admin_required
@require_POST
def batch_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a month's current version: the month returns to the version before it."""
    batch = get_object_or_404(TaxBatch, pk=pk, status=TaxBatch.Status.ACCEPTED, is_active=True)
    try:
        previous = actions.do_withdraw_tax_version(
            request.user, batch, (request.POST.get("reason") or "").strip(), request=request
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("taxes:batch", pk=pk)
    messages.success(
        request,
        f"已撤回 {batch.month} 第 {batch.version} 版；"
        + (f"该月恢复为第 {previous.version} 版" if previous else "该月暂无税收数据"),
    )
    return redirect("taxes:versions_month", month=batch.month)


@admin_required
@require_POST
def batch_ratios(request: HttpRequest, pk: int) -> HttpResponse:
    """A file refused only for missing sharing ratios: enter them here and accept it."""
    batch = get_object_or_404(TaxBatch, pk=pk, status=TaxBatch.Status.REJECTED)
    ratios = {k[6:]: str(request.POST.get(k) or "").strip() for k in request.POST if k.startswith("ratio:")}
    try:
        report = actions.do_complete_ratios(request.user, batch, ratios, request=request)
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return redirect("taxes:batch", pk=pk)
    return _after_import(request, report, pk)


# ---------------------------------------------------------------------------------------------
# Versions


@admin_required
def versions(request: HttpRequest) -> HttpResponse:
    batches = TaxBatch.objects.filter(status=TaxBatch.Status.ACCEPTED).select_related("uploaded_by")
    months: dict[str, dict[str, Any]] = {}
    for b in batches.order_by("-month", "-version"):
        m = months.setdefault(b.month, {"month": b.month, "versions": 0, "active": None, "latest": None})
        m["versions"] += 1
        if b.is_active:
            m["active"] = b
        if m["latest"] is None:
            m["latest"] = b
    rejected = TaxBatch.objects.filter(status=TaxBatch.Status.REJECTED).select_related("uploaded_by")[:20]
    return render(
        request,
        "taxes/versions.html",
        {"page_title": "税收库版本", "months": list(months.values()), "rejected": rejected},
    )


@admin_required
def versions_month(request: HttpRequest, month: str) -> HttpResponse:
    if not MONTH_RE.match(month):
        raise Http404("月份格式不正确")
    batches = list(
        TaxBatch.objects.filter(month=month).select_related("uploaded_by").order_by("-version", "-created_at")
    )
    accepted = [b for b in batches if b.status == TaxBatch.Status.ACCEPTED]
    if not batches:
        raise Http404("该月没有导入记录")
    comparison = None
    problem = ""
    a, b = request.GET.get("a"), request.GET.get("b")
    if len(accepted) >= 2 and not (a and b):
        b, a = str(accepted[0].version), str(accepted[1].version)
    if a and b:
        try:
            va, vb = int(a), int(b)
        except ValueError:
            va = vb = -1
        known = {x.version for x in accepted}
        if va in known and vb in known:
            comparison = library.compare_versions(month, va, vb)
            audit.record_view(request, A.VERSIONS_COMPARE, f"{month} 版本比较 v{va}→v{vb}")
        else:
            problem = "请选择该月已入库的两个版本进行比较"
    return render(
        request,
        "taxes/versions_month.html",
        {
            "page_title": f"{month} 税收库版本",
            "month": month,
            "batches": batches,
            "accepted": accepted,
            "comparison": comparison,
            "problem": problem,
            "a": a,
            "b": b,
        },
    )


@admin_required
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(TaxBatch, pk=pk, status=TaxBatch.Status.ACCEPTED)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, "请填写回滚原因")
    else:
        try:
            actions.do_rollback(request.user, batch, reason)
            messages.success(request, f"已将 {batch.month} 的当前版本切换为第 {batch.version} 版")
        except actions.ActionError as exc:
            messages.error(request, str(exc))
    return redirect("taxes:versions_month", month=batch.month)


# ---------------------------------------------------------------------------------------------
# The 待匹配 queue


def _link_amounts(ids: list[str]) -> dict[str, dict[str, int]]:
    """Tax of these taxpayers in the active versions: latest month and all months, in fen."""
    paths = [p for p in library.active_fact_paths() if Path(p).exists()]
    if not ids or not paths:
        return {}
    from peiyu.analytics import get_engine

    engine = get_engine()
    rows = engine.rows(
        f"WITH f AS (SELECT * FROM {engine.parquet(paths)} WHERE taxpayer_id IN (SELECT unnest($ids))) "
        "SELECT taxpayer_id, sum(total_fen)::BIGINT, sum(district_fen)::BIGINT, max(month), "
        "sum(total_fen) FILTER (WHERE month = (SELECT max(month) FROM f))::BIGINT FROM f GROUP BY taxpayer_id",
        {"ids": list(ids)},
    )
    return {
        r[0]: {
            "total_fen": int(r[1] or 0),
            "district_fen": int(r[2] or 0),
            "last_month": r[3],
            "last_total_fen": int(r[4] or 0),
        }
        for r in rows
    }


@admin_required
def unmatched(request: HttpRequest) -> HttpResponse:
    from peiyu.registry.models import Enterprise

    status = request.GET.get("status", "pending")
    q = (request.GET.get("q") or "").strip()
    qs = TaxpayerLink.objects.select_related("enterprise", "updated_by").annotate(
        registered=Exists(Enterprise.objects.filter(credit_code=OuterRef("taxpayer_id")))
    )
    # a taxpayer whose ID has since been registered needs no link any more
    qs = qs.filter(registered=False)
    if status in {s.value for s in TaxpayerLink.Status}:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(taxpayer_id__icontains=q) | Q(name__icontains=q))
    counts = {
        s.value: TaxpayerLink.objects.filter(status=s.value)
        .exclude(taxpayer_id__in=Enterprise.objects.values("credit_code"))
        .count()
        for s in TaxpayerLink.Status
    }
    page = Paginator(qs.order_by("-last_month", "taxpayer_id"), 50).get_page(request.GET.get("page"))
    amounts = _link_amounts([link.taxpayer_id for link in page])
    rows = [{"link": link, **amounts.get(link.taxpayer_id, {})} for link in page]
    audit.record_view(request, A.UNMATCHED_VIEW, "待匹配纳税人", status=status, page=page.number)
    return render(
        request,
        "taxes/unmatched.html",
        {
            "page_title": "待匹配纳税人",
            "page": page,
            "rows": rows,
            "status": status,
            "q": q,
            "counts": counts,
            "statuses": TaxpayerLink.Status.choices,
        },
    )


@admin_required
def unmatched_search(request: HttpRequest) -> HttpResponse:
    """Autocomplete for linking: enterprises in the user's scope by name, initials or credit code."""
    term = (request.GET.get("term") or request.GET.get("q") or "").strip()
    results = []
    if len(term) >= 2:
        qs = scope.enterprises(request.user).filter(
            Q(name__icontains=term)
            | Q(credit_code__istartswith=term.upper())
            | Q(name_initials__istartswith=term.upper())
        )
        results = list(qs.order_by("name")[:20])
    return render(request, "taxes/unmatched_search.html", {"results": results, "term": term})


@admin_required
@require_POST
def unmatched_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    link = get_object_or_404(TaxpayerLink, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    try:
        if action == "link":
            code = (request.POST.get("credit_code") or "").strip().upper()
            enterprise = scope.enterprises(request.user).filter(credit_code=code).first() if code else None
            if enterprise is None:
                raise actions.ActionError(
                    f"找不到统一社会信用代码为“{code}”的企业" if code else "请选择要关联的企业"
                )
            actions.do_link_taxpayer(request.user, link, enterprise, reason)
            messages.success(
                request, f"已将纳税人 {link.taxpayer_id} 关联到 {enterprise.name}，各月税收随之归属该企业"
            )
        elif action == "outside":
            actions.do_mark_outside(request.user, link, reason)
            messages.success(request, f"已将纳税人 {link.taxpayer_id} 标记为区外/不纳入")
        elif action == "reset":
            actions.do_reset_link(request.user, link, reason)
            messages.success(request, f"纳税人 {link.taxpayer_id} 已退回待匹配")
        else:
            raise Http404("未知操作")
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("taxes:unmatched")
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# Sharing ratios


@admin_required
def ratios(request: HttpRequest) -> HttpResponse:
    form = {"tax_type": "", "valid_from": "", "district_pct": "", "note": ""}
    if request.method == "POST":
        form = {k: (request.POST.get(k) or "").strip() for k in form}
        try:
            r = actions.do_save_ratio(
                request.user, form["tax_type"], form["valid_from"], form["district_pct"], form["note"]
            )
            messages.success(request, f"已保存：{r.tax_type} 自 {r.valid_from} 区级比例 {r.district_pct}%")
            return redirect("taxes:ratios")
        except actions.ActionError as exc:
            messages.error(request, str(exc))
    known = sorted(set(TAX_ALIASES.values()))
    return render(
        request,
        "taxes/ratios.html",
        {
            "page_title": "区级分成比例",
            "ratios": SharingRatio.objects.all(),
            "form": form,
            "tax_types": known,
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_POST
def ratio_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ratio = get_object_or_404(SharingRatio, pk=pk)
    actions.do_delete_ratio(request.user, ratio, (request.POST.get("reason") or "").strip())
    messages.success(request, f"已删除：{ratio.tax_type} 自 {ratio.valid_from}")
    return redirect("taxes:ratios")
