"""The tax upload as a background job (see :mod:`peiyu.work.jobs`): the upload page saves the file
(a core Upload) and starts ``taxes.import``; the worker runs :func:`peiyu.taxes.actions.do_import_tax_file`
with the job as its ``progress(phase, done, total)`` callback, so the page shows rows read,
taxpayers matched and facts stored while the import runs. The import itself is all or nothing."""

from __future__ import annotations

from typing import Any

from peiyu.work.jobs import JobContext, handler

PHASES = {"read": "读取数据行", "match": "匹配纳税人", "store": "写入税收库"}
DONE_WORDS = {"read": "已读取 {n} 行", "match": "已匹配 {n} 户", "store": "已入库 {n} 行"}


@handler("taxes.import", "导入税收文件")
def import_tax(job: JobContext, *, upload_id: int, month: str = "", force: bool = False) -> dict[str, Any]:
    from django.urls import reverse

    from peiyu.core.models import Upload
    from peiyu.taxes import actions

    upload = Upload.objects.get(pk=upload_id)
    seen: dict[str, int] = {}

    def progress(phase: str, done: int, total: int | None) -> None:
        seen[phase] = done
        summary = "；".join(DONE_WORDS[p].format(n=f"{seen[p]:,}") for p in PHASES if p in seen)
        job.progress(PHASES.get(phase, phase), done, total, summary)

    report = actions.do_import_tax_file(
        job.user,
        upload.full_path,
        upload.file_name,
        month=month or None,
        force=force,
        progress=progress,
        upload=upload,
        request=job.request,
    )
    batch_id = report.get("batch_id")
    return {
        "batch_id": batch_id,
        "status": report.get("status"),
        "duplicate": bool(report.get("duplicate")),
        "file": report.get("file"),
        "month": report.get("month"),
        "version": report.get("version"),
        "rows": report.get("rows"),
        "matched_enterprises": report.get("matched_enterprises"),
        "unmatched_taxpayers": report.get("unmatched_taxpayers"),
        "errors": len(report.get("errors") or []),
        "message": str(report.get("message", ""))[:300],
        "phases": seen,
        "progress": "；".join(DONE_WORDS[p].format(n=f"{seen[p]:,}") for p in PHASES if p in seen),
        "url": reverse("taxes:batch", args=[batch_id]) if batch_id else "",
    }
