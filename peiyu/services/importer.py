"""Imports of enterprise services, on the kit (:mod:`peiyu.core.imports`): the request ledger
(``peiyu import-requests``), visit records (``peiyu import-visits``) and the enterprises' own
replies to the satisfaction call-back (``peiyu import-feedback``). All or nothing per file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone

from peiyu.accounts.departments import Resolver
from peiyu.core.imports import Field, Importer, ImportReport, Refused, Row, cells
from peiyu.services import actions
from peiyu.services import audit_actions as A
from peiyu.services.models import Category, Channel, RedFlag, Request, Satisfaction, Status


def _aware(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time(9, 0)))


def _enterprises(codes: set[str]) -> dict[str, Any]:
    from peiyu.registry.models import Enterprise

    return {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}


@dataclass
class RequestReport(ImportReport):
    created: int = 0
    closed: int = 0
    skipped: int = 0
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "closed", "skipped")
    COUNT_LABELS: ClassVar[dict[str, str]] = {
        "created": "新增诉求",
        "closed": "其中已办结",
        "skipped": "编号已存在（跳过）",
    }


CHANNELS = {label: code for code, label in Channel.choices}
CHANNEL_SYNONYMS = {
    "电话受理": "电话",
    "来电": "电话",
    "上门": "走访",
    "网上": "线上表单",
    "线上": "线上表单",
    "12345": "12345转办",
    "热线": "12345转办",
    "部门转办": "部门转来",
}


class RequestImporter(Importer):
    kind = "services.requests"
    title = "企业诉求台账"
    audit_action = A.REQUESTS_IMPORT
    report_class = RequestReport
    fields: ClassVar[list[Field]] = [
        Field("ref", "编号", synonyms=["诉求编号", "工单号", "序号"]),
        Field(
            "credit_code",
            "统一社会信用代码",
            synonyms=["信用代码", "社会信用代码"],
            required=True,
            parse=cells.credit_code,
        ),
        Field("name", "企业名称", synonyms=["企业", "单位名称"]),
        Field(
            "received",
            "受理时间",
            synonyms=["受理日期", "登记时间", "来件时间"],
            required=True,
            parse=cells.date(not_after=None),
        ),
        Field(
            "category",
            "诉求类别",
            synonyms=["类别", "诉求类型", "问题类型"],
            required=True,
            parse="parse_category",
            cache=True,
        ),
        Field(
            "content",
            "诉求内容",
            synonyms=["内容", "诉求事项", "问题描述"],
            required=True,
            parse=cells.text(max_length=4000),
        ),
        Field(
            "unit", "承办单位", synonyms=["责任单位", "办理单位", "承办部门"], parse="parse_unit", cache=True
        ),
        Field(
            "channel",
            "受理渠道",
            synonyms=["渠道", "来源"],
            parse=cells.choice(CHANNELS, synonyms=CHANNEL_SYNONYMS, label="受理渠道"),
        ),
        Field("closed", "办结时间", synonyms=["办结日期", "完成时间"], parse=cells.date(not_after=None)),
        Field("answer", "办理结果", synonyms=["答复内容", "办结情况"]),
    ]

    def prepare(self) -> None:
        actions.ensure_categories()
        self.categories = {c.name: c for c in Category.objects.all()}
        for c in list(self.categories.values()):
            for alias in c.name.split("/"):
                self.categories.setdefault(alias, c)
        self.resolver = Resolver()
        from peiyu.registry.models import Area

        self.areas = {a.name: a for a in Area.objects.all()}

    def parse_category(self, raw: Any) -> Category:
        text = str(raw or "").strip()
        cat = self.categories.get(text)
        if cat is None:
            raise cells.CellError(
                f"诉求类别“{text}”不在类别表中（{'、'.join(c.name for c in Category.objects.all())}）"
            )
        return cat

    def parse_unit(self, raw: Any) -> Any:
        text = str(raw or "").strip()
        if not text:
            return None
        if text in self.areas:
            return self.areas[text]
        dept = self.resolver.resolve(text)
        if dept is None:
            raise cells.CellError(self.resolver.unknown_message(text))
        return dept

    def clean_all(self, items: list[Any]) -> list[Any]:
        ents = _enterprises({i["credit_code"] for i in items})
        errors = []
        for i in items:
            i["enterprise"] = ents.get(i["credit_code"])
            if i["enterprise"] is None:
                errors.append(
                    {
                        "row": i["row"],
                        "column": "统一社会信用代码",
                        "value": i["credit_code"],
                        "message": "名录中没有该企业，请先导入企业名录",
                    }
                )
            if i["closed"] and i["closed"] < i["received"]:
                errors.append(
                    {
                        "row": i["row"],
                        "column": "办结时间",
                        "value": str(i["closed"]),
                        "message": "办结时间早于受理时间",
                    }
                )
        if errors:
            raise Refused("有行无法导入，整表未导入", errors=errors)
        return items

    def clean(self, row: Row) -> Any:
        return {"row": row.number, **row.values}

    def store(self, items: list[Any], report: ImportReport) -> None:
        from peiyu.accounts.models import Department
        from peiyu.work import actions as work

        assert isinstance(report, RequestReport)
        existing = set(
            Request.objects.filter(ref__in=[i["ref"] for i in items if i["ref"]]).values_list(
                "ref", flat=True
            )
        )
        for i in items:
            ref = str(i["ref"] or "").strip()
            if ref and ref in existing:
                report.skipped += 1
                continue
            unit = i["unit"]
            try:
                req = actions.do_create_request(
                    self.user,
                    i["enterprise"],
                    category=i["category"],
                    content=i["content"],
                    channel=i["channel"] or Channel.IMPORT,
                    received_at=_aware(i["received"]),
                    department=unit if isinstance(unit, Department) else None,
                    area=None if isinstance(unit, Department) else unit,
                    ref=ref,
                    source_ref=ref,
                    reason=self.reason(i["row"]),
                    request=self.request,
                )
            except actions.ActionError as exc:
                raise Refused(
                    f"第 {i['row']} 行：{exc}",
                    errors=[{"row": i["row"], "column": "", "value": "", "message": str(exc)}],
                ) from None
            existing.add(req.ref)
            report.created += 1
            if i["closed"]:
                when = _aware(i["closed"])
                assert req.item is not None
                for step in (Status.ACCEPTED, Status.REPLIED, Status.CLOSED):
                    work.apply_transition(
                        req.item,
                        step,
                        by=self.user,
                        note=str(i["answer"] or "台账导入：已办结"),
                        now=when,
                        force=True,
                        touch=False,
                    )
                Request.objects.filter(pk=req.pk).update(answer=str(i["answer"] or ""), reply_round=1)
                report.closed += 1


@dataclass
class VisitReport(ImportReport):
    created: int = 0
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created",)
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增走访"}


FLAG_WORDS = {label: code for code, label in RedFlag.choices} | {
    "扩张需求": RedFlag.EXPANSION,
    "空间需求": RedFlag.EXPANSION,
    "迁出": RedFlag.MOVING_OUT,
}


def parse_flags(raw: Any) -> list[str]:
    out = []
    for word in cells.split_list(raw) if raw not in (None, "") else []:
        code = FLAG_WORDS.get(str(word).strip())
        if code is None:
            raise cells.CellError(
                f"风险信号“{word}”无效（可填：{'、'.join(label for _, label in RedFlag.choices)}）"
            )
        out.append(code)
    return out


class VisitImporter(Importer):
    kind = "services.visits"
    title = "企业走访记录"
    audit_action = A.VISITS_IMPORT
    report_class = VisitReport
    fields: ClassVar[list[Field]] = [
        Field(
            "credit_code", "统一社会信用代码", synonyms=["信用代码"], required=True, parse=cells.credit_code
        ),
        Field("name", "企业名称", synonyms=["企业"]),
        Field("date", "走访日期", synonyms=["日期", "走访时间"], required=True, parse=cells.date()),
        Field("visitor", "走访人", synonyms=["走访人员", "走访干部"]),
        Field("met", "接待人", synonyms=["企业接待人", "座谈对象"]),
        Field("findings", "走访情况", synonyms=["走访内容", "情况记录", "发现问题"], required=True),
        Field("flags", "风险信号", synonyms=["预警信号", "红旗"], parse=parse_flags),
    ]

    def clean(self, row: Row) -> Any:
        return {"row": row.number, **row.values}

    def clean_all(self, items: list[Any]) -> list[Any]:
        ents = _enterprises({i["credit_code"] for i in items})
        errors = [
            {
                "row": i["row"],
                "column": "统一社会信用代码",
                "value": i["credit_code"],
                "message": "名录中没有该企业",
            }
            for i in items
            if i["credit_code"] not in ents
        ]
        if errors:
            raise Refused("有行无法导入，整表未导入", errors=errors)
        for i in items:
            i["enterprise"] = ents[i["credit_code"]]
        return items

    def store(self, items: list[Any], report: ImportReport) -> None:
        assert isinstance(report, VisitReport)
        for i in items:
            actions.do_record_visit(
                self.user,
                i["enterprise"],
                date=i["date"],
                findings=str(i["findings"]),
                flags=i["flags"] or [],
                met=str(i["met"] or ""),
                visitor_name=str(i["visitor"] or ""),
                request=self.request,
            )
            report.created += 1


@dataclass
class FeedbackReport(ImportReport):
    recorded: int = 0
    reopened: int = 0
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("recorded", "reopened")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"recorded": "记录企业评价", "reopened": "不满意重新办理"}


SATISFACTION = {label: code for code, label in Satisfaction.choices}


class FeedbackImporter(Importer):
    """The enterprises' own replies, as exported by the call-back channel (e.g. the 12345 回访
    system or the SMS platform): one row per reply, naming the request and the answer round."""

    kind = "services.feedback"
    title = "企业回访评价（企业本人回复）"
    audit_action = A.FEEDBACK_IMPORT
    report_class = FeedbackReport
    fields: ClassVar[list[Field]] = [
        Field("ref", "诉求编号", synonyms=["编号", "工单号"], required=True),
        Field("round", "答复轮次", synonyms=["轮次"], parse=cells.integer(label="答复轮次", low=1)),
        Field(
            "result",
            "企业评价",
            synonyms=["评价", "满意度", "回访结果"],
            required=True,
            parse=cells.choice(
                SATISFACTION, synonyms={"非常满意": "满意", "一般": "基本满意"}, label="企业评价"
            ),
        ),
        Field("comment", "企业意见", synonyms=["意见", "回复内容"]),
        Field("evidence", "回复渠道及凭据", synonyms=["回复渠道", "凭据", "回访记录号"], required=True),
        Field("received", "回复时间", synonyms=["回访时间"], parse=cells.date()),
    ]

    def clean(self, row: Row) -> Any:
        return {"row": row.number, **row.values}

    def clean_all(self, items: list[Any]) -> list[Any]:
        reqs = {r.ref: r for r in Request.objects.filter(ref__in=[str(i["ref"]).strip() for i in items])}
        errors = []
        for i in items:
            r = reqs.get(str(i["ref"]).strip())
            i["req"] = r
            if r is None:
                errors.append(
                    {
                        "row": i["row"],
                        "column": "诉求编号",
                        "value": str(i["ref"]),
                        "message": "没有该编号的诉求",
                    }
                )
            elif r.reply_round < 1:
                errors.append(
                    {
                        "row": i["row"],
                        "column": "诉求编号",
                        "value": str(i["ref"]),
                        "message": "该诉求尚未答复，不能评价",
                    }
                )
        if errors:
            raise Refused("有行无法导入，整表未导入", errors=errors)
        return items

    def store(self, items: list[Any], report: ImportReport) -> None:
        assert isinstance(report, FeedbackReport)
        for i in items:
            req = i["req"]
            try:
                fb = actions.do_record_feedback(
                    self.user,
                    req,
                    round=int(i["round"] or req.reply_round),
                    result=i["result"],
                    comment=str(i["comment"] or ""),
                    source="import",
                    evidence=str(i["evidence"]),
                    received_at=_aware(i["received"]),
                    request=self.request,
                )
            except actions.ActionError as exc:
                raise Refused(
                    f"第 {i['row']} 行：{exc}",
                    errors=[
                        {"row": i["row"], "column": "诉求编号", "value": str(i["ref"]), "message": str(exc)}
                    ],
                ) from None
            report.recorded += 1
            report.reopened += int(fb.result == Satisfaction.DISSATISFIED)
