"""Writes of the meetings core, each one audited: schedule, update, cancel, prepare the pack
(snapshot), record the minutes, add a decision (which opens its tracked item)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.audit import record
from peiyu.meetings import audit_actions as A
from peiyu.meetings import kinds, queries
from peiyu.meetings.models import Decision, Meeting


class MeetingError(ValueError):
    """A refused change (Chinese message for the page, the API and the command line)."""


def _real(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _require_change(user: Any, meeting: Meeting, request: Any = None) -> None:
    if user is None:  # the system (demo, commands run as nobody)
        return
    if not queries.can_change(user, meeting):
        scope_mod.denied(request, user, meeting, action=scope_mod.CHANGE)
        raise PermissionDenied(scope_mod.read_only_message(user))


def _owner_fields(owner: Any) -> dict[str, Any]:
    if owner is None:
        return {"owner_type": None, "owner_id": None}
    return {"owner_type": ContentType.objects.get_for_model(type(owner)), "owner_id": owner.pk}


def do_schedule_meeting(
    acting_user: Any,
    *,
    kind: str,
    title: str,
    date: dt.date,
    time: dt.time | None = None,
    location: str = "",
    owner: Any = None,
    industry: Any = None,
    area: Any = None,
    attendees: str = "",
    agenda: str = "",
    data_month: str = "",
    status: str = Meeting.Status.PLANNED,
    reason: str = "",
    request: Any = None,
) -> Meeting:
    """Schedule a meeting of a registered kind. Refused (PermissionDenied, rolled back) when the
    new meeting would lie outside what the user may change."""
    if kinds.get(kind) is None:
        raise MeetingError(f"未登记的会议类型：{kind}")
    if not (title or "").strip():
        raise MeetingError("请填写会议名称")
    if date is None:
        raise MeetingError("请填写会议日期")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title.strip()[:200],
            date=date,
            time=time,
            location=location.strip()[:200],
            industry=industry,
            area=area,
            attendees=attendees,
            agenda=agenda,
            data_month=data_month,
            status=status,
            created_by=_real(acting_user),
            **_owner_fields(owner),
        )
        if acting_user is not None and not scope_mod.is_admin(acting_user):
            # judged on the saved row, without the organiser anchor (any user could otherwise
            # schedule meetings of any industry by being their organiser)
            sc = scope_mod.scope_for(acting_user, scope_mod.CHANGE)
            k = kinds.get(kind)
            allowed = (
                bool(k.may_change(acting_user, meeting))
                if k is not None and k.may_change is not None
                else Meeting.objects.filter(pk=meeting.pk)
                .filter(scope_mod.Anchors(industry="industry", area="area", rule=Meeting.SCOPE.rule).q(sc))
                .exists()
            )
            if not allowed:
                scope_mod.denied(request, acting_user, meeting, action=scope_mod.CHANGE)
                raise PermissionDenied("不能为您办理范围以外的单位安排会议")
        record(
            acting_user,
            A.MEETING_SCHEDULE,
            meeting,
            after=meeting.snapshot(),
            reason=reason,
            request=request,
            detail={"kind": kind, "date": date.isoformat()},
        )
    return meeting


UPDATABLE = ("title", "date", "time", "location", "attendees", "agenda", "data_month")


def do_update_meeting(
    acting_user: Any, meeting: Meeting, *, reason: str = "", request: Any = None, **changes: Any
) -> Meeting:
    _require_change(acting_user, meeting, request)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise MeetingError(f"不能修改：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        m = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = m.snapshot()
        for k, v in changes.items():
            setattr(m, k, v)
        m.save()
        record(
            acting_user,
            A.MEETING_UPDATE,
            m,
            before=before,
            after=m.snapshot(),
            reason=reason,
            request=request,
        )
    return m


def do_cancel_meeting(
    acting_user: Any, meeting: Meeting, *, reason: str = "", request: Any = None
) -> Meeting:
    _require_change(acting_user, meeting, request)
    if not (reason or "").strip():
        raise MeetingError("请填写取消理由")
    with transaction.atomic():
        m = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = m.snapshot()
        m.status = Meeting.Status.CANCELLED
        m.save(update_fields=["status", "updated_at"])
        record(
            acting_user,
            A.MEETING_CANCEL,
            m,
            before=before,
            after=m.snapshot(),
            reason=reason,
            request=request,
        )
    return m


def _jsonable(value: Any) -> Any:
    """A pack snapshot as JSON: Decimals (rates, per-square-metre figures) as numbers, dates as
    ISO strings; money stays integer fen."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def do_prepare_pack(
    acting_user: Any, meeting: Meeting, *, who: Any = None, reason: str = "", request: Any = None
) -> Meeting:
    """Build the pack from the data as ``who`` (default: the acting user) sees it and keep it as
    the meeting's snapshot (the carried-over decisions first)."""
    _require_change(acting_user, meeting, request)
    viewer = who if who is not None else (acting_user if acting_user is not None else scope_mod.EVERYTHING)
    sections = queries.build_pack(meeting, viewer)
    with transaction.atomic():
        m = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = {
            "sections": len(m.pack or []),
            "prepared": m.pack_prepared_at.isoformat() if m.pack_prepared_at else None,
        }
        m.pack = [_jsonable(s.as_dict()) for s in sections]
        m.pack_prepared_at = timezone.now()
        m.pack_prepared_by = _real(acting_user)
        m.save(update_fields=["pack", "pack_prepared_at", "pack_prepared_by", "updated_at"])
        record(
            acting_user,
            A.PACK_PREPARE,
            m,
            before=before,
            after={"sections": len(m.pack), "prepared": m.pack_prepared_at.isoformat()},
            reason=reason,
            request=request,
            detail={"sections": [s.key for s in sections]},
        )
    return m


