"""The yearly evaluation of effect (政策绩效评估): for each policy and award year ``Y``, the money paid,
the recipients, their district-level tax in ``Y−1`` and ``Y+1`` and its growth, against a comparison
group of firms that never received anything from any policy, matched by key industry and by size
band of the ``Y−1`` tax.

Method (stated in the report): recipients and comparison firms are split into strata (key industry ×
size band). In a stratum the comparison firms' growth ``after/before`` is applied to the recipients'
``Y−1`` tax (for the band "no tax in Y−1": the comparison firms' mean ``Y+1`` tax per firm); a stratum
without comparison firms borrows the same band across industries, then the whole group. The sum is
what the recipients would have paid without support; the comparison growth is that sum over their
``Y−1`` tax. The effect is the recipients' growth minus it (percentage points, both rounded to one
decimal first so that the printed figures add up), with a 90% interval from a bootstrap over
recipients and comparison firms within strata (deterministic seed); the tax returned per yuan paid is
(actual − expected ``Y+1`` tax) / money paid. Money stays integer fen; ratios are Decimals/floats.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peiyu.accounts import scope
from peiyu.core.money import growth_pct

#: size bands of the year-before district-level tax, lower bounds in fen (0: no tax that year)
BANDS_FEN = (0, 1, 10_000_000, 50_000_000, 200_000_000, 1_000_000_000)
BAND_LABELS = ("无税收", "10万元以下", "10万–50万元", "50万–200万元", "200万–1000万元", "1000万元以上")
BOOTSTRAP = 200


def band_of(fen: int) -> int:
    b = 0
    for i, lower in enumerate(BANDS_FEN):
        if fen >= lower:
            b = i
    return b


def _round1(value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class PolicyEffect:
    policy_id: int
    name: str
    doc_number: str
    kind: str
    round: str
    department: str
    recipients: int = 0
    awards: int = 0
    paid_fen: int = 0
    tax_before_fen: int = 0
    tax_after_fen: int = 0
    recipients_growth_pct: float | None = None
    comparison_firms: int = 0
    comparison_growth_pct: float | None = None
    effect_pp: float | None = None
    effect_low_pp: float | None = None
    effect_high_pp: float | None = None
    expected_after_fen: int | None = None
    extra_tax_fen: int | None = None
    return_per_yuan: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evaluation:
    year: int
    before_year: int
    after_year: int
    complete: bool  # both comparison years are in the library
    policies: list[PolicyEffect] = field(default_factory=list)
    comparison_pool: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "before_year": self.before_year,
            "after_year": self.after_year,
            "complete": self.complete,
            "comparison_pool": self.comparison_pool,
            "notes": self.notes,
            "policies": [p.as_dict() for p in self.policies],
        }


Firm = tuple[int, int]  # (before fen, after fen)


def _pools(rec: dict[Any, list[Firm]], cmp: dict[Any, list[Firm]]) -> dict[Any, list[Firm]]:
    """The comparison firms each recipient stratum is measured against: the same key industry and
    size band, else the same band in any industry, else every comparison firm."""
    by_band: dict[int, list[Firm]] = defaultdict(list)
    every: list[Firm] = []
    for (_ind, band), firms in cmp.items():
        by_band[band] += firms
        every += firms
    return {k: cmp.get(k) or by_band.get(k[1]) or every for k in rec}


def _expected(rec: dict[Any, list[Firm]], pools: dict[Any, list[Firm]]) -> Decimal | None:
    """The recipients' expected after-year tax from the comparison pools (None: no comparison)."""
    total = Decimal(0)
    for (_ind, band), firms in rec.items():
        pool = pools.get((_ind, band)) or []
        if not pool:
            return None
        before = sum(f[0] for f in pool)
        after = sum(f[1] for f in pool)
        own_before = Decimal(sum(f[0] for f in firms))
        if band == 0:  # no tax the year before: the comparison firms' mean after-year tax
            total += Decimal(after) / Decimal(len(pool)) * len(firms)
        elif before <= 0:
            total += own_before
        else:
            total += own_before * Decimal(after) / Decimal(before)
    return total


def _effect(
    rec: dict[Any, list[Firm]], pools: dict[Any, list[Firm]]
) -> tuple[float | None, float | None, Decimal | None]:
    before = sum(f[0] for firms in rec.values() for f in firms)
    after = sum(f[1] for firms in rec.values() for f in firms)
    expected = _expected(rec, pools)
    rg = growth_pct(after, before)
    if not before or expected is None:
        return rg, None, expected
    cg = _round1((expected / Decimal(before) - 1) * 100)
    return rg, cg, expected


MIN_FOR_INTERVAL = 3


def _bootstrap(
    rec: dict[Any, list[Firm]], pools: dict[Any, list[Firm]], seed: str
) -> tuple[float | None, float | None]:
    """A 90% interval of the effect: recipients and their comparison pools resampled with
    replacement, stratum by stratum (None when there are too few recipients)."""
    if sum(len(v) for v in rec.values()) < MIN_FOR_INTERVAL:
        return None, None
    rng = random.Random(seed)
    effects: list[float] = []
    for _ in range(BOOTSTRAP):
        r = {k: rng.choices(v, k=len(v)) for k, v in rec.items()}
        p = {k: rng.choices(v, k=len(v)) for k, v in pools.items()}
        rg, cg, _exp = _effect(r, p)
        if rg is not None and cg is not None:
            effects.append(rg - cg)
    if len(effects) < BOOTSTRAP // 2:
        return None, None
    effects.sort()
    return _round1(effects[int(0.05 * len(effects))]), _round1(effects[int(0.95 * len(effects)) - 1])


