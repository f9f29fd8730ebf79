"""Progress of targets: completion, time progress, seasonal time progress, gaps, status, projection.

Definitions (district reports read "完成 X%，快于/慢于时间进度 Y 个百分点"):

- completion % = actual year to date ÷ annual target × 100;
- time progress % = month ÷ 12 × 100;
- seasonal time progress % = the share of last year's full-year actual of the *target's own series*
  (its industry, its area or the district) that had come in by the same month;
- gaps are completion minus each yardstick, in percentage points, computed from the one-decimal
  figures the report prints (so the sentence always adds up);
- status colour: the gap on the configured basis (:class:`TargetSettings`) against its thresholds;
- year-end projection = YTD ÷ last year's seasonal share; its range uses the seasonal shares of each
  of the last three complete years (min..max).

Kinds: ``growth`` targets are turned into an amount (last year's full-year actual × (1 + g)); ``share``
targets measure the percentage points gained by the key industries' share of district-level tax over
the same months of last year; ``reported`` targets use the latest value a department reported up to
the month.

Percentages are Decimals rounded half-up to one decimal; money is integer fen. The actuals come only
from :func:`peiyu.taxes.analytics.monthly_totals`. Who may see a target is decided by
:func:`visible_targets` (through :mod:`peiyu.accounts.scope`); a visible target's own series (its
industry, its area, or — for district-wide users only — the district) is then read whole, so a
department responsible for an indicator sees the indicator's true figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from peiyu.accounts import scope as scope_mod
from peiyu.analytics import shift_month, year_months
from peiyu.targets.models import Target, TargetKind, TargetReport, TargetSettings
from peiyu.taxes import analytics

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)

STATUS_LABELS = {"green": "快于进度", "yellow": "略慢于进度", "red": "明显滞后", "none": "暂无数据"}
STATUS_COLORS = {"green": "#2fb344", "yellow": "#f59f00", "red": "#d63939", "none": "#adb5bd"}


# ---------------------------------------------------------------------------------------------
# Small exact helpers


def round1(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def pct(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator × 100, rounded half-up to one decimal; None when the base is zero."""
    if not denominator:
        return None
    return round1(Decimal(numerator) * HUNDRED / Decimal(denominator))


