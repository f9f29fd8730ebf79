"""Task forces at work (产业专班): one task force per key industry, its information reports
(信息报送), directed liaison (定向联络: the contact log; the liaison officer itself is
``registry.Enterprise.liaison``), the business-environment measures (营商环境方案: plan, numbered
measures, progress reports) and publicity (press conferences and campaigns).

Meetings (例会研商) live in the shared core :mod:`peiyu.meetings` (kind ``taskforce``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peiyu.accounts import scope


def _member_rule(path: str) -> Any:
    """Rows of task forces the scope's user leads or belongs to (``path`` leads to the TaskForce)."""

    def rule(sc: Any) -> Q:
        if sc.user_id is None:
            return Q(pk__in=[])
        prefix = f"{path}__" if path else ""
        return Q(**{f"{prefix}members": sc.user_id}) | Q(**{f"{prefix}leaders": sc.user_id})

    return rule


class TaskForce(models.Model):
    """产业专班: one per key industry, led jointly by district leaders, with member departments,
    member areas and named members."""

    SCOPE = scope.Anchors(industry="industry", department="departments", area="areas", rule=_member_rule(""))

    industry = models.OneToOneField(
        "registry.KeyIndustry", on_delete=models.PROTECT, related_name="taskforce", verbose_name="重点产业"
    )
    name = models.CharField("名称", max_length=100, unique=True)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_taskforces", verbose_name="牵头区领导"
    )
    office = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="taskforce_offices",
        verbose_name="专班办公室（牵头部门）",
    )
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="taskforces", verbose_name="成员单位"
    )
    areas = models.ManyToManyField(
        "registry.Area", blank=True, related_name="taskforces", verbose_name="成员街镇"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taskforces", verbose_name="专班成员"
    )
    liaison_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="产业联络员（无街镇联络员时）",
    )
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "产业专班"
        ordering = ["industry__order", "id"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Information reports (信息报送)


class ReportTemplate(models.Model):
    """A periodic report units send to a task force: its fields, period and due day. Fields with a
    ``prefill`` source are filled by the system and never asked (the 2024 rules against duplicate
    form-filling)."""

    class Period(models.TextChoices):
        MONTHLY = "monthly", "月报"
        QUARTERLY = "quarterly", "季报"

    SCOPE = scope.Anchors(
        industry="taskforce__industry", department="taskforce__departments", rule=_member_rule("taskforce")
    )

    taskforce = models.ForeignKey(
        TaskForce, on_delete=models.CASCADE, related_name="report_templates", verbose_name="专班"
    )
    name = models.CharField("名称", max_length=100)
    period = models.CharField("周期", max_length=10, choices=Period.choices, default=Period.MONTHLY)
    due_workdays = models.PositiveSmallIntegerField("报送期限（期末后工作日）", default=5)
    fields = models.JSONField(
        "字段", default=list, help_text='[{"key", "label", "kind": text|number, "prefill": 来源或空}]'
    )
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name="报送部门"
    )
    areas = models.ManyToManyField("registry.Area", blank=True, related_name="+", verbose_name="报送街镇")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息报送模板"
        ordering = ["taskforce", "name"]

    def __str__(self) -> str:
        return f"{self.taskforce.name} · {self.name}"


