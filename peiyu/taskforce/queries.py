"""Scoped reads of the task-force app shared by the pages, the pack, the API and the commands.

Tax figures come only from registered analytics queries (:mod:`peiyu.taxes.analytics`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.taskforce.models import ContactLog, InfoReport, PublicityEvent, TaskForce


def visible(user: Any) -> QuerySet[TaskForce]:
    qs = TaskForce.objects.select_related("industry", "office")
    return scope_mod.restrict(user, qs).distinct().order_by("industry__order", "id")


def can_manage(user: Any, tf: TaskForce) -> bool:
    """May ``user`` act for the task force (schedule, assign liaison, issue reports)? Administrators,
    users whose CHANGE scope covers the industry, and its named leaders and members."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if scope_mod.is_admin(user):
        return True
    if tf.industry_id in scope_mod.scope_for(user, scope_mod.CHANGE).industry_ids:
        return True
    return tf.members.filter(pk=user.pk).exists() or tf.leaders.filter(pk=user.pk).exists()


def data_month(before: dt.date | None = None) -> str | None:
    """The latest month of tax data, not after the month before ``before`` (a meeting's date)."""
    from peiyu.taxes import analytics

    months = analytics.months_available()
    if before is not None:
        limit = f"{(before.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
        months = [m for m in months if m <= limit]
    return months[-1] if months else None


def industry_tax(who: Any, tf: TaskForce, month: str | None) -> dict[str, Any] | None:
    from peiyu.taxes import analytics

    if month is None:
        return None
    return analytics.totals(who, month, industry_id=tf.industry_id)


def targets_progress(who: Any, tf: TaskForce, month: str | None) -> list[Any]:
    from peiyu.targets import progress
    from peiyu.targets.models import Target

    if month is None:
        return []
    year = int(month[:4])
    qs = progress.visible_targets(who, Target.objects.filter(key_industry=tf.industry, year=year))
    targets = list(qs.select_related("key_industry", "area").order_by("order", "id"))
    if not targets:
        return []
    actuals = progress.Actuals(year)
    return [progress.compute(t, month, actuals) for t in targets]


def warnings(who: Any, tf: TaskForce) -> QuerySet[Any]:
    from peiyu.alerts import queries as alerts

    return alerts.visible(who).filter(enterprise__key_industry=tf.industry)


def open_items(who: Any, tf: TaskForce) -> list[Any]:
    """Open tracked items of the task force: its meetings' decisions and its reports."""
    from peiyu.meetings.models import Decision
    from peiyu.work import queries as work_queries
    from peiyu.work.models import Item

    ct = ContentType.objects.get_for_model(TaskForce)
    decision_ids = Decision.objects.filter(meeting__owner_type=ct, meeting__owner_id=tf.pk).values("pk")
    report_ids = InfoReport.objects.filter(template__taskforce=tf).values("pk")
    qs = work_queries.visible(
        who,
        Item.objects.filter(is_open=True, kind="meetings.decision", source_id__in=decision_ids)
        | Item.objects.filter(is_open=True, kind="taskforce.report", source_id__in=report_ids),
    ).select_related("owner")
    now = timezone.now()
    return sorted(qs, key=lambda i: work_queries.sort_key(i, now))


def meetings(who: Any, tf: TaskForce) -> QuerySet[Any]:
    from peiyu.meetings import queries as mq
    from peiyu.meetings.models import Meeting

    ct = ContentType.objects.get_for_model(TaskForce)
    return mq.visible(who, Meeting.objects.filter(kind="taskforce", owner_type=ct, owner_id=tf.pk))


def reports(who: Any, tf: TaskForce | None = None) -> QuerySet[InfoReport]:
    qs = InfoReport.objects.select_related("template", "template__taskforce", "department", "area", "item")
    if tf is not None:
        qs = qs.filter(template__taskforce=tf)
    return scope_mod.restrict(who, qs).distinct()


def contact_logs(who: Any) -> QuerySet[ContactLog]:
    return scope_mod.restrict(who, ContactLog.objects.select_related("enterprise", "user"))


def publicity(who: Any) -> QuerySet[PublicityEvent]:
    return scope_mod.restrict(who, PublicityEvent.objects.select_related("industry", "taskforce")).distinct()


# ---------------------------------------------------------------------------------------------
# Directed liaison: key enterprises, their liaison officers and coverage


