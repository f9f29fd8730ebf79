"""Test support for analytics: an engine that records every statement it is sent, and running every
registered query for a set of callers (what the engine agreement test does).

    with use_engine(RecordingEngine(get_engine("duckdb"))) as rec:
        analytics.industry_stats(user, "2025-03")
    rec.statements  # [(method, sql, params), ...] as the engine received them
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from peiyu.analytics.engine import Engine
from peiyu.analytics.registry import queries
from peiyu.analytics.sql import Params


class RecordingEngine:
    """Passes every call through to ``inner`` and records ``(method, sql, params)``."""

    def __init__(self, inner: Engine) -> None:
        self.inner = inner
        self.name = inner.name
        self.dialect = inner.dialect
        self.statements: list[tuple[str, str, dict[str, Any]]] = []

    def _note(self, method: str, sql: str, params: Params | None) -> None:
        self.statements.append((method, sql, dict(params or {})))

    @property
    def sql(self) -> list[str]:
        return [s for _, s, _ in self.statements]

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        self._note("rows", sql, params)
        return self.inner.rows(sql, params)

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        self._note("dicts", sql, params)
        return self.inner.dicts(sql, params)

    def arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        self._note("arrow", sql, params)
        return self.inner.arrow(sql, params)

    def copy_to_parquet(self, sql: str, path: str, params: Params | None = None) -> None:
        self._note("copy_to_parquet", sql, params)
        self.inner.copy_to_parquet(sql, path, params)

    def parquet(self, paths: Sequence[str], schema: pa.Schema | None = None) -> str:
        return self.inner.parquet(paths, schema)


def run_every_query(callers: Iterable[Any]) -> dict[tuple[str, int, int], Any]:
    """``{(query name, caller index, sample index): result}`` for every registered query, every
    sample parameter set and every caller (users or Scopes), on the current engine."""
    out: dict[tuple[str, int, int], Any] = {}
    callers = list(callers)
    for name, q in queries().items():
        for j, params in enumerate(q.sample_params()):
            for i, who in enumerate(callers):
                out[(name, i, j)] = q(who, **params)
    return out
