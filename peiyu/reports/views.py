"""Pages of the reports app: 分析报告 (stored versions, generate, preview, edit the suggestions,
download Word/PDF) and the leader cockpit (领导驾驶舱, :mod:`peiyu.reports.cockpit`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from peiyu.accounts import audit, scope
from peiyu.core import documents
from peiyu.reports import actions, cockpit, monthly
from peiyu.reports import audit_actions as A
from peiyu.reports.models import Report


def _visible(user: Any) -> Any:
    return scope.restrict(user, Report.objects.all()).select_related("reader", "created_by")


@login_required
@require_safe
def index(request: Any) -> HttpResponse:
    from peiyu.taxes import analytics

    reports = list(_visible(request.user).defer("docx", "pdf", "data")[:200])
    latest: dict[tuple[str, int | None], Report] = {}
    for r in reports:
        key = (r.month, r.reader_id)
        if key not in latest or r.version > latest[key].version:
            latest[key] = r
    months = list(reversed(analytics.months_available()))
    context = {
        "page_title": "月度分析报告",
        "reports": reports,
        # newest month first; within a month the district report first, then the readers' own
        "latest": sorted(
            latest.values(), key=lambda r: (r.month, r.reader_id is None, -(r.reader_id or 0)), reverse=True
        ),
        "months": months[:36],
        "month": months[0] if months else "",
        "is_admin": scope.is_admin(request.user),
        "scope_label": monthly.reader_label(request.user),
    }
    return render(request, "reports/index.html", context)


@login_required
@require_POST
def generate(request: Any) -> HttpResponse:
    month = request.POST.get("month", "")
    district = request.POST.get("district") == "1" and scope.is_admin(request.user)
    try:
        report = actions.do_generate_report(
            request.user, month, reader=None if district else request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:index")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("reports:index")
    messages.success(request, f"已生成{report.title}（第{report.version}版）")
    return redirect("reports:detail", pk=report.pk)


def _get(request: Any, pk: int, action: str = scope.VIEW) -> Report:
    return scope.get_object_or_404(request.user, Report, action=action, request=request, pk=pk)


@login_required
@require_safe
def detail(request: Any, pk: int) -> HttpResponse:
    report = _get(request, pk)
    audit.record_view(request, A.REPORT_VIEW, str(report), report=report.pk)
    data = monthly.MonthlyReport.from_dict(report.data)
    versions = (
        _visible(request.user)
        .filter(kind=report.kind, month=report.month, reader_id=report.reader_id)
        .defer("docx", "pdf", "data")
        .order_by("-version")
    )
    context = {
        "page_title": report.title,
        "report": report,
        "parts": _display(monthly.document_sections(data, report.suggestions)),
        "basis": data.basis,
        "versions": versions,
        "can_edit": scope.can(request.user, report, scope.CHANGE),
    }
    return render(request, "reports/detail.html", context)


def _display(parts: list[tuple[str, list[Any]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The parts with table cells as printed (money in 万元, percentages), for the HTML preview."""
    out = []
    for i, (heading, sections) in enumerate(parts):
        heading = heading if heading.startswith("附") else documents.section_number(i) + heading
        shown: list[dict[str, Any]] = []
        for s in sections:
            tables = []
            for t in s.tables:
                kinds = list(t.kinds) + ["text"] * (len(t.columns) - len(t.kinds))
                numeric = [k in ("money", "percent", "integer", "decimal") for k in kinds]
                rows = [
                    [(documents.cell_text(v, kinds[j]), numeric[j]) for j, v in enumerate(row)]
                    for row in t.rows
                ]
                tables.append(
                    {"title": t.title, "unit": t.unit, "note": t.note, "columns": t.columns, "rows": rows}
                )
            chart_id = f"chart-{i}-{len(shown)}" if s.chart else ""
            shown.append(
                {
                    "title": s.title,
                    "paragraphs": s.paragraphs,
                    "tables": tables,
                    "link": s.link,
                    "chart": s.chart,
                    "chart_id": chart_id,
                }
            )
        out.append((heading, shown))
    return out


@login_required
@require_safe
def download_docx(request: Any, pk: int) -> HttpResponse:
    report = _get(request, pk)
    audit.record_view(request, A.REPORT_DOWNLOAD, f"{report} Word", report=report.pk, format="docx")
    return documents.docx_response(f"{report.filename}.docx", bytes(report.docx))


@login_required
@require_safe
def download_pdf(request: Any, pk: int) -> HttpResponse:
    report = _get(request, pk)
    data = actions.ensure_pdf(report)
    if data is None:
        messages.error(request, "服务器未安装 LibreOffice，暂不能生成 PDF，请下载 Word 文件。")
        return redirect("reports:detail", pk=report.pk)
    audit.record_view(request, A.REPORT_DOWNLOAD, f"{report} PDF", report=report.pk, format="pdf")
    return documents.pdf_response(f"{report.filename}.pdf", data)


@login_required
@require_POST
def edit(request: Any, pk: int) -> HttpResponse:
    report = _get(request, pk, scope.CHANGE)
    try:
        new = actions.do_edit_report(
            request.user,
            report,
            request.POST.get("suggestions", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:detail", pk=report.pk)
    messages.success(request, f"已保存为第{new.version}版")
    return redirect("reports:detail", pk=new.pk)


# ---------------------------------------------------------------------------------------------
# 领导驾驶舱


@login_required
@require_safe
def cockpit_page(request: Any) -> HttpResponse:
    return render(request, "reports/cockpit.html", {"page_title": "领导驾驶舱", **cockpit.context(request)})


@login_required
@require_safe
def cockpit_tiles(request: Any) -> HttpResponse:
    """The tiles alone (htmx polls this every few minutes: the big screen refreshes itself)."""
    return render(request, "reports/_cockpit_tiles.html", cockpit.context(request))


def cockpit_url() -> str:
    return reverse("reports:cockpit")
