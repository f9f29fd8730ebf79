"""Investment attraction (大招商): teams, projects with a stage and a status, anchor firms, funds and
cross-regional co-operation events.

Stage (how far a project has come: 线索 → 接洽 → 在谈 → 签约 → 注册落地 → 纳税) and status (how it is
going: 正常 / 延期 / 停滞 / 流失 / 终止) are separate, as in the UK Data Hub. The gates, who may move
what and the automatic 纳税 stage live in :mod:`peiyu.attraction.stages`.

Scope: a team's members and its leader see the team's projects; a sub-district sees the projects
that land or plan to land in its area; an industry's officers their industry's projects; the
投促办 (investment promotion office, a department) sees everything.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peiyu.accounts import scope

OFFICE_WORDS = ("投促", "投资促进")


def office_department_ids() -> set[int]:
    """The departments that are the 投促办 (named 区投促办 / 投资促进办公室 or short 投促办)."""
    from peiyu.accounts.models import Department

    cond = Q()
    for w in OFFICE_WORDS:
        cond |= Q(name__contains=w) | Q(short_name__contains=w)
    return set(Department.objects.filter(cond).values_list("id", flat=True))


def _is_office_scope(s: scope.Scope) -> bool:
    return bool(s.department_ids) and bool(set(s.department_ids) & office_department_ids())


def _team_ids_of(user_id: int) -> Any:
    return Team.objects.filter(Q(members=user_id) | Q(leader=user_id)).values("pk")


def project_rule(s: scope.Scope) -> Q:
    """Team members and the team leader see (and act on) their team's projects; the 投促办 all."""
    if s.user_id is None:
        return Q(pk__in=[])
    if _is_office_scope(s):
        return Q(pk__isnull=False)
    return Q(team__in=_team_ids_of(s.user_id))


def _via_project(s: scope.Scope) -> Q:
    return Q(project__in=scope.restrict(s, Project.objects.all()).values("pk"))


