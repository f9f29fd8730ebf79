"""Who sees and who may change a tracked item, and the reads every page, the API and the CLI share.

An item is visible to its owner, the members of its unit, the unit's leader, the leader it was
escalated to, administrators and district leaders (who see everything), and whoever may see its
source object. This is declared once as the item's scope anchors (``Item.SCOPE``: the owner, and
:func:`item_rule`) so :mod:`peiyu.accounts.scope` decides, as for every other model: the source's
visibility is the source model's own anchors (``scope.restrict``), or the kind's
``visible_source_ids(scope)``. Out of scope is a 404 like a missing item (audited as a denied attempt).

Changing follows the kind's rules (``may_act``); by default the owner, the unit's members and
leader, the leader it was escalated to, and administrators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.work import flows
from peiyu.work.models import Item, UnitLeader


def is_manager(user: Any) -> bool:
    """Administrators: they may act on every item (district leaders see everything but act only on
    what is theirs: owned, led or escalated to them)."""
    return scope_mod.is_admin(user)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


# ---------------------------------------------------------------------------------------------
# Units


def unit_label(unit_type_id: int | None, unit_id: int | None) -> str:
    if not unit_type_id or not unit_id:
        return ""
    model = ContentType.objects.get_for_id(unit_type_id).model_class()
    if model is None:
        return ""
    obj = model._default_manager.filter(pk=unit_id).first()
    return str(obj) if obj is not None else ""


def units_q(user: Any, prefix: str = "unit") -> Q:
    """Items whose unit is one the user belongs to (any registered unit kind) or leads."""
    cond = Q(pk__in=[])
    for kind in flows.unit_kinds():
        model = apps.get_model(kind.model)
        ids = list(kind.units_of(user))
        if ids:
            ct = ContentType.objects.get_for_model(model)
            cond |= Q(**{f"{prefix}_type": ct, f"{prefix}_id__in": ids})
    for ct_id, unit_id in UnitLeader.objects.filter(leader=user).values_list("unit_type_id", "unit_id"):
        cond |= Q(**{f"{prefix}_type_id": ct_id, f"{prefix}_id": unit_id})
    return cond


def is_unit_member(user: Any, item: Item) -> bool:
    if not item.unit_type_id or not item.unit_id:
        return False
    model = ContentType.objects.get_for_id(item.unit_type_id).model_class()
    if model is None:
        return False
    kind = flows.unit_kind(model._meta.label)
    return bool(kind is not None and item.unit_id in set(kind.units_of(user)))


def leads_unit(user: Any, item: Item) -> bool:
    if not item.unit_type_id or not item.unit_id:
        return False
    return leader_of_unit(item.unit_type_id, item.unit_id) == user


def leader_of_unit(unit_type_id: int, unit_id: int) -> Any:
    model = ContentType.objects.get_for_id(unit_type_id).model_class()
    if model is not None:
        kind = flows.unit_kind(model._meta.label)
        if kind is not None and kind.leader is not None:
            unit = model._default_manager.filter(pk=unit_id).first()
            leader = kind.leader(unit) if unit is not None else None
            if leader is not None:
                return leader
    row = (
        UnitLeader.objects.filter(unit_type_id=unit_type_id, unit_id=unit_id, leader__is_active=True)
        .select_related("leader")
        .first()
    )
    return row.leader if row is not None else None


def leader_for(item: Item) -> Any:
    """Whom an overdue item escalates to: the leader of the item's unit; else the leader of one of
    the owner's departments, then of the owner's areas (sub-districts); never the owner themself.
    None when no leader is recorded (the 督办通报 says so)."""
    owner = item.owner
    candidates: list[tuple[int, int]] = []
    if item.unit_type_id and item.unit_id:
        candidates.append((item.unit_type_id, item.unit_id))
    if owner is not None:
        from peiyu.accounts.models import Department
        from peiyu.registry.models import Area

        dept_ct = ContentType.objects.get_for_model(Department).pk
        area_ct = ContentType.objects.get_for_model(Area).pk
        candidates += [(dept_ct, d) for d in owner.departments.values_list("id", flat=True)]
        candidates += [(area_ct, a) for a in owner.areas.values_list("id", flat=True)]
    for ct_id, unit_id in candidates:
        leader = leader_of_unit(ct_id, unit_id)
        if leader is not None and leader != owner and leader.is_active:
            return leader
    return None


# ---------------------------------------------------------------------------------------------
# Visibility


def _source_ids(flow: flows.Flow, scope: scope_mod.Scope) -> Any:
    if flow.visible_source_ids is not None:
        return flow.visible_source_ids(scope)
    if not flow.source_model:
        return None
    model = apps.get_model(flow.source_model)
    return scope_mod.restrict(scope, model._default_manager.all()).values("pk")


def item_rule(scope: scope_mod.Scope) -> Q:
    """The item's anchors besides its owner (``Item.SCOPE``): the units of the scope's user (their
    departments and areas, and the units of other registered kinds), the units they lead, the items
    escalated to them, and the items whose source object the scope covers."""
    from peiyu.accounts.models import Department, User
    from peiyu.registry.models import Area

    cond = Q(pk__in=[])
    if scope.department_ids:
        cond |= Q(unit_type=ContentType.objects.get_for_model(Department), unit_id__in=scope.department_ids)
    if scope.area_ids:
        cond |= Q(unit_type=ContentType.objects.get_for_model(Area), unit_id__in=scope.area_ids)
    if scope.user_id is not None:
        cond |= Q(escalated_to_id=scope.user_id)
        for ct_id, unit_id in UnitLeader.objects.filter(leader_id=scope.user_id).values_list(
            "unit_type_id", "unit_id"
        ):
            cond |= Q(unit_type_id=ct_id, unit_id=unit_id)
        others = [k for k in flows.unit_kinds() if k.model.lower() not in BUILTIN_UNITS]
        if others:
            user = User.objects.filter(pk=scope.user_id).first()
            for kind in others if user is not None else []:
                ids = list(kind.units_of(user))
                if ids:
                    ct = ContentType.objects.get_for_model(apps.get_model(kind.model))
                    cond |= Q(unit_type=ct, unit_id__in=ids)
    for flow in flows.all_flows():
        ids = _source_ids(flow, scope)
        if ids is not None:
            cond |= Q(kind=flow.kind, source_id__in=ids)
    return cond


BUILTIN_UNITS = ("accounts.department", "registry.area")  # covered by the scope's own ids


def visible(user: Any, qs: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """The items ``user`` may see (see the module docstring)."""
    if qs is None:
        qs = Item.objects.all()
    return scope_mod.restrict(user, qs)


def can_see(user: Any, item: Item) -> bool:
    return scope_mod.can(user, item)


def get_or_404(user: Any, pk: Any, *, request: Any = None) -> Item:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("事项不存在") from None
    return scope_mod.get_object_or_404(
        user, Item.objects.select_related("owner"), request=request, missing="事项不存在", pk=pk
    )


def source_visible(user: Any, flow: flows.Flow, source: Any) -> bool:
    """May ``user`` see this source object (used when choosing a new owner)?"""
    if flow.source_visible is not None:
        return flow.source_visible(user, source)
    return source is not None and scope_mod.can(user, source)


def can_act(user: Any, item: Item, to_status: str | None = None) -> bool:
    """May ``user`` change ``item`` (``to_status`` None: add a note)? The kind's ``may_act``
    decides when it declares one; otherwise the owner, the unit's members and leader, and
    administrators/leaders, always among those who can see the item."""
    if not _active(user) or not can_see(user, item):
        return False
    flow = flows.get(item.kind)
    if flow.may_act is not None:
        return bool(flow.may_act(user, item, to_status))
    return (
        item.owner_id == user.pk
        or is_manager(user)
        or is_unit_member(user, item)
        or leads_unit(user, item)
        or (item.escalated_to_id == user.pk)
    )


def can_reassign(user: Any, item: Item) -> bool:
    if not item.is_open or not _active(user) or not can_see(user, item):
        return False
    flow = flows.get(item.kind)
    if flow.may_act is not None and flow.may_act(user, item, "__reassign__"):
        return True
    return item.owner_id == user.pk or is_manager(user) or leads_unit(user, item)


# ---------------------------------------------------------------------------------------------
# Reads other apps call


def items_of(source: Any, kind: str | None = None) -> QuerySet[Item]:
    """The items attached to ``source`` (newest first), unscoped: the caller already holds the source."""
    ct = ContentType.objects.get_for_model(type(source))
    qs = Item.objects.filter(source_type=ct, source_id=source.pk).select_related("owner")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def inbox_qs(user: Any) -> QuerySet[Item]:
    """Open items the user must act on: owned by them, plus unowned items of their units, plus
    unowned items of kinds that put them in a manager's inbox (``unowned_inbox``)."""
    if not _active(user):
        return Item.objects.none()
    base = visible(user).filter(is_open=True)
    cond = Q(owner=user) | (Q(owner__isnull=True) & units_q(user))
    for flow in flows.all_flows():
        if flow.unowned_inbox is not None and flow.unowned_inbox(user):
            cond |= Q(owner__isnull=True, kind=flow.kind)
    return base.filter(cond).select_related("owner")