class InfoReport(models.Model):
    """One unit's report for one period; its deadline and chasing are its tracked item
    (``taskforce.report``)."""

    SCOPE = scope.Anchors(
        industry="template__taskforce__industry",
        department="department",
        area="area",
        rule=_member_rule("template__taskforce"),
    )

    template = models.ForeignKey(
        ReportTemplate, on_delete=models.CASCADE, related_name="reports", verbose_name="模板"
    )
    period = models.CharField("期次", max_length=7, help_text="YYYY-MM（季报为季末月）")
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="报送部门",
    )
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="报送街镇",
    )
    due = models.DateField("报送期限")
    prefilled = models.JSONField("系统预填", default=dict, blank=True)
    values = models.JSONField("填报内容", default=dict, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.OneToOneField(
        "work.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="info_report"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "信息报送"
        ordering = ["-period", "template", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "period", "department", "area"], name="taskforce_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.name} {self.period} {self.unit_name}"

    @property
    def unit(self) -> Any:
        return self.department or self.area

    @property
    def unit_name(self) -> str:
        return str(self.unit) if self.unit is not None else ""

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_late(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.submitted_at is not None:
            return timezone.localtime(self.submitted_at).date() > self.due
        return today > self.due


# ---------------------------------------------------------------------------------------------
# Directed liaison (定向联络)


class ContactLog(models.Model):
    """One contact of a liaison officer with an enterprise."""

    class Method(models.TextChoices):
        VISIT = "visit", "上门走访"
        CALL = "call", "电话联系"
        MEETING = "meeting", "座谈会商"
        OTHER = "other", "其他"

    SCOPE = scope.Anchors(enterprise="enterprise", owner="user")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="contact_logs", verbose_name="企业"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_logs",
        verbose_name="联络员",
    )
    date = models.DateField("日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.VISIT)
    contact = models.CharField("企业联系人", max_length=60, blank=True)
    summary = models.TextField("情况")
    needs = models.TextField("企业诉求", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "联络记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.enterprise}"


# ---------------------------------------------------------------------------------------------
# Business-environment measures (营商环境方案)


SUPERVISORS = ("区发改委", "发改委", "普陀区发展和改革委员会")


def _plan_lead_rule(path: str) -> Any:
    """The plan's lead department (区发改委) sees and supervises every measure of the plan."""

    def rule(sc: Any) -> Q:
        if not sc.department_ids:
            return Q(pk__in=[])
        from peiyu.accounts.models import Department

        if (
            Department.objects.filter(pk__in=sc.department_ids)
            .filter(Q(name__in=SUPERVISORS) | Q(short_name__in=SUPERVISORS))
            .exists()
        ):
            return Q(pk__isnull=False)  # the 发改委 supervises every plan
        cond = Q(**{f"{path}lead_department__in": sc.department_ids})
        if path == "plan__":  # a co-operating unit sees the measures it works on
            cond |= Q(co_units__in=sc.department_ids)
        return cond

    return rule


class MeasurePlan(models.Model):
    """A version of the business-environment plan (e.g. 营商环境方案 4.0, 100 measures)."""

    SCOPE = scope.Anchors(everyone=True)

    name = models.CharField("名称", max_length=100, unique=True)
    version = models.CharField("版本", max_length=20, blank=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    issued = models.DateField("印发日期", null=True, blank=True)
    lead_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="牵头督办部门",
    )
    active = models.BooleanField("当前方案", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "营商环境方案"
        ordering = ["-active", "-issued", "-id"]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """One numbered measure: its block, responsible and co-operating units, KPI, deadline and the
    completion date with evidence. The status is computed (:mod:`peiyu.taskforce.measures`), never
    declared."""

    SCOPE = scope.Anchors(department="unit", rule=_plan_lead_rule("plan__"))

    plan = models.ForeignKey(
        MeasurePlan, on_delete=models.CASCADE, related_name="measures", verbose_name="方案"
    )
    number = models.CharField("编号", max_length=20)
    seq = models.PositiveIntegerField("排序", default=0)
    block = models.CharField("板块", max_length=100, blank=True)
    text = models.TextField("措施")
    unit = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="measures", verbose_name="责任单位"
    )
    co_units = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="co_measures", verbose_name="配合单位"
    )
    kpi = models.CharField("指标", max_length=300, blank=True)
    deadline = models.DateField("完成时限")
    done = models.DateField("完成日期", null=True, blank=True)
    evidence = models.TextField("佐证材料", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "营商环境措施"
        ordering = ["plan", "seq", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="taskforce_measure_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:40]}"

    def status(self, as_of: dt.date | None = None) -> str:
        from peiyu.taskforce.measures import status

        return status(self.deadline, self.done, as_of or timezone.localdate())

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "block": self.block,
            "text": self.text[:300],
            "unit": self.unit_id,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "done": self.done.isoformat() if self.done else None,
            "evidence": self.evidence[:300],
        }


class MeasureProgress(models.Model):
    """A progress report of a unit on one measure (the latest with a completion date sets ``done``)."""

    SCOPE = scope.Anchors(
        department="measure__unit", owner="reported_by", rule=_plan_lead_rule("measure__plan__")
    )

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="progress", verbose_name="措施"
    )
    date = models.DateField("报告日期")
    text = models.TextField("进展情况")
    done = models.DateField("完成日期", null=True, blank=True)
    evidence = models.TextField("佐证材料", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "措施进展"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.measure.number} {self.date}"


# ---------------------------------------------------------------------------------------------
# Publicity (宣传推介)


class PublicityEvent(models.Model):
    """A press conference or campaign on a key industry, and what followed it."""

    class Kind(models.TextChoices):
        PRESS = "press", "新闻发布会"
        CAMPAIGN = "campaign", "宣传活动"

    SCOPE = scope.Anchors(industry="industry", owner="created_by", rule=_member_rule("taskforce"))

    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PRESS)
    date = models.DateField("日期")
    theme = models.CharField("主题", max_length=200)
    industry = models.ForeignKey(
        "registry.KeyIndustry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="产业",
    )
    taskforce = models.ForeignKey(
        TaskForce,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publicity",
        verbose_name="专班",
    )
    policies = models.TextField("发布政策", blank=True)
    media = models.CharField("媒体", max_length=300, blank=True)
    inquiries = models.PositiveIntegerField("此后咨询（件）", default=0)
    applications = models.PositiveIntegerField("此后申报（件）", default=0)
    followups = models.TextField("后续情况", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "宣传推介"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.theme}"
