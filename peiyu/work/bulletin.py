"""The leader's supervision bulletin (督办通报): items whose deadline fell in each month, and how
many of them were (or still are) late, by responsible unit, month by month.

An item's unit is its responsible unit; without one, the owner's first department, else the
owner's first sub-district/town, else "未指定单位". Late: still open after the deadline, or
closed after it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from peiyu.work import queries
from peiyu.work.models import Item


def _unit_names(items: list[Item]) -> dict[int, str]:
    by_type: dict[int, set[int]] = defaultdict(set)
    for i in items:
        if i.unit_type_id and i.unit_id:
            by_type[i.unit_type_id].add(i.unit_id)
    names: dict[tuple[int, int], str] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            names[(ct_id, obj.pk)] = str(obj)
    out: dict[int, str] = {}
    owner_unit: dict[int, str] = {}
    for i in items:
        if i.unit_type_id and i.unit_id and (i.unit_type_id, i.unit_id) in names:
            out[i.pk] = names[(i.unit_type_id, i.unit_id)]
            continue
        if i.owner_id and i.owner is not None:
            if i.owner_id not in owner_unit:
                d = i.owner.departments.first()
                a = i.owner.areas.first() if d is None else None
                owner_unit[i.owner_id] = str(d or a or "未指定单位")
            out[i.pk] = owner_unit[i.owner_id]
        else:
            out[i.pk] = "未指定单位"
    return out


def bulletin(user: Any, year: int, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    items = list(
        queries.visible(user)
        .filter(due_at__gte=start, due_at__lt=end)
        .select_related("owner")
        .order_by("due_at")
    )
    units = _unit_names(items)
    table: dict[str, dict[int, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"due": 0, "late": 0})
    )
    open_late: dict[str, int] = defaultdict(int)
    for i in items:
        assert i.due_at is not None
        m = timezone.localtime(i.due_at).month
        unit = units[i.pk]
        cell = table[unit][m]
        cell["due"] += 1
        is_late = (i.is_open and now > i.due_at) or (i.closed_at is not None and i.closed_at > i.due_at)
        if is_late:
            cell["late"] += 1
            if i.is_open:
                open_late[unit] += 1
    months = list(range(1, 13))
    rows: list[dict[str, Any]] = []
    for unit in sorted(table, key=lambda u: (-sum(c["late"] for c in table[u].values()), u)):
        cells = [table[unit].get(m, {"due": 0, "late": 0}) for m in months]
        due = sum(c["due"] for c in cells)
        late = sum(c["late"] for c in cells)
        rows.append(
            {
                "unit": unit,
                "months": cells,
                "due": due,
                "late": late,
                "on_time_pct": round((due - late) * 100 / due, 1) if due else None,
                "open_late": open_late[unit],
            }
        )
    totals = [
        {"due": sum(r["months"][k]["due"] for r in rows), "late": sum(r["months"][k]["late"] for r in rows)}
        for k in range(12)
    ]
    return {"year": year, "months": months, "rows": rows, "totals": totals}