def sort_key(item: Item, now: dt.datetime) -> tuple:
    """Overdue first, then by due date (soonest first), items with no deadline last."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (0 if item.is_overdue(now) else 1, item.due_at or far, item.id)


def items_for(user: Any, *, now: dt.datetime | None = None) -> list[Item]:
    """The user's inbox (我的待办) across apps, sorted: overdue first, then by due date."""
    now = now or timezone.now()
    return sorted(inbox_qs(user), key=lambda i: sort_key(i, now))


def counts(user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    qs = inbox_qs(user)
    from peiyu.work.models import Notification

    return {
        "todo": qs.count(),
        "overdue": qs.filter(due_at__lt=now).count(),
        "unread": Notification.objects.filter(user=user, read_at__isnull=True).count()
        if _active(user)
        else 0,
    }


def row(item: Item, now: dt.datetime | None = None) -> dict[str, Any]:
    """One item as the inbox JSON (`peiyu inbox --json`), the API and the Excel export show it."""
    now = now or timezone.now()
    flow = flows.get(item.kind)
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": flow.label,
        "title": item.title,
        "owner": item.owner.username if item.owner_id and item.owner is not None else None,
        "owner_name": str(item.owner) if item.owner_id and item.owner is not None else "",
        "unit": unit_label(item.unit_type_id, item.unit_id),
        "status": item.status,
        "status_label": flow.label_of(item.status),
        "due": timezone.localtime(item.due_at).isoformat() if item.due_at else None,
        "overdue": item.is_overdue(now),
        "opened": timezone.localtime(item.opened_at).isoformat(),
    }


def item_url(item: Item) -> str:
    flow = flows.get(item.kind)
    if flow.item_url is not None:
        try:
            return flow.item_url(item)
        except Exception:  # a source gone missing must not break a list
            return ""
    from django.urls import reverse

    return reverse("work:item", args=[item.pk])
