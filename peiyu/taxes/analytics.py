"""The tax library's analytics: its scoped relations and every aggregate over them, registered
with :mod:`peiyu.analytics` (this module is found as ``<app>.analytics``).

Relations (the only tables a query may name; the runner wraps each in the caller's scope):

    {em}   enterprise-month rows joined to the enterprise dimension (month, taxpayer_id, enterprise_id,
           credit_code, name, key_industry_id, area_id, status, is_key, matched, total_fen, district_fen)
    {r2}   month × key industry × area rollup (month, key_industry_id, area_id, matched, district_fen,
           total_fen, taxpayers)
    {r1}   month × key industry × area × tax type rollup (… tax_type, district_fen, total_fen)
    {ey}   one month's enterprise-level measures (credit_code, name, enterprise_id, key_industry_id,
           area_id, status, is_key, matched, month_fen, month_total_fen, prev_month_fen,
           month_last_year_fen, ytd_fen, ytd_total_fen, prev_ytd_fen, prev_ytd_total_fen); the
           month is the Runner's ``month``
    {facts} fact rows joined to the dimension (month, batch_id, source_row, taxpayer_id, tax_type,
           total_fen, district_fen, enterprise_id, credit_code, name, key_industry_id, area_id, matched)
           — for tracing a figure back to its import batch and source row

``{r1}``/``{r2}`` carry no enterprise column: for scopes that name enterprises (liaison staff) the
runner builds them from ``{facts}``/``{em}`` instead (their ``fine`` templates). Money is integer
fen (BIGINT) end to end. Every public aggregate is a registered query (``taxes.<name>``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peiyu.accounts.scope import Scope
from peiyu.analytics import (
    AnalyticsError,
    Context,
    MonthNotAvailable,
    Period,
    Runner,
    as_scope,
    params,
    query,
    relation,
)
from peiyu.taxes import rollups

# ---------------------------------------------------------------------------------------------
# Relations


def _snapshot(ctx: Context) -> rollups.Snapshot:
    """One snapshot of the library per runner: every relation of a query reads the same files."""
    return ctx.memo("taxes.snapshot", rollups.current)


@relation("em")
def em(ctx: Context) -> str:
    """Enterprise-month rows joined to the enterprise dimension."""
    return rollups.em_join_sql(_snapshot(ctx), ctx.months, ctx.engine)


@relation("ey")
def ey(ctx: Context) -> str:
    """One month's enterprise-level measures (built on first use, then one file)."""
    if not ctx.month:
        raise ValueError("{ey} needs Runner(..., month=)")
    return f"SELECT * FROM {ctx.engine.parquet([rollups.ensure_ey(_snapshot(ctx), ctx.month, ctx.engine)])}"


@relation("facts")
def facts(ctx: Context) -> str:
    """Fact rows (batch and source row kept) joined to the enterprise dimension."""
    snap = _snapshot(ctx)
    return (
        "SELECT f.month, f.batch_id, f.source_row, f.taxpayer_id, f.tax_type, f.total_fen, "
        "f.district_fen, d.enterprise_id, coalesce(d.credit_code, f.taxpayer_id) AS credit_code, "
        "coalesce(d.name, f.taxpayer_name) AS name, d.key_industry_id, d.area_id, "
        "(d.enterprise_id IS NOT NULL) AS matched "
        f"FROM {snap.facts_sql(ctx.months, ctx.engine)} f LEFT JOIN {snap.dim_sql(ctx.engine)} d "
        "ON d.taxpayer_id = f.taxpayer_id WHERE NOT coalesce(d.outside, FALSE)"
    )


@relation(
    "r2",
    enterprise=None,
    # enterprise-level scope: aggregate the scoped enterprise rows (taxpayers as in rollups.R2_SQL)
    fine=(
        "SELECT month, key_industry_id, area_id, matched, sum(district_fen)::BIGINT AS district_fen, "
        "sum(total_fen)::BIGINT AS total_fen, count(*) FILTER (WHERE total_fen > 0) AS taxpayers "
        "FROM (SELECT month, credit_code, key_industry_id, area_id, matched, "
        "sum(district_fen) AS district_fen, sum(total_fen) AS total_fen FROM {em} GROUP BY ALL) y GROUP BY ALL"
    ),
)
def r2(ctx: Context) -> str:
    """Month × key industry × area rollup."""
    return f"SELECT * FROM {ctx.engine.parquet([_snapshot(ctx).r2_path])}"