def do_record_minutes(
    acting_user: Any,
    meeting: Meeting,
    minutes: str,
    *,
    attendees: str | None = None,
    held: bool = True,
    reason: str = "",
    request: Any = None,
) -> Meeting:
    """Record (or correct) the minutes; a planned meeting becomes 已召开."""
    _require_change(acting_user, meeting, request)
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError("会议已取消，不能记录纪要")
    with transaction.atomic():
        m = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = m.snapshot()
        m.minutes = minutes or ""
        if attendees is not None:
            m.attendees = attendees
        if held:
            m.status = Meeting.Status.HELD
        m.save()
        record(
            acting_user,
            A.MINUTES_RECORD,
            m,
            before=before,
            after=m.snapshot(),
            reason=reason,
            request=request,
        )
    return m


def do_add_decision(
    acting_user: Any,
    meeting: Meeting,
    *,
    text: str,
    owner: Any = None,
    unit: Any = None,
    unit_name: str = "",
    due: dt.date | None = None,
    reason: str = "",
    request: Any = None,
) -> Decision:
    """Add a decision and open its tracked item (kind ``meetings.decision``: owner, unit, the due
    date as its fixed deadline, the end of that working day). The owner is notified in-app."""
    from peiyu.work import actions as work_actions
    from peiyu.work import notify, workdays
    from peiyu.work import queries as work_queries

    _require_change(acting_user, meeting, request)
    text = (text or "").strip()
    if not text:
        raise MeetingError("请填写议定事项")
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError("会议已取消，不能形成议定事项")
    if owner is not None and not owner.is_active:
        raise MeetingError("责任人账户已停用")
    with transaction.atomic():
        order = meeting.decisions.count() + 1
        d = Decision(
            meeting=meeting,
            text=text,
            owner=owner,
            unit_name=(unit_name or (str(unit) if unit is not None else ""))[:100],
            due=due,
            order=order,
            created_by=_real(acting_user),
        )
        if unit is not None:
            d.unit_type = ContentType.objects.get_for_model(type(unit))
            d.unit_id = unit.pk
        d.save()
        spec = work_actions.ItemSpec(
            d,
            "meetings.decision",
            f"{meeting.title}：{text}"[:300],
            owner=owner,
            unit=unit,
            due=workdays.end_of_day(due) if due else None,
            data={"meeting": meeting.pk},
            note=reason,
        )
        item = work_actions.open_items(acting_user, [spec])[0]
        d.item = item
        d.save(update_fields=["item"])
        record(
            acting_user,
            A.DECISION_ADD,
            d,
            after=d.snapshot(),
            reason=reason,
            request=request,
            detail={"item": item.pk, "kind": meeting.kind},
        )
        if owner is not None and owner != _real(acting_user):
            notify.notify(
                owner,
                f"会议议定事项：{text[:60]}",
                f"完成时限：{due:%Y-%m-%d}" if due else "无期限",
                url=work_queries.item_url(item),
                item=item,
                kind="assigned",
            )
    return d
