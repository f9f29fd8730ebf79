"""The tax library's OLTP side: import batches (one per file, one version per month when accepted),
the taxpayer-to-enterprise links (the 待匹配 queue) and the district sharing ratios.

The facts themselves live in Parquet under ``settings.TAX_LIBRARY_DIR`` (see :mod:`peiyu.taxes.library`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TaxBatch(models.Model):
    """One import of one file. Accepted batches are the versions of their month; exactly one
    accepted batch per month is active (the version the library serves)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已入库"
        REJECTED = "rejected", "已拒绝"
        HELD = "held", "待确认"  # plausible figures doubtful (or another import landed meanwhile)
        WITHDRAWN = "withdrawn", "已撤回"  # was a version; withdrawn, the month back to the previous one

    month = models.CharField(
        "所属月份", max_length=7, db_index=True
    )  # "YYYY-MM"; "" when rejected before known
    version = models.PositiveIntegerField("版本", null=True, blank=True)
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    is_active = models.BooleanField("当前版本", default=False)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="导入人",
    )
    created_at = models.DateTimeField("导入时间", default=timezone.now)
    layout = models.CharField("版式", max_length=10, blank=True)  # wide / long
    unit = models.CharField("单位", max_length=10, blank=True)  # 元 / 万元
    district_source = models.CharField("区级口径", max_length=10, blank=True)  # file / ratio
    rows = models.PositiveIntegerField("数据行数", default=0)
    taxpayers = models.PositiveIntegerField("纳税人数", default=0)
    total_fen = models.BigIntegerField("税收合计（分）", default=0)
    district_fen = models.BigIntegerField("区级税收（分）", default=0)
    matched_enterprises = models.PositiveIntegerField("匹配企业数", default=0)
    unmatched_taxpayers = models.PositiveIntegerField("未匹配纳税人数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    report = models.JSONField("报告", default=dict, blank=True)
    path = models.CharField("库文件", max_length=500, blank=True)
    note = models.TextField("说明", blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tax_batches",
        verbose_name="导入记录",
    )  # the run that produced it (file kept as its Upload); None for demo and test data

    class Meta:
        verbose_name = verbose_name_plural = "税收导入批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "version"], condition=models.Q(status="accepted"), name="uniq_month_version"
            ),
            models.UniqueConstraint(
                fields=["month"], condition=models.Q(is_active=True), name="one_active_version_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} v{self.version or '-'} {self.file_name}"


class TaxpayerLink(models.Model):
    """How a taxpayer ID seen in tax data maps to the registry. A taxpayer whose ID is a registered
    credit code needs no link; the others wait here (待匹配) until a user links them to an enterprise
    or marks them as outside the district. Figures follow the link at query time: no re-import."""

    class Status(models.TextChoices):
        PENDING = "pending", "待匹配"
        LINKED = "linked", "已关联企业"
        OUTSIDE = "outside", "区外/不纳入"

    taxpayer_id = models.CharField("纳税人识别号", max_length=40, unique=True)
    name = models.CharField("纳税人名称", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="taxpayer_links"
    )
    first_month = models.CharField("首次出现月份", max_length=7, blank=True)
    last_month = models.CharField("最近出现月份", max_length=7, blank=True)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "纳税人匹配"
        ordering = ["status", "-last_month", "taxpayer_id"]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.name}".strip()


class SharingRatio(models.Model):
    """The district's share of a tax type from a month on (区级分成比例), edited by an administrator.
    Used only when a file carries no 区级 column."""

    tax_type = models.CharField("税种", max_length=40)
    valid_from = models.CharField("起始月份", max_length=7)  # "YYYY-MM"
    district_pct = models.DecimalField("区级比例（%）", max_digits=7, decimal_places=4)
    note = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "区级分成比例"
        ordering = ["tax_type", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["tax_type", "valid_from"], name="uniq_ratio")]

    def __str__(self) -> str:
        return f"{self.tax_type} 自 {self.valid_from} 区级 {self.district_pct}%"


class HeadingWord(models.Model):
    """A heading (or 征收项目 value) an administrator added to the tax import's vocabulary
    (``peiyu tax-headings add``): data, not a code change."""

    word = models.CharField("表头用语", max_length=60, unique=True)  # as compared: vocabulary.heading_key
    role = models.CharField("含义", max_length=20)  # a key of parse.vocabulary.ROLES
    tax_type = models.CharField("对应税种", max_length=40, blank=True)  # role "tax"
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "税收表头用语"
        ordering = ["role", "word"]

    def __str__(self) -> str:
        return f"{self.word} → {self.tax_type or self.role}"