@relation(
    "r1",
    enterprise=None,
    fine=(
        "SELECT month, key_industry_id, area_id, matched, tax_type, sum(district_fen)::BIGINT AS district_fen, "
        "sum(total_fen)::BIGINT AS total_fen FROM {facts} GROUP BY ALL"
    ),
)
def r1(ctx: Context) -> str:
    """Month × key industry × area × tax type rollup."""
    return f"SELECT * FROM {ctx.engine.parquet([_snapshot(ctx).r1_path])}"


# ---------------------------------------------------------------------------------------------
# Months of the library


def months_available() -> list[str]:
    """Months with an active version in the library, oldest first (not scoped: months are not secret)."""
    from peiyu.taxes.models import TaxBatch

    return list(TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", flat=True))


def latest_month() -> str | None:
    months = months_available()
    return months[-1] if months else None


def resolve_month(value: Any = None) -> str:
    """The requested month (validated and present in the library), or the latest month; else
    :class:`~peiyu.analytics.AnalyticsError` (bad format) or ``MonthNotAvailable``."""
    month, problem = params.month(params.clean(value), months_available())
    if problem is not None:
        raise (MonthNotAvailable if problem.status == 404 else AnalyticsError)(problem.message)
    assert month is not None
    return month


# ---------------------------------------------------------------------------------------------
# Sample parameters (the agreement test runs every query with these, for every persona)


def _latest() -> list[str]:
    month = latest_month()
    return [month] if month else []


def _first_id(model_label: str) -> int | None:
    from django.apps import apps

    return apps.get_model(model_label).objects.order_by("pk").values_list("pk", flat=True).first()


def sample_months() -> list[dict[str, Any]]:
    return [{"month": m} for m in _latest()]


def sample_filters(industry: bool = True, area: bool = True) -> list[dict[str, Any]]:
    """The latest month alone and with an industry and/or an area filter."""
    out: list[dict[str, Any]] = []
    ind = _first_id("registry.KeyIndustry") if industry else None
    ar = _first_id("registry.Area") if area else None
    for m in _latest():
        out.append({"month": m})
        if ind is not None:
            out.append({"month": m, "industry_id": ind})
        if ar is not None:
            out.append({"month": m, "area_id": ar})
        if ind is not None and ar is not None:
            out.append({"month": m, "industry_id": ind, "area_id": ar})
    return out


def _sample_windows() -> list[dict[str, Any]]:
    return [{"months": Period(m).window()} for m in _latest()]


def _sample_totals() -> list[dict[str, Any]]:
    return [{**w, "by": by} for w in _sample_windows() for by in GROUP_COLUMNS]


def _sample_series() -> list[dict[str, Any]]:
    out = _sample_windows()
    for m in _latest():
        out.append({"months": [m], "enterprise_ids": _top_enterprise_ids(m)})
    return out


def _top_enterprise_ids(month: str, n: int = 3) -> list[int]:
    from peiyu.accounts.scope import EVERYTHING

    rows = enterprise_rows(EVERYTHING, month, limit=n * 2)["rows"]
    return [r["enterprise_id"] for r in rows if r["enterprise_id"] is not None][:n]


def _sample_grouped() -> list[dict[str, Any]]:
    return [{**f, "by": by} for f in sample_filters() for by in GROUP_COLUMNS]


def _sample_enterprise_rows() -> list[dict[str, Any]]:
    out = []
    for f in sample_filters():
        out.append({**f, "limit": 20})
    for m in _latest():
        out += [
            {"month": m, "sort": "name", "limit": 5, "offset": 5},
            {"month": m, "sort": "-yoy", "limit": 10},
            {"month": m, "q": "有限公司", "sort": "code", "limit": 10},
            {"month": m, "q": "' OR 1=1 --"},
        ]
    return out


def _sample_top() -> list[dict[str, Any]]:
    return [{**f, "n": 10} for f in sample_filters()] + [{"month": m, "by": "month"} for m in _latest()]


def _sample_decomposition() -> list[dict[str, Any]]:
    return [{**f, "top": 3} for f in sample_filters()]


def _sample_enterprise_monthly() -> list[dict[str, Any]]:
    return [{"enterprise_id": eid, "month": m} for m in _latest() for eid in _top_enterprise_ids(m, 2)]


# ---------------------------------------------------------------------------------------------
# Building blocks other modules use (targets, warnings, dashboards)

GROUP_COLUMNS = {"district": None, "industry": "key_industry_id", "area": "area_id"}


@query("taxes.monthly_totals", samples=_sample_totals)
def monthly_totals(who: Any, months: list[str], by: str = "district") -> dict[Any, dict[str, dict[str, int]]]:
    """``{group key: {month: {"district_fen", "total_fen", "taxpayers"}}}`` for the given months.

    ``by`` is ``district`` (key ``None``), ``industry`` (key = KeyIndustry id, ``None`` for
    enterprises in no key industry) or ``area`` (key = Area id or ``None``). Scoped."""
    if not months:
        return {}
    col = GROUP_COLUMNS[by]
    key_sql = f"{col}" if col else "NULL"
    runner = Runner(who, months=months)  # (the em files matter only for enterprise-level scopes)
    rows = runner.rows(
        f"SELECT {key_sql} AS k, month, sum(district_fen)::BIGINT, sum(total_fen)::BIGINT, sum(taxpayers)::BIGINT "
        "FROM {r2} WHERE month IN (SELECT unnest($months)) GROUP BY 1, 2",
        {"months": list(months)},
    )
    out: dict[Any, dict[str, dict[str, int]]] = defaultdict(dict)
    for k, month, district, total, taxpayers in rows:
        out[k][month] = {
            "district_fen": int(district or 0),
            "total_fen": int(total or 0),
            "taxpayers": int(taxpayers or 0),
        }
    return dict(out)


@query("taxes.enterprise_series", samples=_sample_series)
def enterprise_series(
    who: Any, months: list[str], enterprise_ids: list[int] | None = None
) -> dict[int, dict[str, dict[str, int]]]:
    """``{enterprise id: {month: {"district_fen", "total_fen"}}}`` for matched enterprises. Scoped.
    Months in which an enterprise paid nothing are absent."""
    if not months:
        return {}
    params: dict[str, Any] = {"months": list(months)}
    where = "month IN (SELECT unnest($months)) AND enterprise_id IS NOT NULL"
    if enterprise_ids is not None:
        if not enterprise_ids:
            return {}
        params["ids"] = [int(i) for i in enterprise_ids]
        where += " AND enterprise_id IN (SELECT unnest($ids))"
    rows = Runner(who, months=months).rows(
        "SELECT enterprise_id, month, sum(district_fen)::BIGINT, sum(total_fen)::BIGINT FROM {em} "
        f"WHERE {where} GROUP BY 1, 2",
        params,
    )
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for eid, month, district, total in rows:
        out[int(eid)][month] = {"district_fen": int(district), "total_fen": int(total)}
    return dict(out)


MEASURES_SQL = rollups.MEASURES_SQL
MEASURE_KEYS = (
    "month_fen",
    "month_total_fen",
    "prev_month_fen",
    "month_last_year_fen",
    "ytd_fen",
    "ytd_total_fen",
    "prev_ytd_fen",
    "prev_ytd_total_fen",
)


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """Add the growth rates (half-up, one decimal; None when the base is zero) and the change."""
    from peiyu.core.money import growth_pct

    for key in MEASURE_KEYS:
        row[key] = int(row.get(key) or 0)
    row["taxpayers"] = int(row.get("taxpayers") or 0)
    row["yoy_pct"] = growth_pct(row["ytd_fen"], row["prev_ytd_fen"])
    row["total_yoy_pct"] = growth_pct(row["ytd_total_fen"], row["prev_ytd_total_fen"])
    row["mom_pct"] = growth_pct(row["month_fen"], row["prev_month_fen"])
    row["month_yoy_pct"] = growth_pct(row["month_fen"], row["month_last_year_fen"])
    row["change_fen"] = row["ytd_fen"] - row["prev_ytd_fen"]
    return row


def empty_measures() -> dict[str, Any]:
    return with_rates({})


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for key in (*MEASURE_KEYS, "taxpayers"):
        into[key] = int(into.get(key) or 0) + int(row.get(key) or 0)


def _filters(industry_id: int | None, area_id: int | None, alias: str = "") -> tuple[str, dict[str, Any]]:
    """Extra row filters (on top of the scope, never instead of it)."""
    parts, params = [], {}
    p = f"{alias}." if alias else ""
    if industry_id is not None:
        parts.append(f"{p}key_industry_id = $f_industry")
        params["f_industry"] = int(industry_id)
    if area_id is not None:
        parts.append(f"{p}area_id = $f_area")
        params["f_area"] = int(area_id)
    return (" AND " + " AND ".join(parts)) if parts else "", params


def _names(model_label: str) -> dict[int, str]:
    from django.apps import apps

    model = apps.get_model(model_label)
    return dict(model.objects.values_list("id", "name"))


NO_INDUSTRY = "非重点产业企业"
UNMATCHED = "未匹配纳税人"
NO_AREA = "未登记街道镇"


# ---------------------------------------------------------------------------------------------
# Aggregates (read the small rollups only: a few thousand rows whatever the history)


@query("taxes.grouped", samples=_sample_grouped)
def grouped(
    who: Any, month: str, by: str = "industry", *, industry_id: int | None = None, area_id: int | None = None
) -> list[dict[str, Any]]:
    """Measures per key industry or per area for one month (scoped, optional filters), from ``{r2}``.

    Rows: ``{"id", "matched", measures..., "taxpayers"}``; ``id`` None with ``matched`` False is the
    unmatched taxpayers (district-wide users only), ``id`` None with ``matched`` True is the
    enterprises in no key industry (or with no area)."""
    period = Period(month)
    col = GROUP_COLUMNS[by]
    key_sql = col if col else "NULL"
    extra, params = _filters(industry_id, area_id)
    params.update(period.params())
    rows = Runner(who, months=period.window()).dicts(
        f"SELECT {key_sql} AS id, matched, {MEASURES_SQL}, "
        "CAST(sum(CASE WHEN month = $m THEN taxpayers ELSE 0 END) AS BIGINT) AS taxpayers "
        f"FROM {{r2}} WHERE month BETWEEN $pys AND $m{extra} GROUP BY {key_sql}, matched "
        "ORDER BY id NULLS LAST, matched",
        params,
    )
    return [with_rates(r) for r in rows]


def _scope_label(scope: Scope) -> str:
    return "全区" if scope.everything else "本范围合计"


@query("taxes.industry_stats", samples=sample_months)
def industry_stats(who: Any, month: Any = None) -> dict[str, Any]:
    """The object ``peiyu stats industries --json`` and ``GET /api/v1/stats/industries`` return.

    ``*_fen`` are district-level tax (区级) in fen, ``ytd_total_fen`` is total tax; ``yoy_pct`` =
    (ytd / prev_ytd − 1) × 100, half-up to one decimal, null when prev_ytd is 0; ``taxpayers`` =
    enterprises whose total tax in the month is positive (all taxpayer IDs of one registry
    enterprise count once; an unmatched taxpayer ID counts as one)."""
    from peiyu.registry.models import KeyIndustry

    month = resolve_month(month)
    scope = as_scope(who)
    rows = grouped(scope, month, "industry")
    by_id: dict[Any, dict[str, Any]] = {}
    district: dict[str, Any] = {}
    other: dict[str, Any] = {"id": None, "name": NO_INDUSTRY}
    unmatched: dict[str, Any] = {"id": None, "name": UNMATCHED}
    for r in rows:
        _add(district, r)
        if r["id"] is not None:
            _add(by_id.setdefault(r["id"], {}), r)
        elif r["matched"]:
            _add(other, r)
        else:
            _add(unmatched, r)
    industries = KeyIndustry.objects.filter(active=True).order_by("order", "id")
    if not scope.everything and not scope.area_ids and not scope.enterprise_ids:
        industries = industries.filter(id__in=scope.industry_ids)
    out_industries = []
    district = with_rates(district)
    for ind in industries:
        row = with_rates({"id": ind.id, "name": ind.name, **by_id.get(ind.id, {})})
        row["share_pct"] = _share(row["ytd_fen"], district["ytd_fen"])
        out_industries.append(row)
    others = []
    for extra in (other, unmatched):
        if len(extra) > 2:
            row = with_rates(extra)
            row["share_pct"] = _share(row["ytd_fen"], district["ytd_fen"])
            others.append(row)
    district = {
        "id": None,
        "name": _scope_label(scope),
        **district,
        "share_pct": 100.0 if district["ytd_fen"] else None,
    }
    return {"month": month, "industries": out_industries, "others": others, "district": district}


def _share(part: int, whole: int) -> float | None:
    from peiyu.core.money import pct

    return pct(part, whole) if whole > 0 else None


@query("taxes.area_stats", samples=lambda: sample_filters(area=False))
def area_stats(who: Any, month: str, *, industry_id: int | None = None) -> list[dict[str, Any]]:
    """Measures per area (optionally within one key industry), areas in their display order."""
    from peiyu.registry.models import Area

    rows = grouped(who, month, "area", industry_id=industry_id)
    merged: dict[Any, dict[str, Any]] = {}
    for r in rows:
        key = r["id"] if r["id"] is not None else ("none" if r["matched"] else "unmatched")
        _add(merged.setdefault(key, {}), r)
    total = sum(v.get("ytd_fen", 0) for v in merged.values())
    out = []
    for area in Area.objects.filter(id__in=[k for k in merged if isinstance(k, int)]).order_by(
        "order", "code"
    ):
        out.append(with_rates({"id": area.id, "name": area.name, **merged[area.id]}))
    if "none" in merged:
        out.append(with_rates({"id": None, "name": NO_AREA, **merged["none"]}))
    if "unmatched" in merged:
        out.append(with_rates({"id": None, "name": UNMATCHED, "unmatched": True, **merged["unmatched"]}))
    for row in out:
        row["share_pct"] = _share(row["ytd_fen"], total)
    return out


@query("taxes.industry_breakdown", samples=lambda: sample_filters(industry=False))
def industry_breakdown(who: Any, month: str, *, area_id: int | None = None) -> list[dict[str, Any]]:
    """Measures per key industry within one area (or overall), plus the non-key and unmatched rows."""
    rows = grouped(who, month, "industry", area_id=area_id)
    names = _names("registry.KeyIndustry")
    merged: dict[Any, dict[str, Any]] = {}
    for r in rows:
        key = r["id"] if r["id"] is not None else ("none" if r["matched"] else "unmatched")
        _add(merged.setdefault(key, {}), r)
    total = sum(v.get("ytd_fen", 0) for v in merged.values())
    from peiyu.registry.models import KeyIndustry

    out = []
    for ind in KeyIndustry.objects.filter(id__in=[k for k in merged if isinstance(k, int)]).order_by(
        "order", "id"
    ):
        out.append(with_rates({"id": ind.id, "name": names[ind.id], **merged[ind.id]}))
    if "none" in merged:
        out.append(with_rates({"id": None, "name": NO_INDUSTRY, **merged["none"]}))
    if "unmatched" in merged:
        out.append(with_rates({"id": None, "name": UNMATCHED, "unmatched": True, **merged["unmatched"]}))
    for row in out:
        row["share_pct"] = _share(row["ytd_fen"], total)
    return out


@query("taxes.totals", samples=sample_filters)
def totals(
    who: Any, month: str, *, industry_id: int | None = None, area_id: int | None = None
) -> dict[str, Any]:
    """The measures of everything the scope sees (optionally within an industry and/or an area)."""
    out: dict[str, Any] = {}
    for r in grouped(who, month, "district", industry_id=industry_id, area_id=area_id):
        _add(out, r)
    return with_rates(out)


@query("taxes.monthly_compare", samples=sample_filters)
def monthly_compare(
    who: Any, month: str, *, industry_id: int | None = None, area_id: int | None = None
) -> dict[str, Any]:
    """District-level and total tax by month: this year (Jan..month) and all of last year."""
    year = int(month[:4])
    extra, params = _filters(industry_id, area_id)
    params.update({"lo": f"{year - 1:04d}-01", "hi": month})
    rows = Runner(who, months=Period(month).window()).rows(
        "SELECT month, CAST(sum(district_fen) AS BIGINT), CAST(sum(total_fen) AS BIGINT), "
        f"CAST(sum(taxpayers) AS BIGINT) FROM {{r2}} WHERE month BETWEEN $lo AND $hi{extra} GROUP BY month",
        params,
    )
    got = {m: (int(d), int(t), int(n)) for m, d, t, n in rows}
    labels = [f"{i}月" for i in range(1, 13)]
    this_m = [f"{year:04d}-{i:02d}" for i in range(1, 13)]
    last_m = [f"{year - 1:04d}-{i:02d}" for i in range(1, 13)]
    return {
        "year": year,
        "labels": labels,
        "this_year": [got.get(m, (0, 0, 0))[0] if m <= month else None for m in this_m],
        "last_year": [got.get(m, (0, 0, 0))[0] for m in last_m],
        "this_year_total": [got.get(m, (0, 0, 0))[1] if m <= month else None for m in this_m],
        "last_year_total": [got.get(m, (0, 0, 0))[1] for m in last_m],
        "taxpayers": [got.get(m, (0, 0, 0))[2] if m <= month else None for m in this_m],
    }


@query("taxes.tax_types", samples=sample_filters)
def tax_types(
    who: Any, month: str, *, industry_id: int | None = None, area_id: int | None = None
) -> list[dict[str, Any]]:
    """Composition by tax type (``{r1}``): the month, 累计 and the same period last year."""
    period = Period(month)
    extra, params = _filters(industry_id, area_id)
    params.update(period.params())
    rows = Runner(who, months=period.window()).dicts(
        f"SELECT tax_type, {MEASURES_SQL} FROM {{r1}} WHERE month BETWEEN $pys AND $m{extra} "
        "GROUP BY tax_type",
        params,
    )
    rows = [with_rates(r) for r in rows]
    total = sum(r["ytd_fen"] for r in rows)
    for r in rows:
        r["share_pct"] = _share(r["ytd_fen"], total)
    rows.sort(key=lambda r: (-r["ytd_fen"], r["tax_type"]))
    return rows


# ---------------------------------------------------------------------------------------------
# Enterprise-level queries (read the enterprise-month files of the 24 months they need)

ENTERPRISE_SORTS = {
    "ytd": "ytd_fen",
    "month": "month_fen",
    "prev_ytd": "prev_ytd_fen",
    "change": "change_fen",
    "yoy": "yoy_ratio",
    "mom": "mom_ratio",
    "total": "ytd_total_fen",
    "name": "name",
    "code": "credit_code",
}


def _enterprise_sql(where: str, sort: str) -> str:
    key = sort.lstrip("-")
    col = ENTERPRISE_SORTS.get(key, "ytd_fen")
    direction = "DESC" if sort.startswith("-") else "ASC"
    return (
        "WITH u AS (SELECT *, ytd_fen - prev_ytd_fen AS change_fen, "
        "CASE WHEN prev_ytd_fen = 0 THEN NULL ELSE CAST(ytd_fen AS DOUBLE) / prev_ytd_fen END AS yoy_ratio, "
        "CASE WHEN prev_month_fen = 0 THEN NULL ELSE CAST(month_fen AS DOUBLE) / prev_month_fen END AS mom_ratio "
        f"FROM {{ey}} WHERE TRUE{where}) "
        "SELECT *, count(*) OVER () AS _count, "
        "sum(month_fen) OVER () AS _sum_month, sum(ytd_fen) OVER () AS _sum_ytd, "
        "sum(prev_ytd_fen) OVER () AS _sum_prev_ytd, sum(ytd_total_fen) OVER () AS _sum_ytd_total "
        f"FROM u ORDER BY {col} {direction} NULLS LAST, credit_code"
    )


def _decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    industries = _names("registry.KeyIndustry")
    areas = _names("registry.Area")
    out = []
    for r in rows:
        for k in [k for k in r if k.startswith("_") or k in ("yoy_ratio", "mom_ratio")]:
            r.pop(k)
        row = with_rates(r)
        row.pop("taxpayers", None)
        row["matched"] = bool(row["matched"])
        row["is_key"] = bool(row["is_key"])
        row["key_industry"] = industries.get(row["key_industry_id"]) if row["key_industry_id"] else None
        row["area"] = areas.get(row["area_id"]) if row["area_id"] else None
        out.append(row)
    return out


@query("taxes.enterprise_rows", samples=_sample_enterprise_rows)
def enterprise_rows(
    who: Any,
    month: str,
    *,
    industry_id: int | None = None,
    area_id: int | None = None,
    q: str = "",
    sort: str = "-ytd",
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """Enterprise-level measures (one row per enterprise, unmatched taxpayers by their ID), scoped.

    Returns ``{"count", "rows", "sums": {month_fen, ytd_fen, prev_ytd_fen, ytd_total_fen}}``; rows
    are sorted by ``sort`` (a key of :data:`ENTERPRISE_SORTS`, ``-`` for descending)."""
    period = Period(month)
    extra, params = _filters(industry_id, area_id)
    params.update(period.params())
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["q"] = f"%{escaped}%"
        params["qu"] = f"%{escaped.upper()}%"
        extra += " AND (name LIKE $q ESCAPE '\\' OR credit_code LIKE $qu ESCAPE '\\')"
    sql = _enterprise_sql(extra, sort if sort.lstrip("-") in ENTERPRISE_SORTS else "-ytd")
    if limit is not None:
        sql += " LIMIT $limit OFFSET $offset"
        params.update({"limit": int(limit), "offset": int(offset)})
    raw = Runner(who, month=month).dicts(sql, params)
    sums = {"month_fen": 0, "ytd_fen": 0, "prev_ytd_fen": 0, "ytd_total_fen": 0}
    count = 0
    if raw:
        first = raw[0]
        count = int(first["_count"])
        sums = {
            "month_fen": int(first["_sum_month"] or 0),
            "ytd_fen": int(first["_sum_ytd"] or 0),
            "prev_ytd_fen": int(first["_sum_prev_ytd"] or 0),
            "ytd_total_fen": int(first["_sum_ytd_total"] or 0),
        }
    elif limit is not None and offset:
        count = enterprise_rows(who, month, industry_id=industry_id, area_id=area_id, q=q, limit=1)["count"]
    return {"count": count, "rows": _decorate(raw), "sums": sums}


@query("taxes.top_enterprises", samples=_sample_top)
def top_enterprises(
    who: Any,
    month: str,
    n: int = 10,
    *,
    industry_id: int | None = None,
    area_id: int | None = None,
    by: str = "ytd",
) -> dict[str, Any]:
    """The top ``n`` enterprises by 累计 (or month) district-level tax, and the concentration: the
    top-10 share of the group's 累计 district-level tax."""
    from peiyu.core.money import pct

    n = max(1, min(int(n), 500))
    result = enterprise_rows(
        who, month, industry_id=industry_id, area_id=area_id, sort=f"-{by}", limit=max(n, 10)
    )
    rows = result["rows"]
    whole = result["sums"]["ytd_fen"] if by == "ytd" else result["sums"]["month_fen"]
    key = "ytd_fen" if by == "ytd" else "month_fen"
    top10 = sum(r[key] for r in rows[:10])
    for r in rows:
        r["share_pct"] = pct(r[key], whole) if whole > 0 else None
    return {
        "rows": rows[:n],
        "count": result["count"],
        "group_fen": whole,
        "top10_fen": top10,
        "top10_share_pct": pct(top10, whole) if whole > 0 else None,
    }


DECOMPOSITION_PARTS = (
    ("new", "新进入税基企业", "本年累计有税收、上年同期无税收"),
    ("lost", "退出税基企业", "上年同期有税收、本年累计无税收"),
    ("up", "持续纳税企业增收", "两期均有税收，本年累计高于上年同期"),
    ("down", "持续纳税企业减收", "两期均有税收，本年累计低于上年同期"),
)


@query("taxes.decomposition", samples=_sample_decomposition)
def decomposition(
    who: Any, month: str, *, industry_id: int | None = None, area_id: int | None = None, top: int = 0
) -> dict[str, Any]:
    """The YoY change of 累计 district-level tax split into four parts that add up exactly.

    Per enterprise (all its taxpayer IDs together; unmatched taxpayers by their ID), ``cur`` = 累计
    this year and ``prev`` = the same period last year, on today's classification (同口径).
    "Has tax" means a non-zero sum in the period (refunds can make it negative).
    new: cur ≠ 0, prev = 0 · lost: cur = 0, prev ≠ 0 · up: both ≠ 0, cur ≥ prev · down: both ≠ 0,
    cur < prev. Every enterprise falls in exactly one part, so Σ parts = Σ (cur − prev) = the change.
    ``top`` > 0 adds the largest contributors of each part (enterprise-level: audit the view)."""
    from peiyu.core.money import growth_pct

    period = Period(month)
    extra, params = _filters(industry_id, area_id)
    params.update(period.params())
    base = (
        "WITH c AS (SELECT credit_code, name, ytd_fen AS cur, prev_ytd_fen AS prev, ytd_fen - prev_ytd_fen AS delta, "
        "CASE WHEN prev_ytd_fen = 0 AND ytd_fen <> 0 THEN 'new' WHEN ytd_fen = 0 AND prev_ytd_fen <> 0 THEN 'lost' "
        "WHEN ytd_fen = 0 AND prev_ytd_fen = 0 THEN 'none' WHEN ytd_fen >= prev_ytd_fen THEN 'up' ELSE 'down' END "
        f"AS part FROM {{ey}} WHERE TRUE{extra}) "
    )
    runner = Runner(who, month=month)
    rows = runner.rows(
        base + "SELECT part, count(*), CAST(sum(delta) AS BIGINT), CAST(sum(cur) AS BIGINT), "
        "CAST(sum(prev) AS BIGINT) FROM c GROUP BY part",
        params,
    )
    got = {p: (int(n), int(d), int(c), int(pv)) for p, n, d, c, pv in rows}
    cur_total = sum(v[2] for v in got.values())
    prev_total = sum(v[3] for v in got.values())
    parts: list[dict[str, Any]] = []
    for key, label, help_text in DECOMPOSITION_PARTS:
        n, delta, _c, _p = got.get(key, (0, 0, 0, 0))
        parts.append({"key": key, "label": label, "help": help_text, "fen": delta, "enterprises": n})
    change = cur_total - prev_total
    assert sum(p["fen"] for p in parts) == change  # exact by construction (integers)
    out: dict[str, Any] = {
        "month": month,
        "measure": "district",
        "prev_ytd_fen": prev_total,
        "ytd_fen": cur_total,
        "change_fen": change,
        "yoy_pct": growth_pct(cur_total, prev_total),
        "parts": parts,
    }
    if top:
        params["top"] = int(top)
        detail = runner.dicts(
            base + "SELECT part, credit_code, name, cur, prev, delta FROM ("
            "SELECT *, row_number() OVER (PARTITION BY part ORDER BY abs(delta) DESC, credit_code) AS rn "
            "FROM c WHERE part <> 'none') z WHERE rn <= $top ORDER BY part, rn",
            params,
        )
        by_part: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for d in detail:
            by_part[d.pop("part")].append(
                {k: (int(v) if k in ("cur", "prev", "delta") else v) for k, v in d.items()}
            )
        for p in parts:
            p["top"] = by_part.get(p["key"], [])
    return out


# ---------------------------------------------------------------------------------------------
# One enterprise (the profile page): monthly series with the batch and source rows of each month


@query("taxes.enterprise_monthly", samples=_sample_enterprise_monthly)
def enterprise_monthly(who: Any, enterprise_id: int, month: str | None = None) -> dict[str, Any]:
    """The enterprise's monthly district-level and total tax for the year of ``month`` (default:
    the latest month) and the year before, with the import batch(es) and source rows each month
    came from (read from the facts, so every figure traces back to a file row). Scoped."""
    from peiyu.core.money import growth_pct
    from peiyu.taxes.models import TaxBatch

    month = month or latest_month()
    if month is None:
        return {"year": None, "rows": []}
    year = int(month[:4])
    wanted = [f"{y:04d}-{i:02d}" for y in (year - 1, year) for i in range(1, 13)]
    runner = Runner(who, months=wanted)
    rows = runner.rows(
        "SELECT month, batch_id, CAST(sum(district_fen) AS BIGINT), CAST(sum(total_fen) AS BIGINT), "
        "count(*), min(source_row), max(source_row) FROM {facts} "
        "WHERE enterprise_id = $eid AND month BETWEEN $lo AND $hi GROUP BY month, batch_id ORDER BY month",
        {"eid": int(enterprise_id), "lo": wanted[0], "hi": wanted[-1]},
    )
    batches = {
        b.pk: b
        for b in TaxBatch.objects.filter(pk__in={r[1] for r in rows}).only(
            "id", "file_name", "version", "month"
        )
    }
    by_month: dict[str, dict[str, Any]] = {}
    for m, batch_id, district, total, n, lo, hi in rows:
        entry = by_month.setdefault(m, {"district_fen": 0, "total_fen": 0, "sources": []})
        entry["district_fen"] += int(district)
        entry["total_fen"] += int(total)
        b = batches.get(batch_id)
        entry["sources"].append(
            {
                "batch_id": int(batch_id),
                "file_name": b.file_name if b else "",
                "version": b.version if b else None,
                "rows": int(n),
                "first_row": int(lo),
                "last_row": int(hi),
            }
        )
    out_rows = []
    for i in range(1, 13):
        cur_m, prev_m = f"{year:04d}-{i:02d}", f"{year - 1:04d}-{i:02d}"
        cur, prev = by_month.get(cur_m), by_month.get(prev_m)
        cur_fen = cur["district_fen"] if cur else (0 if cur_m <= month else None)
        prev_fen = prev["district_fen"] if prev else 0
        out_rows.append(
            {
                "label": f"{i}月",
                "month": cur_m,
                "district_fen": cur_fen,
                "total_fen": cur["total_fen"] if cur else (0 if cur_m <= month else None),
                "last_year_fen": prev_fen,
                "last_year_total_fen": prev["total_fen"] if prev else 0,
                "yoy_pct": growth_pct(cur_fen, prev_fen) if cur_fen is not None else None,
                "sources": cur["sources"] if cur else [],
                "last_year_sources": prev["sources"] if prev else [],
            }
        )
    ytd = sum(r["district_fen"] or 0 for r in out_rows)
    prev_ytd = sum(r["last_year_fen"] for r in out_rows if r["month"] <= month)
    return {
        "year": year,
        "month": month,
        "rows": out_rows,
        "ytd_fen": ytd,
        "prev_ytd_fen": prev_ytd,
        "yoy_pct": growth_pct(ytd, prev_ytd),
        "last_year_fen": sum(r["last_year_fen"] for r in out_rows),
    }
