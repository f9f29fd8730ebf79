"""Page helpers for importers: the upload page, the report page and the Excel error table. The app
keeps its own URLs and permission decorator; the view is a few lines:

    @admin_required
    def import_page(request):
        return imports.upload_page(request, ProjectImporter, title="招商项目台账导入",
                                   report_url=lambda b: reverse("attraction:import_report", args=[b]))

    @admin_required
    def import_report(request, pk):
        batch = imports.get_batch(ProjectImporter, pk)
        return imports.report_page(request, batch, ProjectImporter,
                                   errors_url=reverse("attraction:import_errors", args=[pk]),
                                   back_url=reverse("attraction:import"))

    @admin_required
    def import_errors(request, pk):
        return imports.errors_xlsx(request, imports.get_batch(ProjectImporter, pk))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from peiyu.core.imports.base import Importer
from peiyu.core.imports.report import ImportReport
from peiyu.core.imports.uploads import UploadTooLarge, save_upload
from peiyu.core.models import ImportBatch, Upload

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
ERRORS_PER_PAGE = 200


def suffix_problem(name: str, allowed: tuple[str, ...] = ALLOWED_SUFFIXES) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in allowed:
        return ""
    return f"不支持的文件类型“{suffix or name}”（支持 .xlsx、.xls、.csv）"


def save_posted(
    request: HttpRequest,
    importer: Importer,
    *,
    field: str = "file",
    allowed: tuple[str, ...] = ALLOWED_SUFFIXES,
) -> Upload | str:
    """Keep the posted file (:func:`save_upload`); a Chinese problem text when there is none to keep."""
    upload_file = request.FILES.get(field)
    if upload_file is None or not upload_file.name:
        return "请选择要导入的文件（.xlsx、.xls 或 .csv）"
    problem = suffix_problem(upload_file.name, allowed)
    if problem:
        return problem
    try:
        return save_upload(
            upload_file,
            kind=importer.kind,
            file_name=Path(upload_file.name).name,
            user=request.user,
            max_bytes=importer.max_bytes,
        )
    except UploadTooLarge as exc:
        return str(exc)


def run_upload(
    request: HttpRequest,
    importer: Importer,
    *,
    field: str = "file",
    allowed: tuple[str, ...] = ALLOWED_SUFFIXES,
) -> ImportReport | str:
    """Keep the posted file (:func:`save_upload`) and run ``importer`` over it as the request's
    user. Returns the report, or a Chinese problem text when there is nothing to import."""
    upload = save_posted(request, importer, field=field, allowed=allowed)
    if isinstance(upload, str):
        return upload
    return importer.run(upload.full_path, upload.file_name, user=request.user, request=request, upload=upload)


def result_from_report(report: ImportReport, page: Any = 1) -> dict[str, Any]:
    """What the report template shows, from a report just produced."""
    return {
        "status": report.status,
        "status_label": report.status_label,
        "message": report.message,
        "rows": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "seconds": report.seconds,
        "counts": report.count_items(),
        "columns": report.columns,
        "references": report.references_created,
        "file_name": report.file,
        "sha256": report.sha256,
        "started_at": None,
        "user": None,
        "errors_page": Paginator(report.errors, ERRORS_PER_PAGE).get_page(page),
        "error_total": report.error_total or len(report.errors),
    }


def result_from_batch(
    batch: ImportBatch, importer: type[Importer] | None = None, page: Any = 1
) -> dict[str, Any]:
    """What the report template shows, from a stored batch."""
    labels = importer.report_class.COUNT_LABELS if importer else {}
    report = batch.report or {}
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "message": batch.message,
        "rows": batch.rows,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "seconds": batch.seconds,
        "counts": [(label, (batch.counts or {}).get(key, report.get(key))) for key, label in labels.items()],
        "columns": report.get("columns") or {},
        "references": report.get("references_created") or [],
        "file_name": batch.file_name,
        "sha256": batch.sha256,
        "started_at": batch.started_at,
        "user": batch.user,
        "errors_page": Paginator(batch.errors or [], ERRORS_PER_PAGE).get_page(page),
        "error_total": report.get("error_total") or len(batch.errors or []),
    }


def recent_batches(kind: str, limit: int = 20) -> Any:
    return ImportBatch.objects.filter(kind=kind).select_related("user")[:limit]


def upload_page(
    request: HttpRequest,
    importer: type[Importer] | Callable[[HttpRequest], Importer],
    *,
    title: str,
    help_text: str = "",
    report_url: Callable[[int], str] | None = None,
    template: str = "core/imports/upload.html",
    context: dict[str, Any] | None = None,
    options: Callable[[HttpRequest], dict[str, Any]] | None = None,
) -> HttpResponse:
    """GET: the upload form and the recent imports of this kind. POST: keep the file, import it, and
    redirect to ``report_url(batch_id)`` — or, without ``report_url``, show the report on this page.
    ``importer`` is an Importer class (imported by the background worker when ``report_url`` is
    given) or a function building one from the request (imported in the request). ``options(request)``
    gives the class's keyword arguments from the form (JSON values: the worker receives them too)."""
    opts = options(request) if options is not None and request.method == "POST" else {}
    instance = importer(**opts) if isinstance(importer, type) else importer(request)
    ctx: dict[str, Any] = {
        "page_title": title,
        "help_text": help_text,
        "report": None,
        "result": None,
        "form_error": "",
        "errors_url": "",
        "extra_template": "",
        "template_url": "",
        "kind": instance.kind,
        "recent": recent_batches(instance.kind),
        "report_url": report_url,
        "count_labels": instance.report_class.COUNT_LABELS,
        **(context or {}),
    }
    if request.method == "POST" and isinstance(importer, type) and report_url is not None:
        # off the web worker: keep the file, run the importer as a background job
        saved = save_posted(request, instance)
        if isinstance(saved, str):
            ctx["form_error"] = saved
            return render(request, template, ctx, status=400)
        from peiyu.work import jobs

        job = jobs.start(
            "core.import",
            user=request.user,
            request=request,
            label=f"{title}：{saved.file_name}",
            importer=f"{importer.__module__}.{importer.__qualname__}",
            upload_id=saved.pk,
            report_url=report_url(987654321),
            options=opts,
        )
        result = job.result or {}
        if job.status == job.Status.DONE and result.get("batch_id"):
            return redirect(report_url(result["batch_id"]))
        ctx["job"] = job  # the page shows the job's progress card until it is done
    elif request.method == "POST":
        outcome = run_upload(request, instance)
        if isinstance(outcome, str):
            ctx["form_error"] = outcome
            return render(request, template, ctx, status=400)
        if report_url is not None and outcome.batch_id is not None:
            return redirect(report_url(outcome.batch_id))
        ctx["report"] = outcome
        ctx["result"] = result_from_report(outcome)
    ctx["recent_rows"] = [
        {"batch": b, "url": report_url(b.pk) if report_url else "", "counts": b.counts} for b in ctx["recent"]
    ]
    return render(request, template, ctx)


