"""A small two-year tax library over the ``world`` fixture, with the expected figures computed by hand.

Units: every amount below is in yuan ×100 = fen ×100 (so 150 means 150_00 fen = 150 元).
- soft_a1 (智能软件, 长寿路): 100/month in 2024, 150/month in 2025 → continuing, up
- soft_a2 (智能软件, 桃浦):   200/month in 2024, 120/month in 2025 → continuing, down
- health_a1 (生命健康, 长寿路): 50/month in 2024, nothing in 2025 → left the tax base
- health_a2 (生命健康, 桃浦): nothing in 2024, 80/month in 2025 plus a −10 refund in March → new
- other_a2 (no key industry, 桃浦): 10/month both years → continuing, unchanged
- an unmatched taxpayer: 5/month in 2024, 7/month in 2025
District-level tax (区级) is 40 % of the total, exactly.
"""

from __future__ import annotations

from peiyu.testing.taxlib import put_month

U = 100_00
UNMATCHED_ID = "310107123456789"

PLAN = {
    "soft_a1": ({1: 100, 2: 100, 3: 100, 12: 90}, {1: 150, 2: 150, 3: 150}),
    "soft_a2": ({1: 200, 2: 200, 3: 200}, {1: 120, 2: 120, 3: 120}),
    "health_a1": ({1: 50, 2: 50, 3: 50}, {}),
    "health_a2": ({}, {1: 80, 2: 80, 3: 80}),
    "other_a2": ({1: 10, 2: 10, 3: 10}, {1: 10, 2: 10, 3: 10}),
}


def district(total_fen: int) -> int:
    return total_fen * 2 // 5


def fill(world) -> None:
    ents = world["enterprises"]
    months: dict[str, list[tuple[str, str, str, int, int]]] = {}
    for key, (y2024, y2025) in PLAN.items():
        e = ents[key]
        for year, plan in ((2024, y2024), (2025, y2025)):
            for m, amount in plan.items():
                total = amount * U
                # split over two tax types (and two rows of the same type: they add up)
                rows = months.setdefault(f"{year}-{m:02d}", [])
                rows.append((e.credit_code, e.name, "增值税", total // 2, district(total // 2)))
                rows.append((e.credit_code, e.name, "企业所得税", total // 4, district(total // 4)))
                rows.append((e.credit_code, e.name, "企业所得税", total // 4, district(total // 4)))
    months["2025-03"].append(
        (ents["health_a2"].credit_code, ents["health_a2"].name, "增值税", -10 * U, district(-10 * U))
    )
    for year, amount in ((2024, 5), (2025, 7)):
        for m in (1, 2, 3):
            months[f"{year}-{m:02d}"].append(
                (UNMATCHED_ID, "未登记纳税人", "增值税", amount * U, district(amount * U))
            )
    for month in sorted(months):
        put_month(month, months[month], file_name=f"税收_{month}.xlsx")


def total(key: str, year: int, months=(1, 2, 3)) -> int:
    plan = PLAN[key][0 if year == 2024 else 1]
    out = sum(plan.get(m, 0) for m in months) * U
    if key == "health_a2" and year == 2025 and 3 in months:
        out -= 10 * U
    return out


def unmatched(year: int, months=(1, 2, 3)) -> int:
    return (5 if year == 2024 else 7) * U * len([m for m in months if m <= 3])
