"""Demo step: annual responsibility targets, department reports and the five-year "411" plan.

Targets are calibrated from the demo's own library (through analytics), so the board tells a story:
for each year the reference is the year's full actual (or, for the running year, its projection by
last year's seasonal profile; for a first year that starts mid-year, the months present scaled by the
next year's profile), and each industry's target is that reference times a factor drawn from
``FACTORS`` — below 1 runs ahead of time progress, above 1.1 falls clearly behind. Official tables
state round figures, so amounts are rounded to 10 万元 and growth rates to 0.5 %.

General indicators follow the Putuo 2021 plan table: the four key industries' share of district-level
tax +4 percentage points (科委、金融办、商务委), and department-reported counts (新增税收亿元楼 3 幢 投促办,
新增上市企业 2 家 金融办, 新认定市级高新技术企业 30 家 科委, 新增跨国公司地区总部 3 家 商务委) with
reports, notes and one attachment.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ORDER = 40  # the demo steps run by ORDER (peiyu.demo.run)

FACTORS = (0.9, 0.97, 1.04, 1.18)
ROUND_FEN = 10 * 1_000_000  # 10 万元

REPORTED = (
    # name, target, unit, department short name, notes for reports
    (
        "新增税收亿元楼",
        3,
        "幢",
        "投促办",
        ["长风大悦城写字楼区级税收首次突破亿元", "中环广场二期达标", "曹杨商务大厦重点企业入驻后达标"],
    ),
    ("新增上市企业", 2, "家", "金融办", ["一家智能软件企业科创板上市", "一家生命健康企业港交所上市"]),
    (
        "新认定市级高新技术企业",
        30,
        "家",
        "科委",
        ["第一批认定名单公示", "第二批认定名单公示", "第三批认定名单公示"],
    ),
    ("新增跨国公司地区总部", 3, "家", "商务委", ["市商务委认定一家", "再认定两家（含一家亚太区总部）"]),
)


def _round_to(fen: int, step: int = ROUND_FEN) -> int:
    return max(step, int((Decimal(fen) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step)


def _half_pct(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def generate(ctx: Any) -> None:
    from django.core.files.base import ContentFile

    from peiyu.accounts import scope as scope_mod
    from peiyu.accounts.models import Department
    from peiyu.registry.models import Area, KeyIndustry
    from peiyu.targets.actions import do_report_value, do_save_plan_line, do_save_target
    from peiyu.targets.models import FiveYearPlan, Target, TargetKind
    from peiyu.targets.progress import div_round, full_year
    from peiyu.taxes import analytics

    rng = ctx.step_rng("targets")
    admin = ctx.data.get("admin")
    months = analytics.months_available()
    if not months:
        return
    available = set(months)
    years = sorted({int(m[:4]) for m in months})
    latest = months[-1]
    everything = scope_mod.EVERYTHING
    by_industry = analytics.monthly_totals(everything, months, by="industry")
    by_area = analytics.monthly_totals(everything, months, by="area")
    district = analytics.monthly_totals(everything, months, by="district").get(None, {})

    def series(data: dict[str, dict[str, int]]) -> dict[str, int]:
        return {m: v["district_fen"] for m, v in data.items()}

    def total(s: dict[str, int], ms: list[str]) -> int:
        return sum(s.get(m, 0) for m in ms)

    def reference(s: dict[str, int], year: int) -> int:
        """The year's full actual, or an estimate of it when the year is partly in the library."""
        ms = full_year(year)
        present = [m for m in ms if m in available]
        if len(present) == 12:
            return total(s, ms)
        other = year - 1 if all(m in available for m in full_year(year - 1)) else year + 1
        other_ms = full_year(other)
        same = [f"{other}-{m[5:]}" for m in present]
        part, whole = total(s, same), total(s, other_ms)
        if part <= 0 or whole <= 0:
            return total(s, present)
        return div_round(total(s, present) * whole, part)

    depts = {d.short_name or d.name: d for d in Department.objects.all()}
    industry_depts = {
        ind.pk: list(Department.objects.filter(key_industries=ind)) for ind in KeyIndustry.objects.all()
    }
    industries = list(KeyIndustry.objects.filter(active=True).order_by("order"))
    area_ids = sorted(
        (k for k in by_area if k is not None),
        key=lambda k: -total(series(by_area[k]), [m for m in months if m.startswith(latest[:4])]),
    )[:3]
    areas = {a.pk: a for a in Area.objects.filter(pk__in=area_ids)}
    kewei_user = ctx.data.get("user_kewei")
    created = 0
    reports = 0
    for year in years:
        previous_complete = all(m in available for m in full_year(year - 1))
        factors = list(FACTORS)
        rng.shuffle(factors)
        order = 0
        for i, ind in enumerate(industries):
            s = series(by_industry.get(ind.pk, {}))
            ref = reference(s, year)
            if ref <= 0:
                continue
            goal = int(Decimal(ref) * Decimal(str(factors[i % len(factors)])))
            order += 1
            t = Target(year=year, name=f"{ind.name}产业区级税收", key_industry=ind, order=order)
            last = total(s, full_year(year - 1))
            if previous_complete and last > 0 and i % 2 == 0:
                t.kind = TargetKind.GROWTH
                t.growth_pct = _half_pct((Decimal(goal) / Decimal(last) - 1) * 100)
                t.unit = "%"
            else:
                t.kind = TargetKind.AMOUNT
                t.target_fen = _round_to(goal)
                t.unit = "万元"
            t.note = "年度计划目标，通过目标责任签约落实到产业主管部门"
            do_save_target(admin, t, industry_depts.get(ind.pk, []), reason="演示数据")
            created += 1
        # the district as a whole: growth of 6 % (the Putuo 2021 plan's "不低于 6%")
        order += 1
        t = Target(year=year, name="全区区级税收", order=order, note="区级财政收入增长目标")
        if previous_complete:
            t.kind, t.growth_pct, t.unit = TargetKind.GROWTH, Decimal("6"), "%"
        else:
            t.kind, t.target_fen, t.unit = (
                TargetKind.AMOUNT,
                _round_to(int(Decimal(reference(series(district), year)) * Decimal("1.02"))),
                "万元",
            )
        do_save_target(admin, t, [depts[k] for k in ("发改委",) if k in depts], reason="演示数据")
        created += 1
        for j, area_id in enumerate(area_ids):
            area = areas.get(area_id)
            if area is None:
                continue
            ref = reference(series(by_area.get(area_id, {})), year)
            if ref <= 0:
                continue
            order += 1
            goal = int(Decimal(ref) * Decimal(str((0.95, 1.02, 1.12)[(j + year) % 3])))
            do_save_target(
                admin,
                Target(
                    year=year,
                    name=f"{area.name}区级税收",
                    kind=TargetKind.AMOUNT,
                    area=area,
                    target_fen=_round_to(goal),
                    unit="万元",
                    order=order,
                ),
                [],
                reason="演示数据",
            )
            created += 1
        order += 1
        do_save_target(
            admin,
            Target(
                year=year,
                name="四大重点产业占区级税收比重",
                kind=TargetKind.SHARE,
                target_value=Decimal("4"),
                unit="个百分点",
                order=order,
                note="比上年同期提高的百分点",
            ),
            [depts[k] for k in ("科委", "金融办", "商务委") if k in depts],
            reason="演示数据",
        )
        created += 1
        # department-reported indicators with reports up to the latest month of the year
        year_months = [m for m in full_year(year) if m in available]
        if not year_months:
            continue
        for k, (name, goal_count, unit, short, notes) in enumerate(REPORTED):
            order += 1
            dept = depts.get(short)
            target = do_save_target(
                admin,
                Target(
                    year=year,
                    name=name,
                    kind=TargetKind.REPORTED,
                    target_value=Decimal(goal_count),
                    unit=unit,
                    order=order,
                ),
                [dept] if dept else [],
                reason="演示数据",
            )
            created += 1
            last_month = year_months[-1]
            complete = len(year_months) == 12
            # a final figure around the goal for past years; for the running year some ahead, some behind
            if complete:
                final = max(0, goal_count + rng.choice((-1, 0, 0, 1)))
            else:
                pace = Decimal(int(last_month[5:])) / 12
                final = int(
                    (Decimal(goal_count) * pace * Decimal(str((1.4, 0.6, 1.1, 0.8)[k]))).to_integral_value()
                )
            checkpoints = [
                m for m in (f"{year}-06", last_month if not complete else f"{year}-12") if m in available
            ]
            checkpoints = sorted(set(checkpoints))
            for n, month in enumerate(checkpoints, start=1):
                value = final if n == len(checkpoints) else max(0, final // 2)
                reporter = kewei_user if short == "科委" and kewei_user is not None else admin
                attachment = None
                if n == len(checkpoints) and k == 2:
                    text = f"{year} 年新认定市级高新技术企业名单（演示）\n共 {value} 家\n"
                    attachment = ContentFile(text.encode("utf-8"), name=f"{year}年高新技术企业认定名单.txt")
                do_report_value(
                    reporter,
                    target,
                    month=month,
                    value=value,
                    note=notes[min(n - 1, len(notes) - 1)],
                    attachment=attachment,
                    department=dept if reporter is admin else None,
                )
                reports += 1

    # five-year plan: the "411" doubling path per key industry
    final_year = 2025 if years[-1] >= 2025 else years[-1]
    base_year = final_year - 5
    plan, _ = FiveYearPlan.objects.get_or_create(
        name="“十四五”重点产业倍增计划（411倍增计划）",
        defaults={
            "base_year": base_year,
            "final_year": final_year,
            "note": "四大重点培育产业区级税收五年翻一番；基期值早于税收库时按首个完整年度倒推（演示数据）。",
        },
    )
    for ind in industries:
        s = series(by_industry.get(ind.pk, {}))
        first = next((y for y in years if y >= base_year and all(m in available for m in full_year(y))), None)
        if first is None:
            continue
        actual_first = total(s, full_year(first))
        if actual_first <= 0:
            continue
        # assume the industry stood on the doubling path in its first complete year (2^(1/5) a year)
        growth = Decimal(2) ** (Decimal(first - base_year) / Decimal(final_year - base_year))
        base = _round_to(int(Decimal(actual_first) / growth * Decimal(str(rng.choice((0.95, 1.0, 1.05))))))
        do_save_plan_line(admin, plan, ind, base_fen=base, goal_fen=base * 2)
    ctx.summary["targets"] = {
        "targets": Target.objects.count(),
        "created": created,
        "reports": reports,
        "plan": plan.name,
        "years": years,
    }
