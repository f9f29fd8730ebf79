"""Meetings (会议) of every kind, and their decisions (议定事项).

- :class:`Meeting`: a meeting of one kind (:mod:`peiyu.meetings.kinds`: ``taskforce``,
  ``attraction.dispatch``, ``services.area``), owned by an object of the owning app (generic
  relation: a TaskForce, an attraction Team, an Area), optionally anchored to a key industry and an
  area (its scope), with its prepared pack kept as a snapshot (the figures as they were prepared).
- :class:`Decision`: one decision of a meeting with its owner, responsible unit and due date; it
  opens a tracked work item (kind ``meetings.decision``) whose status is the decision's status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peiyu.accounts import scope


def _meeting_rule(sc: Any) -> Q:
    """Rows that the kinds' own rules add (e.g. attraction team members see their dispatch meetings)."""
    from peiyu.meetings import kinds

    cond = Q(pk__in=[])
    for kind in kinds.all_kinds():
        if kind.rule is not None:
            cond |= Q(kind=kind.key) & kind.rule(sc)
    return cond


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    SCOPE = scope.Anchors(industry="industry", area="area", owner="created_by", rule=_meeting_rule)

    kind = models.CharField("会议类型", max_length=40, db_index=True)
    title = models.CharField("会议名称", max_length=200)
    date = models.DateField("日期", db_index=True)
    time = models.TimeField("时间", null=True, blank=True)
    location = models.CharField("地点", max_length=200, blank=True)
    owner_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    industry = models.ForeignKey(
        "registry.KeyIndustry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name="重点产业",
    )
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name="街道镇",
    )
    attendees = models.TextField("参会人员", blank=True)
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    data_month = models.CharField(
        "数据月份", max_length=7, blank=True, help_text="YYYY-MM：材料所用的数据月份"
    )
    pack = models.JSONField("会议材料（快照）", default=list, blank=True)
    pack_prepared_at = models.DateTimeField("材料生成时间", null=True, blank=True)
    pack_prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_created",
        verbose_name="安排人",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kind", "owner_type", "owner_id", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def kind_label(self) -> str:
        from peiyu.meetings import kinds

        return kinds.label(self.kind)

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "date": self.date.isoformat() if isinstance(self.date, dt.date) else str(self.date),
            "time": self.time.isoformat() if self.time else None,
            "location": self.location,
            "status": self.status,
            "industry": self.industry_id,
            "area": self.area_id,
            "minutes": self.minutes[:500],
            "sections": len(self.pack or []),
        }

    def sections(self) -> list[Any]:
        from peiyu.core.sections import Section

        return [Section.from_dict(s) for s in (self.pack or [])]


def _decision_rule(sc: Any) -> Q:
    """A decision is seen with its meeting, and by the members of its responsible unit."""
    from peiyu.accounts.models import Department
    from peiyu.registry.models import Area

    cond = Q(meeting__in=Meeting.objects.filter(Meeting.SCOPE.q(sc)).values("pk"))
    if sc.department_ids:
        cond |= Q(unit_type=ContentType.objects.get_for_model(Department), unit_id__in=sc.department_ids)
    if sc.area_ids:
        cond |= Q(unit_type=ContentType.objects.get_for_model(Area), unit_id__in=sc.area_ids)
    return cond


class Decision(models.Model):
    """A decision (议定事项) of a meeting; its status is the status of its tracked item."""

    SCOPE = scope.Anchors(owner="owner", rule=_decision_rule)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="会议"
    )
    text = models.TextField("议定事项")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decisions",
        verbose_name="责任人",
    )
    unit_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_id = models.PositiveBigIntegerField(null=True, blank=True)
    unit = GenericForeignKey("unit_type", "unit_id")
    unit_name = models.CharField("责任单位", max_length=100, blank=True)
    due = models.DateField("完成时限", null=True, blank=True)
    order = models.PositiveIntegerField("序号", default=0)
    item = models.OneToOneField(
        "work.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decision",
        verbose_name="督办事项",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "会议议定事项"
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def status(self) -> str:
        return self.item.status if self.item_id and self.item is not None else ""

    @property
    def status_label(self) -> str:
        if not self.item_id or self.item is None:
            return "未立项"
        return self.item.flow.label_of(self.item.status)

    @property
    def is_open(self) -> bool:
        return bool(self.item_id and self.item is not None and self.item.is_open)

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return bool(self.item_id and self.item is not None and self.item.is_overdue(now or timezone.now()))

    def snapshot(self) -> dict[str, Any]:
        return {
            "meeting": self.meeting_id,
            "text": self.text[:500],
            "owner": self.owner_id,
            "unit": self.unit_name,
            "due": self.due.isoformat() if self.due else None,
            "item": self.item_id,
        }
