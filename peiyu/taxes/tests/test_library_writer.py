"""The one writer of the tax library (``library.activate_version``) and what the import action
records around it: the run (core ImportBatch + Upload) and its progress."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from peiyu.accounts.models import AuditLog
from peiyu.core.models import ImportBatch, Upload
from peiyu.core.signals import tax_library_changed
from peiyu.taxes import actions, library
from peiyu.taxes.actions import do_import_tax_file
from peiyu.taxes.models import TaxBatch
from peiyu.taxes.tests import taxfiles as tf
from peiyu.testing import taxlib

pytestmark = pytest.mark.django_db

MONTH = "2025-03"


def new_batch(month: str = MONTH) -> TaxBatch:
    return TaxBatch.objects.create(
        month=month,
        version=library.next_version(month),
        status=TaxBatch.Status.ACCEPTED,
        file_name="w.xlsx",
        sha256="0" * 64,
    )


def rows(total: int) -> list[taxlib.Row]:
    return [("91310107MA1FL0001X", "上海甲有限公司", "增值税", total, total // 2)]


@pytest.fixture
def announced():
    seen: list[list[str]] = []

    def listener(sender, months, **kw):
        seen.append(months)

    tax_library_changed.connect(listener)
    yield seen
    tax_library_changed.disconnect(listener)


def test_activating_a_version_writes_it_switches_the_month_and_announces_on_commit(
    django_capture_on_commit_callbacks, announced
):
    first = taxlib.put_month(MONTH, rows(100))
    batch = new_batch()
    seen_previous = []
    with django_capture_on_commit_callbacks(execute=True):
        done = library.activate_version(
            MONTH,
            taxlib.facts(MONTH, batch.pk, rows(300)),
            batch,
            meanwhile=lambda a: seen_previous.append(a.previous),
        )
    assert done.path == library.fact_path(MONTH, 2)
    assert pq.read_table(done.path)["total_fen"].to_pylist() == [300]
    assert seen_previous == [first] and done.previous == first
    batch.refresh_from_db()
    first.refresh_from_db()
    assert batch.is_active and batch.path == str(done.path) and not first.is_active
    assert library.fact_path(MONTH, 1).exists(), "the previous version is kept for rollback"
    assert announced == [[MONTH]]
    assert not list(done.path.parent.glob("*.tmp"))


def test_a_failure_while_the_file_is_written_leaves_the_month_as_it_was():
    first = taxlib.put_month(MONTH, rows(100))
    batch = new_batch()

    def fails(activation):
        raise RuntimeError("matching failed")

    with pytest.raises(RuntimeError):
        library.activate_version(MONTH, taxlib.facts(MONTH, batch.pk, rows(300)), batch, meanwhile=fails)
    assert not library.fact_path(MONTH, batch.version).exists()
    assert TaxBatch.objects.get(month=MONTH, is_active=True) == first


def test_facts_of_another_month_or_batch_are_refused_before_anything_is_written():
    batch = new_batch()
    for table in (taxlib.facts("2025-04", batch.pk, rows(1)), taxlib.facts(MONTH, batch.pk + 1, rows(1))):
        with pytest.raises(ValueError):
            library.activate_version(MONTH, table, batch)
    rejected = TaxBatch.objects.create(month=MONTH, status=TaxBatch.Status.REJECTED, file_name="x", sha256="")
    with pytest.raises(ValueError):
        library.activate_version(MONTH, taxlib.facts(MONTH, rejected.pk, rows(1)), rejected)
    assert library.versions_on_disk(MONTH) == [] and not TaxBatch.objects.filter(is_active=True).exists()


def test_a_version_folder_left_on_disk_is_never_reused():
    stray = library.fact_path(MONTH, 1)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    assert library.next_version(MONTH) == 2
    assert taxlib.put_month(MONTH, rows(5)).version == 2 and stray.read_bytes() == b"left over"


def test_a_failed_write_removes_its_temporary_file(monkeypatch):
    batch = new_batch()

    def half_written(table, where, **kw):
        with open(where, "wb") as fh:
            fh.write(b"PAR1")
        raise OSError("disk full")

    monkeypatch.setattr(library.pq, "write_table", half_written)
    with pytest.raises(OSError):
        library.activate_version(MONTH, taxlib.facts(MONTH, batch.pk, rows(1)), batch)
    assert library.versions_on_disk(MONTH) == [] and not TaxBatch.objects.filter(is_active=True).exists()


# ---- the import action around the writer


def payers(world):
    return tf.sample_payers([(e.credit_code, e.name) for e in world["enterprises"].values()])


def test_every_import_run_is_recorded_with_its_kept_file(world, tmp_path):
    path = tf.write_wide(tmp_path / "2025年3月.xlsx", payers(world))
    accepted = do_import_tax_file(world["admin"], path, path.name)
    batch = TaxBatch.objects.get(pk=accepted["batch_id"])
    run = batch.import_batch
    assert run.kind == "taxes" and run.status == "accepted" and run.user == world["admin"]
    assert run.rows == run.accepted == accepted["rows"] and run.sha256 == accepted["sha256"] == batch.sha256
    assert run.counts["version"] == 1 and run.counts["taxpayers"] == accepted["taxpayers"]
    assert run.report["batch_id"] == batch.pk and run.finished_at is not None
    assert run.upload.full_path.read_bytes() == path.read_bytes()
    assert str(run.upload.full_path) == accepted["stored_copy"]

    again = do_import_tax_file(world["admin"], path, path.name)
    assert again["duplicate"] is True
    assert ImportBatch.objects.filter(kind="taxes", status="accepted").count() == 2
    # two hand-ins of one file: two Upload rows, one copy on disk
    assert Upload.objects.filter(kind="taxes", sha256=accepted["sha256"]).count() == 2
    assert len(list(run.upload.full_path.parent.glob(f"{accepted['sha256'][:16]}-*"))) == 1

    bad = tf.wide_sheet(payers(world), total_override={"增值税": 1})
    refused = do_import_tax_file(world["admin"], tf.write(tmp_path / "bad.xlsx", bad), "bad.xlsx")
    run = TaxBatch.objects.get(pk=refused["batch_id"]).import_batch
    assert run.status == "rejected" and run.accepted == 0 and run.rejected == 1
    assert run.errors == refused["errors"] and run.errors[0]["column"] == "增值税（H列）"


def test_an_internal_error_marks_the_run_failed_and_is_raised(world, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.matching, "match_taxpayers", boom)
    with pytest.raises(RuntimeError):
        do_import_tax_file(world["admin"], tf.write_wide(tmp_path / "a.xlsx", payers(world)))
    run = ImportBatch.objects.get(kind="taxes")
    assert run.status == "failed" and "内部错误" in run.message and not TaxBatch.objects.exists()
    assert library.versions_on_disk(MONTH) == []


def test_progress_follows_rows_read_taxpayers_matched_and_facts_stored(world, tmp_path):
    calls = []
    path = tf.write_wide(tmp_path / "2025年3月.xlsx", payers(world))
    report = do_import_tax_file(None, path, progress=lambda *args: calls.append(args))
    phases = [c[0] for c in calls]
    assert phases.index("read") < phases.index("store") < phases.index("match")  # matched while written
    last = {phase: (done, total) for phase, done, total in calls}
    assert last["read"] == (report["rows"], report["rows"])
    assert last["match"] == (report["taxpayers"], report["taxpayers"])
    assert last["store"] == (report["facts"], report["facts"])


def test_the_upload_page_records_where_the_import_came_from(world, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    path = tf.write_wide(tmp_path / "w.xlsx", payers(world))
    login(world["admin"]).post(
        reverse("taxes:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        REMOTE_ADDR="10.1.2.3",
    )
    batch = TaxBatch.objects.get()
    assert AuditLog.objects.get(action="taxes.import.accept", object_id=str(batch.pk)).ip == "10.1.2.3"
    assert batch.import_batch.upload.file_name == "w.xlsx"
    assert not (tmp_path / "uploads" / "tmp").exists() or not list((tmp_path / "uploads" / "tmp").iterdir())
