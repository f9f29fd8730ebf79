"""The incubators' yearly evaluation (孵化器绩效评价): the default indicator set, values pre-filled
from the registry and the tax library, the weighted score, the grade and the support amount.

Score = 100 × Σ weight × min(value ÷ 满分值, 1) ÷ Σ weight (missing values score 0), rounded half up
to 0.01; grade A/B/C by the scheme's thresholds (below C: D, no support); support by grade, capped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peiyu.accounts import scope
from peiyu.carriers.models import Evaluation, Group, Indicator, IndicatorValue, Scheme, Source, Tenancy
from peiyu.core.money import growth_pct

CENT = Decimal("0.01")

# (group, name, weight, full marks at, source, unit)
DEFAULT_INDICATORS: list[tuple[str, str, int, int, str, str]] = [
    (Group.CAPACITY, "孵化场地面积", 10, 10000, Source.MANUAL, "㎡"),
    (Group.CAPACITY, "专业孵化服务人员", 8, 10, Source.MANUAL, "人"),
    (Group.CAPACITY, "公共技术服务平台", 7, 3, Source.MANUAL, "个"),
    (Group.RESULTS, "在孵企业数", 6, 50, Source.FIRMS, "户"),
    (Group.RESULTS, "在区注册在孵企业数", 6, 40, Source.IN_DISTRICT, "户"),
    (Group.RESULTS, "在区纳税在孵企业数", 8, 30, Source.PAYING, "户"),
    (Group.RESULTS, "在孵企业区级税收", 10, 500, Source.TAX, "万元"),
    (Group.RESULTS, "在孵企业区级税收增长", 5, 20, Source.GROWTH, "%"),
    (Group.RESULTS, "毕业企业数", 5, 5, Source.GRADUATES, "户"),
    (Group.SUSTAIN, "新注册在孵企业数", 8, 10, Source.NEW, "户"),
    (Group.SUSTAIN, "孵化器运营收入", 6, 1000, Source.MANUAL, "万元"),
    (Group.SUSTAIN, "获投融资在孵企业数", 6, 5, Source.MANUAL, "户"),
    (Group.INNOVATION, "在孵企业知识产权", 5, 50, Source.MANUAL, "件"),
    (Group.INNOVATION, "引进落地项目数", 5, 5, Source.MANUAL, "个"),
    (Group.INNOVATION, "创新创业活动", 5, 20, Source.MANUAL, "场"),
]


def default_indicators(scheme: Scheme) -> list[Indicator]:
    return [
        Indicator(
            scheme=scheme,
            group=g,
            name=n,
            weight=Decimal(w),
            full_at=Decimal(f),
            source=s,
            unit=u,
            order=i,
        )
        for i, (g, n, w, f, s, u) in enumerate(DEFAULT_INDICATORS, 1)
    ]


def score_of(pairs: list[tuple[Indicator, Decimal | None]]) -> Decimal:
    """The weighted score (0–100) of indicator values."""
    weights = sum((ind.weight for ind, _v in pairs), Decimal(0))
    if weights <= 0:
        return Decimal(0)
    got = Decimal(0)
    for ind, value in pairs:
        if value is None or ind.full_at <= 0:
            continue
        ratio = min(max(Decimal(value) / ind.full_at, Decimal(0)), Decimal(1))
        got += ind.weight * ratio
    return (got * 100 / weights).quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_score(ind: Indicator, value: Decimal | None) -> Decimal:
    if value is None or ind.full_at <= 0:
        return Decimal(0)
    ratio = min(max(Decimal(value) / ind.full_at, Decimal(0)), Decimal(1))
    return (ind.weight * ratio).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Result:
    score: Decimal
    grade: str
    support_fen: int


def result_of(evaluation: Evaluation) -> Result:
    values = {v.indicator_id: v.value for v in evaluation.values.all()}
    pairs = [(ind, values.get(ind.pk)) for ind in evaluation.scheme.indicators.all()]
    score = score_of(pairs)
    grade = evaluation.scheme.grade_for(score)
    return Result(score, grade, evaluation.scheme.support_for(grade))


def _year_months(year: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


def prefill_values(evaluation: Evaluation) -> dict[str, Decimal]:
    """Values for the indicators the data can answer (source → value), from the incubated firms of
    the year (entered before the year's end, not left before its start) and their district-level
    tax while incubated. Aggregates over the whole district's tax library (not one user's scope)."""
    from peiyu.carriers import analytics
    from peiyu.carriers.economy import tenancy_months
    from peiyu.registry.models import GONE_STATUSES

    year = evaluation.scheme.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tenancies = [
        t
        for t in Tenancy.objects.filter(carrier=evaluation.incubator).select_related("enterprise")
        if t.move_in <= end and (t.move_out is None or t.move_out >= start)
    ]
    months, prev = _year_months(year), _year_months(year - 1)
    ids = [t.enterprise_id for t in tenancies]
    tax = analytics.tenant_months(scope.EVERYTHING, ids, months + prev) if ids else {}
    cur_fen = prev_fen = 0
    paying: set[int] = set()
    for t in tenancies:
        mine = sum(tax.get((t.enterprise_id, m), (0, 0))[1] for m in tenancy_months(t, months))
        cur_fen += mine
        prev_fen += sum(tax.get((t.enterprise_id, m), (0, 0))[1] for m in tenancy_months(t, prev))
        if mine > 0:
            paying.add(t.enterprise_id)
    firms = {t.enterprise_id for t in tenancies}
    in_district = {
        t.enterprise_id
        for t in tenancies
        if t.enterprise.area_id and t.enterprise.status not in GONE_STATUSES
    }
    new = {
        t.enterprise_id
        for t in tenancies
        if t.enterprise.established and t.enterprise.established.year == year
    }
    graduates = {t.enterprise_id for t in tenancies if t.graduated and t.move_out and t.move_out.year == year}
    growth = growth_pct(cur_fen, prev_fen)
    out = {
        Source.FIRMS: Decimal(len(firms)),
        Source.IN_DISTRICT: Decimal(len(in_district)),
        Source.PAYING: Decimal(len(paying)),
        Source.TAX: (Decimal(cur_fen) / Decimal(1_000_000)).quantize(CENT, rounding=ROUND_HALF_UP),
        Source.NEW: Decimal(len(new)),
        Source.GRADUATES: Decimal(len(graduates)),
    }
    if growth is not None:
        out[Source.GROWTH] = Decimal(str(growth))
    return {str(k): v for k, v in out.items()}


def value_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per indicator: group, name, weight, full marks, value, evidence, points."""
    values = {v.indicator_id: v for v in evaluation.values.all()}
    rows = []
    for ind in evaluation.scheme.indicators.all():
        v: IndicatorValue | None = values.get(ind.pk)
        value = v.value if v else None
        rows.append(
            {
                "indicator": ind,
                "group": ind.get_group_display(),
                "name": ind.name,
                "unit": ind.unit,
                "weight": ind.weight,
                "full_at": ind.full_at,
                "source": ind.get_source_display(),
                "auto": ind.source != Source.MANUAL,
                "value": value,
                "evidence": v.evidence if v else "",
                "prefilled": bool(v and v.prefilled),
                "points": indicator_score(ind, value),
            }
        )
    return rows
