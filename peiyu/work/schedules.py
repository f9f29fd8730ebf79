"""Jobs run on a timetable the administrators edit (定时任务): the worker checks the table every
half minute and starts what is due — no cron. A schedule is daily (at a time), monthly (a day and
a time) or "after a tax import" (started when the tax library changes).

Default rows (created on first use, editable, never duplicated):

- ``work.daily_reminders``  daily 08:30: reminders before deadlines and overdue escalation;
- ``alerts.after_import``   after each tax import: the monthly warning evaluation of the latest month;
- ``reports.monthly``       monthly, 5th at 07:00: the monthly report (filled in by the reports app;
  off until an app registers the ``reports.monthly`` job).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.work.models import Schedule

log = logging.getLogger(__name__)

DEFAULTS: tuple[dict[str, Any], ...] = (
    {
        "key": "work.daily_reminders",
        "label": "到期提醒与超期督办",
        "job_kind": "work.daily",
        "cadence": Schedule.Cadence.DAILY,
        "time_of_day": dt.time(8, 30),
        "enabled": True,
    },
    {
        "key": "alerts.after_import",
        "label": "税收导入后计算月度预警",
        "job_kind": "alerts.compute_latest",
        "cadence": Schedule.Cadence.AFTER_IMPORT,
        "enabled": True,
    },
    {
        "key": "reports.monthly",
        "label": "月度分析报告",
        "job_kind": "reports.monthly",
        "cadence": Schedule.Cadence.MONTHLY,
        "time_of_day": dt.time(7, 0),
        "day_of_month": 5,
        "enabled": False,
    },
)


def ensure_defaults() -> None:
    if Schedule.objects.count() >= len(DEFAULTS) and all(
        Schedule.objects.filter(key=d["key"]).exists() for d in DEFAULTS
    ):
        return
    now = timezone.now()
    for d in DEFAULTS:
        s, created = Schedule.objects.get_or_create(key=d["key"], defaults=d)
        if created:
            s.next_run_at = next_run(s, now)
            s.save(update_fields=["next_run_at"])


def next_run(s: Schedule, now: dt.datetime) -> dt.datetime | None:
    """The first run time strictly after ``now`` (None for after-import schedules)."""
    local = timezone.localtime(now)
    if s.cadence == Schedule.Cadence.DAILY:
        cand = timezone.make_aware(dt.datetime.combine(local.date(), s.time_of_day))
        if cand <= now:
            cand = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), s.time_of_day)
            )
        return cand
    if s.cadence == Schedule.Cadence.MONTHLY:
        day = max(1, min(28, s.day_of_month))
        y, m = local.year, local.month
        for _ in range(2):
            cand = timezone.make_aware(dt.datetime.combine(dt.date(y, m, day), s.time_of_day))
            if cand > now:
                return cand
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return cand
    return None


def available(s: Schedule) -> bool:
    from peiyu.work import jobs

    return s.job_kind in jobs.HANDLERS


def tick(now: dt.datetime | None = None) -> list[int]:
    """Start the jobs of every enabled schedule that is due; returns the job ids started."""
    from peiyu.work import jobs

    ensure_defaults()
    now = now or timezone.now()
    started = []
    for s in Schedule.objects.filter(enabled=True, next_run_at__isnull=False, next_run_at__lte=now):
        with transaction.atomic():
            row = Schedule.objects.select_for_update().get(pk=s.pk)
            if row.next_run_at is None or row.next_run_at > now:
                continue  # another worker took it
            row.last_run_at, row.next_run_at = now, next_run(row, now)
            row.save(update_fields=["last_run_at", "next_run_at"])
            if available(row):
                started.append(
                    jobs.start(row.job_kind, label=row.label, schedule=row, **(row.params or {})).pk
                )
            else:
                log.warning("定时任务 %s：后台任务 %s 未登记（相关模块未安装）", row.key, row.job_kind)
    return started


def on_tax_library_changed(sender: Any = None, months: list[str] | None = None, **kwargs: Any) -> None:
    """A tax import or rollback: start the after-import schedules (the warning evaluation)."""
    from peiyu.work import jobs

    try:
        ensure_defaults()
        for s in Schedule.objects.filter(enabled=True, cadence=Schedule.Cadence.AFTER_IMPORT):
            if not available(s):
                continue
            params = {**(s.params or {}), "months": list(months or [])}
            h = jobs.HANDLERS[s.job_kind]
            if h.wanted is not None and not h.wanted(**params):
                continue
            Schedule.objects.filter(pk=s.pk).update(last_run_at=timezone.now())
            jobs.start(s.job_kind, label=s.label, schedule=s, **params)
    except Exception:  # an import must never fail because of a follow-up job
        log.exception("导入后任务启动失败")
