"""Scoped reads of warnings shared by the pages, the API, the CLI, the home panel and the profile.

A user sees only warnings of enterprises in their scope (:func:`peiyu.accounts.scope.restrict`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.alerts.actions import is_manager
from peiyu.alerts.models import OPEN_STATUSES, SEVERITY_ORDER, AlertSettings, Rule, Severity, Status, Warning


def visible(user: Any) -> QuerySet[Warning]:
    qs = Warning.objects.select_related(
        "enterprise", "enterprise__area", "enterprise__key_industry", "item", "item__owner", "item__closed_by"
    )
    return scope_mod.restrict(user, qs)


def get_or_404(user: Any, pk: Any) -> Warning:
    """The warning, or 404 when it does not exist or its enterprise lies outside the user's scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("预警不存在") from None
    w = visible(user).filter(pk=pk).first()
    if w is None:
        raise Http404("预警不存在")
    return w


def overdue_cutoff(days: int | None = None, now: dt.datetime | None = None) -> dt.datetime:
    if days is None:
        days = AlertSettings.current().overdue_days
    return (now or timezone.now()) - dt.timedelta(days=days)


def overdue(qs: QuerySet[Warning], days: int | None = None) -> QuerySet[Warning]:
    """Open warnings nobody has touched (no human action) for ``overdue_days`` days."""
    return qs.filter(item__is_open=True, item__last_activity_at__lte=overdue_cutoff(days))


def inbox(user: Any) -> QuerySet[Warning]:
    """Open warnings assigned to the user, plus (for managers) the unassigned ones in their scope."""
    qs = visible(user).filter(item__is_open=True)
    cond = Q(item__owner=user)
    if is_manager(user):
        cond |= Q(item__owner__isnull=True)
    return qs.filter(cond)


FILTERS = ("month", "status", "rule", "severity", "industry", "area", "owner", "overdue", "q")


def filtered(user: Any, params: dict[str, Any]) -> QuerySet[Warning]:
    """The user's warnings filtered by page/API parameters:

    ``month`` (YYYY-MM: warnings whose condition held in that month), ``status`` (a status, ``open``
    or ``closed``), ``rule``, ``severity``, ``industry`` (id), ``area`` (id), ``owner`` (``me``,
    ``none`` or a username), ``overdue`` (1), ``q`` (name or credit code)."""
    qs = visible(user)
    month = (params.get("month") or "").strip()
    if month:
        qs = qs.filter(first_month__lte=month, last_month__gte=month)
    status = (params.get("status") or "").strip()
    if status == "open":
        qs = qs.filter(item__is_open=True)
    elif status == "closed":
        qs = qs.filter(item__is_open=False)
    elif status in Status.values:
        qs = qs.filter(item__status=status)
    rule = (params.get("rule") or "").strip()
    if rule in Rule.values:
        qs = qs.filter(rule=rule)
    severity = (params.get("severity") or "").strip()
    if severity in Severity.values:
        qs = qs.filter(severity=severity)
    for name, field in (("industry", "enterprise__key_industry_id"), ("area", "enterprise__area_id")):
        value = str(params.get(name) or "").strip()
        if value.isascii() and value.isdigit():
            qs = qs.filter(**{field: int(value)})
    owner = (params.get("owner") or "").strip()
    if owner == "me":
        qs = qs.filter(item__owner=user)
    elif owner == "none":
        qs = qs.filter(item__owner__isnull=True)
    elif owner:
        qs = qs.filter(item__owner__username=owner)
    if str(params.get("overdue") or "") in ("1", "true", "on"):
        qs = overdue(qs)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__credit_code__icontains=q))
    return qs


def in_order(qs: QuerySet[Warning]) -> QuerySet[Warning]:
    """Open before closed, then by severity, then newest month, then oldest activity — in SQL, so a
    page of the inbox or the API reads only its rows. The queryset's own ordering (or the model's)
    breaks the remaining ties."""
    ties = list(qs.query.order_by) or list(qs.model._meta.ordering or [])
    return qs.annotate(
        _open_rank=Case(
            When(Q(item__isnull=True) | Q(item__status__in=OPEN_STATUSES), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        _severity_rank=Case(
            *[When(severity=k, then=Value(v)) for k, v in SEVERITY_ORDER.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
        _activity=Coalesce("item__last_activity_at", "created_at"),
    ).order_by("_open_rank", "_severity_rank", "-last_month", "_activity", *ties, "pk")


def ordered(qs: QuerySet[Warning]) -> list[Warning]:
    """:func:`in_order`, as a list."""
    return list(in_order(qs))


def counts(user: Any) -> dict[str, int]:
    """Counts for dashboards (scoped): open, overdue, new, high-severity open, mine."""
    qs = visible(user)
    open_qs = qs.filter(item__is_open=True)
    return {
        "open": open_qs.count(),
        "new": open_qs.filter(item__status=Status.NEW).count(),
        "overdue": overdue(qs).count(),
        "high": open_qs.filter(severity=Severity.HIGH).count(),
        "mine": open_qs.filter(item__owner=user).count() if getattr(user, "pk", None) else 0,
        "unassigned": open_qs.filter(item__owner__isnull=True).count(),
    }


def row_dict(w: Warning, overdue_days: int | None = None) -> dict[str, Any]:
    """One warning as the API, the CLI and the Excel export show it."""
    e = w.enterprise
    if overdue_days is None:
        overdue_days = AlertSettings.current().overdue_days
    return {
        "id": w.pk,
        "credit_code": e.credit_code,
        "name": e.name,
        "rule": w.rule,
        "rule_label": w.get_rule_display(),
        "severity": w.severity,
        "severity_label": w.get_severity_display(),
        "key_industry": e.key_industry.name if e.key_industry is not None else "",
        "area": e.area.name if e.area is not None else "",
        "first_month": w.first_month,
        "last_month": w.last_month,
        "evidence": w.evidence,
        "summary": w.summary,
        "status": w.status,
        "status_label": w.get_status_display(),
        "condition_holds": w.condition_holds,
        "owner": w.owner.username if w.owner is not None else None,
        "owner_name": str(w.owner) if w.owner_id else "",
        "overdue": w.is_overdue(overdue_days),
        "last_activity_at": timezone.localtime(w.last_activity_at).isoformat(),
        "resolution": w.resolution,
    }
