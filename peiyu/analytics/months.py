"""Month arithmetic shared by every analytics query: months are ``"YYYY-MM"`` text everywhere (in the
Parquet files, in parameters, in URLs), so comparisons and BETWEEN work on the text."""

from __future__ import annotations

import re
from typing import Any

from peiyu.analytics.errors import AnalyticsError

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: Any) -> str:
    """A well-formed month (2000-01 … 2100-12), or :class:`AnalyticsError` with a Chinese message."""
    text = str(value or "").strip()
    if not MONTH_RE.match(text) or not ("2000" <= text[:4] <= "2100"):
        raise AnalyticsError(f"月份“{text[:20]}”格式不正确，应为 YYYY-MM（如 2025-03）")
    return text


def shift_month(month: str, delta: int) -> str:
    y, m = map(int, month.split("-"))
    total = y * 12 + (m - 1) + delta
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``first`` is later)."""
    out, m = [], first
    while m <= last:
        out.append(m)
        m = shift_month(m, 1)
    return out


def year_months(month: str) -> list[str]:
    """January .. ``month`` of the same year (the 累计 window)."""
    return month_range(f"{month[:4]}-01", month)


def prev_year(months: list[str]) -> list[str]:
    return [shift_month(m, -12) for m in months]


def period_params(month: str) -> dict[str, str]:
    """The month windows as query parameters: ``$m``, ``$pm`` (previous month), ``$lym`` (same month
    last year), ``$ys`` (January), ``$pys`` (January last year)."""
    y = int(month[:4])
    return {
        "m": month,
        "pm": shift_month(month, -1),
        "lym": shift_month(month, -12),
        "ys": f"{y:04d}-01",
        "pys": f"{y - 1:04d}-01",
    }


class Period:
    """The windows around a month: the month, 累计 (Jan..month), the same period last year, the
    previous month (环比) and the same month last year."""

    def __init__(self, month: str) -> None:
        self.month = month
        self.year = int(month[:4])
        self.year_start = f"{self.year:04d}-01"
        self.prev_month = shift_month(month, -1)
        self.last_year_month = shift_month(month, -12)
        self.prev_year_start = f"{self.year - 1:04d}-01"

    def params(self) -> dict[str, Any]:
        return dict(period_params(self.month))

    def window(self) -> list[str]:
        """Every month any measure needs (Jan last year .. month)."""
        return month_range(self.prev_year_start, self.month)
