"""The policy app's analytics query (registered with :mod:`peiyu.analytics`): each enterprise's
district-level tax per calendar year, read from the scoped ``{em}``. The eligibility rules, the
condition checks and the yearly evaluation take every tax figure from here."""

from __future__ import annotations

from typing import Any

from peiyu.analytics import Runner, query, year_months


def _sample_years() -> list[dict[str, Any]]:
    from peiyu.taxes.analytics import latest_month

    month = latest_month()
    if not month:
        return []
    year = int(month[:4])
    return [{"years": [year - 1, year]}]


def _months_in_library(years: list[int]) -> list[str]:
    from peiyu.taxes.analytics import months_available

    wanted = {f"{y:04d}" for y in years}
    return [m for m in months_available() if m[:4] in wanted]


@query("policies.yearly_tax", samples=_sample_years)
def yearly_tax(who: Any, years: list[int]) -> dict[int, dict[int, int]]:
    """``{enterprise id: {year: district-level tax in fen}}`` for the years asked (matched
    enterprises of the caller's scope; a year without data for a firm is absent)."""
    months = _months_in_library(list(years))
    if not months:
        return {}
    rows = Runner(who, months=months).rows(
        "SELECT enterprise_id, CAST(substr(month, 1, 4) AS INTEGER) AS y, sum(district_fen)::BIGINT "
        "FROM {em} WHERE enterprise_id IS NOT NULL AND month IN (SELECT unnest($months)) GROUP BY 1, 2",
        {"months": months},
    )
    out: dict[int, dict[int, int]] = {}
    for eid, y, total in rows:
        out.setdefault(int(eid), {})[int(y)] = int(total or 0)
    return out


def _sample_months() -> list[dict[str, Any]]:
    from peiyu.taxes.analytics import months_available

    months = months_available()
    return [{"months": months[-3:]}] if months else []


@query("policies.monthly_tax", samples=_sample_months)
def monthly_tax(who: Any, months: list[str]) -> dict[int, dict[str, int]]:
    """``{enterprise id: {month: district-level tax in fen}}`` over the months (scoped)."""
    if not months:
        return {}
    rows = Runner(who, months=list(months)).rows(
        "SELECT enterprise_id, month, sum(district_fen)::BIGINT FROM {em} "
        "WHERE enterprise_id IS NOT NULL AND month IN (SELECT unnest($months)) GROUP BY 1, 2",
        {"months": list(months)},
    )
    out: dict[int, dict[str, int]] = {}
    for eid, month, total in rows:
        out.setdefault(int(eid), {})[str(month)] = int(total or 0)
    return out


def years_with_data() -> list[int]:
    """Calendar years with at least one month in the library."""
    from peiyu.taxes.analytics import months_available

    return sorted({int(m[:4]) for m in months_available()})


def full_years() -> list[int]:
    """Calendar years whose twelve months are all in the library."""
    from peiyu.taxes.analytics import months_available

    have = set(months_available())
    return [y for y in years_with_data() if all(m in have for m in year_months(f"{y:04d}-12"))]
