"""Every change in enterprise services: ``do_*`` functions, each atomic, each writing one audit row.

Requests run on tracked work (kind ``services.request``, :mod:`peiyu.services.tracked`): the
transitions go through :func:`peiyu.work.actions.do_transition`, which checks who may act and writes
the history; the audit rows name the request. Satisfaction is only ever recorded from the
enterprise's own reply (:func:`do_record_feedback`, called by the public reply page with a signed
one-time token, or by the import of the enterprise's replies) — no handler page sets it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from peiyu.accounts import scope
from peiyu.accounts.audit import record
from peiyu.services import audit_actions as A
from peiyu.services.models import (
    Category,
    Channel,
    EventAttendance,
    Feedback,
    FinancingApplication,
    FinancingStage,
    ListingSettings,
    ListingSheet,
    RedFlag,
    Request,
    RequestFile,
    Satisfaction,
    ServiceEvent,
    Status,
    Visit,
)
from peiyu.services.tracked import FOLLOWUP, LISTING, REQUEST
from peiyu.work import actions as work
from peiyu.work import workdays
from peiyu.work.models import Item as WorkItem

FEEDBACK_SALT = "peiyu.services.feedback"
FEEDBACK_MAX_AGE = 60 * 24 * 3600  # the reply link is valid for 60 days

DEFAULT_CATEGORIES = (
    ("space", "空间/场地"),
    ("market", "市场"),
    ("finance", "资金/融资"),
    ("talent", "人才"),
    ("permit", "证照审批"),
    ("policy", "政策咨询"),
    ("other", "其他"),
)
GREEN_TAGS = ("落地项目", "重点项目", "重大项目")


class ActionError(Exception):
    """A refused change; the message is Chinese and meant for the user."""


def ensure_categories() -> int:
    """The default categories (idempotent): accept 1 / reply 3 / resolve 15 working days."""
    made = 0
    for n, (code, name) in enumerate(DEFAULT_CATEGORIES):
        _, created = Category.objects.get_or_create(code=code, defaults={"name": name, "order": n})
        made += int(created)
    return made


def _words(exc: Exception) -> str:
    return (
        str(exc)
        .replace("该事项", "该诉求")
        .replace("事项当前为", "诉求当前为")
        .replace("事项已关闭", "诉求已关闭")
    )


def _reload(req: Request) -> Request:
    return Request.objects.select_related(
        "enterprise", "category", "item", "handler", "department", "area"
    ).get(pk=req.pk)


def _require_change(user: Any, obj: Any) -> None:
    if not scope.can(user, obj, scope.CHANGE):
        raise ActionError("无权办理该企业的事项")


# ---------------------------------------------------------------------------------------------
# Requests


def green_basis(enterprise: Any) -> str:
    """Why the enterprise is in the green channel ('' when it is not): a key enterprise (名录标记或
    手工纳入) or a landed project (tagged 落地项目 / 重点项目)."""
    from peiyu.alerts.models import KeyEnterpriseOverride

    if (
        enterprise.is_key
        or KeyEnterpriseOverride.objects.filter(
            enterprise=enterprise, kind=KeyEnterpriseOverride.Kind.ADD, revoked_at__isnull=True
        ).exists()
    ):
        return "重点企业"
    for tag in enterprise.tags or []:
        if str(tag) in GREEN_TAGS:
            return str(tag)
    return ""


def deadlines(
    received: dt.datetime | dt.date, category: Category, green: bool = False
) -> dict[str, dt.date | None]:
    """Accept / first reply / resolve deadlines (dates), counted in working days after receipt;
    None for a deadline that falls in a year whose holiday notice is not imported yet (the tracked
    item says why, and computes it when the year is imported)."""
    out: dict[str, dt.date | None] = {}
    for key, days in zip(("accept_due", "reply_due", "resolve_due"), category.limits(green), strict=True):
        try:
            out[key] = workdays.add_working_days(received, days)
        except workdays.CalendarMissing:
            out[key] = None
    return out


def next_ref(when: dt.datetime) -> str:
    year = timezone.localtime(when).year if timezone.is_aware(when) else when.year
    prefix = f"SQ{year}"
    n = Request.objects.filter(ref__startswith=prefix).count() + 1
    while Request.objects.filter(ref=f"{prefix}{n:05d}").exists():
        n += 1
    return f"{prefix}{n:05d}"


def do_create_request(
    acting_user: Any,
    enterprise: Any,
    *,
    category: Category,
    content: str,
    channel: str = Channel.PHONE,
    received_at: dt.datetime | None = None,
    department: Any = None,
    area: Any = None,
    handler: Any = None,
    green: bool | None = None,
    contact: str = "",
    ref: str = "",
    source_ref: str = "",
    files: Any = (),
    reason: str = "",
    request: Any = None,
) -> Request:
    """Register a request (一口受理) and open its tracked item. Without a unit it goes to the
    enterprise's sub-district. A green-channel request (key enterprise, landed project) gets the
    shorter limits and a named 店小二 (the handler, by default the enterprise's liaison)."""
    content = (content or "").strip()
    if not content:
        raise ActionError("请填写诉求内容")
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        _require_change(acting_user, enterprise)
    if channel not in Channel.values:
        raise ActionError("受理渠道无效")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ActionError("受理时间不能晚于现在")
    basis = green_basis(enterprise)
    is_green = bool(basis) if green is None else bool(green)
    real = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if is_green and handler is None:
        handler = enterprise.liaison or real
    if is_green and handler is None:
        if green:
            raise ActionError("绿色通道诉求须指定店小二（承办人）")
        is_green = False
    if department is None and area is None:
        area = enterprise.area
    dues = deadlines(received_at, category, is_green)
    acc, rep, res = category.limits(is_green)
    with transaction.atomic():
        req = Request.objects.create(
            ref=ref or next_ref(received_at),
            enterprise=enterprise,
            category=category,
            channel=channel,
            content=content,
            contact=contact.strip()[:100],
            received_at=received_at,
            department=department,
            area=area if department is None else None,
            handler=handler,
            green=is_green,
            green_basis=(basis or "指定") if is_green else "",
            source_ref=source_ref[:60],
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            **dues,
        )
        (item,) = work.open_items(
            acting_user,
            [
                work.ItemSpec(
                    req,
                    REQUEST.kind,
                    f"{enterprise.name} · {category.name}诉求 {req.ref}"[:300],
                    owner=handler,
                    unit=department or req.area,
                    stage_days={"received": acc, "accepted": rep, "handling": res, "replied": res},
                    note=content[:500],
                    opened_at=received_at,
                    data={"green": is_green},
                )
            ],
        )
        Request.objects.filter(pk=req.pk).update(item=item)
        req.item = item
        for f in list(files or [])[:10]:
            RequestFile.objects.create(
                request=req,
                file=f,
                name=str(f.name)[:200],
                size=getattr(f, "size", 0),
                uploaded_by=req.created_by,
            )
        record(
            acting_user,
            A.REQUEST_CREATE,
            req,
            object_id=req.ref,
            after=req.snapshot(),
            reason=reason,
            request=request,
            detail={"credit_code": enterprise.credit_code, "category": category.name, "green": is_green},
        )
    return _reload(req)


def _move(
    acting_user: Any, req: Request, to: str, action: Any, *, note: str = "", request: Any = None
) -> Request:
    if req.item is None:
        raise ActionError("该诉求没有督办事项（数据不完整）")
    try:
        work.do_transition(
            acting_user,
            req.item,
            to,
            note=note,
            request=request,
            audit_action=action,
            audit_before=req.snapshot(),
            snapshot=lambda: _reload(req).snapshot(),
            detail={"ref": req.ref},
        )
    except work.ActionError as exc:
        raise ActionError(_words(exc)) from None
    if req.handler_id is None and req.item_id:  # whoever accepted an unassigned request handles it
        owner = WorkItem.objects.filter(pk=req.item_id).values_list("owner_id", flat=True).first()
        if owner:
            Request.objects.filter(pk=req.pk, handler__isnull=True).update(handler_id=owner)
    return _reload(req)


def do_accept_request(acting_user: Any, req: Request, note: str = "", *, request: Any = None) -> Request:
    return _move(acting_user, req, Status.ACCEPTED, A.REQUEST_ACCEPT, note=note or "受理", request=request)


def do_handle_request(acting_user: Any, req: Request, note: str = "", *, request: Any = None) -> Request:
    return _move(
        acting_user, req, Status.HANDLING, A.REQUEST_HANDLE, note=note or "开始办理", request=request
    )


def do_return_request(acting_user: Any, req: Request, reason: str, *, request: Any = None) -> Request:
    if not (reason or "").strip():
        raise ActionError("请填写退回理由")
    return _move(acting_user, req, Status.RETURNED, A.REQUEST_RETURN, note=reason.strip(), request=request)


def do_close_request(acting_user: Any, req: Request, note: str = "", *, request: Any = None) -> Request:
    """Close a replied request (e.g. the enterprise did not answer the reply link in time)."""
    return _move(acting_user, req, Status.CLOSED, A.REQUEST_CLOSE, note=note or "办结", request=request)


def reply_token(req: Request) -> str:
    """The signed one-time token of the request's current answer (round)."""
    return signing.dumps({"r": req.pk, "n": req.reply_round}, salt=FEEDBACK_SALT, compress=True)


def read_token(token: str) -> tuple[Request, int]:
    """The request and answer round a reply token names; ``ActionError`` when it is invalid,
    expired, already used or superseded by a newer answer."""
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionError("回访链接已过期") from None
    except signing.BadSignature:
        raise ActionError("回访链接无效") from None
    req = Request.objects.select_related("enterprise", "item").filter(pk=data.get("r")).first()
    if req is None:
        raise ActionError("回访链接无效")
    rnd = int(data.get("n") or 0)
    if rnd != req.reply_round:
        raise ActionError("该答复已被新的答复取代，请使用最新的回访链接")
    if Feedback.objects.filter(request=req, round=rnd).exists():
        raise ActionError("该答复已评价，链接只能使用一次")
    return req, rnd


def do_reply_request(acting_user: Any, req: Request, answer: str, *, request: Any = None) -> Request:
    """Answer the enterprise (已答复): the answer is kept and a new reply round starts, with its
    own one-time link for the enterprise's evaluation."""
    answer = (answer or "").strip()
    if not answer:
        raise ActionError("请填写答复内容")
    with transaction.atomic():
        req = _move(acting_user, req, Status.REPLIED, A.REQUEST_REPLY, note=answer, request=request)
        Request.objects.filter(pk=req.pk).update(answer=answer, reply_round=req.reply_round + 1)
    return _reload(req)


def do_extend_request(acting_user: Any, req: Request, reason: str, *, request: Any = None) -> Request:
    """Extend a complex case, once, to the category's limit (default 30 working days), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写延期理由")
    if req.extended:
        raise ActionError("该诉求已延期一次，不能再次延期")
    if req.item is None or not req.item.is_open:
        raise ActionError("诉求已关闭，不能延期")
    if req.status not in (Status.ACCEPTED, Status.HANDLING, Status.REPLIED):
        raise ActionError("受理后才能延期")
    _require_change(acting_user, req)
    try:
        new_due = workdays.add_working_days(req.received_at, req.category.extended_days)
    except workdays.CalendarMissing as exc:
        raise ActionError(str(exc)) from None
    before = req.snapshot()
    with transaction.atomic():
        try:
            work.do_set_due(
                acting_user, req.item, workdays.end_of_day(new_due), reason=f"复杂诉求延期：{reason}"
            )
        except work.ActionError as exc:
            raise ActionError(_words(exc)) from None
        Request.objects.filter(pk=req.pk).update(
            resolve_due=new_due, extended=True, extension_reason=reason[:300]
        )
        req = _reload(req)
        record(
            acting_user,
            A.REQUEST_EXTEND,
            req,
            object_id=req.ref,
            before=before,
            after=req.snapshot(),
            reason=reason,
            request=request,
        )
    return req


def do_assign_request(
    acting_user: Any, req: Request, handler: Any, *, reason: str = "", unit: Any = None, request: Any = None
) -> Request:
    """Hand the request to another handler (and optionally another unit)."""
    if req.item is None:
        raise ActionError("该诉求没有督办事项（数据不完整）")
    _require_change(acting_user, req)
    before = req.snapshot()
    with transaction.atomic():
        try:
            work.do_reassign(
                acting_user,
                req.item,
                handler,
                reason=reason or "转派承办人",
                unit=unit if unit is not None else work.KEEP,
                audit_action=A.REQUEST_ASSIGN,
                audit_before=before,
                snapshot=lambda: _reload(req).snapshot(),
            )
        except work.ActionError as exc:
            raise ActionError(_words(exc)) from None
        fields: dict[str, Any] = {"handler": handler}
        if unit is not None:
            from peiyu.accounts.models import Department

            fields.update(
                {"department": unit, "area": None}
                if isinstance(unit, Department)
                else {"department": None, "area": unit}
            )
        Request.objects.filter(pk=req.pk).update(**fields)
    return _reload(req)


def do_record_feedback(
    acting_user: Any,
    req: Request,
    *,
    round: int,
    result: str,
    comment: str = "",
    source: str = Feedback.Source.LINK,
    evidence: str = "",
    received_at: dt.datetime | None = None,
    request: Any = None,
) -> Feedback:
    """The enterprise's own evaluation of an answer. Satisfied (or basically satisfied): a replied
    request is closed. Dissatisfied: the request is reopened (back to 办理中) — also after it was
    closed. ``acting_user`` is None for the public reply link, the importing user for an import."""
    if result not in Satisfaction.values:
        raise ActionError("评价无效")
    if round < 1 or round > req.reply_round:
        raise ActionError("该诉求尚无对应的答复，不能评价")
    now = received_at or timezone.now()
    with transaction.atomic():
        req = Request.objects.select_for_update().get(pk=req.pk)
        req = _reload(req)
        if Feedback.objects.filter(request=req, round=round).exists():
            raise ActionError("该答复已评价，链接只能使用一次")
        before = req.snapshot()
        fb = Feedback.objects.create(
            request=req,
            round=round,
            result=result,
            comment=(comment or "").strip()[:2000],
            source=source,
            received_at=now,
            recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
            evidence=evidence[:200],
        )
        item = WorkItem.objects.select_for_update().get(pk=req.item_id) if req.item_id else None
        label = Satisfaction(result).label
        fields: dict[str, Any] = {"satisfaction": result}
        if item is not None:
            latest = round == req.reply_round
            if (
                result == Satisfaction.DISSATISFIED
                and latest
                and item.status in (Status.REPLIED, Status.CLOSED)
            ):
                work.apply_transition(
                    item,
                    Status.HANDLING,
                    by=None,
                    note=f"企业评价不满意：{fb.comment or '无意见'}",
                    label="重新办理",
                    force=True,
                    now=now,
                )
                fields["reopened"] = req.reopened + 1
            elif latest and item.status == Status.REPLIED:
                work.apply_transition(
                    item, Status.CLOSED, by=None, note=f"企业评价{label}", label="办结", force=True, now=now
                )
            else:
                work.log_event(item, "企业评价", f"第 {round} 次答复：{label}")
        Request.objects.filter(pk=req.pk).update(**fields)
        req = _reload(req)
        record(
            acting_user,
            A.REQUEST_REOPEN if fields.get("reopened") else A.REQUEST_FEEDBACK,
            req,
            object_id=req.ref,
            before=before,
            after=req.snapshot(),
            reason=fb.comment,
            request=request,
            detail={"round": round, "result": result, "source": source, "evidence": evidence[:200]},
        )
    return fb


def do_update_category(
    acting_user: Any, category: Category, changes: dict[str, Any], *, request: Any = None
) -> Category:
    if not scope.is_admin(acting_user):
        raise ActionError("只有管理员可以修改诉求类别时限")
    fields = (
        "accept_days",
        "reply_days",
        "resolve_days",
        "extended_days",
        "green_accept_days",
        "green_reply_days",
        "green_resolve_days",
        "active",
    )
    before = {f: getattr(category, f) for f in fields}
    for k, v in changes.items():
        if k in fields:
            setattr(category, k, v)
    if not (
        1 <= category.accept_days <= category.reply_days <= category.resolve_days <= category.extended_days
    ):
        raise ActionError("时限须满足：受理 ≤ 答复 ≤ 办结 ≤ 延期上限，且至少 1 个工作日")
    with transaction.atomic():
        category.save()
        record(
            acting_user,
            A.CATEGORY_UPDATE,
            category,
            before=before,
            after={f: getattr(category, f) for f in fields},
            request=request,
        )
    return category


# ---------------------------------------------------------------------------------------------
# Visits


def do_record_visit(
    acting_user: Any,
    enterprise: Any,
    *,
    date: dt.date,
    findings: str,
    flags: list[str] | tuple[str, ...] = (),
    met: str = "",
    visitor: Any = None,
    visitor_name: str = "",
    raise_request: tuple[Category, str] | None = None,
    attachment: Any = None,
    request: Any = None,
) -> Visit:
    """Record a visit. It is linked to the enterprise's open warnings (their history shows it); a
    red flag 拟迁出 raises a 迁出 warning or, when one is open, escalates it to 高; a request raised
    during the visit is registered (channel 走访)."""
    from peiyu.alerts.models import Rule, Severity, Warning

    findings = (findings or "").strip()
    if not findings:
        raise ActionError("请填写走访情况")
    if date > timezone.localdate():
        raise ActionError("走访日期不能晚于今天")
    bad = [f for f in flags if f not in RedFlag.values]
    if bad:
        raise ActionError(f"风险信号无效：{'、'.join(bad)}")
    real = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if real is not None:
        _require_change(real, enterprise)
    visitor = visitor or real
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=enterprise,
            date=date,
            visitor=visitor,
            visitor_name=(visitor_name or (str(visitor) if visitor else ""))[:100],
            met=met.strip()[:100],
            findings=findings,
            flags=list(dict.fromkeys(flags)),
            created_by=real,
            **({"attachment": attachment} if attachment else {}),
        )
        open_warnings = list(
            Warning.objects.filter(enterprise=enterprise, is_open=True).select_related("item")
        )
        text = f"走访（{date.isoformat()}，{visit.visitor_name or '未署名'}）：{findings[:300]}"
        if visit.flags:
            text += f"；风险信号：{'、'.join(visit.flag_labels())}"
        for w in open_warnings:
            if w.item is not None:
                work.log_event(w.item, "走访", text, data={"visit": visit.pk}, user=real)
        raised = ""
        if RedFlag.MOVING_OUT in visit.flags:
            moved = next((w for w in open_warnings if w.rule == Rule.MOVED_OUT), None)
            if moved is not None:
                if moved.severity != Severity.HIGH:
                    Warning.objects.filter(pk=moved.pk).update(severity=Severity.HIGH)
                    if moved.item is not None:
                        work.log_event(moved.item, "走访升级", "走访发现拟迁出信号，预警升级为高", user=real)
                    raised = "escalated"
            else:
                from peiyu.alerts.actions import create_warning

                month = f"{date.year:04d}-{date.month:02d}"
                moved = create_warning(
                    enterprise,
                    Rule.MOVED_OUT,
                    severity=Severity.HIGH,
                    first_month=month,
                    last_month=month,
                    evidence={"source": "visit", "visit": visit.pk, "date": date.isoformat()},
                    summary=f"走访发现拟迁出信号：{findings[:200]}",
                    by=real,
                    owner=enterprise.liaison,
                    month=month,
                )
                open_warnings.append(moved)
                raised = "raised"
        Visit.objects.filter(pk=visit.pk).update(warning_ids=[w.pk for w in open_warnings])
        visit.warning_ids = [w.pk for w in open_warnings]
        record(
            acting_user,
            A.VISIT_CREATE,
            visit,
            after={"date": date.isoformat(), "flags": visit.flags},
            request=request,
            detail={
                "credit_code": enterprise.credit_code,
                "warnings": [w.pk for w in open_warnings],
                "moved_out": raised,
            },
        )
        if raise_request is not None:
            cat, content = raise_request
            if (content or "").strip():
                do_create_request(
                    acting_user,
                    enterprise,
                    category=cat,
                    content=content,
                    channel=Channel.VISIT,
                    request=request,
                )
    return visit


# ---------------------------------------------------------------------------------------------
# Listing pipeline


LISTING_FIELDS = ("stage", "board", "broker", "law_firm", "accountant", "blockers")


def do_save_listing_sheet(
    acting_user: Any, enterprise: Any, *, changes: dict[str, Any], owner: Any = None, request: Any = None
) -> ListingSheet:
    """Create or update an enterprise's sheet (一企一表)."""
    from peiyu.services.models import ListingStage

    _require_change(acting_user, enterprise)
    if "stage" in changes and changes["stage"] not in ListingStage.values:
        raise ActionError("阶段无效")
    with transaction.atomic():
        sheet, created = ListingSheet.objects.get_or_create(
            enterprise=enterprise,
            defaults={
                "owner": owner or (acting_user if getattr(acting_user, "is_authenticated", False) else None)
            },
        )
        before = {f: getattr(sheet, f) for f in LISTING_FIELDS}
        for k, v in changes.items():
            if k in LISTING_FIELDS:
                setattr(sheet, k, (v or "").strip() if isinstance(v, str) else v)
        if owner is not None:
            sheet.owner = owner
        sheet.updated_at = timezone.now()
        sheet.save()
        record(
            acting_user,
            A.LISTING_SAVE,
            sheet,
            before=None if created else before,
            after={f: getattr(sheet, f) for f in LISTING_FIELDS},
            request=request,
            detail={"credit_code": enterprise.credit_code, "created": created},
        )
    return sheet


def do_add_listing_step(
    acting_user: Any, sheet: ListingSheet, *, title: str, due: dt.date, owner: Any = None, request: Any = None
) -> Any:
    """One step of the plan (一企一策) as a tracked item with a due date."""
    _require_change(acting_user, sheet)
    if not (title or "").strip():
        raise ActionError("请填写计划事项")
    with transaction.atomic():
        item = work.do_open_item(
            acting_user,
            sheet,
            kind=LISTING.kind,
            title=f"{sheet.enterprise.name}：{title.strip()}"[:300],
            owner=owner or sheet.owner,
            due=workdays.end_of_day(due),
            request=request,
        )
        record(
            acting_user,
            A.LISTING_STEP,
            sheet,
            after={"title": title, "due": due.isoformat()},
            request=request,
            detail={"item": item.pk},
        )
    return item


def do_update_listing_settings(
    acting_user: Any, changes: dict[str, Any], *, request: Any = None
) -> ListingSettings:
    if not scope.is_admin(acting_user):
        raise ActionError("只有管理员可以修改候选门槛")
    cfg = ListingSettings.current()
    before = {
        "min_tax_fen": cfg.min_tax_fen,
        "min_growth_pct": cfg.min_growth_pct,
        "rnd_prefixes": cfg.rnd_prefixes,
    }
    for k in before:
        if k in changes:
            setattr(cfg, k, changes[k])
    with transaction.atomic():
        cfg.updated_at = timezone.now()
        cfg.save()
        record(
            acting_user,
            A.LISTING_SETTINGS,
            cfg,
            before=before,
            after={k: getattr(cfg, k) for k in before},
            request=request,
        )
    return cfg


# ---------------------------------------------------------------------------------------------
# Financing


def do_save_financing(
    acting_user: Any,
    enterprise: Any,
    *,
    product: str,
    bank: str,
    amount_asked_fen: int,
    applied_on: dt.date,
    note: str = "",
    request: Any = None,
) -> FinancingApplication:
    from peiyu.services.models import Product

    _require_change(acting_user, enterprise)
    if product not in Product.values:
        raise ActionError("产品无效")
    if not (bank or "").strip():
        raise ActionError("请填写银行")
    if amount_asked_fen <= 0:
        raise ActionError("申请金额须大于 0")
    with transaction.atomic():
        app = FinancingApplication.objects.create(
            enterprise=enterprise,
            product=product,
            bank=bank.strip()[:60],
            amount_asked_fen=amount_asked_fen,
            applied_on=applied_on,
            note=note[:300],
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        record(
            acting_user,
            A.FINANCING_SAVE,
            app,
            after={"product": product, "bank": app.bank, "amount_asked_fen": amount_asked_fen},
            request=request,
            detail={"credit_code": enterprise.credit_code},
        )
    return app


ORDER: dict[str, int] = {
    str(s): n
    for n, s in enumerate(
        (FinancingStage.APPLIED, FinancingStage.MATCHED, FinancingStage.SIGNED, FinancingStage.GRANTED)
    )
}


def do_advance_financing(
    acting_user: Any,
    app: FinancingApplication,
    stage: str,
    *,
    on: dt.date | None = None,
    amount_granted_fen: int | None = None,
    note: str = "",
    request: Any = None,
) -> FinancingApplication:
    """Move an application along the funnel (matched → signed → granted, or declined)."""
    _require_change(acting_user, app)
    if stage not in FinancingStage.values:
        raise ActionError("进度无效")
    if app.stage in (FinancingStage.GRANTED, FinancingStage.DECLINED):
        raise ActionError("该申请已结束")
    if stage != FinancingStage.DECLINED and ORDER[stage] <= ORDER[app.stage]:
        raise ActionError("进度只能向前推进")
    if stage == FinancingStage.GRANTED and not amount_granted_fen:
        raise ActionError("请填写放款金额")
    on = on or timezone.localdate()
    before = {"stage": app.stage}
    with transaction.atomic():
        app.stage = stage
        if stage == FinancingStage.MATCHED:
            app.matched_on = on
        elif stage == FinancingStage.SIGNED:
            app.signed_on = on
            app.matched_on = app.matched_on or on
        elif stage == FinancingStage.GRANTED:
            app.granted_on = on
            app.signed_on = app.signed_on or on
            app.matched_on = app.matched_on or on
            app.amount_granted_fen = amount_granted_fen
        if note:
            app.note = note[:300]
        app.save()
        record(
            acting_user,
            A.FINANCING_ADVANCE,
            app,
            before=before,
            after={"stage": stage, "amount_granted_fen": app.amount_granted_fen},
            request=request,
        )
    return app


# ---------------------------------------------------------------------------------------------
# Salons and events (主题沙龙, 银企对接)


def do_create_event(
    acting_user: Any,
    *,
    kind: str,
    theme: str,
    date: dt.date,
    area: Any = None,
    location: str = "",
    organiser: str = "",
    request: Any = None,
) -> ServiceEvent:
    """A service event. A sub-district officer organises events of their own area only."""
    if kind not in ServiceEvent.Kind.values:
        raise ActionError("活动类型无效")
    if not (theme or "").strip():
        raise ActionError("请填写活动主题")
    real = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if real is not None and not scope.is_admin(real):
        sc = scope.scope_for(real, scope.CHANGE)
        if scope.is_leader(real) or (area is not None and area.pk not in sc.area_ids):
            raise ActionError("只能为您负责的街道镇登记活动")
    with transaction.atomic():
        ev = ServiceEvent.objects.create(
            kind=kind,
            theme=theme.strip()[:200],
            date=date,
            area=area,
            location=location.strip()[:200],
            organiser=organiser.strip()[:100],
            created_by=real,
        )
        record(
            acting_user,
            A.EVENT_CREATE,
            ev,
            after={"kind": kind, "theme": ev.theme, "date": date.isoformat()},
            request=request,
        )
    return ev


def do_add_attendance(
    acting_user: Any, event: ServiceEvent, enterprise: Any, *, note: str = "", request: Any = None
) -> EventAttendance:
    """An enterprise attended the event (its own scope decides who may record it)."""
    _require_change(acting_user, event)
    _require_change(acting_user, enterprise)
    with transaction.atomic():
        att, created = EventAttendance.objects.get_or_create(
            event=event,
            enterprise=enterprise,
            defaults={
                "note": note.strip()[:300],
                "created_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
            },
        )
        if not created and note:
            att.note = note.strip()[:300]
            att.save(update_fields=["note"])
        record(
            acting_user,
            A.EVENT_ATTEND,
            att,
            after={"note": att.note},
            request=request,
            detail={"credit_code": enterprise.credit_code, "event": event.pk},
        )
    return att


def do_add_event_followup(
    acting_user: Any, event: ServiceEvent, *, title: str, due: dt.date, owner: Any = None, request: Any = None
) -> Any:
    """A follow-up of the event (a tracked item with an owner and a due date)."""
    _require_change(acting_user, event)
    if not (title or "").strip():
        raise ActionError("请填写跟进事项")
    with transaction.atomic():
        item = work.do_open_item(
            acting_user,
            event,
            kind=FOLLOWUP.kind,
            title=f"{event.theme}：{title.strip()}"[:300],
            owner=owner or (acting_user if getattr(acting_user, "is_authenticated", False) else None),
            due=workdays.end_of_day(due),
            request=request,
        )
        record(
            acting_user,
            A.EVENT_FOLLOWUP,
            event,
            after={"title": title, "due": due.isoformat()},
            request=request,
            detail={"item": item.pk},
        )
    return item
