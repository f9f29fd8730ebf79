"""Reclassification as a background job (see :mod:`peiyu.work.jobs`): every enterprise against
today's key-industry definitions, in chunks; each chunk is reclassified in its own transaction, so
a job stopped half-way leaves whole chunks only (run it again to finish)."""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler


@handler("registry.reclassify", "按当前口径重新认定全部企业")
def reclassify_all(job: JobContext, *, chunk: int = 5000) -> dict[str, Any]:
    from peiyu.accounts import audit
    from peiyu.registry import audit_actions as A
    from peiyu.registry import classify
    from peiyu.registry.models import Enterprise

    ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True))
    chunks = [ids[i : i + chunk] for i in range(0, len(ids), chunk)] or [[]]
    checked = changed = 0
    entered: dict[str, int] = {}
    left: dict[str, int] = {}
    job.progress("重新认定", 0, len(ids))
    for part in chunks:
        if part:
            res = classify.reclassify(part, user=job.user, source="重新认定（后台任务）")
            checked += res.checked
            changed += res.changed
            for src, dst in ((res.entered, entered), (res.left, left)):
                for k, v in src.items():
                    dst[k] = dst.get(k, 0) + v
        job.progress("重新认定", checked, len(ids), f"认定变化 {changed} 家")
    out = {"checked": checked, "changed": changed, "entered": entered, "left": left}
    if changed:
        audit.record(job.user, A.RECLASSIFY, object_type="registry", detail=out, reason="后台任务重新认定")
    out["message"] = f"检查 {checked} 家企业，认定变化 {changed} 家"
    return out