def evaluate(
    who: Any, year: int, *, policy_ids: list[int] | None = None, uncertainty: bool = True
) -> Evaluation:
    """The evaluation of award year ``year`` within ``who``'s scope (a user or a Scope; the command
    line evaluates the district: ``scope.EVERYTHING``)."""
    from peiyu.policies import analytics
    from peiyu.policies.models import Award, AwardStatus
    from peiyu.registry.models import Enterprise

    have = set(analytics.years_with_data())
    full = set(analytics.full_years())
    ev = Evaluation(year, year - 1, year + 1, complete=(year - 1 in full and year + 1 in full))
    for y in (year - 1, year + 1):
        if y not in have:
            ev.notes.append(f"税收库中没有 {y} 年数据，相关数字按 0 计，评估结论待数据补齐后更新")
        elif y not in full:
            ev.notes.append(f"{y} 年税收数据不足 12 个月，按已有月份计算")
    tax = analytics.yearly_tax(who, [year - 1, year + 1])
    awards = scope.restrict(who, Award.objects.filter(year=year, status=AwardStatus.PAID))
    if policy_ids:
        awards = awards.filter(clause__policy_id__in=policy_ids)
    awards = awards.select_related("clause__policy__department")
    ever = set(Award.objects.filter(status=AwardStatus.PAID).values_list("enterprise_id", flat=True))
    industry = dict(scope.restrict(who, Enterprise.objects.all()).values_list("id", "key_industry_id"))

    def firm(eid: int) -> Firm:
        t = tax.get(eid, {})
        return (t.get(year - 1, 0), t.get(year + 1, 0))

    cmp: dict[Any, list[Firm]] = defaultdict(list)
    for eid, ind in industry.items():
        if eid in ever or eid not in tax:
            continue
        f = firm(eid)
        cmp[(ind, band_of(f[0]))].append(f)
    ev.comparison_pool = sum(len(v) for v in cmp.values())

    per_policy: dict[int, dict[str, Any]] = {}
    for a in awards:
        p = a.clause.policy
        slot = per_policy.setdefault(p.pk, {"policy": p, "firms": set(), "paid": 0, "awards": 0})
        slot["firms"].add(a.enterprise_id)
        slot["paid"] += a.amount_fen
        slot["awards"] += 1
    for slot in sorted(
        per_policy.values(), key=lambda s: (s["policy"].round, s["policy"].kind, s["policy"].name)
    ):
        p = slot["policy"]
        rec: dict[Any, list[Firm]] = defaultdict(list)
        for eid in sorted(slot["firms"]):
            f = firm(eid)
            rec[(industry.get(eid), band_of(f[0]))].append(f)
        pe = PolicyEffect(
            policy_id=p.pk,
            name=p.name,
            doc_number=p.doc_number,
            kind=p.get_kind_display(),
            round=p.round,
            department=p.department.name if p.department_id else "",
            recipients=len(slot["firms"]),
            awards=slot["awards"],
            paid_fen=slot["paid"],
        )
        pe.tax_before_fen = sum(f[0] for v in rec.values() for f in v)
        pe.tax_after_fen = sum(f[1] for v in rec.values() for f in v)
        pools = _pools(rec, cmp)
        distinct = {id(pool): len(pool) for pool in pools.values()}  # a borrowed pool counts once
        pe.comparison_firms = sum(distinct.values())
        rg, cg, expected = _effect(rec, pools)
        pe.recipients_growth_pct, pe.comparison_growth_pct = rg, cg
        if rg is not None and cg is not None:
            pe.effect_pp = _round1(Decimal(str(rg)) - Decimal(str(cg)))
        if expected is not None:
            pe.expected_after_fen = int(expected.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            pe.extra_tax_fen = pe.tax_after_fen - pe.expected_after_fen
            if pe.paid_fen:
                pe.return_per_yuan = float(
                    (Decimal(pe.extra_tax_fen) / Decimal(pe.paid_fen)).quantize(
                        Decimal("0.01"), rounding=ROUND_HALF_UP
                    )
                )
        if uncertainty and pe.effect_pp is not None:
            pe.effect_low_pp, pe.effect_high_pp = _bootstrap(rec, pools, f"{year}:{p.pk}")
        ev.policies.append(pe)
    return ev


def sentence(pe: PolicyEffect, year: int) -> str:
    """One Chinese sentence for the report."""
    from peiyu.core.money import format_wan

    if pe.effect_pp is None:
        return f"{pe.name}：{year}年兑现 {format_wan(pe.paid_fen)} 万元、{pe.recipients} 家企业，缺少可比数据，暂无法评估成效。"
    interval = ""
    if pe.effect_low_pp is not None:
        interval = f"（90%区间 {pe.effect_low_pp:+.1f} 至 {pe.effect_high_pp:+.1f}）"
    ret = "" if pe.return_per_yuan is None else f"，每兑现 1 元带来区级税收增量约 {pe.return_per_yuan:.2f} 元"
    return (
        f"{pe.name}：{year}年兑现 {format_wan(pe.paid_fen)} 万元、{pe.recipients} 家企业；受益企业区级税收"
        f"{year - 1}—{year + 1}年增长 {pe.recipients_growth_pct:.1f}%，可比未受益企业 {pe.comparison_growth_pct:.1f}%，"
        f"成效估计 {pe.effect_pp:+.1f} 个百分点{interval}{ret}。"
    )