class Team(models.Model):
    """One of the district's attraction teams (招商小组), led by a district leader."""

    SCOPE = scope.Anchors(everyone=True)  # names and counts are shared; changes need attraction.manage

    name = models.CharField("小组名称", max_length=60, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_attraction_teams",
        verbose_name="牵头区领导",
    )
    leader_title = models.CharField("牵头领导职务", max_length=60, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="attraction_teams", verbose_name="成员"
    )
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="attraction_teams", verbose_name="成员单位"
    )
    order = models.PositiveIntegerField("排序", default=0)
    target_signed = models.PositiveIntegerField("年度签约项目目标（个）", default=0)
    target_landed = models.PositiveIntegerField("年度落地项目目标（个）", default=0)
    target_invest_fen = models.BigIntegerField("年度签约投资额目标（分）", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "招商小组"

    def __str__(self) -> str:
        return self.name


class AnchorFirm(models.Model):
    """A chain anchor (链主企业) the district attracts upstream / downstream / peer firms around."""

    SCOPE = scope.Anchors(everyone=True)

    name = models.CharField("链主企业", max_length=200, unique=True)
    industry = models.ForeignKey(
        "registry.KeyIndustry", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="重点产业"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "链主企业"

    def __str__(self) -> str:
        return self.name


class Fund(models.Model):
    """A fund that brings projects (基金—基金—基地)."""

    SCOPE = scope.Anchors(everyone=True)

    name = models.CharField("基金名称", max_length=200, unique=True)
    manager = models.CharField("管理机构", max_length=200, blank=True)
    size_fen = models.BigIntegerField("基金规模（分）", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "基金"

    def __str__(self) -> str:
        return self.name


class CooperationEvent(models.Model):
    """A cross-regional co-operation event (长三角 / 沿沪宁产业创新带): a conference, a signing ceremony."""

    SCOPE = scope.Anchors(everyone=True)

    class Kind(models.TextChoices):
        CONFERENCE = "conference", "推介会/峰会"
        SIGNING = "signing", "集中签约仪式"
        VISIT = "visit", "考察交流"
        OTHER = "other", "其他"

    name = models.CharField("活动名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.CONFERENCE)
    date = models.DateField("日期")
    city = models.CharField("合作城市/地区", max_length=60, blank=True)
    institution = models.CharField("合作机构", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = "区域合作活动"

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Stage(models.TextChoices):
    LEAD = "lead", "线索"
    CONTACT = "contact", "接洽"
    TALKS = "talks", "在谈"
    SIGNED = "signed", "签约"
    LANDED = "landed", "注册落地"
    TAXPAYING = "taxpaying", "纳税"


class Status(models.TextChoices):
    NORMAL = "normal", "正常"
    DELAYED = "delayed", "延期"
    STALLED = "stalled", "停滞"
    LOST = "lost", "流失"
    ENDED = "ended", "终止"


class Channel(models.TextChoices):
    PERSONAL = "personal", "人脉"
    AGENCY = "agency", "机构/中介"
    PLATFORM = "platform", "平台/展会"
    REFERRAL = "referral", "以商引商"
    CHAIN = "chain", "产业链"
    FUND = "fund", "基金"


class ChainPosition(models.TextChoices):
    UPSTREAM = "upstream", "上游"
    DOWNSTREAM = "downstream", "下游"
    PEER = "peer", "同类"


class Project(models.Model):
    """An attraction project of one team."""

    SCOPE = scope.Anchors(enterprise="enterprise", industry="industry", area="area", rule=project_rule)

    name = models.CharField("项目名称", max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects", verbose_name="招商小组")
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.LEAD, db_index=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NORMAL)
    status_reason = models.CharField("状态原因", max_length=300, blank=True)
    lost_to = models.CharField("流失去向", max_length=100, blank=True)

    channel = models.CharField("渠道", max_length=12, choices=Channel.choices, blank=True)
    source_enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_projects",
        verbose_name="以商引商来源企业",
    )
    anchor = models.ForeignKey(
        AnchorFirm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="链主企业",
    )
    chain_position = models.CharField("产业链位置", max_length=12, choices=ChainPosition.choices, blank=True)
    fund = models.ForeignKey(
        Fund, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects", verbose_name="基金"
    )
    partner_city = models.CharField("合作城市", max_length=60, blank=True)
    partner_institution = models.CharField("合作机构", max_length=200, blank=True)
    event = models.ForeignKey(
        CooperationEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="签约活动",
    )

    # 在谈 gate
    investor = models.CharField("投资方", max_length=200, blank=True)
    invest_fen = models.BigIntegerField("计划投资额（分）", null=True, blank=True)
    industry = models.ForeignKey(
        "registry.KeyIndustry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attraction_projects",
        verbose_name="产业",
    )
    space_need = models.CharField("空间需求", max_length=200, blank=True)
    # 签约 gate
    signed_on = models.DateField("签约日期", null=True, blank=True)
    agreement_terms = models.TextField("协议主要条款", blank=True)
    promised_tax_fen = models.BigIntegerField("承诺年税收（分）", null=True, blank=True)
    # 注册落地 gate
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attraction_projects",
        verbose_name="落地企业",
    )
    area = models.ForeignKey(
        "registry.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attraction_projects",
        verbose_name="落地街道镇",
    )
    registered_on = models.DateField("注册落地日期", null=True, blank=True)
    estimated_landing = models.DateField("预计落地日期", null=True, blank=True)

    # counting rules (三明 rules): a capital increase counts only the increase, a move within the
    # district is not a new project
    is_capital_increase = models.BooleanField("存量企业增资", default=False)
    increase_fen = models.BigIntegerField("增资额（分）", null=True, blank=True)
    is_relocation = models.BooleanField("区内企业迁址（不计新项目）", default=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicate_claims",
        verbose_name="重复申报（计入项目）",
    )
    credit_awarded = models.BooleanField("投促办认定计入", default=False)

    # from the tax library (registered analytics query, refreshed after every tax import)
    first_tax_month = models.CharField("首次纳税月份", max_length=7, blank=True)
    tax12_fen = models.BigIntegerField("首12个月区级税收（分）", null=True, blank=True)
    tax_by_year = models.JSONField("落地后第1—3年区级税收（分）", default=list, blank=True)
    tax_checked_at = models.DateTimeField("税收核对时间", null=True, blank=True)

    missing_fields = models.JSONField("待补充字段", default=list, blank=True)
    entered_on = models.DateField("登记日期", default=timezone.localdate)
    entered_at = models.DateTimeField("录入时间", default=timezone.now)
    last_followup = models.DateField("最近跟进", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__order", "-entered_on", "id"]
        verbose_name = "招商项目"

    def __str__(self) -> str:
        return self.name

    @property
    def is_credited(self) -> bool:
        return self.duplicate_of_id is None and not self.is_relocation

    @property
    def credited_invest_fen(self) -> int:
        if self.is_capital_increase:
            return int(self.increase_fen or 0)
        return int(self.invest_fen or 0)


class StageLog(models.Model):
    """Every stage change of a project (who, when, from, to; automatic for 纳税)."""

    SCOPE = scope.Anchors(rule=_via_project)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_logs")
    from_stage = models.CharField("原阶段", max_length=12, blank=True)
    to_stage = models.CharField("新阶段", max_length=12)
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    automatic = models.BooleanField("系统自动", default=False)
    reason = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "阶段变更记录"

    def __str__(self) -> str:
        def lab(code: str) -> str:
            return str(Stage(code).label) if code in Stage.values else (code or "—")

        return f"{lab(self.from_stage)} → {lab(self.to_stage)}"


class FollowUp(models.Model):
    """A follow-up on a project (visit, call, talks); a problem that needs coordination is flagged
    and goes to the dispatch meeting."""

    SCOPE = scope.Anchors(rule=_via_project)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="followups")
    date = models.DateField("日期", default=timezone.localdate)
    text = models.TextField("跟进情况")
    problem = models.TextField("需协调解决的问题", blank=True)
    resolved = models.BooleanField("问题已解决", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "项目跟进"

    def __str__(self) -> str:
        return f"{self.date} {self.text[:30]}"
