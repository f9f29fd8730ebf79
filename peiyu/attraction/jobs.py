"""Background jobs: the landed-project tax check after every tax import (and on demand)."""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler


@handler("attraction.tax_check", "核对落地项目税收（纳税阶段、预警）")
def tax_check(job: JobContext, *, months: list[str] | None = None) -> dict[str, Any]:
    from peiyu.attraction import taxlink, warnings

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
