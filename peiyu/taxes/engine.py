"""Engine specifics live here and nowhere else.

The analytics module writes its queries in one SQL dialect (DuckDB's, kept to standard SQL: no
engine-only functions), with ``{facts}``-style table placeholders resolved here. DuckDB runs them
in-process over the Parquet library; a Spark engine would register the same Parquet paths as temp
views and run the SQL transpiled by sqlglot (``to_dialect``).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import duckdb

_local = threading.local()


def connection() -> duckdb.DuckDBPyConnection:
    """One in-process DuckDB connection per thread (DuckDB connections are not thread-safe)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:", config={"threads": 2})
        _local.con = con
    return con


def parquet_source(paths: list[str], empty_schema_sql: str) -> str:
    """A FROM-clause expression reading these Parquet files, or an empty relation of the schema."""
    if not paths:
        return f"(SELECT * FROM ({empty_schema_sql}) WHERE FALSE)"
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{quoted}], hive_partitioning = false)"


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def used_params(sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Only the named parameters the SQL uses (DuckDB refuses unused ones)."""
    if not params:
        return {}
    names = set(_PARAM.findall(sql))
    return {k: v for k, v in params.items() if k in names}


def query(sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    con = connection()
    return con.execute(sql, used_params(sql, params)).fetchall()


def query_dicts(sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = connection().execute(sql, used_params(sql, params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def query_arrow(sql: str, params: dict[str, Any] | None = None) -> Any:
    con = connection()
    return con.execute(sql, used_params(sql, params)).to_arrow_table()


def copy_to_parquet(sql: str, path: str, params: dict[str, Any] | None = None) -> None:
    con = connection()
    target = path.replace("'", "''")
    con.execute(f"COPY ({sql}) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD)", params or {})


def to_dialect(sql: str, dialect: str = "spark") -> str:
    """The same query for another engine (used by the Spark runner and by the portability test)."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]
