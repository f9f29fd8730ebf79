from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Generation(models.Model):
    """A named counter bumped whenever some derived data must be rebuilt (e.g. ``tax_dimension``:
    the tax library's enterprise snapshot and rollups). Reading it is one primary-key lookup, so a
    cache can check its freshness on every request."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "缓存代数"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Upload(models.Model):
    """A file someone handed to an importer, kept under the data folder (``UPLOAD_DIR/<kind>/``)
    with its sha256, so that every figure can be traced to the exact bytes it came from and a
    refused file can be processed again without uploading it twice."""

    kind = models.CharField("导入类型", max_length=40, db_index=True)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField("大小（字节）", default=0)
    path = models.CharField("保存位置", max_length=500, help_text="相对于上传目录")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "上传文件"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def full_path(self) -> Path:
        return Path(settings.UPLOAD_DIR) / self.path


class ImportBatch(models.Model):
    """One run of an importer over one file: who, when, what happened, the counts and the report
    (the ``--json`` object). Every importer writes one, accepted or not."""

    class Status(models.TextChoices):
        RUNNING = "running", "导入中"
        CHECKED = "checked", "已校验（未写入）"
        ACCEPTED = "accepted", "已导入"
        PARTIAL = "partial", "部分导入"
        REJECTED = "rejected", "已拒绝"
        FAILED = "failed", "内部错误"

    kind = models.CharField("导入类型", max_length=40, db_index=True)
    upload = models.ForeignKey(
        Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches", verbose_name="文件"
    )
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="导入人",
    )
    started_at = models.DateTimeField("开始时间", default=timezone.now, db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    status = models.CharField("结果", max_length=10, choices=Status.choices, default=Status.RUNNING)
    message = models.TextField("说明", blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    accepted = models.PositiveIntegerField("接受行数", default=0)
    rejected = models.PositiveIntegerField("拒绝行数", default=0)
    counts = models.JSONField("计数", default=dict, blank=True)  # importer-specific: created, updated …
    options = models.JSONField("选项", default=dict, blank=True)  # e.g. {"strict": true}
    errors = models.JSONField("错误", default=list, blank=True)  # [{row, column, value, message}]
    report = models.JSONField("报告", default=dict, blank=True)  # the --json object without errors
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def created_at(self) -> Any:
        return self.started_at

    @property
    def uploaded_by(self) -> Any:
        return self.user