def key_enterprises(who: Any, tf: TaskForce, month: str | None) -> list[Any]:
    """The key enterprises of the task force's industry the user may see (alerts' key set for the
    month; without tax data, the manually flagged ones)."""
    from peiyu.alerts import keyset
    from peiyu.registry.models import Enterprise

    if month is not None:
        ids = keyset.key_set(month).ids()
        qs = Enterprise.objects.filter(pk__in=ids)
    else:
        qs = Enterprise.objects.filter(is_key=True)
    qs = qs.filter(key_industry=tf.industry).select_related("area", "liaison", "key_industry")
    return list(scope_mod.enterprises(who, qs).order_by("name"))


def coverage(
    who: Any, tf: TaskForce, month: str | None, *, days: int = 90, today: dt.date | None = None
) -> dict[str, Any]:
    """Liaison coverage of the key enterprises: with a liaison officer, and contacted within ``days``."""
    today = today or timezone.localdate()
    ents = key_enterprises(who, tf, month)
    ids = [e.pk for e in ents]
    since = today - dt.timedelta(days=days)
    contacted = set(
        ContactLog.objects.filter(enterprise_id__in=ids, date__gte=since).values_list(
            "enterprise_id", flat=True
        )
    )
    with_liaison = sum(1 for e in ents if e.liaison_id)
    n = len(ents)
    return {
        "key": n,
        "with_liaison": with_liaison,
        "without_liaison": n - with_liaison,
        "contacted": len(contacted),
        "days": days,
        "liaison_pct": round(with_liaison * 100 / n, 1) if n else None,
        "contacted_pct": round(len(contacted) * 100 / n, 1) if n else None,
        "enterprises": ents,
        "contacted_ids": contacted,
    }


def next_meeting(who: Any, tf: TaskForce, today: dt.date | None = None) -> Any:
    from peiyu.meetings import queries as mq

    return mq.next_meeting(meetings(who, tf), today)


def pipeline(who: Any, tf: TaskForce) -> dict[str, Any] | None:
    """The attraction pipeline of the industry (projects the user sees, by stage, and the stalled
    ones), when the attraction app is installed; None otherwise."""
    from django.apps import apps

    if not apps.is_installed("peiyu.attraction"):
        return None
    from peiyu.attraction import queries as attraction
    from peiyu.attraction import stages

    qs = attraction.visible(who).filter(industry=tf.industry)
    counts = attraction.by_stage_counts(qs)
    stalled = [p for p in attraction.stalled(who) if p.industry_id == tf.industry_id]
    return {
        "total": sum(counts.values()),
        "stages": [(stages.label(k), n) for k, n in counts.items()],
        "stalled": stalled,
    }


def requests(who: Any, tf: TaskForce) -> dict[str, Any] | None:
    """Open enterprise requests (services) of the industry's firms the user sees."""
    from django.apps import apps

    if not apps.is_installed("peiyu.services"):
        return None
    from peiyu.services import queries as services

    qs = (
        services.visible_requests(who)
        .filter(enterprise__key_industry=tf.industry)
        .select_related("enterprise", "item")
    )
    open_ = list(qs.filter(item__is_open=True).order_by("received_at"))
    now = timezone.now()
    return {"open": open_, "overdue": [r for r in open_ if r.item is not None and r.item.is_overdue(now)]}


FOLLOW_DAYS = 30


def followed(who: Any, event: PublicityEvent, days: int = FOLLOW_DAYS) -> dict[str, int | None]:
    """What followed a publicity event in the system: enterprise requests (services) and policy
    applications (policies) of the industry's firms within ``days`` days, as ``who`` sees them;
    None where that app is not installed or the event names no industry."""
    from django.apps import apps

    out: dict[str, int | None] = {"requests": None, "applications": None}
    if event.industry_id is None:
        return out
    end = event.date + dt.timedelta(days=days)
    if apps.is_installed("peiyu.services"):
        from peiyu.services import queries as services

        out["requests"] = (
            services.visible_requests(who)
            .filter(
                enterprise__key_industry_id=event.industry_id,
                received_at__date__gte=event.date,
                received_at__date__lte=end,
            )
            .count()
        )
    if apps.is_installed("peiyu.policies"):
        from peiyu.policies.models import Award

        out["applications"] = (
            scope_mod.restrict(who, Award.objects.all())
            .filter(
                enterprise__key_industry_id=event.industry_id, applied_on__gte=event.date, applied_on__lte=end
            )
            .count()
        )
    return out
