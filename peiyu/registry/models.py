"""Enterprises, areas, the GB/T 4754-2017 taxonomy and key-industry definitions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope
from peiyu.core.models import ImportBatch


class Area(models.Model):
    """A sub-district/town (街道镇) or a key area (重点地区)."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "街道", "街道"
        TOWN = "镇", "镇"
        KEY_AREA = "重点地区", "重点地区"

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SUBDISTRICT)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "街道镇"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class IndustryCode(models.Model):
    """One row of GB/T 4754-2017: 门类 (letter), 大类 (2 digits), 中类 (3), 小类 (4)."""

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级")
    parent = models.CharField("上级代码", max_length=4, blank=True)
    section = models.CharField("门类", max_length=1)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "国民经济行业分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KeyIndustry(models.Model):
    """A key industry (重点培育产业). Its membership rules live in versioned definitions."""

    name = models.CharField("名称", max_length=40, unique=True)
    slug = models.SlugField("代号", max_length=40, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    color = models.CharField("颜色", max_length=9, default="#206bc4")
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点产业"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class IndustryDefinition(models.Model):
    """A version of a key industry's definition: GB/T 4754 code prefixes valid from a date."""

    industry = models.ForeignKey(KeyIndustry, on_delete=models.CASCADE, related_name="definitions")
    valid_from = models.DateField("生效日期")
    prefixes = models.JSONField("行业代码前缀", default=list)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "产业认定口径"
        ordering = ["industry", "-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.industry} 自 {self.valid_from}: {', '.join(self.prefixes)}"


class IndustryOverride(models.Model):
    """A manual decision about one enterprise: include it in an industry, or exclude it from one."""

    SCOPE = scope.Anchors(enterprise="enterprise")

    class Kind(models.TextChoices):
        INCLUDE = "include", "手工纳入"
        EXCLUDE = "exclude", "手工剔除"

    enterprise = models.ForeignKey("Enterprise", on_delete=models.CASCADE, related_name="overrides")
    industry = models.ForeignKey(KeyIndustry, on_delete=models.CASCADE, related_name="overrides")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    reason = models.TextField("理由")
    valid_from = models.DateField("生效日期", default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "手工认定"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.industry_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EnterpriseStatus(models.TextChoices):
    EXISTING = "存续", "存续"
    OPERATING = "在业", "在业"
    MOVED_OUT = "迁出", "迁出"
    CANCELLED = "注销", "注销"
    REVOKED = "吊销", "吊销"


GONE_STATUSES = (EnterpriseStatus.MOVED_OUT, EnterpriseStatus.CANCELLED, EnterpriseStatus.REVOKED)


class Enterprise(models.Model):
    """一企一档: an enterprise registered in the district, keyed by its unified social credit code."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200, db_index=True)
    former_names = models.JSONField("曾用名", default=list, blank=True)
    name_initials = models.CharField("拼音首字母", max_length=200, blank=True, db_index=True)
    industry_code = models.CharField("国民经济行业代码", max_length=4, blank=True, db_index=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name="街道镇",
    )
    address = models.CharField("注册地址", max_length=300, blank=True)
    status = models.CharField(
        "登记状态", max_length=4, choices=EnterpriseStatus.choices, default=EnterpriseStatus.EXISTING
    )
    established = models.DateField("成立日期", null=True, blank=True)
    tags = models.JSONField("标签", default=list, blank=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_enterprises",
        verbose_name="联络员",
    )
    is_key = models.BooleanField("重点企业（手工）", default=False)
    # Current classification, materialised by registry.classify; rebuilt whenever rules change.
    key_industry = models.ForeignKey(
        KeyIndustry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        verbose_name="重点产业",
    )
    classification_basis = models.CharField("认定依据", max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业"
        ordering = ["name"]
        indexes = [models.Index(fields=["key_industry", "area"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def division(self) -> str:
        return self.industry_code[:2]


class EnterpriseEvent(models.Model):
    """A dated change of an enterprise: status, name, area, industry code, classification."""

    SCOPE = scope.Anchors(enterprise="enterprise")

    class Kind(models.TextChoices):
        STATUS = "status", "登记状态"
        NAME = "name", "名称"
        AREA = "area", "街道镇"
        INDUSTRY_CODE = "industry_code", "行业代码"
        KEY_INDUSTRY = "key_industry", "重点产业认定"
        CREATED = "created", "新登记"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="events")
    date = models.DateField("日期", db_index=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    before = models.CharField("变更前", max_length=200, blank=True)
    after = models.CharField("变更后", max_length=200, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "企业变更事件"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.before} → {self.after}"


class RegistryImportManager(models.Manager["RegistryImport"]):
    def get_queryset(self) -> models.QuerySet[RegistryImport]:
        return super().get_queryset().filter(kind="registry")


class RegistryImport(ImportBatch):
    """The registry's imports: the ``core.ImportBatch`` records of kind ``registry`` (accepted,
    partly accepted or rejected whole), with the registry's counts by name."""

    objects: ClassVar[RegistryImportManager] = RegistryImportManager()  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "名录导入批次"

    @property
    def created(self) -> int:
        return int((self.counts or {}).get("created", 0))

    @property
    def updated(self) -> int:
        return int((self.counts or {}).get("updated", 0))

    @property
    def strict(self) -> bool:
        return bool((self.options or {}).get("strict", False))
