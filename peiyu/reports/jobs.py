"""The monthly report as background jobs (see :mod:`peiyu.work.jobs`):

- ``reports.monthly``: the district report of a month (default: the latest month in the tax library),
  started by the ``reports.monthly`` schedule (5th of the month) or by hand; district-wide readers
  (区领导, administrators) are notified with the link;
- ``reports.after_import``: the same after a tax import that changed the latest month (the
  ``reports.after_import`` schedule, created by this app's migration).
"""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler


def _latest_changed(months: list[str] | None = None, **_: Any) -> bool:
    from peiyu.taxes import analytics

    latest = analytics.latest_month()
    return latest is not None and (not months or latest in months)


def _wanted_after_import(months: list[str] | None = None, **_: Any) -> bool:
    """Only a worker writes the report after an import: with jobs run inline (PEIYU_JOBS_INLINE, the
    test suite) an import would wait for the whole report."""
    from django.conf import settings

    if getattr(settings, "PEIYU_JOBS_INLINE", False):
        return False
    return _latest_changed(months)


def generate_district(
    job: JobContext | None, month: str | None = None, *, notify: bool = True, pdf: bool = True
) -> dict[str, Any]:
    from peiyu.accounts.models import Role, User
    from peiyu.reports import actions
    from peiyu.reports.models import Report
    from peiyu.taxes import analytics

    month = month or analytics.latest_month()
    if month is None:
        return {"message": "税收库中还没有数据，未生成报告"}
    if job is not None:
        job.progress(f"生成 {month} 全区报告", 0, 1)
    report = actions.do_generate_report(
        None,
        month,
        reader=None,
        origin=Report.Origin.SCHEDULE,
        pdf=pdf,
        request=job.request if job else None,
    )
    notified = 0
    if notify:
        from django.db.models import Q
        from django.urls import reverse

        from peiyu.work.notify import notify as send

        url = reverse("reports:detail", args=[report.pk])
        readers = User.objects.filter(is_active=True).filter(
            Q(role__in=[Role.LEADER, Role.ADMIN]) | Q(is_superuser=True)
        )
        for user in readers:
            if send(
                user,
                f"{report.title}已生成",
                f"第{report.version}版，可在分析报告页下载。",
                url=url,
                kind="report",
            ):
                notified += 1
    if job is not None:
        job.progress(f"生成 {month} 全区报告", 1, 1)
    return {
        "message": f"已生成{report.title}（第{report.version}版），通知 {notified} 人",
        "report_id": report.pk,
        "url": f"/reports/{report.pk}/",
    }


@handler("reports.monthly", "生成月度分析报告")
def monthly(job: JobContext, *, month: str | None = None, notify: bool = True) -> dict[str, Any]:
    return generate_district(job, month, notify=notify)


@handler("reports.after_import", "税收导入后生成月度分析报告", wanted=_wanted_after_import)
def after_import(job: JobContext, *, months: list[str] | None = None) -> dict[str, Any]:
    from peiyu.reports import actions
    from peiyu.taxes import analytics

    if not _latest_changed(months):
        return {"message": "导入的月份不是最新月份，无需重新生成报告"}
    latest = analytics.latest_month()
    if latest is not None and actions.up_to_date(latest):
        return {"message": f"{latest} 的全区报告已按当前导入数据生成，无需重新生成"}
    return generate_district(job, None)
