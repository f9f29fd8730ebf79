"""Library data for the targets tests, with figures simple enough to compute by hand.

District-level tax per month, in 万元 (1 万元 = 1,000,000 fen):

    series              2022-2023 (each month)      2024 (each month)       2025-01..03 (each month)
    智能软件 (soft_a1)   10, but 90 (2022) or        10, but 50 in May        12
                        70 (2023) in May
    生命健康 (health_a1)  5                           5                        6
    桃浦镇 (other_a2)     1                           1                        1

so 2024: software 160, health 60, Taopu 12, district 232; by March 2024: 30, 15, 3, 48;
software 2023: 180, 2022: 200 (by March 30 in both).
"""

from __future__ import annotations

from peiyu.testing.taxlib import put_month

WAN = 1_000_000


def fill(world, years=(2024,), months_2025=3):
    e = world["enterprises"]

    def rows(soft, health, other):
        out = []
        for key, wan in (("soft_a1", soft), ("health_a1", health), ("other_a2", other)):
            ent = e[key]
            out.append((ent.credit_code, ent.name, "增值税", wan * WAN * 3, wan * WAN))
        return out

    for year in years:
        for m in range(1, 13):
            soft = {2024: 50, 2023: 70, 2022: 90}.get(year, 10) if m == 5 else 10
            put_month(f"{year}-{m:02d}", rows(soft, 5, 1))
    for m in range(1, months_2025 + 1):
        put_month(f"2025-{m:02d}", rows(12, 6, 1))
