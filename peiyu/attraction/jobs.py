"""Background jobs: the landed-project tax check and the pipeline warnings, after every tax import
(the ``tax_library_changed`` signal) and daily (the schedule ``attraction.daily_check`` on the 定时任务
page, created the first time the check runs; the signed-but-not-registered warning depends on the date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.work.jobs import JobContext, handler

SCHEDULE_KEY = "attraction.daily_check"


def ensure_schedule() -> None:
    from django.utils import timezone

    from peiyu.work import schedules
    from peiyu.work.models import Schedule

    s, created = Schedule.objects.get_or_create(
        key=SCHEDULE_KEY,
        defaults={
            "label": "招商项目核对（纳税阶段、签约未落地、落地未纳税预警）",
            "job_kind": "attraction.tax_check",
            "cadence": Schedule.Cadence.DAILY,
            "time_of_day": dt.time(8, 0),
            "enabled": True,
        },
    )
    if created:
        s.next_run_at = schedules.next_run(s, timezone.now())
        s.save(update_fields=["next_run_at"])


@handler("attraction.tax_check", "核对落地项目税收（纳税阶段、预警）")
def tax_check(job: JobContext, *, months: list[str] | None = None) -> dict[str, Any]:
    from peiyu.attraction import taxlink, warnings

    ensure_schedule()
    job.progress("核对落地项目税收", 0, 2)
    res = taxlink.refresh()
    job.progress("检查签约未落地、落地未纳税", 1, 2)
    warn = warnings.check()
    job.progress("完成", 2, 2)
    return {
        **res,
        **warn,
        "message": f"核对落地项目 {res['checked']} 个，已纳税 {res['taxpaying']} 个，阶段变化 {res['changed']} 个；"
        f"新增预警 {warn['opened']} 条，关闭 {warn['closed']} 条",
        "url": "/attraction/",
    }
