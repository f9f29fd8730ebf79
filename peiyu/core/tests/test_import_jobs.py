"""Uploads run as background jobs (issue 19 §2): the upload page keeps the file and starts
``core.import``; the job runs the importer and links to the report (at once in the test suite,
where jobs run inline)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peiyu.core.models import ImportBatch


@pytest.mark.django_db
def test_an_upload_is_imported_by_a_background_job(world, client, tmp_path):
    from peiyu.work.models import Job

    client.force_login(world["admin"])
    path = tmp_path / "projects.csv"
    path.write_bytes(b"\xef\xbb\xbfnot,a,ledger\n1,2,3\n")
    with path.open("rb") as fh:
        r = client.post(reverse("attraction:import"), {"file": fh})
    job = Job.objects.get(kind="core.import")
    batch = ImportBatch.objects.get(pk=job.result["batch_id"])
    assert r.status_code == 302 and r.url == reverse("attraction:import_report", args=[batch.pk])
    assert job.status == Job.Status.DONE and job.result["exit_code"] == 2
    assert job.result["url"] == r.url and batch.status == ImportBatch.Status.REJECTED


@pytest.mark.django_db
def test_a_missing_file_is_said_at_once(world, client):
    client.force_login(world["admin"])
    r = client.post(reverse("attraction:import"), {})
    assert r.status_code == 400 and "请选择要导入的文件" in r.content.decode()
