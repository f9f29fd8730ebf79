"""Background jobs on the database queue (django-tasks with the django-tasks-db backend): no new
server, the same on SQLite and PostgreSQL, surviving a restart (a queued job waits in the table).

An app declares what a job does once::

    from peiyu.work import jobs

    @jobs.handler("registry.reclassify", "重新认定重点产业")
    def reclassify(job: jobs.JobContext, *, chunk: int = 2000) -> dict:
        for i, ids in enumerate(chunks):
            with transaction.atomic():          # each unit of work in its own transaction
                ...
            job.progress("重新认定", done=i + 1, total=len(chunks))
        return {"changed": n}                  # stored as Job.result (JSON)

and starts one with ``jobs.start("registry.reclassify", user=request.user, chunk=2000)``, which
returns the :class:`~peiyu.work.models.Job` whose page (``work:job``) the starting page polls.

A job whose handler raises is marked failed with its error. A worker process that dies mid-job
(killed, machine restarted) leaves its job "running" with a worker that is gone: :func:`reap`
(run by every worker on start and every minute, and by the job page when polled) marks it failed.
Because each unit of work commits on its own, a dead job's finished units stay complete and the
unit it was processing is rolled back by the database: never half-applied.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import task

from peiyu.work.models import Job, WorkerBeat

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
STALE_SECONDS = 120  # a worker on another machine not seen for this long is dead


@dataclass(frozen=True)
class Handler:
    kind: str
    label: str
    fn: Callable[..., Any]
    admin_only: bool = True
    wanted: Callable[..., bool] | None = None  # (**params) -> start it at all? (checked by schedules)


HANDLERS: dict[str, Handler] = {}


def handler(
    kind: str, label: str, *, admin_only: bool = True, wanted: Callable[..., bool] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the job ``kind``: ``fn(job: JobContext, **params) -> dict``. ``wanted(**params)``
    lets an automatic start (after an import) decide there is nothing to do."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        HANDLERS[kind] = Handler(kind, label, fn, admin_only, wanted)
        return fn

    return deco


def label_of(kind: str) -> str:
    h = HANDLERS.get(kind)
    return h.label if h else kind


# ---------------------------------------------------------------------------------------------
# Progress


class JobContext:
    """What a handler gets: its job id and :meth:`progress`. Progress is written on a connection of
    its own (a reporter thread in the worker), so it shows while the handler's transaction is open."""

    def __init__(self, job: Job, reporter: _Reporter | None = None) -> None:
        self.job_id = job.pk
        self.user = job.created_by
        self.params = job.params
        self.request = OriginRequest(job) if job.origin else None
        self._reporter = reporter

    def progress(self, phase: str, done: int = 0, total: int | None = None, message: str = "") -> None:
        state = {"phase": phase[:60], "done": int(done), "total": total, "message": message[:300]}
        if self._reporter is not None and connection.in_atomic_block:
            # inside the handler's transaction: the reporter thread writes it on its own connection
            self._reporter.set(self.job_id, state)
        else:  # between units of work: written (and committed) at once
            Job.objects.filter(pk=self.job_id).update(**state, heartbeat_at=timezone.now())

    # the tax importer's callback shape: progress(phase, done, total)
    def __call__(self, phase: str, done: int = 0, total: int | None = None) -> None:
        self.progress(phase, done, total)


class OriginRequest:
    """Stands in for the request that started a job, for the audit rows the job writes
    (``audit.record(..., request=job.request)``): the same user, client address and page."""

    def __init__(self, job: Job) -> None:
        self.user = job.created_by
        self.META = {"REMOTE_ADDR": job.origin.get("ip") or ""}
        self.path = job.origin.get("path", "")

    def get_full_path(self) -> str:
        return self.path


