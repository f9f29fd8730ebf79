"""Who is a key enterprise (重点企业) for a month, and the scoped lists per industry and area.

An enterprise is a key enterprise for month M when, and only when, it is not manually removed and
at least one of these holds (the reasons are kept and shown):

- ``rule``: its district-level tax over the ``key_window_months`` (default 12) months *before* M
  (M-12 … M-1) is at least ``key_threshold_fen`` (default 1,000,000 yuan). The analysed month itself
  is left out so that a firm which stops paying in M stays on the list and gets its warning;
- ``top``: it is among the top ``top_n_per_industry`` (default 10) of its key industry by that sum;
- ``manual``: the registry's manual flag ``Enterprise.is_key`` is set, or an active
  :class:`~peiyu.alerts.models.KeyEnterpriseOverride` of kind ``add`` exists.

An active override of kind ``remove`` takes the enterprise off the list whatever the other reasons.
All tax figures come from registered analytics queries (:mod:`peiyu.alerts.analytics`,
:mod:`peiyu.taxes.analytics`), through the scoped runner.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from peiyu.accounts import scope as scope_mod
from peiyu.alerts.analytics import window_sums
from peiyu.alerts.models import AlertSettings, KeyEnterpriseOverride
from peiyu.analytics import shift_month
from peiyu.taxes import analytics

REASON_LABELS = {"rule": "达到税收门槛", "top": "产业前列", "manual": "手工纳入"}


def window(month: str, n: int) -> list[str]:
    """The ``n`` months before ``month`` (oldest first), not including ``month``."""
    return [shift_month(month, -i) for i in range(n, 0, -1)]


@dataclass
class KeySet:
    month: str
    reasons: dict[int, list[str]] = field(default_factory=dict)
    sums: dict[int, int] = field(default_factory=dict)  # 12-month district tax (fen) of every payer
    removed: set[int] = field(default_factory=set)

    def __contains__(self, enterprise_id: int) -> bool:
        return enterprise_id in self.reasons

    def ids(self) -> list[int]:
        return sorted(self.reasons)


def key_set(month: str, cfg: AlertSettings | None = None) -> KeySet:
    """The district-wide key-enterprise set for ``month`` (system computation, not scoped)."""
    from peiyu.registry.models import Enterprise

    cfg = cfg or AlertSettings.current()
    found = window_sums(scope_mod.EVERYTHING, window(month, cfg.key_window_months))
    sums = {eid: total for eid, (_, total) in found.items()}
    reasons: dict[int, list[str]] = defaultdict(list)
    for eid, total in sums.items():
        if total >= cfg.key_threshold_fen:
            reasons[eid].append("rule")
    if cfg.top_n_per_industry and sums:
        by_industry: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for eid, (ind, total) in found.items():
            if ind is not None and total > 0:
                by_industry[ind].append((total, eid))
        for rows in by_industry.values():
            rows.sort(key=lambda r: (-r[0], r[1]))
            for _, eid in rows[: cfg.top_n_per_industry]:
                reasons[eid].append("top")
    manual = set(Enterprise.objects.filter(is_key=True).values_list("id", flat=True))
    removed: set[int] = set()
    for eid, kind in KeyEnterpriseOverride.objects.filter(revoked_at__isnull=True).values_list(
        "enterprise_id", "kind"
    ):
        if kind == KeyEnterpriseOverride.Kind.ADD:
            manual.add(eid)
        else:
            removed.add(eid)
    for eid in manual:
        reasons[eid].append("manual")
    for eid in removed:
        reasons.pop(eid, None)
    return KeySet(month, dict(reasons), sums, removed)


def key_list(user: Any, month: str, cfg: AlertSettings | None = None) -> list[dict[str, Any]]:
    """The key enterprises the user may see for ``month``, each with its 12-month district tax,
    its share of its industry's and its area's total (within the user's scope) and its reasons.
    Ordered by tax, largest first."""
    from peiyu.registry.models import Enterprise

    cfg = cfg or AlertSettings.current()
    ks = key_set(month, cfg)
    months = window(month, cfg.key_window_months)
    visible = scope_mod.enterprises(user, Enterprise.objects.filter(pk__in=ks.ids())).select_related(
        "key_industry", "area", "liaison"
    )
    by_industry = analytics.monthly_totals(user, months, by="industry")
    by_area = analytics.monthly_totals(user, months, by="area")

    def total(group: dict, key: Any) -> int:
        return sum(v["district_fen"] for v in group.get(key, {}).values())

    ind_tot = {k: total(by_industry, k) for k in by_industry}
    area_tot = {k: total(by_area, k) for k in by_area}
    from peiyu.core.money import pct

    out: list[dict[str, Any]] = []
    for ent in visible:
        amount = ks.sums.get(ent.pk, 0)
        out.append(
            {
                "enterprise": ent,
                "id": ent.pk,
                "credit_code": ent.credit_code,
                "name": ent.name,
                "industry": ent.key_industry.name if ent.key_industry is not None else "其他",
                "industry_id": ent.key_industry_id,
                "area": ent.area.name if ent.area is not None else "未落区",
                "area_id": ent.area_id,
                "liaison": str(ent.liaison) if ent.liaison_id else "",
                "status": ent.status,
                "sum_fen": amount,
                "industry_share": pct(amount, ind_tot.get(ent.key_industry_id, 0), 2),
                "area_share": pct(amount, area_tot.get(ent.area_id, 0), 2),
                "reasons": ks.reasons[ent.pk],
                "reasons_text": "、".join(REASON_LABELS[r] for r in dict.fromkeys(ks.reasons[ent.pk])),
            }
        )
    out.sort(key=lambda r: (-r["sum_fen"], r["name"]))
    return out


def grouped(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Rows grouped by ``industry`` or ``area``: ``[{name, count, sum_fen, rows}]``."""
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(r[by], {"name": r[by], "count": 0, "sum_fen": 0, "rows": []})
        g["count"] += 1
        g["sum_fen"] += r["sum_fen"]
        g["rows"].append(r)
    rest = {"其他", "未落区"}  # enterprises in no key industry / no area come last
    return sorted(groups.values(), key=lambda g: (g["name"] in rest, -g["sum_fen"]))
