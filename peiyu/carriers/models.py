"""Carriers (载体): buildings, parks, incubators and innovation platforms, their spaces, tenants
(history kept), the 租税联动 rule, the map layers and the incubators' yearly evaluation.

Scope: a carrier hangs off its sub-district (``area``), the department responsible for it
(incubators: 区科委) and its focus key industry (parks); its tenants follow the enterprise scope
(a tenancy hangs off its enterprise only), so a sub-district sees its buildings and, of their
tenants, the enterprises it may see. Tax figures are never stored here: they come from the tax
library through ``carriers/analytics.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope


class Kind(models.TextChoices):
    BUILDING = "building", "楼宇"
    PARK = "park", "园区"
    INCUBATOR = "incubator", "孵化器"
    PLATFORM = "platform", "科创平台"


class Level(models.TextChoices):
    NATIONAL = "national", "国家级"
    MUNICIPAL = "municipal", "市级"
    DISTRICT = "district", "区级"
    NONE = "", "—"


CARRIER_SCOPE = scope.Anchors(area="area", department="department", industry="focus_industry")


class Carrier(models.Model):
    """One carrier: a building, a park (which may hold buildings), an incubator or a platform."""

    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.BUILDING)
    name = models.CharField("名称", max_length=120, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    area = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属街道镇"
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="责任部门"
    )
    park = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属园区/楼宇",
    )
    gross_area_m2 = models.DecimalField("建筑面积（㎡）", max_digits=12, decimal_places=2, default=Decimal(0))
    leasable_area_m2 = models.DecimalField(
        "可租面积（㎡）", max_digits=12, decimal_places=2, default=Decimal(0)
    )
    owner = models.CharField("业主", max_length=120, blank=True)
    manager = models.CharField("物业", max_length=120, blank=True)
    grade = models.CharField("等级", max_length=20, blank=True)
    focus_industry = models.ForeignKey(
        "registry.KeyIndustry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主导产业",
    )
    level = models.CharField("级别", max_length=12, choices=Level.choices, blank=True, default="")
    operator = models.CharField("运营机构", max_length=120, blank=True)
    services = models.TextField("服务内容", blank=True)
    # the schematic map: position in percent of the sub-district box (0–100); real coordinates optional
    map_x = models.DecimalField("示意图横坐标", max_digits=5, decimal_places=2, null=True, blank=True)
    map_y = models.DecimalField("示意图纵坐标", max_digits=5, decimal_places=2, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=10, decimal_places=6, null=True, blank=True)
    active = models.BooleanField("启用", default=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = CARRIER_SCOPE

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "载体"
        verbose_name_plural = "载体"

    def __str__(self) -> str:
        return self.name

    def leased_m2(self, on: dt.date | None = None) -> Decimal:
        on = on or timezone.localdate()
        total = Decimal(0)
        for t in self.tenancies.all():
            if t.is_current(on):
                total += t.area_m2
        return total

    def vacancy_m2(self, on: dt.date | None = None) -> Decimal:
        return max(Decimal(0), self.leasable_area_m2 - self.leased_m2(on))


class Space(models.Model):
    """A floor or unit of a carrier (optional): its area, and whether it is offered for lease."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="spaces", verbose_name="载体")
    floor = models.CharField("楼层", max_length=20, blank=True)
    unit = models.CharField("单元/房号", max_length=40, blank=True)
    area_m2 = models.DecimalField("面积（㎡）", max_digits=10, decimal_places=2)
    offered = models.BooleanField("可招租", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    SCOPE = scope.Anchors(
        area="carrier__area", department="carrier__department", industry="carrier__focus_industry"
    )

    class Meta:
        ordering = ["carrier", "floor", "unit"]
        verbose_name = "楼层单元"
        verbose_name_plural = "楼层单元"

    def __str__(self) -> str:
        return f"{self.carrier.name} {self.floor}{self.unit}"


class Tenancy(models.Model):
    """An enterprise in a carrier: leased area, move-in and move-out (history kept). For an
    incubator: the incubated firm's entry and graduation (``graduated``)."""

    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="tenancies", verbose_name="载体"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="tenancies", verbose_name="企业"
    )
    space = models.ForeignKey(Space, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="单元")
    area_m2 = models.DecimalField("租用面积（㎡）", max_digits=10, decimal_places=2, default=Decimal(0))
    move_in = models.DateField("入驻日期")
    move_out = models.DateField("迁出日期", null=True, blank=True)
    graduated = models.BooleanField("毕业", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    SCOPE = scope.Anchors(enterprise="enterprise")

    class Meta:
        ordering = ["carrier", "-move_in"]
        verbose_name = "入驻企业"
        verbose_name_plural = "入驻企业"

    def __str__(self) -> str:
        return f"{self.carrier.name}：{self.enterprise.name}"

    def is_current(self, on: dt.date) -> bool:
        return self.move_in <= on and (self.move_out is None or self.move_out > on)


class Basis(models.TextChoices):
    TOTAL = "total", "全口径"
    DISTRICT = "district", "区级"


class CarrierSettings(models.Model):
    """The building-economy settings (one row): the tax basis of tiers and rankings, the tier
    thresholds and how near the next tier a candidate is."""

    basis = models.CharField("税收口径", max_length=10, choices=Basis.choices, default=Basis.TOTAL)
    yi_fen = models.BigIntegerField("亿元楼门槛（分）", default=100_000_000 * 100)
    qianwan_fen = models.BigIntegerField("千万元楼门槛（分）", default=10_000_000 * 100)
    candidate_pct = models.DecimalField(
        "培育对象距离（%）", max_digits=5, decimal_places=2, default=Decimal(20)
    )
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE = scope.Anchors(everyone=True)

    class Meta:
        verbose_name = "楼宇经济设置"

    def __str__(self) -> str:
        return "楼宇经济设置"

    @classmethod
    def current(cls) -> CarrierSettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls()


class RentRule(models.Model):
    """A 租税联动 rule as data: support = ``pct``% of the tenant's district-level tax increment
    over ``base_year``, capped per m² leased and per firm, for key-industry firms leasing at least
    ``min_area_m2``."""

    name = models.CharField("名称", max_length=100, unique=True)
    base_year = models.PositiveIntegerField("基准年度")
    pct = models.DecimalField("支持比例（%）", max_digits=5, decimal_places=2)
    cap_per_m2_yuan = models.DecimalField("每平方米上限（元/㎡）", max_digits=10, decimal_places=2)
    cap_per_firm_fen = models.BigIntegerField("单个企业上限（分）")
    min_area_m2 = models.DecimalField(
        "最低租用面积（㎡）", max_digits=10, decimal_places=2, default=Decimal(0)
    )
    key_industry_only = models.BooleanField("仅限重点产业企业", default=True)
    industries = models.ManyToManyField(
        "registry.KeyIndustry", blank=True, related_name="+", verbose_name="限定产业（空 = 全部重点产业）"
    )
    active = models.BooleanField("启用", default=True)
    note = models.TextField("说明", blank=True)

    SCOPE = scope.Anchors(everyone=True)

    class Meta:
        ordering = ["-active", "name"]
        verbose_name = "租税联动规则"

    def __str__(self) -> str:
        return self.name


class MapLayer(models.Model):
    """Real sub-district boundaries loaded by an administrator (GeoJSON), shown instead of the
    schematic map. Offline: the file is stored in the database, nothing is fetched."""

    name = models.CharField("名称", max_length=100)
    geojson = models.JSONField("GeoJSON")
    active = models.BooleanField("启用", default=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    SCOPE = scope.Anchors(everyone=True)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = "地图边界"

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# The incubators' yearly evaluation


class Group(models.TextChoices):
    CAPACITY = "capacity", "服务能力"
    RESULTS = "results", "孵化成效"
    SUSTAIN = "sustain", "可持续发展"
    INNOVATION = "innovation", "创新服务"


class Source(models.TextChoices):
    MANUAL = "manual", "填报（附佐证）"
    FIRMS = "firms", "在孵企业数（户）"
    IN_DISTRICT = "in_district", "在区注册在孵企业数（户）"
    PAYING = "paying", "在区纳税在孵企业数（户）"
    TAX = "tax", "在孵企业区级税收（万元）"
    GROWTH = "growth", "在孵企业区级税收增长（%）"
    NEW = "new", "新注册在孵企业数（户）"
    GRADUATES = "graduates", "毕业企业数（户）"


class Scheme(models.Model):
    """One year's evaluation: grade thresholds, support per grade and its cap, the 公示 period."""

    year = models.PositiveIntegerField("年度", unique=True)
    grade_a = models.DecimalField("A 级分数线", max_digits=5, decimal_places=2, default=Decimal(85))
    grade_b = models.DecimalField("B 级分数线", max_digits=5, decimal_places=2, default=Decimal(70))
    grade_c = models.DecimalField("C 级分数线", max_digits=5, decimal_places=2, default=Decimal(60))
    support_a_fen = models.BigIntegerField("A 级支持（分）", default=600_000 * 100)
    support_b_fen = models.BigIntegerField("B 级支持（分）", default=400_000 * 100)
    support_c_fen = models.BigIntegerField("C 级支持（分）", default=200_000 * 100)
    cap_fen = models.BigIntegerField("支持上限（分）", default=600_000 * 100)
    publicity_days = models.PositiveIntegerField("公示期（工作日）", default=5)

    SCOPE = scope.Anchors(everyone=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "孵化器评价方案"

    def __str__(self) -> str:
        return f"{self.year} 年度孵化器绩效评价"

    def grade_for(self, score: Decimal) -> str:
        if score >= self.grade_a:
            return "A"
        if score >= self.grade_b:
            return "B"
        if score >= self.grade_c:
            return "C"
        return "D"

    def support_for(self, grade: str) -> int:
        amount = {"A": self.support_a_fen, "B": self.support_b_fen, "C": self.support_c_fen}.get(grade, 0)
        return min(amount, self.cap_fen)


class Indicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    group = models.CharField("类别", max_length=12, choices=Group.choices)
    name = models.CharField("指标", max_length=100)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=2)
    full_at = models.DecimalField("满分值", max_digits=14, decimal_places=2)
    source = models.CharField("取值方式", max_length=12, choices=Source.choices, default=Source.MANUAL)
    unit = models.CharField("单位", max_length=20, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    SCOPE = scope.Anchors(everyone=True)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        verbose_name = "评价指标"

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "填报中"
    SCORED = "scored", "已评分"
    PUBLICITY = "publicity", "公示中"
    FINAL = "final", "已确定"


class Evaluation(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="evaluations")
    incubator = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="evaluations")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等级", max_length=2, blank=True)
    support_fen = models.BigIntegerField("支持金额（分）", default=0)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    objection = models.TextField("公示异议", blank=True)
    finalized_at = models.DateTimeField("确定时间", null=True, blank=True)

    SCOPE = scope.Anchors(
        area="incubator__area", department="incubator__department", industry="incubator__focus_industry"
    )

    class Meta:
        ordering = ["scheme", "-score"]
        unique_together = [("scheme", "incubator")]
        verbose_name = "孵化器评价"

    def __str__(self) -> str:
        return f"{self.incubator.name} {self.scheme.year} 年度评价"


class IndicatorValue(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField("数值", max_digits=14, decimal_places=2, null=True, blank=True)
    evidence = models.CharField("佐证材料", max_length=300, blank=True)
    prefilled = models.BooleanField("系统预填", default=False)

    SCOPE = scope.Anchors(
        area="evaluation__incubator__area",
        department="evaluation__incubator__department",
        industry="evaluation__incubator__focus_industry",
    )

    class Meta:
        unique_together = [("evaluation", "indicator")]
        verbose_name = "指标值"

    def __str__(self) -> str:
        return f"{self.indicator.name}={self.value}"
