"""The industrial policy system (产业政策 "3+5+X"): policy documents, their clauses, awards (兑现) per
enterprise and clause, and the breaches of an award's conditions (违约追回).

- :class:`Policy` — a policy document (文号, title, 普惠/专项/配套, issuing department, validity, round);
- :class:`Clause` — one support measure of a policy (条款): support type, amount rule, cap,
  eligibility conditions as data (:mod:`peiyu.policies.rules`), the conditions attached to an
  award (stay registered for N years, keep paying tax) and the budget;
- :class:`Award` — one application / 免申即享 listing / ledger row for an enterprise and a clause,
  money in integer fen; its approval steps run on a tracked item (kind ``policies.award``);
- :class:`Breach` — an award's condition found broken by the monthly check, with the amount to
  recover; followed up on a tracked item (kind ``policies.clawback``) of the issuing department.

Scope: a policy hangs off its issuing department and (专项) its key industry, and 普惠 policies are
readable by every user with an enterprise scope; awards and breaches hang off the enterprise (a
department sees the recipients of its policies within its enterprise scope).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peiyu.accounts import scope


class PolicyKind(models.TextChoices):
    GENERAL = "general", "普惠政策"
    INDUSTRY = "industry", "专项政策"
    SUPPORTING = "supporting", "配套文件"


class SupportType(models.TextChoices):
    REWARD = "reward", "奖励"
    SUBSIDY = "subsidy", "补贴"
    RENT = "rent", "租金支持"
    INTEREST = "interest", "贴息"
    TALENT = "talent", "人才支持"
    OTHER = "other", "其他"


def _general_rule(s: scope.Scope, prefix: str = "") -> Q:
    """普惠 policies are public within the administration: every user with any enterprise scope."""
    if s.is_empty and not s.department_ids:
        return Q(pk__in=[])
    return Q(**{f"{prefix}kind": PolicyKind.GENERAL})


class Policy(models.Model):
    SCOPE = scope.Anchors(department="department", industry="key_industry", rule=_general_rule)

    name = models.CharField("政策名称", max_length=200, unique=True)
    doc_number = models.CharField("文号", max_length=80, blank=True)
    kind = models.CharField("类别", max_length=12, choices=PolicyKind.choices, default=PolicyKind.GENERAL)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name="主管部门",
    )
    key_industry = models.ForeignKey(
        "registry.KeyIndustry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policies",
        verbose_name="重点产业",
    )
    round = models.CharField("政策轮次", max_length=60, blank=True, db_index=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期止", null=True, blank=True)
    budget_fen = models.BigIntegerField("年度预算（分）", null=True, blank=True)
    summary = models.TextField("要点", blank=True)
    from_ledger = models.BooleanField("由兑现台账导入生成（待完善）", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "产业政策"
        ordering = ["round", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    def valid_in(self, year: int) -> bool:
        if self.valid_from and self.valid_from.year > year:
            return False
        return not (self.valid_to and self.valid_to.year < year)


class Clause(models.Model):
    SCOPE = scope.Anchors(
        department="policy__department",
        industry="policy__key_industry",
        rule=lambda s: _general_rule(s, "policy__"),
    )

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses", verbose_name="政策")
    number = models.CharField("条款号", max_length=30, blank=True)
    title = models.CharField("条款", max_length=200)
    support_type = models.CharField(
        "支持方式", max_length=12, choices=SupportType.choices, default=SupportType.REWARD
    )
    amount_rule = models.CharField("金额规则", max_length=300, blank=True)
    fixed_fen = models.BigIntegerField("定额（分）", null=True, blank=True)
    rate_pct = models.DecimalField(
        "按上年区级税收比例（%）", max_digits=7, decimal_places=3, null=True, blank=True
    )
    cap_fen = models.BigIntegerField("单户上限（分）", null=True, blank=True)
    budget_fen = models.BigIntegerField("年度预算（分）", null=True, blank=True)
    #: eligibility as data: [{"field": "tax_last_year", "op": ">=", "value": 100000000}, …]
    conditions = models.JSONField("申报条件", default=list, blank=True)
    other_requirements = models.CharField("其他条件（数据无法判断）", max_length=300, blank=True)
    auto = models.BooleanField("免申即享", default=False)
    commitment_years = models.PositiveSmallIntegerField("承诺在区经营年限", default=0)
    require_tax = models.BooleanField("承诺期内持续纳税", default=False)
    from_ledger = models.BooleanField("由兑现台账导入生成（待完善）", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "政策条款"
        ordering = ["policy", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "title"], name="policies_clause_unique_title")
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} {self.number} {self.title}".replace("  ", " ")

    def amount_for(self, tax_last_year_fen: int) -> int:
        """The amount the rule gives for a firm with this district-level tax last year (fen)."""
        amount = 0
        if self.fixed_fen:
            amount += int(self.fixed_fen)
        if self.rate_pct is not None:
            amount += int(max(tax_last_year_fen, 0) * self.rate_pct / 100)
        if self.cap_fen is not None:
            amount = min(amount, int(self.cap_fen))
        return max(amount, 0)


class AwardStatus(models.TextChoices):
    ELIGIBLE = "eligible", "待企业确认"
    SUBMITTED = "submitted", "待审核"
    PUBLICITY = "publicity", "公示中"
    APPROVED = "approved", "待拨付"
    PAID = "paid", "已兑现"
    REJECTED = "rejected", "不予支持"
    DECLINED = "declined", "企业放弃"


class AwardOrigin(models.TextChoices):
    APPLICATION = "application", "企业申请"
    AUTO = "auto", "免申即享"
    LEDGER = "ledger", "台账导入"


class Award(models.Model):
    SCOPE = scope.ENTERPRISE

    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="awards", verbose_name="条款")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="policy_awards", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("兑现年度", db_index=True)
    amount_fen = models.BigIntegerField("金额（分）")
    status = models.CharField("状态", max_length=12, choices=AwardStatus.choices, db_index=True)
    origin = models.CharField("来源", max_length=12, choices=AwardOrigin.choices)
    applied_on = models.DateField("申请/列入日期", null=True, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    paid_on = models.DateField("兑现日期", null=True, blank=True, db_index=True)
    basis = models.JSONField("符合条件的数据", default=dict, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    item = models.OneToOneField(
        "work.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="policy_award"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "政策兑现"
        ordering = ["-year", "-paid_on", "-id"]
        indexes = [models.Index(fields=["clause", "year"]), models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.clause.title}（兑现 #{self.pk}）"

    @property
    def policy(self) -> Policy:
        return self.clause.policy


class BreachKind(models.TextChoices):
    MOVED_OUT = "moved_out", "承诺期内迁出或注销"
    STOPPED_PAYING = "stopped_paying", "承诺期内停止纳税"


class Breach(models.Model):
    SCOPE = scope.Anchors(enterprise="award__enterprise")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="breaches", verbose_name="兑现")
    kind = models.CharField("违约情形", max_length=20, choices=BreachKind.choices)
    month = models.CharField("发现月份", max_length=7)
    found_on = models.DateField("发现日期", default=timezone.localdate)
    detail = models.CharField("说明", max_length=300, blank=True)
    recover_fen = models.BigIntegerField("应追回金额（分）")
    item = models.OneToOneField(
        "work.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="policy_breach"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "兑现条件违约"
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["award", "kind"], name="policies_breach_once")]

    def __str__(self) -> str:
        return f"兑现 #{self.award_id} {self.get_kind_display()}"
