"""Pipeline warnings on tracked work (kind ``attraction.warning``, see :mod:`peiyu.attraction.tracked`).

- ``unregistered``: signed (签约) more than 3 months ago and not registered (注册落地) yet;
- ``no_tax``: landed (注册落地) and the tax library has at least 6 months from the landing month on,
  none with district-level tax.

One open item per project and rule; when the condition no longer holds the item is closed by the
system ("条件已消除"). Lost or ended projects get no warnings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.analytics import shift_month
from peiyu.attraction.models import Project, Stage, Status

KIND = "attraction.warning"
RULES = {
    "unregistered": "签约超过3个月未注册落地",
    "no_tax": "注册落地6个月未产生区级税收",
}
SIGNED_MONTHS = 3
NO_TAX_MONTHS = 6


def _add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    import calendar

    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def holds(project: Project, rule: str, today: dt.date, months: list[str]) -> bool:
    if project.status in (Status.LOST, Status.ENDED):
        return False
    if rule == "unregistered":
        return (
            project.stage == Stage.SIGNED
            and project.signed_on is not None
            and _add_months(project.signed_on, SIGNED_MONTHS) < today
        )
    if rule == "no_tax":
        if project.stage != Stage.LANDED or project.first_tax_month:
            return False
        day = project.registered_on or project.signed_on
        if day is None:
            return False
        start = f"{day.year:04d}-{day.month:02d}"
        return len([m for m in months if start <= m]) >= NO_TAX_MONTHS
    return False


def open_warnings(project: Project) -> dict[str, Any]:
    from peiyu.work import queries

    return {i.data.get("rule"): i for i in queries.items_of(project, kind=KIND).filter(is_open=True)}


def check(today: dt.date | None = None) -> dict[str, int]:
    """Open and close the pipeline warnings; returns ``{"opened", "closed"}``."""
    from peiyu.accounts import audit
    from peiyu.attraction import audit_actions as A
    from peiyu.taxes.analytics import months_available
    from peiyu.work import actions

    today = today or timezone.localdate()
    months = months_available()
    opened = closed = 0
    qs = Project.objects.filter(stage__in=(Stage.SIGNED, Stage.LANDED)).select_related(
        "team"
    ) | Project.objects.filter(pk__in=_projects_with_open_items())
    for p in qs.distinct():
        current = open_warnings(p)
        for rule, label in RULES.items():
            want = holds(p, rule, today, months)
            item = current.get(rule)
            with transaction.atomic():
                if want and item is None:
                    actions.do_open_item(
                        None,
                        p,
                        kind=KIND,
                        title=f"{label}：{p.name}",
                        owner=p.team.leader
                        if p.team.leader is not None and p.team.leader.is_active
                        else None,
                        unit=p.team,
                        data={"rule": rule},
                        note=_why(p, rule),
                    )
                    opened += 1
                elif not want and item is not None:
                    actions.apply_transition(
                        item, "resolved", by=None, note="条件已消除（系统自动关闭）", label="自动关闭"
                    )
                    closed += 1
    if opened or closed:
        audit.record(
            None, A.WARNINGS_CHECK, object_type="attraction", detail={"opened": opened, "closed": closed}
        )
    return {"opened": opened, "closed": closed}


def _why(p: Project, rule: str) -> str:
    if rule == "unregistered":
        return f"{p.signed_on} 签约，至今未注册落地"
    return f"{p.registered_on or p.signed_on} 注册落地，税收库中此后没有区级税收"


def _projects_with_open_items() -> Any:
    from django.contrib.contenttypes.models import ContentType

    from peiyu.work.models import Item

    ct = ContentType.objects.get_for_model(Project)
    return Item.objects.filter(kind=KIND, source_type=ct, is_open=True).values("source_id")


def shift(month: str, n: int) -> str:
    return shift_month(month, n)
