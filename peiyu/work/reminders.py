"""The daily supervision run: reminders before a deadline, and overdue items escalated to the
owner's leader. Both are idempotent per deadline (an item is reminded, and escalated, once for each
deadline it has; a new deadline starts afresh), so running them twice a day changes nothing.

- reminder: on the ``remind_before``-th working day before the deadline (1 by default) and until
  it passes, the owner (or, for an unowned item, its unit's members) gets a notification;
- escalation: once the deadline has passed, the owner is told the item is overdue and the leader
  (:func:`peiyu.work.queries.leader_for`) gets a 督办 notification; the history says who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts.audit import record
from peiyu.work import audit_actions as A
from peiyu.work import flows, notify, queries, workdays
from peiyu.work.models import Event, Item


@dataclass
class RunResult:
    reminded: int = 0
    escalated: int = 0
    no_leader: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reminded": self.reminded,
            "escalated": self.escalated,
            "no_leader": self.no_leader,
            "skipped": self.skipped[:20],
        }


def _recipients(item: Item) -> list[Any]:
    if item.owner is not None and item.owner.is_active:
        return [item.owner]
    if item.unit_type_id and item.unit_id:
        from django.contrib.contenttypes.models import ContentType

        model = ContentType.objects.get_for_id(item.unit_type_id).model_class()
        kind = flows.unit_kind(model._meta.label) if model is not None else None
        unit = model._default_manager.filter(pk=item.unit_id).first() if model is not None else None
        if kind is not None and unit is not None:
            return [u for u in kind.members(unit) if u.is_active]
    return []


def send_reminders(now: dt.datetime | None = None, progress: Any = None) -> RunResult:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    result = RunResult()
    qs = (
        Item.objects.filter(is_open=True, due_at__isnull=False, due_at__gt=now)
        .select_related("owner")
        .order_by("due_at")
    )
    todo = [i for i in qs if i.reminded_for != i.due_at]
    for n, item in enumerate(todo, 1):
        flow = flows.get(item.kind)
        assert item.due_at is not None
        due_day = timezone.localtime(item.due_at).date()
        try:
            remind_day = workdays.working_days_before(due_day, flow.remind_before)
        except workdays.CalendarMissing as exc:
            result.skipped.append(str(exc))
            continue
        if today < remind_day:
            continue
        with transaction.atomic():
            it = Item.objects.select_for_update(of=("self",)).select_related("owner").get(pk=item.pk)
            if it.reminded_for == it.due_at or not it.is_open:
                continue
            due_text = f"{timezone.localtime(it.due_at):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]
            to = _recipients(it)
            for user in to:
                notify.notify(
                    user,
                    f"即将到期：{it.title}",
                    f"{flow.label}“{it.title}”将于 {due_text} 到期（当前：{flow.label_of(it.status)}）",
                    url=queries.item_url(it),
                    item=it,
                    kind="reminder",
                )
            it.reminded_for = it.due_at
            it.save(update_fields=["reminded_for"])
            Event.objects.create(
                item=it,
                time=now,
                kind=Event.Kind.REMINDED,
                label="到期提醒",
                from_status=it.status,
                to_status=it.status,
                note=f"期限 {due_text}；已提醒：{'、'.join(str(u) for u in to) or '无接收人'}",
            )
            result.reminded += 1
        if progress:
            progress("到期提醒", n, len(todo))
    return result


def escalate_overdue(now: dt.datetime | None = None, progress: Any = None) -> RunResult:
    now = now or timezone.now()
    result = RunResult()
    qs = Item.objects.filter(is_open=True, due_at__isnull=False, due_at__lt=now).select_related("owner")
    todo = [i for i in qs if i.escalated_for != i.due_at and flows.get(i.kind).escalate]
    for n, item in enumerate(todo, 1):
        flow = flows.get(item.kind)
        with transaction.atomic():
            it = Item.objects.select_for_update(of=("self",)).select_related("owner").get(pk=item.pk)
            if it.escalated_for == it.due_at or not it.is_open:
                continue
            due_text = f"{timezone.localtime(it.due_at):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]
            leader = queries.leader_for(it)
            owner_text = str(it.owner) if it.owner_id else "未分派"
            for user in _recipients(it):
                notify.notify(
                    user,
                    f"已超期：{it.title}",
                    f"{flow.label}“{it.title}”已于 {due_text} 到期，请尽快办理"
                    + (f"（已报 {leader} 督办）" if leader else ""),
                    url=queries.item_url(it),
                    item=it,
                    kind="overdue",
                )
            if leader is not None:
                notify.notify(
                    leader,
                    f"督办：{it.title}",
                    f"{flow.label}“{it.title}”（责任人 {owner_text}）已于 {due_text} 超期未办结",
                    url=queries.item_url(it),
                    item=it,
                    kind="escalation",
                )
            else:
                result.no_leader += 1
            it.escalated_for, it.escalated_to = it.due_at, leader
            it.save(update_fields=["escalated_for", "escalated_to"])
            Event.objects.create(
                item=it,
                time=now,
                kind=Event.Kind.ESCALATED,
                label="超期督办",
                from_status=it.status,
                to_status=it.status,
                note=f"期限 {due_text} 已过；"
                + (f"已报 {leader} 督办" if leader else "未设单位负责人，无人可报（请在“单位负责人”中设置）"),
                data={"leader": leader.username if leader else None, "due": due_text},
            )
            result.escalated += 1
        if progress:
            progress("超期督办", n, len(todo))
    return result


def daily_run(now: dt.datetime | None = None, progress: Any = None) -> dict[str, Any]:
    """Reminders then escalation; one audit row for the run."""
    r = send_reminders(now, progress)
    e = escalate_overdue(now, progress)
    out = {
        "reminded": r.reminded,
        "escalated": e.escalated,
        "no_leader": e.no_leader,
        "skipped": (r.skipped + e.skipped)[:20],
    }
    record(None, A.ITEMS_REMIND, object_type="work.item", object_repr="到期提醒与超期督办", detail=out)
    return out
