"""The early-warning app's analytics queries (registered with :mod:`peiyu.analytics`): the
district-level tax of each enterprise over the key-enterprise window, read from the scoped ``{em}``."""

from __future__ import annotations

from typing import Any

from peiyu.analytics import Runner, query, shift_month


def _sample_windows() -> list[dict[str, Any]]:
    from peiyu.taxes.analytics import latest_month

    month = latest_month()
    return [{"months": [shift_month(month, -i) for i in range(12, -1, -1)]}] if month else []


@query("alerts.window_sums", samples=_sample_windows)
def window_sums(who: Any, months: list[str]) -> dict[int, tuple[int | None, int]]:
    """``{enterprise id: (key industry id, district-level tax over the months)}`` (fen), matched
    enterprises only. Scoped (the key-enterprise set uses the whole district)."""
    if not months:
        return {}
    rows = Runner(who).rows(
        "SELECT enterprise_id, any_value(key_industry_id), sum(district_fen)::BIGINT FROM {em} "
        "WHERE enterprise_id IS NOT NULL AND month IN (SELECT unnest($months)) GROUP BY 1",
        {"months": list(months)},
    )
    return {int(eid): (None if ind is None else int(ind), int(total or 0)) for eid, ind, total in rows}
