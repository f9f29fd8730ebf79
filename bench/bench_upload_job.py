"""Benchmark: the tax upload page with a 100,000-row file returns at once (the import is a
background job) and the job's progress (rows read / matched / stored) is visible while it runs.

    .venv/bin/python -m bench.run upload_job

Measured: the POST of the upload page (save the file, queue the job) against the import itself
(the job, run by a worker thread of this process exactly as ``peiyu worker`` runs it), and the
progress snapshots another connection sees while the job runs.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.bench_tax_import import ROWS, _register, make_file


def main() -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from peiyu.accounts.models import Role, User
    from peiyu.work import jobs
    from peiyu.work.models import Job

    tmp = Path(tempfile.mkdtemp(prefix="peiyu-bench-upload-"))
    path = tmp / "普陀区2025年3月税收.xlsx"
    codes, _total = make_file(path)
    _register(codes)
    admin = User.objects.create(username="bench_admin", role=Role.ADMIN, is_superuser=True)
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    with override_settings(PEIYU_JOBS_INLINE=False), open(path, "rb") as fh:
        t0 = time.perf_counter()
        res = client.post("/taxes/import/", {"file": fh}, HTTP_HX_REQUEST="true")
        post_seconds = time.perf_counter() - t0
    assert res.status_code == 200, res.status_code
    job = Job.objects.get(kind="taxes.import")
    assert job.status == Job.Status.QUEUED
    snapshots: list[tuple[float, str, int, int | None]] = []

    def work() -> None:
        jobs.execute(job.pk, worker="bench")
        connection.close()

    t1 = time.perf_counter()
    runner = threading.Thread(target=work)
    runner.start()
    while runner.is_alive():
        j = Job.objects.filter(pk=job.pk).values_list("phase", "done", "total").first()
        if j and (not snapshots or snapshots[-1][1:] != j):
            snapshots.append((round(time.perf_counter() - t1, 2), *j))
        time.sleep(0.2)
    runner.join()
    job_seconds = time.perf_counter() - t1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    return {
        "rows": ROWS,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "post_seconds": round(post_seconds, 2),
        "job_seconds": round(job_seconds, 2),
        "post_share_of_import": round(post_seconds / job_seconds, 3),
        "progress_seen": snapshots,
        "result": {
            k: job.result[k]
            for k in ("status", "rows", "matched_enterprises", "unmatched_taxpayers", "progress")
        },
    }
