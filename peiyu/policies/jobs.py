"""Background jobs of the policy system: the monthly check of award conditions (clawback), which a
tax import can trigger (the latest month) or an officer can start for a month."""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler


def _wanted(months: list[str] | None = None, **_: Any) -> bool:
    """Only when some paid award carries a commitment and the latest month was (re)imported."""
    from peiyu.policies.models import Award
    from peiyu.taxes.analytics import latest_month

    latest = latest_month()
    if latest is None or (months and latest not in months):
        return False
    return Award.objects.filter(status="paid", clause__commitment_years__gt=0).exists()


@handler("policies.conditions", "检查政策兑现承诺条件", wanted=_wanted)
def check_conditions(
    job: JobContext, *, month: str = "", months: list[str] | None = None, **_: Any
) -> dict[str, Any]:
    from peiyu.policies import actions
    from peiyu.taxes.analytics import latest_month

    month = month or latest_month() or ""
    if not month:
        return {"message": "税收库中没有数据，无需检查"}
    job.progress(f"检查 {month} 兑现承诺条件", 0, 1)
    res = actions.do_check_conditions(job.user, month, reason="后台检查兑现承诺条件")
    job.progress(f"检查 {month} 兑现承诺条件", 1, 1)
    out = res.as_dict()
    out["message"] = f"{month}：检查兑现 {res.checked} 笔，新发现违约 {len(res.breaches)} 笔"
    out["url"] = "/policies/awards/#breaches"
    return out
