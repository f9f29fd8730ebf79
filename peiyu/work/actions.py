"""Every change to tracked items, the calendar, unit leaders and schedules: ``do_*`` functions, each
in one transaction writing one audit row and the item's history (:class:`~peiyu.work.models.Event`).

The public API other apps call (see docs/architecture.md, "Tracked work")::

    item = do_open_item(user, source, kind="services.request", title="…", owner=u, unit=dept,
                        due=None, stage_days={"received": 1}, note="", request=None)
    do_transition(user, item, "accepted", note="", reason="", request=None)
    do_add_note(user, item, text="…", method="call", date=None, contact="", files=(), request=None)
    do_reassign(user, item, new_owner, reason="…", unit=KEEP, request=None)
    do_set_due(user, item, due_datetime_or_None, reason="…", request=None)
    queries.items_for(user); queries.items_of(source)

Batch writers without an audit row each (the caller audits the batch once): :func:`open_items`,
:func:`apply_transition`, :func:`log_event`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from peiyu.accounts.audit import record
from peiyu.work import audit_actions as A
from peiyu.work import flows, queries, workdays
from peiyu.work.models import Attachment, CalendarDay, CalendarYear, Event, Item, Note, Schedule, UnitLeader

KEEP: Any = object()
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10


class ActionError(Exception):
    """A refused change; the message is Chinese and meant for the user."""


def _real(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None


# ---------------------------------------------------------------------------------------------
# Deadlines


def compute_due(item: Item, now: dt.datetime | None = None) -> tuple[dt.datetime | None, str]:
    """The deadline of the item's current stage and, when it cannot be computed, why (Chinese)."""
    flow = flows.get(item.kind)
    stage = flow.stage(item.status)
    if stage.closed:  # keep the deadline it was closed against (late or on time, for the bulletin)
        return item.due_at, ""
    if item.fixed_due is not None:
        return item.fixed_due, ""
    days = stage.days_for(item)
    if days is None:
        return None, ""
    base = {"opened": item.opened_at, "entered": item.entered_at, "activity": item.last_activity_at}[
        stage.since
    ] or (now or timezone.now())
    if stage.calendar:
        return base + dt.timedelta(days=days), ""
    try:
        return workdays.due_after(base, days), ""
    except workdays.CalendarMissing as exc:
        return None, str(exc)


def _refresh_due(item: Item) -> list[str]:
    due, problem = compute_due(item)
    fields = []
    if due != item.due_at:
        item.due_at = due
        fields.append("due_at")
    if problem != item.due_problem:
        item.due_problem = problem
        fields.append("due_problem")
    return fields


def stage_deadlines(item: Item) -> dict[str, dt.datetime | None]:
    """Every stage's deadline measured from the opening (e.g. a request's accept / reply / resolve
    deadlines), whatever the current status: {status: due or None}."""
    flow = flows.get(item.kind)
    out: dict[str, dt.datetime | None] = {}
    for stage in flow.stages:
        days = stage.days_for(item)
        if stage.closed or days is None:
            continue
        if item.fixed_due is not None:
            out[stage.code] = item.fixed_due
        elif stage.calendar:
            out[stage.code] = item.opened_at + dt.timedelta(days=days)
        else:
            try:
                out[stage.code] = workdays.due_after(item.opened_at, days)
            except workdays.CalendarMissing:
                out[stage.code] = None
    return out


def recompute_dues(kind: str | None = None, *, only_problems: bool = False) -> int:
    """Recompute the deadlines of open items (after a settings or calendar change). Returns how
    many changed."""
    qs = Item.objects.filter(is_open=True)
    if kind:
        qs = qs.filter(kind=kind)
    if only_problems:
        qs = qs.exclude(due_problem="")
    changed = []
    for item in qs.iterator(chunk_size=500):
        if _refresh_due(item):
            changed.append(item)
    Item.objects.bulk_update(changed, ["due_at", "due_problem"], batch_size=500)
    return len(changed)


# ---------------------------------------------------------------------------------------------
# Opening


def _unit_fields(unit: Any) -> dict[str, Any]:
    if unit is None:
        return {"unit_type": None, "unit_id": None}
    return {"unit_type": ContentType.objects.get_for_model(type(unit)), "unit_id": unit.pk}


