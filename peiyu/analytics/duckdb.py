"""The DuckDB engine: in-process, over the Parquet library. The only module of the product that
imports ``duckdb`` or writes ``read_parquet`` (``peiyu/analytics/tests/test_boundaries.py`` checks).

- one connection per thread (DuckDB connections are not thread-safe), two threads each;
- parameters through :func:`peiyu.analytics.sql.prepare` (safe values inlined, free text bound);
- :meth:`DuckDBEngine.parquet` names a list of files as ``read_parquet([...])``;
- :class:`Session`: a private, stateful scratch connection (register Arrow tables, create tables and
  macros) for generating data locally — the demo district, benchmarks — whatever engine serves the
  queries. Its SQL is DuckDB's own (the demo's random streams are DuckDB's ``hash()``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from peiyu.analytics.sql import Params, prepare

THREADS = 2

_ARROW_TYPES = {
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty(schema: pa.Schema) -> str:
    cols = []
    for f in schema:
        sql_type = _ARROW_TYPES.get(f.type)
        if sql_type is None:
            raise TypeError(f"no SQL type for {f.name}: {f.type}")
        cols.append(f'CAST(NULL AS {sql_type}) AS "{f.name}"')
    return f"(SELECT {', '.join(cols)} WHERE FALSE)"


class DuckDBEngine:
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._local = threading.local()

    def connection(self) -> duckdb.DuckDBPyConnection:
        """This thread's in-memory connection (created on first use)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = duckdb.connect(":memory:", config={"threads": self.threads})
            self._local.con = con
        return con

    def _run(self, sql: str, params: Params | None) -> duckdb.DuckDBPyConnection:
        sql, bound = prepare(sql, params)
        return self.connection().execute(sql, bound)

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._run(sql, params).fetchall()

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        sql, bound = prepare(sql, params)
        return self.connection().sql(sql, params=bound or None).to_arrow_table()

    def copy_to_parquet(self, sql: str, path: str, params: Params | None = None) -> None:
        sql, bound = prepare(sql, params)
        self.connection().execute(f"COPY ({sql}) TO {_quote(path)} (FORMAT PARQUET, COMPRESSION ZSTD)", bound)

    def parquet(self, paths: Sequence[str], schema: pa.Schema | None = None) -> str:
        if not paths:
            if schema is None:
                raise ValueError("an empty list of Parquet files needs a schema")
            return _empty(schema)
        return f"read_parquet([{', '.join(_quote(str(p)) for p in paths)}], hive_partitioning = false)"


class Session:
    """A private DuckDB connection for local data work; a context manager (closed at the end of the
    block) or closed with :meth:`close`. Parameters are ``$name`` as everywhere (safe values
    inlined, the rest bound)."""

    def __init__(self, threads: int = THREADS) -> None:
        self._con = duckdb.connect(":memory:")
        self._con.execute(f"SET threads TO {int(threads)}")

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under ``name``."""
        self._con.register(name, table)

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run statements (several, separated by ``;``, when there are no parameters)."""
        sql, bound = prepare(sql, params)
        if bound:
            self._con.execute(sql, bound)
        else:
            self._con.execute(sql)

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        sql, bound = prepare(sql, params)
        return self._con.execute(sql, bound).fetchall()

    def one(self, sql: str, params: Params | None = None) -> tuple[Any, ...]:
        """The single row of an aggregate query."""
        rows = self.rows(sql, params)
        if len(rows) != 1:
            raise ValueError(f"expected one row, got {len(rows)}")
        return rows[0]

    def arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        sql, bound = prepare(sql, params)
        return self._con.sql(sql, params=bound or None).to_arrow_table()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
