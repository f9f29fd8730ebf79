"""The :class:`Engine` protocol and the one place that picks the engine.

An engine runs house-dialect SQL (:mod:`peiyu.analytics.sql`) over Parquet files. Everything that
queries the tax library — the scoped :class:`~peiyu.analytics.runner.Runner`, the rollup builder,
the 待匹配 queue's amounts — goes through the engine returned by :func:`get_engine`, so that the
same definitions run in-process on DuckDB (a district) or on a Spark cluster (a city):

- ``settings.PEIYU_ANALYTICS_ENGINE`` (environment ``PEIYU_ANALYTICS_ENGINE``, default ``duckdb``)
  names the engine; :data:`ENGINES` maps names to implementations, and an unknown name is an
  ``ImproperlyConfigured`` error naming the known ones (also reported by ``peiyu check``);
- :func:`use_engine` switches the engine for a block (``peiyu stats industries --engine …``, the
  agreement test that runs every registered query on two engines).

Only :mod:`peiyu.analytics.duckdb` imports ``duckdb`` or names DuckDB's Parquet table function; a
test scans the source tree for that (``peiyu/analytics/tests/test_boundaries.py``).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from peiyu.analytics.sql import Params

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_ENGINE = "duckdb"

# name → dotted path of the class (instantiated once per process, without arguments).
# The Spark engine (issue 12) runs the same definitions on PySpark (``PEIYU_SPARK_MASTER``).
ENGINES: dict[str, str] = {
    "duckdb": "peiyu.analytics.duckdb.DuckDBEngine",
    "spark": "peiyu.analytics.spark.SparkEngine",
}


@runtime_checkable
class Engine(Protocol):
    """What the analytics layer needs from an engine. SQL is always the house dialect with ``$name``
    parameters; the engine binds them safely (free text is never spliced into the SQL: see
    :func:`peiyu.analytics.sql.prepare`) and transpiles if it speaks another dialect."""

    name: str  # the key in ENGINES ("duckdb")
    dialect: str  # the sqlglot dialect the engine executes ("duckdb", "spark")

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        ...

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a query and return its rows as ``{column: value}``."""
        ...

    def arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        """Run a query and return an Arrow table (for large results and for writing files)."""
        ...

    def copy_to_parquet(self, sql: str, path: str, params: Params | None = None) -> None:
        """Write the result of a query to one Parquet file at ``path`` (zstd-compressed). The caller
        makes it atomic (write to a temporary name, then rename)."""
        ...

    def parquet(self, paths: Sequence[str], schema: pa.Schema | None = None) -> str:
        """A relation over these Parquet files (same schema, read as they are, no Hive partition
        columns), usable after ``FROM``. With no paths, an empty relation of ``schema``.
        DuckDB: its Parquet table function over the list; Spark: a temporary view registered from the
        same path list, by name."""
        ...


_instances: dict[str, Engine] = {}
_lock = threading.Lock()
_override: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("peiyu_engine", default=None)


def engine_names() -> list[str]:
    return sorted(ENGINES)


def configured_engine_name() -> str:
    from django.conf import settings

    return str(getattr(settings, "PEIYU_ANALYTICS_ENGINE", DEFAULT_ENGINE) or DEFAULT_ENGINE).strip().lower()


def unknown_engine_message(name: str) -> str:
    return f"未知的分析引擎“{name[:40]}”（PEIYU_ANALYTICS_ENGINE），可用：{'、'.join(engine_names())}"


def get_engine(name: str | None = None) -> Engine:
    """The engine named ``name``; by default the one :func:`use_engine` set for this context, else the
    configured one (``settings.PEIYU_ANALYTICS_ENGINE``). One instance per name and process."""
    if name is None:
        current = _override.get()
        if current is not None:
            return current
        name = configured_engine_name()
    name = name.strip().lower()
    engine = _instances.get(name)
    if engine is not None:
        return engine
    if name not in ENGINES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(unknown_engine_message(name))
    from django.utils.module_loading import import_string

    with _lock:
        engine = _instances.get(name)
        if engine is None:
            engine = import_string(ENGINES[name])()
            _instances[name] = engine
    return engine


@contextmanager
def use_engine(engine: str | Engine) -> Iterator[Engine]:
    """Run a block on another engine (by name or instance): every :func:`get_engine` call without a
    name inside the block — the runner, the rollups — returns it."""
    chosen = get_engine(engine) if isinstance(engine, str) else engine
    token = _override.set(chosen)
    try:
        yield chosen
    finally:
        _override.reset(token)
