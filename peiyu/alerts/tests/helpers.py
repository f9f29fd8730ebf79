"""Hand-built tax series for the warning tests."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peiyu.alerts.rules import auto_compute_suspended
from peiyu.analytics import shift_month
from peiyu.testing.taxlib import put_month

WAN = 1_000_000  # fen in 1 万元


def load(series: dict[Any, dict[str, int]]) -> None:
    """``{enterprise: {month: district_fen}}`` into the library (one batch per month, total = 2 × district)."""
    months: dict[str, list] = defaultdict(list)
    for ent, by_month in series.items():
        for month, fen in by_month.items():
            months[month].append((ent.credit_code, ent.name, "增值税", fen * 2, fen))
    with auto_compute_suspended():
        for month in sorted(months):
            put_month(month, months[month])


def months(end: str, n: int) -> list[str]:
    return [shift_month(end, -i) for i in range(n - 1, -1, -1)]


def steady(end: str, n: int, base: int, growth_pct: int = 10) -> dict[str, int]:
    """A firm growing ``growth_pct``% a year: the same month last year is smaller."""
    out = {}
    for m in months(end, n):
        y = int(m[:4]) - 2020
        out[m] = base * (100 + growth_pct) ** y // 100**y
    return out
