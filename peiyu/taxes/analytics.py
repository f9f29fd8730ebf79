"""Every aggregate of the tax library, defined once, run through one scoped runner.

PostHog's pattern: a query is SQL written against *scoped relations* only —

    {em}   enterprise-month rows joined to the enterprise dimension (month, taxpayer_id, enterprise_id,
           credit_code, name, key_industry_id, area_id, status, is_key, matched, total_fen, district_fen)
    {r2}   month × key industry × area rollup (month, key_industry_id, area_id, matched, district_fen,
           total_fen, taxpayers)
    {r1}   month × key industry × area × tax type rollup (… tax_type, district_fen, total_fen)

— and :class:`Runner` substitutes each with a sub-query that already carries the user's scope
predicate (from :mod:`peiyu.accounts.scope`). A query cannot name the unscoped tables, so no
aggregate can skip the scope. Money is integer fen (BIGINT) end to end.

The SQL is DuckDB's dialect kept to standard constructs; :func:`peiyu.taxes.engine.to_dialect`
transpiles it for Spark.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from peiyu.accounts import scope as scope_mod
from peiyu.accounts.scope import Scope
from peiyu.taxes import engine, rollups

_PLACEHOLDER = re.compile(r"\{(em|r1|r2)\}")


def as_scope(who: Any) -> Scope:
    return who if isinstance(who, Scope) else scope_mod.scope_for(who)


class Runner:
    """Runs analytics SQL for one scope over the current snapshot of the library."""

    def __init__(self, who: Any) -> None:
        self.scope = as_scope(who)
        self.snapshot = rollups.current()

    def _predicate(self, alias: str) -> tuple[str, dict[str, Any]]:
        sql, params = scope_mod.sql_predicate(
            self.scope, f"{alias}.key_industry_id", f"{alias}.area_id", f"{alias}.enterprise_id"
        )
        named: dict[str, Any] = {}
        parts = sql.split("?")
        out = parts[0]
        for i, (value, rest) in enumerate(zip(params, parts[1:], strict=True)):
            name = f"_scope_{alias}_{i}"
            named[name] = value
            out += f"${name}" + rest
        return out, named

    def _relation(self, name: str) -> tuple[str, dict[str, Any]]:
        snap = self.snapshot
        dim = f"read_parquet('{snap.dim_path}')"
        em_join = (
            "SELECT e.month, e.taxpayer_id, d.enterprise_id, coalesce(d.credit_code, e.taxpayer_id) AS credit_code, "
            "coalesce(d.name, e.taxpayer_name) AS name, d.key_industry_id, d.area_id, d.status, "
            "coalesce(d.is_key, FALSE) AS is_key, (d.enterprise_id IS NOT NULL) AS matched, e.total_fen, e.district_fen "
            f"FROM {snap.em_sql()} e LEFT JOIN {dim} d ON d.taxpayer_id = e.taxpayer_id "
            "WHERE NOT coalesce(d.outside, FALSE)"
        )
        if name == "em":
            pred, params = self._predicate("x")
            return f"(SELECT * FROM ({em_join}) x WHERE {pred})", params
        needs_enterprise = bool(self.scope.enterprise_ids) and not self.scope.everything
        if name == "r2":
            if needs_enterprise:  # enterprise-level scope: aggregate the scoped enterprise rows
                pred, params = self._predicate("x")
                return (
                    "(SELECT month, key_industry_id, area_id, matched, sum(district_fen)::BIGINT AS district_fen, "
                    "sum(total_fen)::BIGINT AS total_fen, count(*) FILTER (WHERE total_fen > 0) AS taxpayers "
                    f"FROM ({em_join}) x WHERE {pred} GROUP BY ALL)",
                    params,
                )
            pred, params = self._predicate("x")
            return f"(SELECT * FROM read_parquet('{snap.r2_path}') x WHERE {pred})", params
        if name == "r1":
            if needs_enterprise:
                pred, params = self._predicate("d")
                return (
                    "(SELECT f.month, d.key_industry_id, d.area_id, TRUE AS matched, f.tax_type, "
                    "sum(f.district_fen)::BIGINT AS district_fen, sum(f.total_fen)::BIGINT AS total_fen "
                    f"FROM {snap.facts_sql()} f JOIN {dim} d ON d.taxpayer_id = f.taxpayer_id "
                    f"WHERE NOT d.outside AND {pred} GROUP BY ALL)",
                    params,
                )
            pred, params = self._predicate("x")
            return f"(SELECT * FROM read_parquet('{snap.r1_path}') x WHERE {pred})", params
        raise ValueError(name)

    def sql(self, template: str, params: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """The executable SQL for a template (exposed for tests and for the Spark transpiler)."""
        merged = dict(params or {})

        def sub(match: re.Match[str]) -> str:
            rel, p = self._relation(match.group(1))
            merged.update(p)
            return rel

        return _PLACEHOLDER.sub(sub, template), merged

    def rows(self, template: str, params: dict[str, Any] | None = None) -> list[tuple]:
        sql, merged = self.sql(template, params)
        return engine.query(sql, merged)

    def dicts(self, template: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        sql, merged = self.sql(template, params)
        con = engine.connection()
        cur = con.execute(sql, merged)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# ---------------------------------------------------------------------------------------------
# Months


def months_available() -> list[str]:
    """Months with an active version in the library, oldest first (not scoped: months are not secret)."""
    from peiyu.taxes.models import TaxBatch

    return list(TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", flat=True))


def latest_month() -> str | None:
    months = months_available()
    return months[-1] if months else None


def shift_month(month: str, delta: int) -> str:
    y, m = map(int, month.split("-"))
    total = y * 12 + (m - 1) + delta
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def year_months(month: str) -> list[str]:
    """January .. ``month`` of the same year (the 累计 window)."""
    y, m = map(int, month.split("-"))
    return [f"{y:04d}-{i:02d}" for i in range(1, m + 1)]


def prev_year(months: list[str]) -> list[str]:
    return [shift_month(m, -12) for m in months]


# ---------------------------------------------------------------------------------------------
# Building blocks other modules use (targets, warnings, dashboards)

GROUP_COLUMNS = {"district": None, "industry": "key_industry_id", "area": "area_id"}


def monthly_totals(who: Any, months: list[str], by: str = "district") -> dict[Any, dict[str, dict[str, int]]]:
    """``{group key: {month: {"district_fen", "total_fen", "taxpayers"}}}`` for the given months.

    ``by`` is ``district`` (key ``None``), ``industry`` (key = KeyIndustry id, ``None`` for
    enterprises in no key industry) or ``area`` (key = Area id or ``None``). Scoped."""
    if not months:
        return {}
    col = GROUP_COLUMNS[by]
    key_sql = f"{col}" if col else "NULL"
    runner = Runner(who)
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
    rows = Runner(who).rows(
        "SELECT enterprise_id, month, sum(district_fen)::BIGINT, sum(total_fen)::BIGINT FROM {em} "
        f"WHERE {where} GROUP BY 1, 2",
        params,
    )
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for eid, month, district, total in rows:
        out[int(eid)][month] = {"district_fen": int(district), "total_fen": int(total)}
    return dict(out)
