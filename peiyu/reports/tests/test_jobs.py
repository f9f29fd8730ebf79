"""Scheduled generation: the ``reports.monthly`` job writes the district report and tells the
leaders; after a tax import of the latest month a worker writes it (the ``reports.after_import``
schedule), but not inline (an import never waits for a report)."""

from __future__ import annotations

import pytest

from peiyu.reports.models import Report
from peiyu.taxes.tests.taxdata import fill
from peiyu.work import jobs
from peiyu.work.models import Job, Notification, Schedule


@pytest.mark.django_db
def test_the_monthly_job_writes_the_district_report_and_notifies_the_leaders(world):
    fill(world)
    job = jobs.start("reports.monthly", user=None, notify=True)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    report = Report.objects.get()
    assert report.reader is None and report.month == "2025-03" and report.origin == Report.Origin.SCHEDULE
    assert report.pdf is None or bytes(report.pdf)[:5] == b"%PDF-"
    assert "2025年3月全区产业税收分析报告" in job.message
    got = Notification.objects.filter(kind="report")
    assert {n.user for n in got} == {world["leader"], world["admin"]}
    assert all(f"/reports/{report.pk}/" in n.url for n in got)


@pytest.mark.django_db
def test_after_an_import_the_worker_writes_it_but_never_inline(world, settings):
    assert Schedule.objects.filter(
        key="reports.after_import", enabled=True, job_kind="reports.after_import"
    ).exists()
    fill(world)
    assert not Report.objects.exists()  # imports ran with PEIYU_JOBS_INLINE: no report written
    handler = jobs.HANDLERS["reports.after_import"]
    assert handler.wanted is not None and not handler.wanted(months=["2025-03"])
    settings.PEIYU_JOBS_INLINE = False
    assert handler.wanted(months=["2025-03"])
    assert not handler.wanted(months=["2024-12"])  # not the latest month: nothing to rewrite
    result = handler.fn(None, months=["2025-03"])
    assert Report.objects.get(pk=result["report_id"]).month == "2025-03"
    again = handler.fn(None, months=["2025-03"])  # nothing changed since: not written twice
    assert "无需重新生成" in again["message"] and Report.objects.count() == 1
    from peiyu.testing.taxlib import put_month

    ent = world["enterprises"]["soft_a1"]
    put_month("2025-03", [(ent.credit_code, ent.name, "增值税", 500_000, 200_000)])  # a new version
    assert handler.fn(None, months=["2025-03"])["report_id"] != result["report_id"]
    assert Report.objects.filter(month="2025-03", reader=None).count() == 2
