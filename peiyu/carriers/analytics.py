"""The carriers' analytics query (registered with :mod:`peiyu.analytics`): the monthly tax of a
set of enterprises (the tenants of buildings, parks and incubators), read from the scoped ``{em}``.

Tenancy windows are applied afterwards in :mod:`peiyu.carriers.economy` (a tenant counts for the
months from its move-in month up to the month before its move-out month), so one query serves every
carrier of a page. Figures of enterprises outside the caller's scope never come back (the runner
wraps ``{em}`` in the scope)."""

from __future__ import annotations

from typing import Any

from peiyu.analytics import Runner, query


def _samples() -> list[dict[str, Any]]:
    from peiyu.carriers.models import Tenancy
    from peiyu.taxes.analytics import months_available

    months = months_available()[-12:]
    from peiyu.registry.models import Enterprise

    ids = list(Tenancy.objects.order_by("pk").values_list("enterprise_id", flat=True)[:20])
    ids = ids or list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:20])
    return [{"enterprise_ids": ids, "months": months}] if months and ids else []


@query("carriers.tenant_months", samples=_samples)
def tenant_months(
    who: Any, enterprise_ids: list[int], months: list[str]
) -> dict[tuple[int, str], tuple[int, int]]:
    """``{(enterprise id, month): (全口径 fen, 区级 fen)}`` for the enterprises and months given
    (scoped: enterprises outside ``who``'s scope are absent)."""
    if not enterprise_ids or not months:
        return {}
    rows = Runner(who, months=list(months)).rows(
        "SELECT enterprise_id, month, sum(total_fen)::BIGINT, sum(district_fen)::BIGINT FROM {em} "
        "WHERE enterprise_id IN (SELECT unnest($ids)) AND month IN (SELECT unnest($months)) GROUP BY 1, 2",
        {"ids": sorted({int(i) for i in enterprise_ids}), "months": list(months)},
    )
    return {(int(eid), str(m)): (int(t or 0), int(d or 0)) for eid, m, t, d in rows}
