"""Uploads of every importer processed off the web worker (issue 19 §2): the upload page keeps the
posted file and starts ``core.import``; the background worker runs the importer over it with the
job as its progress, and the job's result links to the import report."""

from __future__ import annotations

import importlib
from typing import Any

from peiyu.work.jobs import JobContext, handler


@handler("core.import", "导入文件")
def run_import(
    job: JobContext,
    *,
    importer: str,
    upload_id: int,
    report_url: str = "",
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from peiyu.core.models import Upload

    module, _, name = importer.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    upload = Upload.objects.get(pk=upload_id)

    def on_progress(done: int, total: int) -> None:
        job.progress("导入", done, total)

    report = cls(on_progress=on_progress, **(options or {})).run(
        upload.full_path, upload.file_name, user=job.user, request=job.request, upload=upload
    )
    batch_id = report.batch_id
    return {
        "batch_id": batch_id,
        "status": str(report.status),
        "exit_code": report.exit_code,
        "message": str(report.message)[:300],
        "url": report_url.replace("987654321", str(batch_id)) if report_url and batch_id else "",
    }
