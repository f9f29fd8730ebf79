"""Key enterprises and early warnings (重点企业与预警), a closed loop.

- :class:`AlertSettings`: the one row of thresholds (key-enterprise rule, warning rules, overdue days),
  edited by administrators on the 预警规则 page; every change is audited.
- :class:`KeyEnterpriseOverride`: a manual addition to / removal from the key-enterprise list, with a
  reason, who and when (revoking keeps the row).
- :class:`Warning`: one warning of one rule for one enterprise. At most one *open* warning per
  enterprise × rule (database constraint); it is updated month after month while its condition holds.
- :class:`FollowUp`: a contact, call or visit recorded against a warning (date and notes).
- :class:`WarningEvent`: the warning's history (created, updated by a monthly run, every state change).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope


class Rule(models.TextChoices):
    YOY_DROP = "yoy_drop", "同比大幅下降"
    CONSECUTIVE_DECLINE = "consecutive_decline", "连续同比下降"
    STOPPED_PAYING = "stopped_paying", "停止缴税"
    MOVED_OUT = "moved_out", "迁出/注销迹象"
    SPIKE = "spike", "单月异常高额"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"
    INFO = "info", "提示"


SEVERITY_ORDER: dict[str, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}


class Status(models.TextChoices):
    NEW = "new", "新预警"
    ACKNOWLEDGED = "acknowledged", "已确认"
    FOLLOWING = "following", "跟进中"
    RESOLVED = "resolved", "已解决"
    DISMISSED = "dismissed", "已排除"


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.FOLLOWING)
CLOSED_STATUSES = (Status.RESOLVED, Status.DISMISSED)


class AlertSettings(models.Model):
    """Thresholds of the key-enterprise rule and of the warning rules (a single row, ``pk=1``)."""

    key_threshold_fen = models.BigIntegerField("重点企业门槛：近12个月区级税收（分）", default=100_000_000)
    key_window_months = models.PositiveSmallIntegerField("重点企业统计月数", default=12)
    top_n_per_industry = models.PositiveSmallIntegerField("每个重点产业前 N 名纳入", default=10)

    series_min_fen = models.BigIntegerField(
        "重要性门槛：近12个月区级税收低于此数（分）的企业不套用序列规则", default=10_000_000
    )

    yoy_drop_enabled = models.BooleanField("启用：同比大幅下降", default=True)
    yoy_drop_months = models.PositiveSmallIntegerField("同比下降：比较月数", default=3)
    yoy_drop_pct = models.PositiveSmallIntegerField("同比下降：降幅阈值（%）", default=30)
    yoy_drop_high_pct = models.PositiveSmallIntegerField("同比下降：高级别降幅（%）", default=50)

    decline_enabled = models.BooleanField("启用：连续同比下降", default=True)
    decline_months = models.PositiveSmallIntegerField("连续下降：连续月数", default=3)
    decline_min_pct = models.PositiveSmallIntegerField("连续下降：每月最小降幅（%）", default=0)

    stop_enabled = models.BooleanField("启用：停止缴税", default=True)
    stop_quiet_months = models.PositiveSmallIntegerField("停止缴税：无税月数", default=2)
    stop_paid_months = models.PositiveSmallIntegerField("停止缴税：此前连续缴税月数", default=6)

    moved_out_enabled = models.BooleanField("启用：迁出/注销迹象", default=True)
    moved_out_window_months = models.PositiveSmallIntegerField("迁出：近几个月有缴税", default=12)

    spike_enabled = models.BooleanField("启用：单月异常高额", default=True)
    spike_factor = models.PositiveSmallIntegerField("异常高额：倍数（× 前12个月中位数）", default=5)
    spike_window_months = models.PositiveSmallIntegerField("异常高额：中位数月数", default=12)

    overdue_days = models.PositiveSmallIntegerField("超期天数（无任何处理）", default=14)
    auto_resolve = models.BooleanField("条件消除后自动关闭新预警", default=True)

    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "预警规则设置"

    def __str__(self) -> str:
        return "预警规则设置"

    @classmethod
    def current(cls) -> AlertSettings:
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def rule_enabled(self, rule: str) -> bool:
        enabled: dict[str, bool] = {
            Rule.YOY_DROP: self.yoy_drop_enabled,
            Rule.CONSECUTIVE_DECLINE: self.decline_enabled,
            Rule.STOPPED_PAYING: self.stop_enabled,
            Rule.MOVED_OUT: self.moved_out_enabled,
            Rule.SPIKE: self.spike_enabled,
        }
        return enabled[rule]


SETTINGS_FIELDS = (
    "key_threshold_fen",
    "key_window_months",
    "top_n_per_industry",
    "series_min_fen",
    "yoy_drop_enabled",
    "yoy_drop_months",
    "yoy_drop_pct",
    "yoy_drop_high_pct",
    "decline_enabled",
    "decline_months",
    "decline_min_pct",
    "stop_enabled",
    "stop_quiet_months",
    "stop_paid_months",
    "moved_out_enabled",
    "moved_out_window_months",
    "spike_enabled",
    "spike_factor",
    "spike_window_months",
    "overdue_days",
    "auto_resolve",
)


class KeyEnterpriseOverride(models.Model):
    """A manual decision on the key-enterprise list. Active while ``revoked_at`` is empty."""

    SCOPE = scope.Anchors(enterprise="enterprise")

    class Kind(models.TextChoices):
        ADD = "add", "手工纳入"
        REMOVE = "remove", "手工移出"

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="key_overrides"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    reason = models.TextField("理由")
    created_at = models.DateTimeField("时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点企业手工调整"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_key_override",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.enterprise}"


class Warning(models.Model):
    SCOPE = scope.Anchors(enterprise="enterprise", owner="owner")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="warnings", verbose_name="企业"
    )
    rule = models.CharField("规则", max_length=30, choices=Rule.choices, db_index=True)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(
        "状态", max_length=15, choices=Status.choices, default=Status.NEW, db_index=True
    )
    first_month = models.CharField("首次触发月份", max_length=7)
    last_month = models.CharField("最近触发月份", max_length=7, db_index=True)
    evidence = models.JSONField("触发依据", default=dict)
    summary = models.CharField("说明", max_length=300, blank=True)
    # Still holding in the latest computed month. False once a monthly run finds the condition gone
    # ("条件已消除"); a closed warning whose episode is still running suppresses a duplicate.
    condition_holds = models.BooleanField("条件仍满足", default=True)
    cleared_month = models.CharField("条件消除月份", max_length=7, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_warnings",
        verbose_name="责任人",
    )
    owner_basis = models.CharField("责任人来源", max_length=20, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_activity_at = models.DateTimeField("最近处理时间", default=timezone.now, db_index=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField("关闭理由", blank=True)
    auto_closed = models.BooleanField("系统自动关闭", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["-last_month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "rule"],
                condition=models.Q(status__in=["new", "acknowledged", "following"]),
                name="one_open_warning_per_enterprise_rule",
            )
        ]
        indexes = [models.Index(fields=["status", "owner"]), models.Index(fields=["enterprise", "rule"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_rule_display()}（{self.last_month}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, days: int | None = None, now=None) -> bool:
        if not self.is_open:
            return False
        if days is None:
            days = AlertSettings.current().overdue_days
        now = now or timezone.now()
        return (now - self.last_activity_at).days >= days

    def overdue_days(self, days: int, now=None) -> int:
        now = now or timezone.now()
        return max(0, (now - self.last_activity_at).days - days)

    def snapshot(self) -> dict:
        return {
            "status": self.status,
            "owner": self.owner.username if self.owner is not None else None,
            "severity": self.severity,
            "last_month": self.last_month,
        }


class FollowUp(models.Model):
    SCOPE = scope.Anchors(enterprise="warning__enterprise")

    class Kind(models.TextChoices):
        CALL = "call", "电话联系"
        VISIT = "visit", "上门走访"
        MEETING = "meeting", "约谈/会商"
        OTHER = "other", "其他"

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField("方式", max_length=10, choices=Kind.choices, default=Kind.CALL)
    date = models.DateField("日期", default=timezone.localdate)
    contact = models.CharField("企业联系人", max_length=100, blank=True)
    note = models.TextField("情况记录")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "跟进记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class WarningEvent(models.Model):
    SCOPE = scope.Anchors(enterprise="warning__enterprise")

    class Kind(models.TextChoices):
        CREATED = "created", "生成预警"
        UPDATED = "updated", "月度更新"
        CLEARED = "cleared", "条件已消除"
        ACKNOWLEDGED = "acknowledged", "确认"
        FOLLOWUP = "followup", "跟进"
        RESOLVED = "resolved", "解决"
        DISMISSED = "dismissed", "排除"
        REASSIGNED = "reassigned", "转派"
        AUTO_CLOSED = "auto_closed", "自动关闭"

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField("时间", default=timezone.now)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    month = models.CharField("月份", max_length=7, blank=True)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警处理记录"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.time:%Y-%m-%d %H:%M}"
