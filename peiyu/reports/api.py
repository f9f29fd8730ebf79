"""Monthly reports in the JSON API (scoped, audited): the versions the reader may see, one report's
figures as data (the sections it was written from), and its Word file.

GET /api/v1/reports?month=YYYY-MM
GET /api/v1/reports/{id}            {id, month, version, title, scope, suggestions, data: {features, drivers, forecast, problems, annex}}
GET /api/v1/reports/{id}/docx
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Router

from peiyu.accounts import scope
from peiyu.accounts.audit import record_view
from peiyu.core import documents
from peiyu.reports import audit_actions as A
from peiyu.reports.models import Report

PREFIX = ""
router = Router(tags=["分析报告"])


def _row(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "month": r.month,
        "version": r.version,
        "title": r.title,
        "scope": r.scope_label,
        "reader": r.reader.username if r.reader_id and r.reader else None,
        "origin": r.origin,
        "created_at": r.created_at.isoformat(),
    }


@router.get("reports", summary="月度分析报告（本人可见的各版本）")
def list_reports(request: Any, month: str = "", limit: int = 100) -> dict[str, Any]:
    qs = (
        scope.restrict(request.auth, Report.objects.all())
        .select_related("reader")
        .defer("docx", "pdf", "data")
    )
    if month:
        qs = qs.filter(month=month)
    rows = [_row(r) for r in qs[: max(1, min(limit, 500))]]
    return {"count": len(rows), "reports": rows}


def _get(request: Any, report_id: int) -> Report:
    return scope.get_object_or_404(request.auth, Report, request=request, pk=report_id)


@router.get("reports/{report_id}", summary="一份报告的数据（章节、表格、问题与建议）")
def get_report(request: Any, report_id: int) -> dict[str, Any]:
    r = _get(request, report_id)
    record_view(request, A.REPORT_VIEW, f"API {r}", report=r.pk)
    return {**_row(r), "suggestions": r.suggestions, "data": r.data}


@router.get("reports/{report_id}/docx", summary="报告 Word 文件")
def get_report_docx(request: Any, report_id: int) -> HttpResponse:
    r = _get(request, report_id)
    record_view(request, A.REPORT_DOWNLOAD, f"API {r} Word", report=r.pk, format="docx")
    return documents.docx_response(f"{r.filename}.docx", bytes(r.docx))
