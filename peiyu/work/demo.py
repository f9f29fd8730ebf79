"""Demo step (ORDER 55, after the warnings): the working-day calendar seeded from the package, the
district leader recorded as the leader of the demo units, a few dozen 交办事项 owned by the demo
personas (some overdue, some done), and the daily reminder/escalation run, so the inbox, the top
bar, the notifications and the 督办通报 all have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

ORDER = 55

TASKS = [
    "走访了解{name}扩产用地需求",
    "协调{name}办公用房续租事宜",
    "答复{name}研发费用加计扣除政策咨询",
    "核实{name}近期税收下降原因并报专班",
    "对接{name}人才公寓申请",
    "协调银行为{name}提供普惠贷款",
]
DONE_NOTES = ["已走访，企业需求已转投促办对接载体。", "已协调物业续租两年。", "已书面答复企业。"]


def generate(ctx: Any) -> None:
    from django.utils import timezone

    from peiyu.accounts import scope as scope_mod
    from peiyu.accounts.audit import record
    from peiyu.accounts.models import Department, User
    from peiyu.registry.models import Area, Enterprise
    from peiyu.work import actions, reminders, workdays
    from peiyu.work import audit_actions as A
    from peiyu.work.models import Item, UnitLeader

    rng = ctx.step_rng("work")
    seeded = workdays.seed_all()
    leader = User.objects.filter(username="leader").first()
    kewei_dept = Department.objects.filter(name="区科委").first()
    taopu_area = Area.objects.filter(name="桃浦镇").first()
    if leader is not None:
        from django.contrib.contenttypes.models import ContentType

        for unit in (kewei_dept, taopu_area):
            if unit is not None:
                UnitLeader.objects.update_or_create(
                    unit_type=ContentType.objects.get_for_model(type(unit)),
                    unit_id=unit.pk,
                    defaults={"leader": leader},
                )
    now = timezone.now()
    specs: list[actions.ItemSpec] = []
    plan = (("kewei", kewei_dept, 6), ("taopu", taopu_area, 6), ("software", None, 5))
    for uname, unit, count in plan:
        owner = User.objects.filter(username=uname).first()
        if owner is None:
            continue
        ents = list(scope_mod.enterprises(owner, Enterprise.objects.order_by("id"))[:400])
        if not ents:
            continue
        for k in range(count):
            ent = rng.choice(ents)
            # opened 0–14 calendar days ago: the older ones are past their 5 working days, a few
            # are due tomorrow (reminded), the newest have time
            opened = now - dt.timedelta(days=rng.choice((0, 1, 2, 4, 5, 6, 8, 14)), hours=rng.randint(0, 6))
            specs.append(
                actions.ItemSpec(
                    ent,
                    "work.task",
                    TASKS[(k + len(specs)) % len(TASKS)].format(name=ent.name),
                    owner=owner,
                    unit=unit,
                    note="专班例会交办",
                    opened_at=opened,
                )
            )
    created = [] if Item.objects.filter(kind="work.task").exists() else actions.open_items(None, specs)
    done = 0
    for n, item in enumerate(created):
        roll = rng.random()
        if roll < 0.35:
            continue  # still 已交办
        actions.apply_transition(
            item, "in_progress", by=item.owner, note="已联系企业", now=item.opened_at + dt.timedelta(days=1)
        )
        if roll > 0.8 and n % 2 == 0:
            actions.apply_transition(item, "done", by=item.owner, note=rng.choice(DONE_NOTES))
            done += 1
    if created:
        record(
            None,
            A.ITEMS_DEMO,
            object_type="work.item",
            object_repr="演示督办事项",
            detail={"items": len(created)},
        )
    run = reminders.daily_run(now)
    ctx.summary["work"] = {
        "calendar_years": _known_years(),
        "calendar_seeded_now": len(seeded),
        "items": Item.objects.count(),
        "tasks": len(created),
        "done": done,
        "overdue": Item.objects.filter(is_open=True, due_at__lt=now).count(),
        "reminded": run["reminded"],
        "escalated": run["escalated"],
    }


def _known_years() -> str:
    from peiyu.work.models import CalendarYear

    years = list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    return f"{years[0]}–{years[-1]}" if years else "无"
