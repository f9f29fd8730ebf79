"""Writing reports: generate a version for a reader, edit its 问题与建议 (a new version). Each is
atomic with one audit row; the page, the command, the scheduled job and the demo call these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from peiyu.accounts import audit, scope
from peiyu.reports import audit_actions as A
from peiyu.reports import monthly
from peiyu.reports.models import Report


def issuer() -> str:
    from peiyu.core.documents import default_issuer

    return default_issuer()


def active_batch(month: str) -> int | None:
    """The tax import the month's figures come from (kept with the report: a later import or a
    rollback of the month makes it out of date)."""
    from peiyu.taxes.models import TaxBatch

    return TaxBatch.objects.filter(month=month, is_active=True).values_list("pk", flat=True).first()


def up_to_date(month: str) -> bool:
    """The newest district report of ``month`` was written from the month's current import."""
    latest = Report.objects.filter(month=month, reader__isnull=True).order_by("-version").first()
    return latest is not None and latest.data.get("tax_batch") == active_batch(month)


def district_reader(acting_user: Any) -> Any:
    """Whom the district report is read as: the administrator writing it, else the first active
    administrator (every module's section then sees the whole district as it does on the pages),
    else ``scope.EVERYTHING``."""
    from django.db.models import Q

    from peiyu.accounts.models import Role, User

    if acting_user is not None and scope.is_admin(acting_user):
        return acting_user
    admin = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role=Role.ADMIN))
        .order_by("pk")
        .first()
    )
    return admin if admin is not None else scope.EVERYTHING


def may_generate(acting_user: Any, reader: Any) -> bool:
    """A user writes their own report; the district report (reader None) and reports for others are
    written by administrators (or the system: ``acting_user`` None)."""
    if acting_user is None or scope.is_admin(acting_user):
        return True
    return reader is not None and reader.pk == acting_user.pk and acting_user.is_active


def _next_version(kind: str, month: str, reader: Any) -> int:
    qs = Report.objects.filter(kind=kind, month=month, reader=reader)
    return int(qs.aggregate(v=Max("version"))["v"] or 0) + 1


def do_generate_report(
    acting_user: Any,
    month: str,
    *,
    reader: Any = None,
    origin: str = Report.Origin.PAGE,
    suggestions: str | None = None,
    pdf: bool = False,
    date: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> Report:
    """Write the monthly report of ``month`` for ``reader`` (None: the district) as a new version.
    ``pdf``: convert at once (the scheduled job does; pages convert on the first PDF download)."""
    from peiyu.analytics import parse_month
    from peiyu.taxes import analytics

    try:
        month = parse_month(month)
    except Exception as exc:
        raise ValidationError(f"月份格式应为 YYYY-MM：{month}") from exc
    if month not in analytics.months_available():
        raise ValidationError(f"税收库中没有 {month} 的数据")
    if not may_generate(acting_user, reader):
        raise PermissionDenied("只能生成本人的报告；全区报告由系统管理员或定时任务生成")
    who = reader if reader is not None else district_reader(acting_user)
    # through JSON once: the version renders now exactly as it re-renders later from what is stored
    data = monthly.MonthlyReport.from_dict(monthly.build(who, month).as_dict())
    text = suggestions if suggestions is not None else data.draft_suggestions()
    date = date or timezone.localdate()
    docx = monthly.render(data, text, issuer=issuer(), date=date)
    from peiyu.core import documents

    pdf_bytes = documents.to_pdf(docx) if pdf else None
    with transaction.atomic():
        report = Report.objects.create(
            kind=Report.Kind.MONTHLY,
            month=month,
            reader=reader,
            version=_next_version(Report.Kind.MONTHLY, month, reader),
            title=data.title + data.subtitle,
            scope_label=monthly.reader_label(who),
            data={**data.as_dict(), "tax_batch": active_batch(month)},
            suggestions=text,
            docx=docx,
            pdf=pdf_bytes,
            origin=origin,
            created_by=acting_user,
        )
        audit.record(
            acting_user,
            A.REPORT_GENERATE,
            report,
            after=report.snapshot(),
            detail={
                "origin": origin,
                "sections": [s.key for s in data.sections()],
                "pdf": pdf_bytes is not None,
            },
            reason=reason,
            request=request,
        )
    return report


def do_edit_report(
    acting_user: Any,
    report: Report,
    suggestions: str,
    *,
    pdf: bool = False,
    reason: str = "",
    request: Any = None,
) -> Report:
    """A new version of ``report`` with the reader's own 问题与建议 text (the figures stay those of the
    version edited: the same data re-rendered)."""
    scope.require_change(acting_user, report, request=request)
    text = (suggestions or "").strip()
    if not text:
        raise ValidationError("问题与建议不能为空")
    if len(text) > 20000:
        raise ValidationError("问题与建议过长（最多 20000 字）")
    data = monthly.MonthlyReport.from_dict(report.data)
    docx = monthly.render(data, text, issuer=issuer(), date=timezone.localdate())
    from peiyu.core import documents

    pdf_bytes = documents.to_pdf(docx) if pdf else None
    with transaction.atomic():
        new = Report.objects.create(
            kind=report.kind,
            month=report.month,
            reader=report.reader,
            version=_next_version(report.kind, report.month, report.reader),
            title=report.title,
            scope_label=report.scope_label,
            data=report.data,
            suggestions=text,
            docx=docx,
            pdf=pdf_bytes,
            origin=Report.Origin.EDIT,
            created_by=acting_user,
        )
        audit.record(
            acting_user,
            A.REPORT_EDIT,
            new,
            before={"version": report.version, "suggestions": report.suggestions},
            after={"version": new.version, "suggestions": text},
            reason=reason,
            request=request,
        )
    return new


def ensure_pdf(report: Report) -> bytes | None:
    """The report's PDF, converted on first use and kept with the version (a derived file, like a
    cache: no audit row); None when LibreOffice is not installed."""
    if report.pdf:
        return bytes(report.pdf)
    from peiyu.core import documents

    data = documents.to_pdf(bytes(report.docx))
    if data is not None:
        Report.objects.filter(pk=report.pk).update(pdf=data)
        report.pdf = data
    return data
