"""The scoped runner: analytics SQL names registered relations only (``{em}``, ``{r2}`` …) and the
runner replaces each with a sub-query that already carries the caller's scope predicate, so no
query can skip the scope (the PostHog pattern: query → one runner → SQL for the engine).

    rows = Runner(user, months=window).rows(
        "SELECT month, sum(district_fen)::BIGINT FROM {r2} WHERE month BETWEEN $lo AND $hi GROUP BY 1",
        {"lo": "2024-01", "hi": "2025-03"},
    )

``who`` is a user (its scope is looked up) or a :class:`~peiyu.accounts.scope.Scope` (system
computations use ``scope.EVERYTHING``). Parameters are ``$name``; the engine binds them safely.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from peiyu.analytics.engine import Engine, get_engine
from peiyu.analytics.registry import get_relation

if TYPE_CHECKING:
    import pyarrow as pa

    from peiyu.accounts.scope import Scope

T = TypeVar("T")

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_DEPTH = 4  # fine templates name other relations; they never nest deeper than this


def as_scope(who: Any) -> Scope:
    from peiyu.accounts import scope as scope_mod

    return who if isinstance(who, scope_mod.Scope) else scope_mod.scope_for(who)


class Context:
    """What a relation builder sees: the engine, the months the runner was limited to, the month it
    analyses, and a per-runner memo (one snapshot of the library for every relation of a query).
    Not the scope: builders return unscoped rows and the runner applies the scope."""

    def __init__(self, engine: Engine, months: tuple[str, ...] | None, month: str | None) -> None:
        self.engine = engine
        self.months = months
        self.month = month
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]  # type: ignore[no-any-return]


class Runner:
    """Runs analytics SQL for one scope on one engine.

    ``months`` (optional) limits month-partitioned relations (``{em}``, ``{facts}``) to those
    months' files: the other months are not even opened. ``month`` is the analysed month of
    per-month relations (``{ey}``). ``engine`` defaults to :func:`~peiyu.analytics.get_engine`."""

    def __init__(
        self, who: Any, *, months: Any = None, month: str | None = None, engine: Engine | None = None
    ) -> None:
        self.scope = as_scope(who)
        self.engine = engine or get_engine()
        self.months = None if months is None else tuple(sorted(set(months)))
        self.month = month
        self.context = Context(self.engine, self.months, self.month)

    def _restricts(self) -> tuple[bool, bool, bool]:
        s = self.scope
        if s.everything:
            return False, False, False
        return bool(s.industry_ids), bool(s.area_ids), bool(s.enterprise_ids)

    def _predicate(self, industry: str, area: str, enterprise: str) -> tuple[str, dict[str, Any]]:
        from peiyu.accounts import scope as scope_mod

        sql, values = scope_mod.sql_predicate(self.scope, industry, area, enterprise)
        parts = sql.split("?")
        out, named = parts[0], {}
        for i, (value, rest) in enumerate(zip(values, parts[1:], strict=True)):
            named[f"_scope_{i}"] = value  # the same scope gives the same values in the same order
            out += f"$_scope_{i}" + rest
        return out, named

    def relation(self, name: str, depth: int = 0) -> tuple[str, dict[str, Any]]:
        """The scoped sub-query standing for ``{name}`` and its parameters."""
        rel = get_relation(name)
        industry, area, enterprise = self._restricts()
        if not rel.columns_for(industry=industry, area=area, enterprise=enterprise):
            if rel.fine is None:
                raise ValueError(
                    f"{{{name}}} cannot be restricted to this scope and declares no fine template"
                )
            return self._expand(rel.fine, {}, depth + 1)
        inner = rel.build(self.context)
        pred, params = self._predicate(
            f"x.{rel.industry}" if rel.industry else "NULL",
            f"x.{rel.area}" if rel.area else "NULL",
            f"x.{rel.enterprise}" if rel.enterprise else "NULL",
        )
        return f"(SELECT * FROM ({inner}) x WHERE {pred})", params

    def _expand(self, template: str, params: dict[str, Any], depth: int) -> tuple[str, dict[str, Any]]:
        if depth > MAX_DEPTH:
            raise ValueError("relation templates nest too deeply")
        merged = dict(params)

        def sub(match: re.Match[str]) -> str:
            sql, p = self.relation(match.group(1), depth)
            merged.update(p)
            return sql

        sql = PLACEHOLDER.sub(sub, template)
        if depth:
            sql = f"({sql})"
        return sql, merged

    def sql(self, template: str, params: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """The executable SQL of a template and its parameters (for tests and for other engines)."""
        return self._expand(template, dict(params or {}), 0)

    def rows(self, template: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        sql, p = self.sql(template, params)
        return _reused("rows", self.engine, sql, p, lambda: self.engine.rows(sql, p))

    def dicts(self, template: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        sql, p = self.sql(template, params)
        return _reused("dicts", self.engine, sql, p, lambda: self.engine.dicts(sql, p))

    def arrow(self, template: str, params: dict[str, Any] | None = None) -> pa.Table:
        return self.engine.arrow(*self.sql(template, params))


REUSE_MAX_ROWS = 5000  # larger results (exports) are computed each time rather than kept in memory


def _reused(
    kind: str, engine: Any, sql: str, params: dict[str, Any], run: Callable[[], list[Any]]
) -> list[Any]:
    """A query's result, reused until the data changes (``peiyu.core.datacache``).

    The SQL names the library's files (their folders carry the content and version) and the
    scope's predicate is part of the SQL and its parameters, so equal SQL means equal rows for
    whoever asks; the data generation in the key covers everything else."""
    from django.core.cache import caches

    from peiyu.analytics.duckdb import DuckDBEngine
    from peiyu.core import datacache

    # only the in-process DuckDB engine of the pages: Spark jobs and wrapped (recording) engines run
    if not datacache.enabled() or type(engine) is not DuckDBEngine:
        return run()
    digest = hashlib.sha256(repr((kind, sql, sorted(params.items()))).encode()).hexdigest()
    key = f"peiyu:q:{datacache.generation()}:{digest}"
    cache = caches["default"]
    hit = cache.get(key)
    if hit is not None:
        return list(hit)
    out = run()
    if len(out) <= REUSE_MAX_ROWS:
        cache.set(key, out, datacache.TTL)
    return out