@dataclass
class ItemSpec:
    source: Any
    kind: str
    title: str
    owner: Any = None
    unit: Any = None
    due: dt.datetime | None = None
    stage_days: dict[str, int] = field(default_factory=dict)
    status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    event_data: dict[str, Any] = field(default_factory=dict)
    opened_at: dt.datetime | None = None


def _build(spec: ItemSpec, by: Any, now: dt.datetime) -> Item:
    flow = flows.get(spec.kind)
    status = spec.status or flow.initial
    flow.stage(status)  # unknown status: KeyError
    if not (spec.title or "").strip():
        raise ActionError("请填写事项名称")
    when = spec.opened_at or now
    item = Item(
        kind=spec.kind,
        title=spec.title.strip()[:300],
        source_type=ContentType.objects.get_for_model(type(spec.source)),
        source_id=spec.source.pk,
        owner=spec.owner,
        status=status,
        is_open=not flow.is_closed(status),
        opened_at=when,
        opened_by=_real(by),
        entered_at=when,
        last_activity_at=when,
        stage_days={k: int(v) for k, v in (spec.stage_days or {}).items()},
        fixed_due=spec.due,
        data=spec.data or {},
        **_unit_fields(spec.unit),
    )
    _refresh_due(item)
    return item


def open_items(by: Any, specs: Iterable[ItemSpec]) -> list[Item]:
    """Open many items at once (a monthly run): items and their 立项 events in bulk, no audit row
    each (the caller records the batch). Call inside the caller's transaction."""
    now = timezone.now()
    specs = list(specs)
    items = [_build(s, by, now) for s in specs]
    Item.objects.bulk_create(items, batch_size=500)
    events = []
    for item, spec in zip(items, specs, strict=True):
        events.append(
            Event(
                item=item,
                time=item.opened_at,
                kind=Event.Kind.OPENED,
                label="立项",
                user=_real(by),
                to_status=item.status,
                after=item.snapshot(),
                note=spec.note[:2000],
                data=spec.event_data or {},
            )
        )
    Event.objects.bulk_create(events, batch_size=500)
    return items


def do_open_item(
    acting_user: Any,
    source: Any,
    *,
    kind: str,
    title: str,
    owner: Any = None,
    unit: Any = None,
    due: dt.datetime | None = None,
    stage_days: dict[str, int] | None = None,
    status: str | None = None,
    data: dict[str, Any] | None = None,
    note: str = "",
    reason: str = "",
    request: Any = None,
) -> Item:
    """Open a tracked item on ``source`` (any model instance). ``owner`` a user or None (then the
    item waits in its unit's / the managers' inboxes), ``unit`` any registered unit object or None,
    ``due`` a fixed deadline (else the kind's stage days, optionally overridden by ``stage_days``).
    The owner is notified in-app."""
    if owner is not None and not owner.is_active:
        raise ActionError("责任人账户已停用")
    spec = ItemSpec(
        source,
        kind,
        title,
        owner=owner,
        unit=unit,
        due=due,
        stage_days=stage_days or {},
        status=status,
        data=data or {},
        note=note or reason,
    )
    with transaction.atomic():
        item = open_items(acting_user, [spec])[0]
        record(
            acting_user,
            A.ITEM_OPEN,
            item,
            object_id=str(item.pk),
            after=item.snapshot(),
            reason=reason,
            request=request,
            detail={
                "kind": kind,
                "source": f"{item.source_type.app_label}.{item.source_type.model}:{source.pk}",
            },
        )
        if owner is not None and owner != _real(acting_user):
            from peiyu.work import notify

            notify.notify(
                owner,
                f"新的督办事项：{item.title}",
                _due_text(item),
                url=queries.item_url(item),
                item=item,
                kind="assigned",
            )
        _changed(item, None)
    return item


def _due_text(item: Item) -> str:
    if item.due_at:
        return f"期限：{timezone.localtime(item.due_at):%Y-%m-%d %H:%M}"
    return item.due_problem or "无期限"


def _changed(item: Item, event: Event | None) -> None:
    hook = flows.get(item.kind).on_change
    if hook is not None:
        hook(item, event)


# ---------------------------------------------------------------------------------------------
# Transitions


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("owner").get(pk=item.pk)