class _Reporter:
    """The worker's heartbeat thread: writes the latest progress of the running job and the
    worker's own last-seen time every few seconds, on its own database connection."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self._lock = threading.Lock()
        self._pending: tuple[int, dict[str, Any]] | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peiyu-job-reporter", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def set(self, job_id: int, state: dict[str, Any]) -> None:
        with self._lock:
            self._pending = (job_id, state)
        self._wake.set()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        now = timezone.now()
        try:
            if pending is not None:
                job_id, state = pending
                Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**state, heartbeat_at=now)
            WorkerBeat.objects.filter(worker=self.worker).update(last_seen=now)
        except Exception as exc:  # the database busy (SQLite writer lock): try again next beat
            log.debug("progress not written: %s", exc)
            if pending is not None:
                with self._lock:
                    self._pending = self._pending or pending

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=min(1.0, HEARTBEAT_SECONDS))
            self._wake.clear()
            self.flush()
        self.flush()
        connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)


_current: dict[str, Any] = {"worker": "", "reporter": None}


# ---------------------------------------------------------------------------------------------
# Starting and running


def start(
    kind: str,
    *,
    user: Any = None,
    label: str = "",
    schedule: Any = None,
    request: Any = None,
    **params: Any,
) -> Job:
    """Queue a job; returns its :class:`Job` (its page shows progress). In ``PEIYU_JOBS_INLINE``
    mode (the test suite) the job runs at once in this process."""
    from peiyu.accounts.audit import record
    from peiyu.work import audit_actions as A

    if kind not in HANDLERS:
        raise KeyError(f"未登记的后台任务：{kind}")
    from peiyu.accounts.audit import client_ip

    origin = {}
    if request is not None:
        origin = {"ip": client_ip(request), "path": request.get_full_path()}
    job = Job.objects.create(
        kind=kind,
        label=(label or HANDLERS[kind].label)[:200],
        params=params,
        origin=origin,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        schedule=schedule,
    )
    record(
        user,
        A.JOB_START,
        job,
        object_id=str(job.pk),
        detail={"kind": kind, "params": params},
        request=request,
    )
    if getattr(settings, "PEIYU_JOBS_INLINE", False):
        execute(job.pk, worker="inline")
        job.refresh_from_db()
        return job
    result = run_job_task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


@task()
def run_job_task(job_id: int) -> dict[str, Any] | None:
    """The django-tasks task behind every job."""
    return execute(job_id, worker=_current["worker"] or worker_name())


def execute(job_id: int, *, worker: str = "") -> dict[str, Any] | None:
    job = Job.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.status != Job.Status.QUEUED:
        return None  # already run (or failed by the reaper)
    h = HANDLERS.get(job.kind)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker[:100]
    )
    ctx = JobContext(job, _current["reporter"])
    try:
        if h is None:
            raise LookupError(f"未登记的后台任务：{job.kind}（相关模块未安装？）")
        result = h.fn(ctx, **(job.params or {}))
    except BaseException as exc:
        _flush_reporter()
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=error[:2000] + "\n\n" + traceback.format_exc()[-4000:],
            message=f"失败：{exc}"[:300],
        )
        log.exception("后台任务失败：%s #%s", job.kind, job.pk)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return None
    _flush_reporter()
    result = result if isinstance(result, dict) else ({"value": result} if result is not None else {})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        result=result,
        message=str(result.get("message", "") or "已完成")[:300],
    )
    return result


def _flush_reporter() -> None:
    rep = _current["reporter"]
    if rep is not None:
        rep.flush()


# ---------------------------------------------------------------------------------------------
# Workers alive and dead


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped by its parent) is dead too
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def worker_alive(worker: str, now: dt.datetime | None = None) -> bool:
    if worker == "inline":
        return True
    now = now or timezone.now()
    beat = WorkerBeat.objects.filter(worker=worker).first()
    host, _, rest = worker.partition(":")
    pid_text = rest.split(":", 1)[0]
    if beat is not None and beat.stopped_at is not None:
        return False
    if host == socket.gethostname() and pid_text.isdigit():
        return _pid_alive(int(pid_text))
    return beat is not None and (now - beat.last_seen).total_seconds() < STALE_SECONDS


def reap(job: Job | None = None, now: dt.datetime | None = None) -> int:
    """Mark failed every running job (or just ``job``) whose worker process is gone."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    qs = Job.objects.filter(status=Job.Status.RUNNING)
    if job is not None:
        qs = qs.filter(pk=job.pk)
    dead = 0
    for j in qs:
        if worker_alive(j.worker, now):
            continue
        n = Job.objects.filter(pk=j.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED,
            finished_at=now,
            error=f"执行该任务的后台进程（{j.worker}）意外终止，任务未完成。"
            "已完成的部分（每个处理单元各自完整提交）保留，正在处理的单元已整体撤销，可重新运行。",
            message="失败：后台进程意外终止",
        )
        if n and j.task_id:
            DBTaskResult.objects.filter(pk=j.task_id, status="RUNNING").update(
                status="FAILED", finished_at=now, exception_class_path="WorkerDied", traceback="worker died"
            )
        dead += n
    return dead


