"""Background jobs: progress on the page that started them, failures recorded, scheduled runs, the
after-import warning evaluation, and a worker process killed mid-job (real processes, a real
SQLite file): the job is marked failed and the unit it was processing is either whole or absent."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peiyu.work import jobs, schedules
from peiyu.work.models import Job, Schedule

TZ = timezone.get_default_timezone()


@jobs.handler("tests.boom", "测试：会失败的任务")
def _boom(job, *, at: int = 2):
    for i in range(1, 5):
        if i == at:
            raise RuntimeError("第 2 批数据有误")
        job.progress("处理", i, 4)
    return {}


@pytest.mark.django_db
def test_an_inline_job_records_progress_and_result(world):
    job = jobs.start("work.selftest", user=world["admin"], units=3, pause=0)
    assert job.status == Job.Status.DONE and (job.done, job.total) == (3, 3)
    assert job.result["units"] == 3 and job.message == "自检完成：3 个单元"
    assert job.started_at and job.finished_at


@pytest.mark.django_db
def test_a_failing_job_is_marked_failed_with_its_error(world):
    job = jobs.start("tests.boom", user=world["admin"])
    assert job.status == Job.Status.FAILED and "第 2 批数据有误" in job.error
    assert (job.phase, job.done, job.total) == ("处理", 1, 4)  # the last progress before the failure


@pytest.mark.django_db
def test_the_job_card_polls_until_finished_and_is_private(world, login):
    job = Job.objects.create(
        kind="work.selftest",
        label="自检",
        created_by=world["admin"],
        status="running",
        worker="inline",
        phase="自检",
        done=2,
        total=5,
    )
    c = login(world["admin"])
    html = c.get(reverse("work:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "2 / 5" in html and "40%" in html
    Job.objects.filter(pk=job.pk).update(status="done", message="已完成")
    html = c.get(reverse("work:job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html and "已完成" in html
    assert login(world["area_officer"]).get(reverse("work:job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_reclassification_runs_as_a_job_in_chunks(world):
    from peiyu.registry.models import Enterprise

    Enterprise.objects.filter(pk=world["enterprises"]["soft_a1"].pk).update(key_industry=None)
    job = jobs.start("registry.reclassify", user=world["admin"], chunk=2)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["checked"] == 5 and job.result["changed"] == 1
    assert (job.done, job.total) == (5, 5)
    assert (
        Enterprise.objects.get(pk=world["enterprises"]["soft_a1"].pk).key_industry
        == world["industries"]["soft"]
    )


@pytest.mark.django_db
def test_the_rules_page_recompute_starts_a_job_and_shows_it(world, login):
    from peiyu.alerts.tests.helpers import WAN, load

    load({world["enterprises"]["soft_a1"]: {"2025-05": 10 * WAN, "2025-06": 12 * WAN}})
    c = login(world["admin"])
    resp = c.post(reverse("alerts:rules"), {"recompute": "1", "month": "2025-06"})
    job = Job.objects.get(kind="alerts.compute_month")
    assert resp.status_code == 302 and resp["Location"].endswith(f"?job={job.pk}")
    assert job.status == Job.Status.DONE and "2025-06 预警已重新计算" in job.message
    assert job.created_by == world["admin"] and job.params == {"month": "2025-06"}
    assert f'id="job-{job.pk}"' in c.get(resp["Location"]).content.decode()


@pytest.mark.django_db
def test_schedules_start_their_jobs_when_due_and_compute_the_next_run(world):
    Schedule.objects.all().delete()  # (migrate created them at the real time)
    with time_machine.travel(dt.datetime(2025, 3, 3, 8, 0, tzinfo=TZ), tick=False) as clock:
        schedules.ensure_defaults()
        daily = Schedule.objects.get(key="work.daily_reminders")
        assert timezone.localtime(daily.next_run_at) == dt.datetime(2025, 3, 3, 8, 30, tzinfo=TZ)
        monthly = Schedule.objects.get(key="reports.monthly")
        assert not monthly.enabled and timezone.localtime(monthly.next_run_at) == dt.datetime(
            2025, 3, 5, 7, 0, tzinfo=TZ
        )
        assert schedules.tick() == []
        clock.move_to(dt.datetime(2025, 3, 3, 8, 31, tzinfo=TZ))
        started = schedules.tick()
        assert len(started) == 1 and Job.objects.get(pk=started[0]).kind == "work.daily"
        assert schedules.tick() == []  # not twice
        daily.refresh_from_db()
        assert timezone.localtime(daily.next_run_at) == dt.datetime(2025, 3, 4, 8, 30, tzinfo=TZ)


@pytest.mark.django_db
def test_a_schedule_is_edited_by_administrators_only(world):
    from peiyu.work import actions

    schedules.ensure_defaults()
    s = Schedule.objects.get(key="work.daily_reminders")
    with pytest.raises(actions.ActionError):
        actions.do_update_schedule(world["area_officer"], s, {"enabled": False})
    actions.do_update_schedule(world["admin"], s, {"time_of_day": dt.time(9, 15)})
    s.refresh_from_db()
    assert s.time_of_day == dt.time(9, 15) and timezone.localtime(s.next_run_at).time() == dt.time(9, 15)


@pytest.mark.django_db
def test_a_tax_import_starts_the_warning_evaluation_job_when_it_can_matter(
    world, django_capture_on_commit_callbacks
):
    from peiyu.testing.taxlib import put_month as put

    def put_month(*args):
        with django_capture_on_commit_callbacks(execute=True):
            put(*args)

    ent = world["enterprises"]["soft_a1"]
    put_month("2025-06", [(ent.credit_code, ent.name, "增值税", 200, 100)])
    job = Job.objects.get(kind="alerts.compute_latest")
    assert job.status == Job.Status.DONE and job.result["month"] == "2025-06"
    assert job.schedule.key == "alerts.after_import" and job.params["months"] == ["2025-06"]
    put_month("2019-01", [(ent.credit_code, ent.name, "增值税", 200, 100)])  # far outside the look-back
    assert Job.objects.filter(kind="alerts.compute_latest").count() == 1
    Schedule.objects.filter(key="alerts.after_import").update(enabled=False)
    put_month("2025-07", [(ent.credit_code, ent.name, "增值税", 200, 100)])
    assert Job.objects.filter(kind="alerts.compute_latest").count() == 1  # switched off in the UI


# ---------------------------------------------------------------------------------------------
# A worker process killed mid-job


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PEIYU_JOBS_INLINE")}
    env.update(PEIYU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="peiyu.settings", PEIYU_LOG_LEVEL="ERROR")
    return env


def _py(code: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip()


def _job_row(db: Path, job_id: int) -> dict:
    con = sqlite3.connect(db, timeout=30)
    try:
        con.row_factory = sqlite3.Row
        row = con.execute(
            "SELECT status, done, total, error FROM work_job WHERE id = ?", (job_id,)
        ).fetchone()
        return dict(row)
    finally:
        con.close()


def test_a_worker_killed_mid_job_leaves_whole_units_and_a_failed_job(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "peiyu", "migrate", "-v0"], env=env, check=True, timeout=300)
    job_id = int(
        _py(
            "from peiyu.accounts.models import User\n"
            "from peiyu.work import jobs\n"
            "u = User.objects.create_user('killer', password='x')\n"
            "print(jobs.start('work.selftest', user=u, units=40, pause=0.15).pk)\n",
            env,
        )
    )
    db = tmp_path / "peiyu.sqlite3"
    assert _job_row(db, job_id)["status"] == "queued"
    worker = subprocess.Popen(
        [sys.executable, "-m", "peiyu", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen_running_progress = False
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            row = _job_row(db, job_id)
            if row["status"] == "running" and row["done"] >= 3:
                seen_running_progress = True  # the progress is visible while the job runs
                break
            time.sleep(0.1)
        assert seen_running_progress, row
        time.sleep(0.07)  # land somewhere inside a unit (each holds its transaction 0.15 s)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _job_row(db, job_id)["status"] == "running"  # nobody has noticed yet
    # any process that looks (a worker starting, the job page polling) marks it failed
    assert _py("from peiyu.work import jobs\nprint(jobs.reap())", env) == "1"
    row = _job_row(db, job_id)
    assert row["status"] == "failed" and "意外终止" in row["error"]
    con = sqlite3.connect(db)
    titles = [t for (t,) in con.execute("SELECT title FROM work_notification WHERE kind = 'selftest'")]
    con.close()
    units: dict[str, set[str]] = {}
    for t in titles:
        unit, part = t.rsplit(" ", 1)
        units.setdefault(unit, set()).add(part)
    assert 3 <= len(units) < 40  # killed part-way
    assert all(parts == {"甲", "乙"} for parts in units.values()), units  # never half a unit
    # and the queue goes on: a new job runs to the end on a new worker
    job2 = int(
        _py(
            "from peiyu.accounts.models import User\nfrom peiyu.work import jobs\nprint(jobs.start('work.selftest', user=User.objects.get(username='killer'), units=2, pause=0).pk)",
            env,
        )
    )
    subprocess.run([sys.executable, "-m", "peiyu", "worker", "--batch"], env=env, check=True, timeout=120)
    assert _job_row(db, job2)["status"] == "done"


@pytest.mark.django_db
def test_the_tax_upload_returns_at_once_and_the_page_follows_the_jobs_progress(
    world, login, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from peiyu.taxes.models import TaxBatch
    from peiyu.taxes.tests import taxfiles as tf

    settings.PEIYU_JOBS_INLINE = False  # as in production: the worker runs it
    payers = tf.sample_payers([(e.credit_code, e.name) for e in world["enterprises"].values()])
    path = tf.write_wide(tmp_path / "2025年3月.xlsx", payers)
    c = login(world["admin"])
    res = c.post(
        reverse("taxes:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        HTTP_HX_REQUEST="true",
        REMOTE_ADDR="10.9.8.7",
    )
    job = Job.objects.get(kind="taxes.import")
    html = res.content.decode()
    assert job.status == Job.Status.QUEUED and not TaxBatch.objects.exists()  # returned at once
    assert reverse("taxes:import_job", args=[job.pk]) in html and "排队中" in html
    assert DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()  # on the queue
    jobs.execute(job.pk, worker="inline")  # what the worker does with it
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["rows"] == len(payers) and job.result["status"] == "accepted"
    phases = job.result["phases"]  # the last count the import reported in each phase
    assert set(phases) == {"read", "match", "store"} and phases["read"] == len(payers)
    assert phases["match"] == len(payers) and phases["store"] >= len(payers)
    assert job.result["progress"].startswith(f"已读取 {len(payers)} 行；已匹配 {len(payers)} 户；已入库")
    polled = c.get(reverse("taxes:import_job", args=[job.pk])).content.decode()
    assert 'data-status="accepted"' in polled and "已入库" in polled
    from peiyu.accounts.models import AuditLog

    assert AuditLog.objects.get(action="taxes.import.accept").ip == "10.9.8.7"  # where it came from
    # the plain form (no JavaScript) lands on the import page, which shows the same card
    res = c.post(
        reverse("taxes:import"), {"file": SimpleUploadedFile(path.name, path.read_bytes()), "force": "1"}
    )
    job2 = Job.objects.exclude(pk=job.pk).get(kind="taxes.import")
    assert res["Location"] == reverse("taxes:import") + f"?job={job2.pk}"
    assert f'id="job-{job2.pk}"' in c.get(res["Location"]).content.decode()
