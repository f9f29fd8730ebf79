"""Scoped reads of meetings and decisions, and the carried-over decisions every pack puts first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.core.sections import Section, SectionTable
from peiyu.meetings.models import Decision, Meeting

CARRIED_OVER_KEY = "meetings.carried_over"


def visible(user: Any, qs: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.all() if qs is None else qs
    return scope_mod.restrict(user, qs.select_related("industry", "area", "created_by")).distinct()


def visible_decisions(user: Any, qs: QuerySet[Decision] | None = None) -> QuerySet[Decision]:
    qs = Decision.objects.all() if qs is None else qs
    return scope_mod.restrict(user, qs.select_related("meeting", "owner", "item", "item__owner")).distinct()


def can_change(user: Any, meeting: Meeting) -> bool:
    """May ``user`` prepare, minute and add decisions to this meeting? The kind decides when it
    declares ``may_change``; otherwise the meeting's CHANGE scope (its industry, its area, its
    organiser; administrators; a 区领导 only for what they organised)."""
    from peiyu.meetings import kinds

    if not scope_mod.can(user, meeting, scope_mod.VIEW):
        return False
    kind = kinds.get(meeting.kind)
    if kind is not None and kind.may_change is not None:
        return bool(kind.may_change(user, meeting))
    return scope_mod.can(user, meeting, scope_mod.CHANGE)


def series(meeting: Meeting) -> QuerySet[Meeting]:
    """The meetings of the same series: the same kind and owner (or, without an owner, the same
    kind, industry and area), not cancelled."""
    qs = Meeting.objects.filter(kind=meeting.kind).exclude(status=Meeting.Status.CANCELLED)
    if meeting.owner_type_id is not None:
        qs = qs.filter(owner_type_id=meeting.owner_type_id, owner_id=meeting.owner_id)
    else:
        qs = qs.filter(owner_type__isnull=True).filter(
            Q(industry_id=meeting.industry_id) if meeting.industry_id else Q(industry__isnull=True),
            Q(area_id=meeting.area_id) if meeting.area_id else Q(area__isnull=True),
        )
    return qs


def previous(meeting: Meeting) -> Meeting | None:
    """The meeting of the same series held (or planned) just before this one."""
    qs = series(meeting).exclude(pk=meeting.pk)
    if meeting.pk is not None:
        qs = qs.filter(Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk))
    else:
        qs = qs.filter(date__lt=meeting.date)
    return qs.order_by("-date", "-id").first()


def next_meeting(qs: QuerySet[Meeting], today: dt.date | None = None) -> Meeting | None:
    today = today or timezone.localdate()
    return qs.filter(date__gte=today, status=Meeting.Status.PLANNED).order_by("date", "time", "id").first()


def decisions_of(meeting: Meeting) -> list[Decision]:
    return list(meeting.decisions.select_related("owner", "item", "item__owner").order_by("order", "id"))


def carried_over(meeting: Meeting) -> list[Decision]:
    """The previous meeting's decisions, with their current status (``decision.status_label``,
    ``decision.is_open``, ``decision.is_overdue()``). Empty for the first meeting of a series."""
    prev = previous(meeting)
    return decisions_of(prev) if prev is not None else []


def still_open_earlier(meeting: Meeting) -> list[Decision]:
    """Decisions of meetings before the previous one that are still open (carried again)."""
    prev = previous(meeting)
    if prev is None:
        return []
    earlier = series(meeting).filter(Q(date__lt=prev.date) | Q(date=prev.date, pk__lt=prev.pk))
    return list(
        Decision.objects.filter(meeting__in=earlier, item__is_open=True)
        .select_related("meeting", "owner", "item")
        .order_by("meeting__date", "order", "id")
    )


def decision_row(d: Decision, now: dt.datetime | None = None) -> list[Any]:
    now = now or timezone.now()
    status = d.status_label + ("（超期）" if d.is_overdue(now) else "")
    owner = str(d.owner) if d.owner_id and d.owner is not None else ""
    return [d.text, d.unit_name, owner, d.due.isoformat() if d.due else "", status]


DECISION_COLUMNS = ["议定事项", "责任单位", "责任人", "完成时限", "落实情况"]
DECISION_KINDS = ["text", "text", "text", "date", "text"]


def carried_over_section(meeting: Meeting) -> Section:
    """The pack's first section: the previous meeting's decisions and how far each has got."""
    prev = previous(meeting)
    now = timezone.now()
    if prev is None:
        return Section(
            key=CARRIED_OVER_KEY,
            title="上次会议议定事项落实情况",
            order=0,
            paragraphs=["本系列首次会议，无上次会议议定事项。"],
        )
    items = carried_over(meeting)
    done = sum(1 for d in items if d.status == "done")
    overdue = sum(1 for d in items if d.is_overdue(now))
    open_ = sum(1 for d in items if d.is_open)
    para = (
        f"上次会议（{prev.date:%Y年%m月%d日}，{prev.title}）形成议定事项 {len(items)} 项："
        f"已落实 {done} 项，推进中 {open_} 项" + (f"，其中超期 {overdue} 项" if overdue else "") + "。"
    )
    tables = [
        SectionTable(
            title="上次会议议定事项",
            columns=DECISION_COLUMNS,
            rows=[decision_row(d, now) for d in items],
            kinds=DECISION_KINDS,
        )
    ]
    earlier = still_open_earlier(meeting)
    if earlier:
        tables.append(
            SectionTable(
                title="更早会议尚未落实的事项",
                columns=["会议日期", *DECISION_COLUMNS],
                rows=[[d.meeting.date.isoformat(), *decision_row(d, now)] for d in earlier],
                kinds=["date", *DECISION_KINDS],
            )
        )
        para += f"更早会议尚有 {len(earlier)} 项未落实。"
    problems = [
        f"超期未落实：{d.text}（{d.unit_name or '未定责任单位'}）" for d in items if d.is_overdue(now)
    ]
    return Section(
        key=CARRIED_OVER_KEY,
        title="上次会议议定事项落实情况",
        order=0,
        paragraphs=[para],
        tables=tables,
        problems=problems,
    )


def build_pack(meeting: Meeting, who: Any) -> list[Section]:
    """The carried-over decisions first, then the kind's own sections (as ``who`` sees the data)."""
    from peiyu.meetings import kinds

    kind = kinds.get(meeting.kind)
    sections: list[Section] = list(kind.pack(meeting, who)) if kind is not None and kind.pack else []
    if not any(s.key == CARRIED_OVER_KEY for s in sections):
        sections.insert(0, carried_over_section(meeting))
    else:
        sections.sort(key=lambda s: 0 if s.key == CARRIED_OVER_KEY else 1)
    return sections
