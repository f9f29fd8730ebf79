"""One analytics package for every app: the :class:`Engine` protocol and its DuckDB implementation,
the registry of scoped relations and named queries, the scoped :class:`Runner`, month arithmetic
and parameter reading. See docs/architecture.md (Analytics).

Public API (import from here)::

    from peiyu import analytics

    analytics.get_engine(name=None) -> Engine        # settings.PEIYU_ANALYTICS_ENGINE, default duckdb
    analytics.use_engine("duckdb")                   # context manager: run a block on an engine
    analytics.Runner(who, months=None, month=None, engine=None).rows/dicts/arrow/sql(template, params)
    @analytics.relation("em", industry=..., area=..., enterprise=..., fine=None)   # in <app>/analytics.py
    @analytics.query("taxes.industry_stats", samples=lambda: [{"month": ...}])
    analytics.queries() -> {name: Query}             # every registered query, for the agreement test
    analytics.local_session()                        # scratch DuckDB connection for generating data
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peiyu.analytics.engine import (
    ENGINES,
    Engine,
    engine_names,
    get_engine,
    use_engine,
)
from peiyu.analytics.errors import AnalyticsError, MonthNotAvailable
from peiyu.analytics.months import (
    Period,
    month_range,
    parse_month,
    period_params,
    prev_year,
    shift_month,
    year_months,
)
from peiyu.analytics.registry import (
    Query,
    Relation,
    get_query,
    queries,
    query,
    register_query,
    register_relation,
    relation,
    relations,
)
from peiyu.analytics.runner import Context, Runner, as_scope
from peiyu.analytics.sql import to_dialect

if TYPE_CHECKING:
    from peiyu.analytics.duckdb import Session


def local_session(threads: int = 2) -> Session:
    """A private in-process DuckDB connection for generating data (the demo district, benchmarks),
    whatever engine serves the queries: ``with local_session() as s: s.register(...); s.rows(...)``."""
    from peiyu.analytics.duckdb import Session

    return Session(threads)


__all__ = [
    "ENGINES",
    "AnalyticsError",
    "Context",
    "Engine",
    "MonthNotAvailable",
    "Period",
    "Query",
    "Relation",
    "Runner",
    "as_scope",
    "engine_names",
    "get_engine",
    "get_query",
    "local_session",
    "month_range",
    "parse_month",
    "period_params",
    "prev_year",
    "queries",
    "query",
    "register_query",
    "register_relation",
    "relation",
    "relations",
    "shift_month",
    "to_dialect",
    "use_engine",
    "year_months",
]