def workers_alive(now: dt.datetime | None = None) -> list[WorkerBeat]:
    now = now or timezone.now()
    return [b for b in WorkerBeat.objects.filter(stopped_at__isnull=True) if worker_alive(b.worker, now)]


# ---------------------------------------------------------------------------------------------
# The worker loop (``peiyu worker``; ``peiyu serve`` starts one)


class Worker:
    def __init__(self, *, interval: float = 1.0, batch: bool = False, tick_seconds: float = 30.0) -> None:
        self.interval = interval
        self.batch = batch
        self.tick_seconds = tick_seconds
        self.running = True
        self.name = f"{worker_name()}:{os.urandom(3).hex()}"

    def stop(self, *_: Any) -> None:
        self.running = False

    def _claim(self) -> Any:
        from django.db.utils import OperationalError
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        tasks = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(tasks.db):
            try:
                result = tasks.get_locked()
                if result is not None:
                    result.claim(self.name)
                return result
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None
                raise

    def run(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker as DBWorker

        from peiyu.work import schedules

        host, pid = socket.gethostname(), os.getpid()
        WorkerBeat.objects.update_or_create(
            worker=self.name, defaults={"host": host, "pid": pid, "started_at": timezone.now()}
        )
        reporter = _Reporter(self.name)
        reporter.start()
        _current.update(worker=self.name, reporter=reporter)
        runner = DBWorker(
            queue_names=["*"],
            interval=self.interval,
            batch=self.batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.name,
            excluded_queue_names=[],
        )
        last_tick = 0.0
        import time

        try:
            while self.running:
                close_old_connections()
                if time.monotonic() - last_tick >= self.tick_seconds:
                    last_tick = time.monotonic()
                    try:
                        reap()
                        if not self.batch:
                            schedules.tick()
                    except Exception:
                        log.exception("定时任务检查失败")
                result = self._claim()
                if result is not None:
                    runner.run_task(result)
                    continue
                if self.batch:
                    break
                time.sleep(self.interval)
        finally:
            reporter.stop()
            _current.update(worker="", reporter=None)
            WorkerBeat.objects.filter(worker=self.name).update(stopped_at=timezone.now())


def run_pending() -> None:
    """Run every queued job in this process, then return (``peiyu worker --batch``)."""
    Worker(batch=True, tick_seconds=3600).run()


# ---------------------------------------------------------------------------------------------
# The work app's own jobs


@handler("work.daily", "到期提醒与超期督办")
def _daily(job: JobContext) -> dict[str, Any]:
    from peiyu.work import reminders

    out = reminders.daily_run(progress=job.progress)
    out["message"] = f"提醒 {out['reminded']} 件，督办 {out['escalated']} 件"
    return out


@handler("work.selftest", "后台任务自检")
def _selftest(job: JobContext, *, units: int = 5, pause: float = 0.2) -> dict[str, Any]:
    """Each unit writes two in-app notifications to the job's starter in one transaction, with a
    pause between them: a process killed mid-job leaves whole units only (the killed-worker test)."""
    import time

    from django.db import transaction

    from peiyu.work.models import Notification

    if job.user is None:
        raise ValueError("自检任务需要由用户启动")
    for i in range(1, units + 1):
        with transaction.atomic():
            Notification.objects.create(
                user=job.user, kind="selftest", title=f"后台任务自检 {job.job_id}-{i} 甲"
            )
            time.sleep(pause)
            Notification.objects.create(
                user=job.user, kind="selftest", title=f"后台任务自检 {job.job_id}-{i} 乙"
            )
        job.progress("自检", i, units)
    return {"units": units, "message": f"自检完成：{units} 个单元"}
