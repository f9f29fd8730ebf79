"""Stored reports: every generated version of a monthly analysis report for one reader, with the
data it was written from (the sections, so a version can be re-rendered exactly), its editable
问题与建议 text and the Word (and, when LibreOffice is installed, PDF) file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope


class Report(models.Model):
    """One version of one report. ``reader`` None is the district report (全区, written by the
    scheduled job or an administrator: district-wide users see it); otherwise the report was
    written for that reader's scope and only they (and district-wide users) see it."""

    SCOPE = scope.Anchors(owner="reader")

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "月度产业税收分析"

    class Origin(models.TextChoices):
        PAGE = "page", "页面生成"
        SCHEDULE = "schedule", "定时生成"
        COMMAND = "command", "命令行生成"
        EDIT = "edit", "修改问题与建议"
        DEMO = "demo", "演示数据"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.MONTHLY)
    month = models.CharField("月份", max_length=7, db_index=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name="读者",
    )
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("标题", max_length=200)
    scope_label = models.CharField("范围", max_length=300, blank=True)
    data = models.JSONField("报告数据", default=dict)
    suggestions = models.TextField("问题与建议", blank=True)
    docx = models.BinaryField("Word 文件")
    pdf = models.BinaryField("PDF 文件", null=True, blank=True)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.PAGE)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="生成人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "分析报告"
        ordering = ["-month", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month", "reader", "version"], name="one_report_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} 第{self.version}版"

    @property
    def reader_label(self) -> str:
        return "全区" if self.reader_id is None else str(self.reader)

    @property
    def filename(self) -> str:
        who = "全区" if self.reader_id is None else (self.reader.username if self.reader else "")
        return f"产业税收分析_{self.month}_{who}_v{self.version}"

    def snapshot(self) -> dict[str, Any]:
        return {"month": self.month, "reader": self.reader_id, "version": self.version, "title": self.title}
