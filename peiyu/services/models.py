"""Enterprise services (企业服务): one window for requests, visits, the listing pipeline, financing.

- :class:`Category`: request categories (空间/场地, 市场, 资金/融资, …) with their working-day limits
  (accept / first reply / resolve, and the green-channel limits) — data, edited by administrators.
- :class:`Request`: one enterprise request (诉求), received by phone, visit, online form, 12345
  transfer or a department, routed to a responsible unit (a department or a sub-district). Its
  status, owner and deadlines live on its tracked item (kind ``services.request``); the three
  deadlines are also kept here as dates (``accept_due``, ``reply_due``, ``resolve_due``).
- :class:`Feedback`: the enterprise's own reply on a request (满意 / 基本满意 / 不满意), received through
  the signed one-time link sent with the answer, or imported from the enterprise's replies; never
  typed by the handler. A dissatisfied reply reopens the request.
- :class:`Visit`: a visit record (走访) with findings and red flags.
- :class:`ListingSheet`: the listing pipeline's one sheet per enterprise (一企一表); its plan (一企一策)
  is tracked items of kind ``services.listing``.
- :class:`FinancingApplication`: 普会贷/信易贷 applications through the funnel.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from peiyu.accounts import scope


class Category(models.Model):
    """A request category with its working-day limits (reference data)."""

    SCOPE = scope.Anchors(everyone=True)

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    accept_days = models.PositiveSmallIntegerField("受理时限（工作日）", default=1)
    reply_days = models.PositiveSmallIntegerField("首次答复时限（工作日）", default=3)
    resolve_days = models.PositiveSmallIntegerField("办结时限（工作日）", default=15)
    extended_days = models.PositiveSmallIntegerField("复杂诉求延期上限（工作日）", default=30)
    green_accept_days = models.PositiveSmallIntegerField("绿色通道受理时限", default=1)
    green_reply_days = models.PositiveSmallIntegerField("绿色通道答复时限", default=2)
    green_resolve_days = models.PositiveSmallIntegerField("绿色通道办结时限", default=10)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求类别"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def limits(self, green: bool = False) -> tuple[int, int, int]:
        if green:
            return self.green_accept_days, self.green_reply_days, self.green_resolve_days
        return self.accept_days, self.reply_days, self.resolve_days


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "走访"
    ONLINE = "online", "线上表单"
    HOTLINE = "12345", "12345转办"
    DEPARTMENT = "department", "部门转来"
    IMPORT = "import", "台账导入"


class Status(models.TextChoices):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    RETURNED = "returned", "退回"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Request(models.Model):
    """One enterprise request (诉求). Status, owner and history are on :attr:`item`."""

    SCOPE = scope.Anchors(enterprise="enterprise", area="area", department="department", owner="handler")

    ref = models.CharField("编号", max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="service_requests", verbose_name="企业"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", verbose_name="类别"
    )
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices, default=Channel.PHONE)
    content = models.TextField("诉求内容")
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    received_at = models.DateTimeField("受理时间", default=timezone.now, db_index=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name="承办部门",
    )
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name="承办街道镇",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
        verbose_name="承办人（店小二）",
    )
    green = models.BooleanField("绿色通道", default=False)
    green_basis = models.CharField("绿色通道依据", max_length=60, blank=True)
    accept_due = models.DateField(
        "受理期限", null=True, blank=True
    )  # None: the calendar year is not known yet
    reply_due = models.DateField(
        "答复期限", null=True, blank=True
    )  # None: the calendar year is not known yet
    resolve_due = models.DateField(
        "办结期限", null=True, blank=True
    )  # None: the calendar year is not known yet
    extended = models.BooleanField("已延期", default=False)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    reopened = models.PositiveSmallIntegerField("重办次数", default=0)
    answer = models.TextField("答复内容", blank=True)
    reply_round = models.PositiveSmallIntegerField("答复轮次", default=0)
    satisfaction = models.CharField("最近评价", max_length=12, choices=Satisfaction.choices, blank=True)
    source_ref = models.CharField("来源编号", max_length=60, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.OneToOneField(
        "work.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="service_request"
    )

    class Meta:
        verbose_name = verbose_name_plural = "企业诉求"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ref} {self.enterprise.name}"

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._state.fields_cache.pop("item", None)

    @property
    def status(self) -> str:
        return self.item.status if self.item is not None else Status.RECEIVED

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def unit(self) -> Any:
        return self.department or self.area

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "handler": self.handler.username if self.handler_id and self.handler else None,
            "unit": str(self.unit) if self.unit else None,
            "resolve_due": self.resolve_due.isoformat() if self.resolve_due else None,
            "satisfaction": self.satisfaction,
        }


class RequestFile(models.Model):
    SCOPE = scope.Anchors(enterprise="request__enterprise", owner="uploaded_by")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("附件", upload_to="services/requests/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "诉求附件"

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    """The enterprise's own reply on one answer (round) of a request."""

    SCOPE = scope.Anchors(enterprise="request__enterprise")

    class Source(models.TextChoices):
        LINK = "link", "企业通过回访链接评价"
        IMPORT = "import", "导入企业回复"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="feedback")
    round = models.PositiveSmallIntegerField("答复轮次")
    result = models.CharField("评价", max_length=12, choices=Satisfaction.choices)
    comment = models.TextField("企业意见", blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业评价"
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["request", "round"], name="one_feedback_per_round")]

    def __str__(self) -> str:
        return f"{self.request.ref} 第{self.round}次答复：{self.get_result_display()}"


class RedFlag(models.TextChoices):
    MOVING_OUT = "moving_out", "拟迁出"
    LAYOFFS = "layoffs", "裁员"
    DIFFICULTY = "difficulty", "经营困难"
    EXPANSION = "expansion", "扩张需求（空间）"
    LISTING = "listing", "上市意向"


