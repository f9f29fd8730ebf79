"""The 租税联动 calculator: a :class:`~peiyu.carriers.models.RentRule` applied to the tenants' actual
district-level tax.

For each enterprise leasing in a carrier in the year (scoped: the enterprises the user may see):
tax = its district-level tax in the year's library months while a tenant; base = its district-level
tax in the same months of the rule's base year (wherever it was in the district); increment =
tax − base; support = increment × pct %, rounded half up to the fen, capped at cap_per_m2 × leased m²
and at the firm cap. Qualifies only with a positive increment, a key industry (when the rule says so,
and one of the rule's industries when it names some) and a lease of at least ``min_area_m2``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peiyu.accounts import scope
from peiyu.carriers import analytics
from peiyu.carriers.economy import library_months, tenancy_months
from peiyu.carriers.models import Kind, RentRule, Tenancy
from peiyu.core.money import format_wan


def fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class RentRow:
    enterprise: Any
    carriers: list[str] = field(default_factory=list)
    area_m2: Decimal = Decimal(0)
    tax_fen: int = 0
    base_fen: int = 0
    support_fen: int = 0
    qualifies: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def increment_fen(self) -> int:
        return self.tax_fen - self.base_fen

    def as_dict(self) -> dict[str, Any]:
        return {
            "credit_code": self.enterprise.credit_code,
            "name": self.enterprise.name,
            "industry": self.enterprise.key_industry.name if self.enterprise.key_industry else "",
            "carriers": "、".join(self.carriers),
            "area_m2": self.area_m2,
            "tax_fen": self.tax_fen,
            "base_fen": self.base_fen,
            "increment_fen": self.increment_fen,
            "support_fen": self.support_fen,
            "qualifies": self.qualifies,
            "why": "；".join(self.reasons),
            "url": f"/registry/e/{self.enterprise.credit_code}/",
        }


def calculate(who: Any, rule: RentRule, year: int, *, months: list[str] | None = None) -> list[RentRow]:
    months = list(months) if months is not None else library_months(year)
    base_months = [f"{rule.base_year:04d}-{m[5:]}" for m in months]
    visible = scope.enterprises(who)
    tenancies = (
        Tenancy.objects.filter(
            carrier__kind__in=[Kind.BUILDING, Kind.PARK, Kind.INCUBATOR, Kind.PLATFORM],
            enterprise__in=visible,
        )
        .select_related("enterprise", "enterprise__key_industry", "carrier")
        .order_by("enterprise__name", "move_in")
    )
    by_ent: dict[int, list[tuple[Tenancy, list[str]]]] = defaultdict(list)
    for t in tenancies:
        ms = tenancy_months(t, months)
        if ms:
            by_ent[t.enterprise_id].append((t, ms))
    tax = analytics.tenant_months(who, list(by_ent), months + base_months) if by_ent else {}
    allowed = set(rule.industries.values_list("pk", flat=True)) if rule.pk else set()
    out = []
    for eid, items in by_ent.items():
        ent = items[0][0].enterprise
        row = RentRow(ent)
        counted: set[str] = set()
        for t, ms in items:
            if t.carrier.name not in row.carriers:
                row.carriers.append(t.carrier.name)
            row.area_m2 += t.area_m2
            counted |= set(ms)
        row.tax_fen = sum(tax.get((eid, m), (0, 0))[1] for m in sorted(counted))
        row.base_fen = sum(tax.get((eid, m), (0, 0))[1] for m in base_months)
        ok = True
        if rule.key_industry_only and ent.key_industry_id is None:
            ok = False
            row.reasons.append("非重点产业企业")
        elif allowed and ent.key_industry_id not in allowed:
            ok = False
            row.reasons.append("不属于规则限定的产业")
        if row.area_m2 < rule.min_area_m2:
            ok = False
            row.reasons.append(
                f"租用面积 {row.area_m2.normalize():f} ㎡ 低于 {rule.min_area_m2.normalize():f} ㎡"
            )
        if row.increment_fen <= 0:
            ok = False
            row.reasons.append(f"区级税收较 {rule.base_year} 年无增量")
        if ok:
            raw = fen(Decimal(row.increment_fen) * rule.pct / Decimal(100))
            cap_m2 = fen(rule.cap_per_m2_yuan * row.area_m2 * 100)
            support = min(raw, cap_m2, rule.cap_per_firm_fen)
            row.reasons.append(
                f"增量 {format_wan(row.increment_fen)} 万元 × {rule.pct.normalize():f}% = {format_wan(raw)} 万元"
            )
            if support == cap_m2 and cap_m2 < raw:
                row.reasons.append(f"按每平方米上限封顶（{format_wan(cap_m2)} 万元）")
            if support == rule.cap_per_firm_fen and rule.cap_per_firm_fen < min(raw, cap_m2):
                row.reasons.append(f"按单个企业上限封顶（{format_wan(rule.cap_per_firm_fen)} 万元）")
            row.support_fen = support
        row.qualifies = ok
        out.append(row)
    out.sort(key=lambda r: (-r.support_fen, -r.increment_fen, r.enterprise.name))
    return out