def apply_transition(
    item: Item,
    to_status: str,
    *,
    by: Any = None,
    note: str = "",
    label: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    touch: bool = True,
    force: bool = False,
) -> Event:
    """Move ``item`` (already locked, or a system batch) to ``to_status``: status, timestamps,
    deadline, closing fields and the history row. No permission check and no audit row: the
    caller (``do_transition`` or a batch that audits itself) is responsible. ``touch=False`` (a
    system change) leaves the last human activity as it was; ``force=True`` lets the system make a
    move the flow does not offer to users (closing an untouched item whose cause went away)."""
    flow = flows.get(item.kind)
    flow.stage(to_status)
    if not force and not flow.allowed(item.status, to_status):
        raise ActionError(f"事项当前为“{flow.label_of(item.status)}”，不能{flow.verb(to_status)}")
    now = now or timezone.now()
    before = item.snapshot()
    from_status = item.status
    item.status = to_status
    item.is_open = not flow.is_closed(to_status)
    if from_status != to_status:
        item.entered_at = now
    if touch:
        item.last_activity_at = now
    if item.owner_id is None and _real(by) is not None and to_status in flow.claim_on:
        item.owner = by  # whoever takes up an unowned item owns it
        item.data = {**(item.data or {}), "owner_basis": "claimed"}
    if not item.is_open:
        item.closed_at, item.closed_by, item.resolution = now, _real(by), note
    elif flow.is_closed(from_status):  # reopened
        item.closed_at, item.closed_by, item.resolution = None, None, ""
    _refresh_due(item)
    item.save()
    event = Event.objects.create(
        item=item,
        time=now,
        kind=Event.Kind.TRANSITION,
        label=label or flow.verb(to_status),
        user=_real(by),
        from_status=from_status,
        to_status=to_status,
        before=before,
        after=item.snapshot(),
        note=note,
        data=data or {},
    )
    _changed(item, event)
    return event


def do_transition(
    acting_user: Any,
    item: Item,
    to_status: str,
    *,
    note: str = "",
    reason: str = "",
    label: str = "",
    request: Any = None,
    audit_action: Any = None,
    detail: dict[str, Any] | None = None,
    audit_before: dict[str, Any] | None = None,
    snapshot: Any = None,
) -> Item:
    """Move an item along its flow. Refused (``ActionError``) when the user may not act, the
    transition is not in the flow, or the status needs a reason and none is given."""
    text = (reason or note or "").strip()
    with transaction.atomic():
        it = _locked(item)
        flow = flows.get(it.kind)
        if not queries.can_act(acting_user, it, to_status):
            raise ActionError("无权处理该事项")
        if not flow.allowed(it.status, to_status):
            raise ActionError(f"事项当前为“{flow.label_of(it.status)}”，不能{flow.verb(to_status)}")
        if to_status in flow.reason_required and not text:
            raise ActionError(f"请填写{flow.verb(to_status)}理由")
        before = it.snapshot()
        apply_transition(it, to_status, by=acting_user, note=text, label=label)
        record(
            acting_user,
            audit_action or A.ITEM_TRANSITION,
            it.source if audit_action else it,
            object_id=str(it.source_id if audit_action else it.pk),
            before=audit_before or before,
            after=snapshot() if snapshot else it.snapshot(),
            reason=text,
            request=request,
            detail={"item": it.pk, "kind": it.kind, **(detail or {})},
        )
        return it