def div_round(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up (away from zero at .5), exact for any size of int."""
    if denominator == 0:
        raise ZeroDivisionError
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def growth_amount(base_fen: int, growth_pct: Decimal) -> int:
    """Last year's actual grown by ``growth_pct`` % (two decimals at most), in fen, half-up."""
    hundredths = int((Decimal(growth_pct) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return div_round(base_fen * (10000 + hundredths), 10000)


def time_progress(month: str) -> Decimal:
    return pct(int(month[5:7]), 12) or Decimal(0)


def fmt1(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def sentence(completion: Decimal | None, gap: Decimal | None, yardstick: str = "时间进度") -> str:
    """完成 X%，快于/慢于时间进度 Y 个百分点."""
    if completion is None:
        return "暂无完成数据"
    text = f"完成 {fmt1(completion)}%"
    if gap is None:
        return text
    if gap > 0:
        return f"{text}，快于{yardstick} {fmt1(gap)} 个百分点"
    if gap < 0:
        return f"{text}，慢于{yardstick} {fmt1(-gap)} 个百分点"
    return f"{text}，与{yardstick}持平"


def status_for(gap: Decimal | None, settings: TargetSettings) -> str:
    if gap is None:
        return "none"
    if gap >= settings.green_gap:
        return "green"
    if gap >= settings.yellow_gap:
        return "yellow"
    return "red"


# ---------------------------------------------------------------------------------------------
# Who sees which targets


def visible_targets(user: Any, qs: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """Targets of the user's industries, areas and departments; district-wide tax targets only for
    district-wide users (they reveal the district total)."""
    if qs is None:
        qs = Target.objects.all()
    if scope_mod.scope_for(user).everything:
        return qs
    return scope_mod.restrict(user, qs).distinct()  # anchors: Target.SCOPE


def can_see(user: Any, target: Target) -> bool:
    return visible_targets(user, Target.objects.filter(pk=target.pk)).exists()


def can_report(user: Any, target: Target) -> bool:
    """Administrators, and members of a department responsible for the target."""
    if getattr(user, "is_admin", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return target.departments.filter(users=user).exists()


# ---------------------------------------------------------------------------------------------
# The library as the progress rules need it


def effective_month(year: int, month: str) -> str | None:
    """The month of ``year`` whose year-to-date is reported when the board shows ``month``."""
    y = int(month[:4])
    if y > year:
        return f"{year:04d}-12"
    if y < year:
        return None
    return month


def full_year(year: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


class Actuals:
    """District-level tax by month for the series targets are measured on, loaded once per board.

    Reads four years (the target year and the three before it) through analytics, district-wide."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.months = [m for y in range(year - 3, year + 1) for m in full_year(y)]
        self.available = set(analytics.months_available())
        self._cache: dict[str, dict[Any, dict[str, dict[str, int]]]] = {}

    def _by(self, by: str) -> dict[Any, dict[str, dict[str, int]]]:
        if by not in self._cache:
            wanted = [m for m in self.months if m in self.available]
            self._cache[by] = analytics.monthly_totals(scope_mod.EVERYTHING, wanted, by=by) if wanted else {}
        return self._cache[by]

    def series(self, subject: str, key: Any = None) -> dict[str, int]:
        """``{month: district_fen}`` of one series: ``district``, ``industry`` (key id), ``area`` (key id)
        or ``key_industries`` (every active key industry together)."""
        if subject == "district":
            data = self._by("district").get(None, {})
            return {m: v["district_fen"] for m, v in data.items()}
        if subject == "key_industries":
            from peiyu.registry.models import KeyIndustry

            ids = set(KeyIndustry.objects.filter(active=True).values_list("id", flat=True))
            out: dict[str, int] = {}
            for k, months in self._by("industry").items():
                if k in ids:
                    for m, v in months.items():
                        out[m] = out.get(m, 0) + v["district_fen"]
            return out
        data = self._by(subject).get(key, {})
        return {m: v["district_fen"] for m, v in data.items()}

    def complete_year(self, year: int) -> bool:
        return all(m in self.available for m in full_year(year))

    def has_month(self, month: str) -> bool:
        return month in self.available


def cumulative(series: dict[str, int], month: str) -> int:
    """Year-to-date of ``series`` up to and including ``month``."""
    return sum(series.get(m, 0) for m in year_months(month))


def target_series(target: Target, actuals: Actuals) -> dict[str, int]:
    if target.key_industry_id:
        return actuals.series("industry", target.key_industry_id)
    if target.area_id:
        return actuals.series("area", target.area_id)
    return actuals.series("district")


# ---------------------------------------------------------------------------------------------
# Progress of one target


@dataclass
class Progress:
    target: Target
    month: str  # the board month
    time_progress_pct: Decimal
    target_fen: int | None = None
    actual_fen: int | None = None
    base_fen: int | None = None  # last year's full-year actual (growth base)
    last_ytd_fen: int | None = None  # last year's same-period actual
    ytd_growth_pct: Decimal | None = None
    target_value: Decimal | None = None
    actual_value: Decimal | None = None
    completion_pct: Decimal | None = None
    seasonal_progress_pct: Decimal | None = None
    gap_pp: Decimal | None = None  # versus time progress
    seasonal_gap_pp: Decimal | None = None
    status: str = "none"
    status_basis: str = "time"
    projection_fen: int | None = None
    projection_low_fen: int | None = None
    projection_high_fen: int | None = None
    projection_value: Decimal | None = None
    share_pct: Decimal | None = None  # share kinds: this year's YTD share
    last_share_pct: Decimal | None = None
    latest_report: TargetReport | None = None
    incomplete: bool = False  # the library lacks months of the year to date
    notes: list[str] = field(default_factory=list)
    tax_url: str | None = None  # the views link tax targets to the tax dashboard

    @property
    def sentence(self) -> str:
        return sentence(self.completion_pct, self.gap_pp)

    @property
    def seasonal_sentence(self) -> str:
        if self.seasonal_gap_pp is None:
            return ""
        return sentence(self.completion_pct, self.seasonal_gap_pp, "季节性时间进度").split("，", 1)[-1]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_color(self) -> str:
        return STATUS_COLORS[self.status]

    @property
    def bar_pct(self) -> float:
        """Completion capped at 100 for the bullet bar's width."""
        return float(min(max(self.completion_pct or Decimal(0), Decimal(0)), HUNDRED))

    def as_dict(self) -> dict[str, Any]:
        t = self.target

        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        return {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "year": t.year,
            "industry": t.key_industry.name if t.key_industry is not None else None,
            "area": t.area.name if t.area is not None else None,
            "department": t.department_names(),
            "unit": t.unit,
            "target_fen": self.target_fen,
            "actual_fen": self.actual_fen,
            "base_fen": self.base_fen,
            "growth_pct": num(t.growth_pct),
            "ytd_growth_pct": num(self.ytd_growth_pct),
            "target_value": num(self.target_value),
            "actual_value": num(self.actual_value),
            "completion_pct": num(self.completion_pct),
            "time_progress_pct": num(self.time_progress_pct),
            "seasonal_progress_pct": num(self.seasonal_progress_pct),
            "gap_pp": num(self.gap_pp),
            "seasonal_gap_pp": num(self.seasonal_gap_pp),
            "status": self.status,
            "status_basis": self.status_basis,
            "projection_fen": self.projection_fen,
            "projection_low_fen": self.projection_low_fen,
            "projection_high_fen": self.projection_high_fen,
            "sentence": self.sentence,
            "notes": self.notes,
        }


def seasonal_share(series: dict[str, int], year: int, month_no: int) -> tuple[int, int] | None:
    """(cumulative to the month, full year) of ``year`` for a series, or None when the year is empty."""
    full = sum(series.get(m, 0) for m in full_year(year))
    if full <= 0:
        return None
    return cumulative(series, f"{year:04d}-{month_no:02d}"), full


def compute(
    target: Target, month: str, actuals: Actuals | None = None, settings: TargetSettings | None = None
) -> Progress:
    """Progress of one target as of the board month ``month`` (YYYY-MM)."""
    actuals = actuals or Actuals(target.year)
    settings = settings or TargetSettings.current()
    eff = effective_month(target.year, month)
    p = Progress(target=target, month=month, time_progress_pct=time_progress(eff) if eff else Decimal(0))
    p.status_basis = settings.basis
    if eff is None:
        p.notes.append(f"{target.year} 年尚未开始")
        _target_side(p, target, actuals, None)
        return p
    m = int(eff[5:7])
    if target.kind in (TargetKind.AMOUNT, TargetKind.GROWTH):
        _tax_progress(p, target, actuals, eff, m)
    elif target.kind == TargetKind.SHARE:
        _share_progress(p, target, actuals, eff)
    else:
        _reported_progress(p, target, eff)
    if p.completion_pct is not None:
        p.gap_pp = p.completion_pct - p.time_progress_pct
        if p.seasonal_progress_pct is not None:
            p.seasonal_gap_pp = p.completion_pct - p.seasonal_progress_pct
    basis_gap = p.seasonal_gap_pp if settings.basis == TargetSettings.Basis.SEASONAL else p.gap_pp
    if basis_gap is None and settings.basis == TargetSettings.Basis.SEASONAL:
        basis_gap = p.gap_pp  # no seasonal profile (new series, reported indicators): plain time progress
    p.status = "none" if p.incomplete else status_for(basis_gap, settings)
    return p


def _target_side(p: Progress, target: Target, actuals: Actuals, series: dict[str, int] | None) -> None:
    if target.kind == TargetKind.AMOUNT:
        p.target_fen = target.target_fen
    elif target.kind == TargetKind.GROWTH:
        series = series if series is not None else target_series(target, actuals)
        last = target.year - 1
        if actuals.complete_year(last):
            p.base_fen = sum(series.get(mm, 0) for mm in full_year(last))
            if target.growth_pct is not None:
                p.target_fen = growth_amount(p.base_fen, target.growth_pct)
        else:
            p.notes.append(f"{last} 年税收数据不完整，无法按增长率折算目标金额")
    else:
        p.target_value = target.target_value


def _tax_progress(p: Progress, target: Target, actuals: Actuals, eff: str, m: int) -> None:
    series = target_series(target, actuals)
    _target_side(p, target, actuals, series)
    p.actual_fen = cumulative(series, eff)
    last_same = f"{target.year - 1:04d}-{m:02d}"
    p.last_ytd_fen = cumulative(series, last_same)
    from peiyu.core.money import growth_pct as gpct

    if actuals.complete_year(target.year - 1) or actuals.has_month(last_same):
        g = gpct(p.actual_fen, p.last_ytd_fen)
        p.ytd_growth_pct = None if g is None else Decimal(str(g))
    if p.target_fen:
        p.completion_pct = pct(p.actual_fen, p.target_fen)
    missing = [mm for mm in year_months(eff) if not actuals.has_month(mm)]
    if missing:
        span = missing[0] + ("…" + missing[-1] if len(missing) > 1 else "")
        p.notes.append(f"税收库缺少 {len(missing)} 个月数据（{span}），完成率不可比，不判断进度状态")
        p.incomplete = True
    # Seasonal profile of last year and projection
    if m == 12:
        p.seasonal_progress_pct = Decimal("100.0")
        p.projection_fen = p.projection_low_fen = p.projection_high_fen = p.actual_fen
        return
    profiles: list[tuple[int, int]] = []
    for back in (1, 2, 3):
        y = target.year - back
        if not actuals.complete_year(y):
            continue
        share = seasonal_share(series, y, m)
        if share is None or share[0] <= 0:
            continue
        profiles.append(share)
        if back == 1:
            p.seasonal_progress_pct = pct(share[0], share[1])
            p.projection_fen = div_round(p.actual_fen * share[1], share[0])
    if profiles:
        projections = [div_round(p.actual_fen * full, cum) for cum, full in profiles]
        p.projection_low_fen, p.projection_high_fen = min(projections), max(projections)
        if p.projection_fen is None:  # last year missing: the most recent profile available
            p.projection_fen = projections[0]


def _share_progress(p: Progress, target: Target, actuals: Actuals, eff: str) -> None:
    p.target_value = target.target_value
    if target.key_industry_id:
        part = actuals.series("industry", target.key_industry_id)
    else:
        part = actuals.series("key_industries")
    whole = actuals.series("district")
    last_same = shift_month(eff, -12)
    now = pct(cumulative(part, eff), cumulative(whole, eff))
    before = pct(cumulative(part, last_same), cumulative(whole, last_same))
    p.share_pct, p.last_share_pct = now, before
    if now is None or before is None:
        p.notes.append("缺少本年或上年同期税收数据，无法计算占比变化")
        return
    # pp from exact shares, then rounded (the one-decimal shares are for display)
    exact_now = Decimal(cumulative(part, eff)) * HUNDRED / Decimal(cumulative(whole, eff))
    exact_before = Decimal(cumulative(part, last_same)) * HUNDRED / Decimal(cumulative(whole, last_same))
    p.actual_value = (exact_now - exact_before).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if p.target_value:
        p.completion_pct = pct(p.actual_value, p.target_value)


def _reported_progress(p: Progress, target: Target, eff: str) -> None:
    p.target_value = target.target_value
    report = (
        target.reports.filter(month__lte=eff, month__gte=f"{target.year:04d}-01")
        .order_by("-month", "-reported_at", "-id")
        .first()
    )
    p.latest_report = report
    if report is None:
        p.notes.append("责任部门尚未报送完成情况")
        return
    p.actual_value = report.value
    if p.target_value:
        p.completion_pct = pct(report.value, p.target_value)


# ---------------------------------------------------------------------------------------------
# Boards


def board(user: Any, year: int, month: str, qs: QuerySet[Target] | None = None) -> list[Progress]:
    """Progress of every target of ``year`` the user may see, in the targets' order."""
    qs = visible_targets(user, qs if qs is not None else Target.objects.all()).filter(year=year)
    targets = list(
        qs.select_related("key_industry", "area").prefetch_related("departments").order_by("order", "id")
    )
    if not targets:
        return []
    actuals = Actuals(year)
    settings = TargetSettings.current()
    return [compute(t, month, actuals, settings) for t in targets]


SORTS = {
    "gap": lambda p: (p.gap_pp is None, p.gap_pp if p.gap_pp is not None else 0),
    "-gap": lambda p: (p.gap_pp is None, -(p.gap_pp if p.gap_pp is not None else 0)),
    "completion": lambda p: (p.completion_pct is None, p.completion_pct or 0),
    "-completion": lambda p: (p.completion_pct is None, -(p.completion_pct or 0)),
}


def sort_rows(rows: list[Progress], key: str) -> list[Progress]:
    if key in SORTS:
        return sorted(rows, key=SORTS[key])
    return rows


def status_counts(rows: list[Progress]) -> dict[str, int]:
    out = dict.fromkeys(STATUS_LABELS, 0)
    for r in rows:
        out[r.status] += 1
    return out


def monthly_path(target: Target, year_month: str, actuals: Actuals | None = None) -> dict[str, Any]:
    """Cumulative actual by month this year, last year's cumulative, and the target's seasonal path
    (the annual target spread by last year's profile) for a tax target's detail chart."""
    actuals = actuals or Actuals(target.year)
    series = target_series(target, actuals)
    p = compute(target, year_month, actuals)
    eff = effective_month(target.year, year_month) or f"{target.year:04d}-00"
    last_full = sum(series.get(m, 0) for m in full_year(target.year - 1))
    months, actual, last, path, linear = [], [], [], [], []
    run_now = run_last = 0
    for i, m in enumerate(full_year(target.year), start=1):
        months.append(f"{i}月")
        run_now += series.get(m, 0)
        run_last += series.get(f"{target.year - 1:04d}-{i:02d}", 0)
        actual.append(run_now if m <= eff else None)
        last.append(run_last)
        if p.target_fen:
            linear.append(div_round(p.target_fen * i, 12))
            path.append(div_round(p.target_fen * run_last, last_full) if last_full > 0 else None)
    return {"months": months, "actual": actual, "last": last, "path": path, "linear": linear}
