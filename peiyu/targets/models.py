"""Annual responsibility targets (目标责任), department-reported values, thresholds and the five-year plan.

A target belongs to a year and to a subject: a key industry, an area (街道镇/重点地区) or the district
as a whole (general indicators). Its kind says how progress is measured:

- ``amount``: district-level tax in fen (entered in 万元, converted exactly);
- ``growth``: growth in % over last year's full-year actual of the same series, turned into an amount;
- ``share``: percentage points gained by the key industries' (or one industry's) share of the
  district-level tax, compared with the same months of last year;
- ``reported``: a count or value a responsible department reports (亿元楼, listings, high-tech firms…).

Progress rules live in :mod:`peiyu.targets.progress`; every change goes through
:mod:`peiyu.targets.actions` (atomic, audited).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peiyu.accounts import scope


class TargetKind(models.TextChoices):
    AMOUNT = "amount", "税收金额"
    GROWTH = "growth", "增长率"
    SHARE = "share", "占比（百分点）"
    REPORTED = "reported", "部门报送"


class Target(models.Model):
    # who sees a target: its industry, area or responsible departments; district-wide tax targets
    # (they reveal the district total) only for district-wide users
    SCOPE = scope.Anchors(
        industry="key_industry",
        area="area",
        department="departments",
        limit=lambda s: (
            ~Q(key_industry__isnull=True, area__isnull=True, kind__in=[TargetKind.AMOUNT, TargetKind.GROWTH])
        ),
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    name = models.CharField("指标名称", max_length=120)
    kind = models.CharField("类型", max_length=10, choices=TargetKind.choices)
    key_industry = models.ForeignKey(
        "registry.KeyIndustry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name="重点产业",
    )
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name="街道镇",
    )
    target_fen = models.BigIntegerField("区级税收目标（分）", null=True, blank=True)
    growth_pct = models.DecimalField("增长目标（%）", max_digits=7, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="targets", verbose_name="责任部门"
    )
    note = models.TextField("备注", blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "目标"
        ordering = ["-year", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="target_year_name_unique")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def subject(self) -> str:
        """``industry``, ``area`` or ``district``: which series of the tax library measures it."""
        if self.key_industry_id:
            return "industry"
        if self.area_id:
            return "area"
        return "district"

    @property
    def is_tax(self) -> bool:
        return self.kind in (TargetKind.AMOUNT, TargetKind.GROWTH)

    def department_names(self) -> str:
        return "、".join(d.short_name or d.name for d in self.departments.all())


def attachment_path(instance: TargetReport, filename: str) -> str:
    return f"targets/{instance.target.year}/{instance.target_id}/{timezone.now():%Y%m%d%H%M%S}_{filename}"


class TargetReport(models.Model):
    """One value a responsible department reports for a ``reported`` target (history: never edited)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reports")
    month = models.CharField("截至月份", max_length=7, help_text="YYYY-MM：数值截至该月（累计）")
    value = models.DecimalField("完成值", max_digits=14, decimal_places=2)
    note = models.TextField("情况说明", blank=True)
    attachment = models.FileField("附件", upload_to=attachment_path, blank=True, max_length=300)
    attachment_name = models.CharField("附件原名", max_length=200, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="报送部门",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="报送人",
    )
    reported_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "目标完成情况报送"
        ordering = ["-month", "-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target} 截至{self.month}：{self.value}"


class TargetSettings(models.Model):
    """Status colour thresholds (one row, edited by administrators).

    A target is green when its gap to the yardstick is ≥ ``green_gap`` percentage points, yellow when
    ≥ ``yellow_gap``, red below. ``basis`` chooses the yardstick: plain time progress (month ÷ 12) or
    the seasonal time progress of the target's own series."""

    class Basis(models.TextChoices):
        TIME = "time", "时间进度（月份÷12）"
        SEASONAL = "seasonal", "季节性时间进度（上年同期累计占全年比重）"

    green_gap = models.DecimalField(
        "绿色：差距不低于（百分点）", max_digits=5, decimal_places=1, default=Decimal("0")
    )
    yellow_gap = models.DecimalField(
        "黄色：差距不低于（百分点）", max_digits=5, decimal_places=1, default=Decimal("-5")
    )
    basis = models.CharField("比较基准", max_length=10, choices=Basis.choices, default=Basis.TIME)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "目标进度阈值"

    def __str__(self) -> str:
        return f"绿≥{self.green_gap}，黄≥{self.yellow_gap}（{self.get_basis_display()}）"

    @classmethod
    def current(cls) -> TargetSettings:
        """The saved settings, or the defaults (unsaved: reading a page never writes)."""
        obj = cls.objects.order_by("pk").first()
        return obj or cls()


class FiveYearPlan(models.Model):
    """A five-year plan (e.g. the 14th five-year "411倍增计划", 2021-2025, base year 2020)."""

    name = models.CharField("名称", max_length=100, unique=True)
    base_year = models.PositiveSmallIntegerField("基期年份")
    final_year = models.PositiveSmallIntegerField("目标年份")
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "五年规划"
        ordering = ["-final_year", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.base_year + 1, self.final_year + 1))


class PlanLine(models.Model):
    """One key industry in a plan: base-year value, final-year goal and yearly milestones (fen)."""

    plan = models.ForeignKey(FiveYearPlan, on_delete=models.CASCADE, related_name="lines")
    key_industry = models.ForeignKey(
        "registry.KeyIndustry", on_delete=models.PROTECT, related_name="plan_lines", verbose_name="重点产业"
    )
    base_fen = models.BigIntegerField("基期区级税收（分）")
    goal_fen = models.BigIntegerField("目标年区级税收（分）")
    milestones = models.JSONField("年度里程碑（分）", default=dict, blank=True, help_text='{"2021": 分, …}')

    class Meta:
        verbose_name = verbose_name_plural = "规划产业目标"
        ordering = ["plan", "key_industry__order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key_industry"], name="planline_unique")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.key_industry}"