class Visit(models.Model):
    """A visit (走访) to an enterprise: when, who, whom, findings, red flags."""

    SCOPE = scope.Anchors(enterprise="enterprise", owner="visitor")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="service_visits", verbose_name="企业"
    )
    date = models.DateField("走访日期", db_index=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_visits",
        verbose_name="走访人",
    )
    visitor_name = models.CharField("走访人员", max_length=100, blank=True)
    met = models.CharField("接待人", max_length=100, blank=True)
    findings = models.TextField("走访情况")
    flags = models.JSONField("风险信号", default=list, blank=True)
    attachment = models.FileField("照片/附件", upload_to="services/visits/%Y/%m/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the enterprise's open warnings when the visit was recorded (their history shows the visit)
    warning_ids = models.JSONField("关联预警", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业走访"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} 走访 {self.enterprise.name}"

    def flag_labels(self) -> list[str]:
        labels = dict(RedFlag.choices)
        return [labels.get(f, f) for f in self.flags or []]


class ListingStage(models.TextChoices):
    NURTURE = "nurture", "培育"
    RESTRUCTURE = "restructure", "股改"
    TUTORING = "tutoring", "辅导"
    FILING = "filing", "申报"
    LISTED = "listed", "上市"


class ListingSheet(models.Model):
    """一企一表: an enterprise in the listing pipeline (改制上市培育库)."""

    SCOPE = scope.Anchors(enterprise="enterprise", owner="owner")

    enterprise = models.OneToOneField(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="listing_sheet", verbose_name="企业"
    )
    stage = models.CharField(
        "阶段", max_length=12, choices=ListingStage.choices, default=ListingStage.NURTURE
    )
    board = models.CharField("目标板块", max_length=40, blank=True)
    broker = models.CharField("券商", max_length=100, blank=True)
    law_firm = models.CharField("律所", max_length=100, blank=True)
    accountant = models.CharField("会计师事务所", max_length=100, blank=True)
    blockers = models.TextField("主要障碍", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listing_sheets",
        verbose_name="服务专员",
    )
    joined = models.DateField("入库日期", default=timezone.localdate)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "改制上市培育库"
        ordering = ["stage", "enterprise__name"]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.get_stage_display()}）"


class ListingSettings(models.Model):
    """Editable thresholds of the candidate suggestion (one row)."""

    min_tax_fen = models.BigIntegerField("近12个月区级税收不低于（分）", default=5_000_000_00)
    min_growth_pct = models.PositiveSmallIntegerField("同比增长不低于（%）", default=10)
    rnd_prefixes = models.JSONField("研发服务行业代码前缀", default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "上市培育候选门槛"

    def __str__(self) -> str:
        return "上市培育候选门槛"

    @classmethod
    def current(cls) -> ListingSettings:
        """The row, or the defaults (unsaved) until an administrator saves thresholds."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, rnd_prefixes=["73", "75"])


class Product(models.TextChoices):
    PUHUI = "puhuidai", "普会贷"
    XINYI = "xinyidai", "信易贷"
    OTHER = "other", "其他"


class FinancingStage(models.TextChoices):
    APPLIED = "applied", "已申请"
    MATCHED = "matched", "已对接"
    SIGNED = "signed", "已签约"
    GRANTED = "granted", "已放款"
    DECLINED = "declined", "未成功"


FUNNEL = (FinancingStage.APPLIED, FinancingStage.MATCHED, FinancingStage.SIGNED, FinancingStage.GRANTED)


class FinancingApplication(models.Model):
    """A financing application (企业身边金融管家: 普会贷 / 信易贷)."""

    SCOPE = scope.Anchors(enterprise="enterprise", owner="created_by")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="financing", verbose_name="企业"
    )
    product = models.CharField("产品", max_length=12, choices=Product.choices)
    bank = models.CharField("银行", max_length=60)
    amount_asked_fen = models.BigIntegerField("申请金额（分）")
    amount_granted_fen = models.BigIntegerField("授信/放款金额（分）", null=True, blank=True)
    stage = models.CharField(
        "进度", max_length=10, choices=FinancingStage.choices, default=FinancingStage.APPLIED
    )
    applied_on = models.DateField("申请日期", db_index=True)
    matched_on = models.DateField("对接日期", null=True, blank=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    granted_on = models.DateField("放款日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "融资申请"
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.get_product_display()}"


class ServiceEvent(models.Model):
    """A salon by theme (主题沙龙), a 银企对接 event or another service event; its attendees are
    :class:`EventAttendance` rows and its follow-ups tracked items (kind ``services.followup``)."""

    SCOPE = scope.Anchors(area="area", owner="created_by")

    class Kind(models.TextChoices):
        SALON = "salon", "主题沙龙"
        BANK = "bank", "银企对接会"
        POLICY = "policy", "政策宣讲会"
        OTHER = "other", "其他活动"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SALON)
    theme = models.CharField("主题", max_length=200)
    date = models.DateField("日期", db_index=True)
    location = models.CharField("地点", max_length=200, blank=True)
    area = models.ForeignKey(
        "registry.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_events",
        verbose_name="主办街道镇",
    )
    organiser = models.CharField("主办单位", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "服务活动"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.theme}"


class EventAttendance(models.Model):
    SCOPE = scope.Anchors(enterprise="enterprise", owner="created_by")

    event = models.ForeignKey(ServiceEvent, on_delete=models.CASCADE, related_name="attendances")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="service_events"
    )
    note = models.CharField("对接情况", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "活动参会企业"
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="one_attendance_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.enterprise}"