def get_batch(importer: type[Importer] | str, pk: int) -> ImportBatch:
    """The batch ``pk`` of this importer's kind, or 404."""
    kind = importer if isinstance(importer, str) else importer.kind
    batch = ImportBatch.objects.select_related("user", "upload").filter(pk=pk, kind=kind).first()
    if batch is None:
        raise Http404("导入记录不存在")
    return batch


def report_page(
    request: HttpRequest,
    batch: ImportBatch,
    importer: type[Importer] | None = None,
    *,
    errors_url: str = "",
    back_url: str = "",
    back_label: str = "",
    template: str = "core/imports/report.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The stored report of one batch: status, counts, columns, references created and the error
    table (paginated, downloadable as Excel through ``errors_url``)."""
    ctx = {
        "page_title": f"导入结果：{batch.file_name}",
        "batch": batch,
        "result": result_from_batch(batch, importer, request.GET.get("page")),
        "errors_url": errors_url,
        "back_url": back_url,
        "back_label": back_label or (importer.title + "导入" if importer and importer.title else "导入"),
        "extra_template": "",
        **(context or {}),
    }
    return render(request, template, ctx)


def errors_xlsx(request: HttpRequest, batch: ImportBatch, *, audit_action: Any = "") -> HttpResponse:
    """The batch's error rows as an Excel file (行号, 列, 原值, 问题), for the person fixing the file."""
    from peiyu.core.export import Column, Table, xlsx_response

    if audit_action:
        from peiyu.accounts import audit

        audit.record_view(request, audit_action, f"导入错误表：{batch.file_name}", batch=batch.pk)
    columns = [
        Column("行号", "row", "int", width=8),
        Column("列", "column", width=24),
        Column("原值", "value", width=30),
        Column("问题", "message", width=70),
    ]
    table = Table(
        "错误",
        columns,
        batch.errors or [],
        title=f"{batch.file_name} 导入错误（{batch.rejected} 行被拒绝）",
        notes=[batch.message] if batch.message else [],
    )
    return xlsx_response(f"导入错误_{Path(batch.file_name).stem}.xlsx", [table])
