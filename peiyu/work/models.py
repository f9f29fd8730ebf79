"""Tracked work (督办), the working-day calendar, notifications and background jobs.

- :class:`CalendarYear` / :class:`CalendarDay`: which years the calendar knows, and the days of a
  known year that differ from Monday–Friday (holidays on weekdays, and 调休 weekends that are
  working days). A year with no :class:`CalendarYear` row is *unknown*: deadlines that reach it are
  refused, never computed as Monday–Friday.
- :class:`Item`: one thing someone must do by a date, attached to a source object of any app
  (generic relation), with an owner, a responsible unit (also generic), a status from the flow its
  kind declares (:mod:`peiyu.work.flows`), the current stage's deadline, reminders and escalation.
- :class:`Event`: an item's full history (who, when, what, before/after); :class:`Note`: follow-up
  notes with :class:`Attachment` files.
- :class:`UnitLeader`: who leads a unit (department, sub-district, a team of another app): data,
  edited by administrators; the escalation target for overdue items.
- :class:`Notification`: an in-app message (always), optionally also sent by e-mail / webhook.
- :class:`Job` / :class:`WorkerBeat` / :class:`Schedule`: background jobs on the database queue
  (django-tasks), their progress, the worker processes alive, and the jobs run on a timetable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope as scope_mod


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", "chinesecalendar 程序包"
        IMPORT = "import", "文件导入"
        MANUAL = "manual", "管理员录入"

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PACKAGE)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年工作日历"


class CalendarDay(models.Model):
    """A day of a known year that is not what Monday–Friday says: a holiday (放假) on a weekday or a
    working weekend day (调休上班). Weekend days inside a holiday may be stored too (for the name)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班")
    name = models.CharField("名称", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}".strip()


def _item_rule(scope: Any) -> Any:
    from peiyu.work.queries import item_rule

    return item_rule(scope)


class Item(models.Model):
    """A tracked item. Its status flow, deadlines and who may act are declared by its ``kind``."""

    SCOPE = scope_mod.Anchors(owner="owner", rule=_item_rule)

    kind = models.CharField("类型", max_length=60, db_index=True)
    title = models.CharField("事项", max_length=300)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
        verbose_name="责任人",
    )
    unit_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_id = models.PositiveBigIntegerField(null=True, blank=True)
    unit = GenericForeignKey("unit_type", "unit_id")
    status = models.CharField("状态", max_length=30, db_index=True)
    is_open = models.BooleanField("未关闭", default=True, db_index=True)
    opened_at = models.DateTimeField("立项时间", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField("进入当前状态", default=timezone.now)
    last_activity_at = models.DateTimeField("最近处理时间", default=timezone.now, db_index=True)
    due_at = models.DateTimeField("当前期限", null=True, blank=True, db_index=True)
    due_problem = models.CharField("期限说明", max_length=200, blank=True)
    # per-item deadline overrides {status: working days} (e.g. a green channel), and a fixed due
    stage_days = models.JSONField("本事项期限（工作日）", default=dict, blank=True)
    fixed_due = models.DateTimeField("指定期限", null=True, blank=True)
    reminded_for = models.DateTimeField("已提醒的期限", null=True, blank=True)
    escalated_for = models.DateTimeField("已督办的期限", null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField("办结说明", blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["unit_type", "unit_id"]),
            models.Index(fields=["is_open", "owner"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def flow(self) -> Any:
        from peiyu.work import flows

        return flows.get(self.kind)

    def get_status_display(self) -> str:
        return self.flow.label_of(self.status)

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return bool(self.is_open and self.due_at is not None and (now or timezone.now()) > self.due_at)

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "owner": self.owner.username if self.owner_id and self.owner is not None else None,
            "unit": str(self.unit) if self.unit_id else None,
            "due": timezone.localtime(self.due_at).isoformat() if self.due_at else None,
        }


class Event(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", "立项"
        TRANSITION = "transition", "状态变更"
        NOTE = "note", "跟进记录"
        REASSIGNED = "reassigned", "转派"
        DUE_CHANGED = "due_changed", "期限调整"
        REMINDED = "reminded", "到期提醒"
        OVERDUE = "overdue", "超期"
        ESCALATED = "escalated", "督办"
        SOURCE = "source", "来源更新"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    # the source kind's own word for the step (e.g. 确认、排除、月度更新), shown in the history
    label = models.CharField("事项", max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项记录"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.label or self.get_kind_display()} {self.time:%Y-%m-%d %H:%M}"

    @property
    def month(self) -> str:
        return str((self.data or {}).get("month", ""))

    @property
    def text(self) -> str:
        return self.label or self.get_kind_display()


class Note(models.Model):
    """A follow-up note: what was done, when, how (a method the kind declares), with whom."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes")
    method = models.CharField("方式", max_length=20, blank=True)
    date = models.DateField("日期", default=timezone.localdate)
    contact = models.CharField("联系人", max_length=100, blank=True)
    text = models.TextField("情况记录")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "跟进记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.method_label} {self.date}"

    @property
    def method_label(self) -> str:
        return dict(self.item.flow.note_methods).get(self.method, self.method or "记录")


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"work/{instance.note.item_id}/{filename}"


class Attachment(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to=_attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UnitLeader(models.Model):
    """The leader (分管领导/负责人) of a unit: the escalation target for its overdue items."""

    unit_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    unit_id = models.PositiveBigIntegerField()
    unit = GenericForeignKey("unit_type", "unit_id")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="led_units", verbose_name="负责人"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "单位负责人"
        constraints = [models.UniqueConstraint(fields=["unit_type", "unit_id"], name="one_leader_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit}：{self.leader}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=20, default="info")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    sent = models.JSONField("外部发送", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务", max_length=60, db_index=True)
    label = models.CharField("名称", max_length=200)
    params = models.JSONField(default=dict, blank=True)
    # where it was started from (client address, page), so the job's own audit rows say so too
    origin = models.JSONField(default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField("阶段", max_length=60, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField("执行进程", max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    schedule = models.ForeignKey(
        "Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))


class WorkerBeat(models.Model):
    """A worker process alive (or last seen)."""

    worker = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台进程"

    def __str__(self) -> str:
        return self.worker


class Schedule(models.Model):
    class Cadence(models.TextChoices):
        DAILY = "daily", "每天"
        MONTHLY = "monthly", "每月"
        AFTER_IMPORT = "after_import", "税收导入后"

    key = models.CharField(max_length=60, unique=True)
    label = models.CharField("名称", max_length=100)
    job_kind = models.CharField("任务", max_length=60)
    params = models.JSONField(default=dict, blank=True)
    cadence = models.CharField("频率", max_length=15, choices=Cadence.choices)
    time_of_day = models.TimeField("时间", default=dt.time(8, 30))
    day_of_month = models.PositiveSmallIntegerField("每月几日", default=1)
    enabled = models.BooleanField("启用", default=True)
    next_run_at = models.DateTimeField("下次运行", null=True, blank=True)
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "定时任务"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label
