"""The attraction app's analytics query: the monthly district-level tax of the landed companies,
by credit code (so a company paying before it is matched in the registry is seen too)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peiyu.analytics import Runner, query


def _samples() -> list[dict[str, Any]]:
    from peiyu.taxes.analytics import months_available

    months = months_available()
    return [{"codes": ["91310107MA1G000000"], "months": months[-12:]}] if months else []


@query("attraction.tax_by_code", samples=_samples)
def tax_by_code(who: Any, codes: list[str], months: list[str] | None = None) -> dict[str, dict[str, int]]:
    """``{credit code: {month: district-level tax (fen)}}`` for months with any tax. Scoped (the
    system's landing check runs with ``scope.EVERYTHING``)."""
    codes = [c for c in codes if c]
    if not codes:
        return {}
    params: dict[str, Any] = {"codes": list(codes)}
    where = "credit_code IN (SELECT unnest($codes))"
    if months is not None:
        if not months:
            return {}
        params["months"] = list(months)
        where += " AND month IN (SELECT unnest($months))"
    rows = Runner(who, months=months).rows(
        f"SELECT credit_code, month, sum(district_fen)::BIGINT FROM {{em}} WHERE {where} GROUP BY 1, 2",
        params,
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for code, month, fen in rows:
        out[str(code)][str(month)] = int(fen or 0)
    return dict(out)