def do_add_note(
    acting_user: Any,
    item: Item,
    *,
    text: str,
    method: str = "",
    date: dt.date | None = None,
    contact: str = "",
    files: Iterable[Any] = (),
    request: Any = None,
    audit_action: Any = None,
    detail: dict[str, Any] | None = None,
    audit_before: dict[str, Any] | None = None,
    snapshot: Any = None,
) -> Note:
    """Record a follow-up (what was done, when, how, with whom; attachments). When the kind says
    so (``note_moves_to``) the item moves to that status in the same step."""
    text = (text or "").strip()
    if not text:
        raise ActionError("请填写跟进情况")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ActionError("跟进日期不能晚于今天")
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise ActionError(f"附件最多 {MAX_ATTACHMENTS} 个")
    for f in files:
        if getattr(f, "size", 0) > MAX_ATTACHMENT_BYTES:
            raise ActionError(f"附件“{f.name}”超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
    with transaction.atomic():
        it = _locked(item)
        flow = flows.get(it.kind)
        if method and method not in dict(flow.note_methods):
            raise ActionError("跟进方式无效")
        target = flow.note_moves_to
        if not queries.can_act(acting_user, it, target):
            raise ActionError("无权处理该事项")
        if not it.is_open:
            raise ActionError("事项已关闭，不能再记录跟进")
        method_label = dict(flow.note_methods).get(method, "") if method else ""
        summary = f"{method_label}（{date.isoformat()}）：{text}" if method_label else text
        before = it.snapshot()
        now = timezone.now()
        if target and flow.allowed(it.status, target):
            apply_transition(
                it,
                target,
                by=acting_user,
                note=summary,
                label="跟进",
                data={"method": method, "date": date.isoformat()},
            )
        elif target and it.status != target:
            raise ActionError(f"事项当前为“{flow.label_of(it.status)}”，不能记录跟进")
        else:
            it.last_activity_at = now
            _refresh_due(it)
            it.save()
            ev = Event.objects.create(
                item=it,
                time=now,
                kind=Event.Kind.NOTE,
                label="跟进",
                user=_real(acting_user),
                from_status=it.status,
                to_status=it.status,
                note=summary,
                data={"method": method, "date": date.isoformat()},
            )
            _changed(it, ev)
        note = Note.objects.create(
            item=it,
            method=method,
            date=date,
            contact=contact.strip()[:100],
            text=text,
            created_by=_real(acting_user),
        )
        for f in files:
            Attachment.objects.create(note=note, file=f, name=str(f.name)[:200], size=getattr(f, "size", 0))
        record(
            acting_user,
            audit_action or A.ITEM_NOTE,
            it.source if audit_action else it,
            object_id=str(it.source_id if audit_action else it.pk),
            before=audit_before or before,
            after=snapshot() if snapshot else it.snapshot(),
            reason=summary,
            request=request,
            detail={
                "item": it.pk,
                "followup_kind": method,
                "followup_date": date.isoformat(),
                **(detail or {}),
            },
        )
        return note


def do_reassign(
    acting_user: Any,
    item: Item,
    new_owner: Any,
    *,
    reason: str = "",
    unit: Any = KEEP,
    request: Any = None,
    audit_action: Any = None,
    audit_before: dict[str, Any] | None = None,
    snapshot: Any = None,
) -> Item:
    """Hand the item to another user (active, able to see the source), optionally to another unit."""
    reason = (reason or "").strip()
    with transaction.atomic():
        it = _locked(item)
        flow = flows.get(it.kind)
        if not queries.can_reassign(acting_user, it):
            raise ActionError("无权转派该事项" if it.is_open else "事项已关闭，不能转派")
        if new_owner is None or not new_owner.is_active:
            raise ActionError("请选择有效的责任人")
        if not queries.source_visible(new_owner, flow, it.source):
            raise ActionError(f"{new_owner} 的数据范围不包含该事项，不能转派")
        if new_owner.pk == it.owner_id and unit is KEEP:
            raise ActionError("新责任人与当前责任人相同")
        if flow.reassign_reason_required and not reason:
            raise ActionError("请填写转派理由")
        before = it.snapshot()
        old = str(it.owner) if it.owner_id else "未分派"
        it.owner = new_owner
        it.data = {**(it.data or {}), "owner_basis": "manual"}
        if unit is not KEEP:
            for k, v in _unit_fields(unit).items():
                setattr(it, k, v)
        it.last_activity_at = timezone.now()
        it.reminded_for = None
        _refresh_due(it)
        it.save()
        note = f"由 {old} 转派给 {new_owner}" + (f"：{reason}" if reason else "")
        ev = Event.objects.create(
            item=it,
            kind=Event.Kind.REASSIGNED,
            label="转派",
            user=_real(acting_user),
            from_status=it.status,
            to_status=it.status,
            before=before,
            after=it.snapshot(),
            note=note,
        )
        record(
            acting_user,
            audit_action or A.ITEM_REASSIGN,
            it.source if audit_action else it,
            object_id=str(it.source_id if audit_action else it.pk),
            before=audit_before or before,
            after=snapshot() if snapshot else it.snapshot(),
            reason=reason,
            request=request,
            detail={"item": it.pk},
        )
        if new_owner != _real(acting_user):
            from peiyu.work import notify

            notify.notify(
                new_owner,
                f"转派给您的事项：{it.title}",
                note + "；" + _due_text(it),
                url=queries.item_url(it),
                item=it,
                kind="assigned",
            )
        _changed(it, ev)
        return it


def do_set_due(
    acting_user: Any, item: Item, due: dt.datetime | None, *, reason: str, request: Any = None
) -> Item:
    """Fix (or, with None, release) the item's deadline, e.g. a complex case extended with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("请填写调整期限的理由")
    with transaction.atomic():
        it = _locked(item)
        if not queries.can_reassign(acting_user, it):
            raise ActionError("无权调整该事项的期限")
        before = it.snapshot()
        it.fixed_due = due
        it.reminded_for = it.escalated_for = None
        _refresh_due(it)
        it.save()
        ev = Event.objects.create(
            item=it,
            kind=Event.Kind.DUE_CHANGED,
            label="调整期限",
            user=_real(acting_user),
            from_status=it.status,
            to_status=it.status,
            before=before,
            after=it.snapshot(),
            note=reason,
        )
        record(
            acting_user,
            A.ITEM_DUE,
            it,
            object_id=str(it.pk),
            before=before,
            after=it.snapshot(),
            reason=reason,
            request=request,
        )
        _changed(it, ev)
        return it


def log_event(
    item: Item,
    label: str,
    note: str = "",
    *,
    data: dict[str, Any] | None = None,
    user: Any = None,
    save: bool = True,
) -> Event:
    """A history row written by the source app (e.g. a monthly update of a warning). With
    ``save=False`` the unsaved row is returned for a bulk insert."""
    ev = Event(
        item=item,
        kind=Event.Kind.SOURCE,
        label=label[:40],
        user=_real(user),
        from_status=item.status,
        to_status=item.status,
        note=note,
        data=data or {},
    )
    if save:
        ev.save()
    return ev


# ---------------------------------------------------------------------------------------------
# Calendar


def _require_admin(by: Any, what: str) -> None:
    if not getattr(by, "is_admin", False) and not getattr(by, "is_superuser", False):
        raise ActionError(f"只有管理员可以{what}")


def do_set_calendar_day(
    acting_user: Any,
    day: dt.date,
    is_workday: bool | None,
    name: str = "",
    *,
    reason: str = "",
    request: Any = None,
) -> None:
    """Set one day to 放假 (False) or 上班 (True), or back to the Monday–Friday rule (None). The year
    becomes known (source 管理员录入) if it was not."""
    _require_admin(acting_user, "修改工作日历")
    with transaction.atomic():
        before_row = CalendarDay.objects.filter(date=day).first()
        before = {"is_workday": before_row.is_workday, "name": before_row.name} if before_row else None
        if is_workday is None:
            CalendarDay.objects.filter(date=day).delete()
            after = None
        else:
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": is_workday, "name": name[:60]}
            )
            after = {"is_workday": is_workday, "name": name[:60]}
        year, created = CalendarYear.objects.get_or_create(
            year=day.year, defaults={"source": CalendarYear.Source.MANUAL, "note": "管理员录入"}
        )
        year.updated_at, year.updated_by = timezone.now(), _real(acting_user)
        year.save(update_fields=["updated_at", "updated_by"])
        record(
            acting_user,
            A.CALENDAR_DAY,
            object_type="work.calendarday",
            object_id=day.isoformat(),
            object_repr=f"工作日历 {day.isoformat()}",
            before=before,
            after=after,
            reason=reason,
            request=request,
        )
        workdays.forget_cache()
        recompute_dues()


@dataclass
class CalendarImportResult:
    years: list[int]
    days: int
    holidays: int
    workdays: int
    errors: list[dict]

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "days": self.days,
            "holidays": self.holidays,
            "workdays": self.workdays,
            "errors": self.errors,
        }


def do_import_calendar(
    acting_user: Any, path: Any, *, filename: str | None = None, reason: str = "", request: Any = None
) -> CalendarImportResult:
    """Import a notice (日期, 类型 放假/上班, 名称): all or nothing. Every year named in the file is
    replaced by the file's days (and becomes known); a file with any bad row changes nothing."""
    from peiyu.core.tabular import TableError

    if acting_user is not None:
        _require_admin(acting_user, "导入工作日历")
    try:
        rows, errors = workdays.read_calendar_file(path, filename)
    except TableError as exc:
        errors, rows = [{"row": 0, "column": "", "value": "", "message": str(exc)}], []
    if errors:
        return CalendarImportResult([], 0, 0, 0, errors)
    years = sorted({r.date.year for r in rows})
    with transaction.atomic():
        CalendarDay.objects.filter(date__year__in=years).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(
                    date=r.date,
                    is_workday=r.is_workday,
                    name=r.name or ("调休上班" if r.is_workday else "放假"),
                )
                for r in rows
            ]
        )
        for y in years:
            CalendarYear.objects.update_or_create(
                year=y,
                defaults={
                    "source": CalendarYear.Source.IMPORT,
                    "note": (f"导入：{filename}" if filename else "文件导入")[:200],
                    "updated_at": timezone.now(),
                    "updated_by": _real(acting_user),
                },
            )
        result = CalendarImportResult(
            years,
            len(rows),
            sum(1 for r in rows if not r.is_workday),
            sum(1 for r in rows if r.is_workday),
            [],
        )
        record(
            acting_user,
            A.CALENDAR_IMPORT,
            object_type="work.calendaryear",
            object_id=",".join(map(str, years)),
            object_repr=f"工作日历 {'、'.join(map(str, years))} 年",
            detail=result.as_dict(),
            reason=reason,
            request=request,
        )
        workdays.forget_cache()
        recompute_dues()
    return result


