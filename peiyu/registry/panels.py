"""Home page panel: enterprises in the user's scope by key industry and by sub-district/town."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from peiyu.accounts import scope
from peiyu.registry.models import Area, EnterpriseStatus, KeyIndustry

ACTIVE = [EnterpriseStatus.EXISTING, EnterpriseStatus.OPERATING]


def home_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    sc = scope.scope_for(user)
    if sc.is_empty:
        return None
    qs = scope.enterprises(user)
    total = qs.count()
    if not total:
        return None
    active = qs.filter(status__in=ACTIVE)
    by_ind = dict(
        active.filter(key_industry__isnull=False)
        .values_list("key_industry")
        .annotate(n=Count("id"))
        .values_list("key_industry", "n")
    )
    industries = list(KeyIndustry.objects.filter(active=True).order_by("order", "id"))
    areas = {a.pk: a.name for a in Area.objects.all()}
    by_area = [
        {"id": row["area"], "name": areas.get(row["area"], "未填"), "n": row["n"], "key": row["key"]}
        for row in active.filter(area__isnull=False)
        .values("area")
        .annotate(n=Count("id"), key=Count("id", filter=Q(key_industry__isnull=False)))
        .order_by("-n")
    ]
    chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 10, "top": 10, "bottom": 30},
        "xAxis": {"type": "category", "data": [i.name for i in industries]},
        "yAxis": {"type": "value", "name": "家"},
        "series": [
            {
                "type": "bar",
                "name": "存续/在业企业",
                "data": [{"value": by_ind.get(i.pk, 0), "itemStyle": {"color": i.color}} for i in industries],
            }
        ],
    }
    return {
        "template": "registry/panel.html",
        "order": 80,
        "total": total,
        "active": active.count(),
        "in_key": sum(by_ind.values()),
        "by_industry": {i.name: by_ind.get(i.pk, 0) for i in industries},
        "by_area": by_area,
        "chart": chart,
    }
