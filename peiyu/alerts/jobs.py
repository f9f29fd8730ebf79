"""The warning evaluation as background jobs (see :mod:`peiyu.work.jobs`).

- ``alerts.compute_month``: one month, started from the 预警规则 page;
- ``alerts.compute_latest``: the latest month after a tax import (the ``alerts.after_import``
  schedule), only when the changed months can affect it.
"""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler


def _wanted(months: list[str] | None = None, **_: Any) -> bool:
    from peiyu.alerts import rules

    return rules.auto_compute_wanted(months) is not None


def _run(job: JobContext, month: str) -> dict[str, Any]:
    from peiyu.alerts import rules

    job.progress(f"计算 {month} 预警", 0, 1)
    res = rules.compute_month(month, user=job.user)
    job.progress(f"计算 {month} 预警", 1, 1)
    out = res.as_dict()
    out["message"] = (
        f"{month} 预警已重新计算：新增 {res.created}，更新 {res.updated}，"
        f"条件消除 {res.cleared}（自动关闭 {res.auto_closed}）"
    )
    out["url"] = f"/alerts/warnings/?month={month}"
    return out


@handler("alerts.compute_month", "计算月度预警")
def compute_month(job: JobContext, *, month: str) -> dict[str, Any]:
    from peiyu.taxes import analytics

    if month not in analytics.months_available():
        raise ValueError(f"税收库中没有 {month} 的数据")
    return _run(job, month)


@handler("alerts.compute_latest", "税收导入后计算月度预警", wanted=_wanted)
def compute_latest(job: JobContext, *, months: list[str] | None = None) -> dict[str, Any]:
    from peiyu.alerts import rules

    latest = rules.auto_compute_wanted(months)
    if latest is None:
        return {"message": "导入的月份不影响最新月份的预警，无需重新计算"}
    return _run(job, latest)
