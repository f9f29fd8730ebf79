"""Building economy (楼宇经济) from the tax library: per carrier and year (or month to date) the tax
of its tenants while they were tenants, paying tenants, tax per m² of gross floor area, tiers
(亿元楼 / 千万元楼 and candidates near the next tier), growth, industry mix and concentration.

A tenant counts for the months from its move-in month up to the month before its move-out month.
A park counts its own tenants and those of the buildings it holds. Figures are scoped: the tax of
enterprises outside ``who``'s scope is not read (the analytics runner filters it), and they are not
listed — only counted as ``hidden_tenants``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peiyu.accounts import scope
from peiyu.analytics import shift_month
from peiyu.carriers import analytics
from peiyu.carriers.models import Basis, Carrier, CarrierSettings, Kind, Tenancy
from peiyu.core.money import growth_pct, pct

TIER_YI = "亿元楼"
TIER_QIANWAN = "千万元楼"
CENT = Decimal("0.01")


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def tenancy_months(tenancy: Tenancy, months: Iterable[str]) -> list[str]:
    """The months of ``months`` in which the tenancy counts: from the move-in month up to the
    month before the move-out month."""
    first = month_of(tenancy.move_in)
    stop = month_of(tenancy.move_out) if tenancy.move_out else None
    return [m for m in months if m >= first and (stop is None or m < stop)]


def tier_for(tax_fen: int, cfg: CarrierSettings) -> str | None:
    if tax_fen >= cfg.yi_fen:
        return TIER_YI
    if tax_fen >= cfg.qianwan_fen:
        return TIER_QIANWAN
    return None


def candidate_for(tax_fen: int, cfg: CarrierSettings) -> str | None:
    """The next tier when the tax is within ``candidate_pct`` % below its threshold (培育对象)."""
    for name, threshold in ((TIER_YI, cfg.yi_fen), (TIER_QIANWAN, cfg.qianwan_fen)):
        if tax_fen >= threshold:
            return None
        floor = Decimal(threshold) * (Decimal(100) - cfg.candidate_pct) / Decimal(100)
        if Decimal(tax_fen) >= floor:
            return name
    return None


def per_m2_yuan(tax_fen: int, gross_m2: Decimal) -> Decimal | None:
    """Tax in yuan ÷ gross floor area, rounded half up to 0.01 (None without an area)."""
    if not gross_m2 or gross_m2 <= 0:
        return None
    return (Decimal(tax_fen) / Decimal(100) / Decimal(gross_m2)).quantize(CENT, rounding=ROUND_HALF_UP)


def library_months(year: int, through: str | None = None) -> list[str]:
    """The months of ``year`` in the tax library (up to ``through`` for month to date)."""
    from peiyu.taxes.analytics import months_available

    return [
        m for m in months_available() if m.startswith(f"{year:04d}-") and (through is None or m <= through)
    ]


@dataclass
class TenantFigure:
    tenancy: Tenancy
    months: list[str]
    total_fen: int = 0
    district_fen: int = 0
    prev_total_fen: int = 0
    prev_district_fen: int = 0
    basis: str = Basis.TOTAL

    @property
    def enterprise(self) -> Any:
        return self.tenancy.enterprise

    @property
    def tax_fen(self) -> int:
        return self.district_fen if self.basis == Basis.DISTRICT else self.total_fen

    @property
    def prev_tax_fen(self) -> int:
        return self.prev_district_fen if self.basis == Basis.DISTRICT else self.prev_total_fen

    @property
    def paying(self) -> bool:
        return self.tax_fen > 0


@dataclass
class CarrierFigures:
    carrier: Carrier
    year: int
    months: list[str]
    basis: str
    cfg: CarrierSettings
    # visible tenants active in the months (or in the same months a year before, for growth)
    tenants: list[TenantFigure] = field(default_factory=list)
    hidden_tenants: int = 0  # tenants outside the caller's scope (not listed, figures not read)
    current_tenants: int = 0
    leased_m2: Decimal = Decimal(0)

    @property
    def total_fen(self) -> int:
        return sum(t.total_fen for t in self.tenants)

    @property
    def district_fen(self) -> int:
        return sum(t.district_fen for t in self.tenants)

    @property
    def tax_fen(self) -> int:
        return self.district_fen if self.basis == Basis.DISTRICT else self.total_fen

    @property
    def prev_tax_fen(self) -> int:
        return sum(t.prev_tax_fen for t in self.tenants)

    @property
    def growth_pct(self) -> float | None:
        return growth_pct(self.tax_fen, self.prev_tax_fen)

    @property
    def paying_tenants(self) -> int:
        return len({t.enterprise.pk for t in self.tenants if t.months and t.paying})

    @property
    def tenant_count(self) -> int:
        return len({t.enterprise.pk for t in self.tenants if t.months})

    @property
    def registered_only(self) -> int:
        """Tenants in the building that paid no tax here in the period (registered, not paying)."""
        return self.tenant_count - self.paying_tenants

    @property
    def gross_area_m2(self) -> Decimal:
        return self.carrier.gross_area_m2

    @property
    def tax_per_m2_yuan(self) -> Decimal | None:
        return per_m2_yuan(self.tax_fen, self.carrier.gross_area_m2)

    @property
    def tier(self) -> str | None:
        return tier_for(self.tax_fen, self.cfg)

    @property
    def candidate(self) -> str | None:
        return candidate_for(self.tax_fen, self.cfg)

    @property
    def vacancy_m2(self) -> Decimal:
        return max(Decimal(0), self.carrier.leasable_area_m2 - self.leased_m2)

    @property
    def vacancy_pct(self) -> float | None:
        return pct(self.vacancy_m2, self.carrier.leasable_area_m2) if self.carrier.leasable_area_m2 else None

    def industry_mix(self) -> list[dict[str, Any]]:
        """Tax by key industry of the (visible) tenants, largest first, with shares."""
        by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for t in self.tenants:
            if not t.months:
                continue
            ind = t.enterprise.key_industry
            key = ind.name if ind is not None else "非重点产业"
            by[key][0] += t.tax_fen
            by[key][1] += 1
        total = self.tax_fen
        rows = [
            {
                "industry": k,
                "tax_fen": v[0],
                "tenants": v[1],
                "share_pct": pct(v[0], total) if total else None,
            }
            for k, v in by.items()
        ]
        return sorted(rows, key=lambda r: -r["tax_fen"])

    def top_share_pct(self, n: int = 3) -> float | None:
        """Concentration: the share of the ``n`` largest tenants in the building's tax."""
        total = self.tax_fen
        if total <= 0:
            return None
        top = sorted((t.tax_fen for t in self.tenants if t.months), reverse=True)[:n]
        return pct(sum(top), total)

    @property
    def name(self) -> str:
        return self.carrier.name

    def as_row(self) -> dict[str, Any]:
        """The row of ``peiyu carriers buildings --json``."""
        per_m2 = self.tax_per_m2_yuan
        return {
            "name": self.carrier.name,
            "paying_tenants": self.paying_tenants,
            "tax_fen": self.tax_fen,
            "district_tax_fen": self.district_fen,
            "gross_area_m2": _number(self.carrier.gross_area_m2),
            "tax_per_m2_yuan": None if per_m2 is None else _number(per_m2),
            "tier": self.tier,
        }

    def table_row(self) -> dict[str, Any]:
        return {
            "pk": self.carrier.pk,
            "name": self.carrier.name,
            "kind": self.carrier.get_kind_display(),
            "area": self.carrier.area.name if self.carrier.area else "",
            "tenants": self.tenant_count,
            "paying_tenants": self.paying_tenants,
            "registered_only": self.registered_only,
            "tax_fen": self.tax_fen,
            "district_tax_fen": self.district_fen,
            "total_tax_fen": self.total_fen,
            "prev_tax_fen": self.prev_tax_fen,
            "growth_pct": self.growth_pct,
            "gross_area_m2": self.carrier.gross_area_m2,
            "vacancy_m2": self.vacancy_m2,
            "vacancy_pct": self.vacancy_pct,
            "tax_per_m2_yuan": self.tax_per_m2_yuan,
            "tier": self.tier or "",
            "candidate": self.candidate or "",
            "top3_pct": self.top_share_pct(),
            "hidden_tenants": self.hidden_tenants,
            "url": f"/carriers/{self.carrier.pk}/?year={self.year}",
        }