def do_seed_calendar(acting_user: Any, year: int, *, request: Any = None) -> bool:
    """(Re)load a year from the chinesecalendar package, replacing any edits of that year."""
    _require_admin(acting_user, "载入工作日历")
    if year not in workdays.package_years():
        raise ActionError(f"chinesecalendar 程序包没有 {year} 年的节假日安排，请导入国务院通知")
    with transaction.atomic():
        workdays.seed_year(year, user=acting_user, replace=True)
        record(
            acting_user,
            A.CALENDAR_SEED,
            object_type="work.calendaryear",
            object_id=str(year),
            object_repr=f"工作日历 {year} 年",
            request=request,
        )
        recompute_dues()
    return True


# ---------------------------------------------------------------------------------------------
# Unit leaders and schedules


def do_set_unit_leader(
    acting_user: Any, unit: Any, leader: Any, *, reason: str = "", request: Any = None
) -> None:
    """Record (or, with None, remove) who leads ``unit``: overdue items of the unit escalate to them."""
    _require_admin(acting_user, "设置单位负责人")
    ct = ContentType.objects.get_for_model(type(unit))
    with transaction.atomic():
        row = UnitLeader.objects.filter(unit_type=ct, unit_id=unit.pk).select_related("leader").first()
        before = row.leader.username if row else None
        if leader is None:
            UnitLeader.objects.filter(unit_type=ct, unit_id=unit.pk).delete()
        else:
            if not leader.is_active:
                raise ActionError("负责人账户已停用")
            UnitLeader.objects.update_or_create(
                unit_type=ct, unit_id=unit.pk, defaults={"leader": leader, "updated_at": timezone.now()}
            )
        record(
            acting_user,
            A.UNIT_LEADER,
            unit,
            object_type=f"{ct.app_label}.{ct.model}",
            object_id=str(unit.pk),
            before={"leader": before},
            after={"leader": leader.username if leader else None},
            reason=reason,
            request=request,
        )


SCHEDULE_FIELDS = ("enabled", "time_of_day", "day_of_month")


def do_update_schedule(
    acting_user: Any, schedule: Schedule, changes: dict[str, Any], *, request: Any = None
) -> Schedule:
    _require_admin(acting_user, "修改定时任务")
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ActionError("未知设置项：" + "、".join(sorted(unknown)))
    if "day_of_month" in changes and not 1 <= int(changes["day_of_month"]) <= 28:
        raise ActionError("每月运行日应在 1–28 日之间")
    from peiyu.work import schedules

    with transaction.atomic():
        s = Schedule.objects.select_for_update().get(pk=schedule.pk)
        before = {f: str(getattr(s, f)) for f in SCHEDULE_FIELDS}
        for k, v in changes.items():
            setattr(s, k, v)
        s.next_run_at = schedules.next_run(s, timezone.now())
        s.updated_at, s.updated_by = timezone.now(), _real(acting_user)
        s.save()
        record(
            acting_user,
            A.SCHEDULE_UPDATE,
            s,
            object_id=s.key,
            before=before,
            after={f: str(getattr(s, f)) for f in SCHEDULE_FIELDS},
            request=request,
        )
        return s