def _number(value: Decimal) -> int | float:
    """A Decimal for JSON: an int when whole, else the float whose shortest repr is the decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def carrier_tenancies(carriers: Sequence[Carrier]) -> dict[int, list[Tenancy]]:
    """Each carrier's tenancies, a park's including those of the buildings it holds."""
    ids = [c.pk for c in carriers]
    members: dict[int, list[int]] = defaultdict(list)
    for pk, park_id in Carrier.objects.filter(park_id__in=ids).values_list("pk", "park_id"):
        members[park_id].append(pk)
    wanted = set(ids) | {m for ms in members.values() for m in ms}
    by_carrier: dict[int, list[Tenancy]] = defaultdict(list)
    for t in Tenancy.objects.filter(carrier_id__in=wanted).select_related(
        "enterprise", "enterprise__key_industry", "enterprise__area", "carrier"
    ):
        by_carrier[t.carrier_id].append(t)
    return {c.pk: [*by_carrier[c.pk], *(t for m in members[c.pk] for t in by_carrier[m])] for c in carriers}


def figures(
    who: Any,
    carriers: Iterable[Carrier],
    year: int,
    *,
    through: str | None = None,
    months: list[str] | None = None,
    cfg: CarrierSettings | None = None,
    on: dt.date | None = None,
) -> list[CarrierFigures]:
    """The figures of each carrier for ``year`` (the months of the year in the library, up to
    ``through``), in the order given."""
    cfg = cfg or CarrierSettings.current()
    carriers = list(carriers)
    months = list(months) if months is not None else library_months(year, through)
    prev_months = [shift_month(m, -12) for m in months]
    by_carrier = carrier_tenancies(carriers)
    visible_ids = set(
        scope.enterprises(who)
        .filter(pk__in={t.enterprise_id for ts in by_carrier.values() for t in ts})
        .values_list("pk", flat=True)
    )
    wanted_ids = sorted(visible_ids)
    tax = analytics.tenant_months(who, wanted_ids, months + prev_months) if months else {}
    on = on or dt.date.today()
    out = []
    for c in carriers:
        fig = CarrierFigures(c, year, months, cfg.basis, cfg)
        hidden: set[int] = set()
        for t in by_carrier.get(c.pk, []):
            if t.is_current(on):
                fig.current_tenants += 1
                fig.leased_m2 += t.area_m2
            ms = tenancy_months(t, months)
            pms = tenancy_months(t, prev_months)
            if not ms and not pms:
                continue
            if t.enterprise_id not in visible_ids:
                if ms:
                    hidden.add(t.enterprise_id)
                continue
            tf = TenantFigure(t, ms, basis=cfg.basis)
            for m in ms:
                tot, dis = tax.get((t.enterprise_id, m), (0, 0))
                tf.total_fen += tot
                tf.district_fen += dis
            for m in pms:
                tot, dis = tax.get((t.enterprise_id, m), (0, 0))
                tf.prev_total_fen += tot
                tf.prev_district_fen += dis
            fig.tenants.append(tf)
        fig.hidden_tenants = len(hidden)
        out.append(fig)
    return out


def visible_carriers(who: Any, kind: str | None = Kind.BUILDING) -> Any:
    qs = scope.restrict(who, Carrier.objects.filter(active=True)).select_related("area", "focus_industry")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")


SORTS = {
    "tax": lambda f: -f.tax_fen,
    "growth": lambda f: -(f.growth_pct if f.growth_pct is not None else -1e9),
    "per_m2": lambda f: -(f.tax_per_m2_yuan if f.tax_per_m2_yuan is not None else Decimal(-1)),
}


def ranked(figs: list[CarrierFigures], sort: str = "tax") -> list[CarrierFigures]:
    return sorted(figs, key=SORTS.get(sort, SORTS["tax"]))


def buildings_report(who: Any, year: int, *, through: str | None = None) -> dict[str, Any]:
    """The object ``peiyu carriers buildings --year YYYY --json`` prints."""
    cfg = CarrierSettings.current()
    figs = ranked(figures(who, visible_carriers(who), year, through=through, cfg=cfg))
    return {
        "year": year,
        "basis": Basis(cfg.basis).label,
        "months": library_months(year, through),
        "buildings": [f.as_row() for f in figs],
    }


def focus_row(fig: CarrierFigures) -> dict[str, Any]:
    """A park's focus industry: its share of the firms and of the tax, this year and a year before."""
    focus = fig.carrier.focus_industry_id
    now = [t for t in fig.tenants if t.months]
    before = [t for t in fig.tenants if t.prev_tax_fen or t.tenancy.move_in.year < fig.year]
    firms = len({t.enterprise.pk for t in now})
    focus_firms = len({t.enterprise.pk for t in now if focus and t.enterprise.key_industry_id == focus})
    focus_tax = sum(t.tax_fen for t in now if focus and t.enterprise.key_industry_id == focus)
    prev_total = sum(t.prev_tax_fen for t in fig.tenants)
    prev_focus = sum(t.prev_tax_fen for t in fig.tenants if focus and t.enterprise.key_industry_id == focus)
    prev_firms = len({t.enterprise.pk for t in before})
    prev_focus_firms = len(
        {t.enterprise.pk for t in before if focus and t.enterprise.key_industry_id == focus}
    )
    return {
        **fig.table_row(),
        "focus": fig.carrier.focus_industry.name if fig.carrier.focus_industry else "—",
        "firms": firms,
        "focus_firms": focus_firms,
        "focus_firm_pct": pct(focus_firms, firms) if firms else None,
        "prev_focus_firm_pct": pct(prev_focus_firms, prev_firms) if prev_firms else None,
        "focus_tax_fen": focus_tax,
        "focus_tax_pct": pct(focus_tax, fig.tax_fen) if fig.tax_fen else None,
        "prev_focus_tax_pct": pct(prev_focus, prev_total) if prev_total else None,
    }
