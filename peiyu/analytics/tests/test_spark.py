"""The Spark engine (issue 12): every registered analytics query gives identical results — to the
fen — on DuckDB and on Spark ``local[2]`` for every persona's scope, with the derived tables built by
each engine itself; parameters are literals rendered by sqlglot; Parquet views and single-file
writes behave like DuckDB's.

One SparkSession serves the whole module (module-scoped fixture, ~10 s to start). Skipped only when
no Java runtime is installed (``.ci/run`` installs openjdk-17-jre-headless when ``java`` is missing).
"""

from __future__ import annotations

import io
import json
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from peiyu.accounts.scope import EVERYTHING, Scope
from peiyu.analytics import Engine, get_engine, queries, use_engine
from peiyu.analytics.runner import as_scope
from peiyu.analytics.spark import SparkEngine, java_available, parse_conf, translate
from peiyu.analytics.testing import RecordingEngine
from peiyu.taxes import library, rollups
from peiyu.taxes.tests.taxdata import fill

pytestmark = pytest.mark.skipif(not java_available(), reason="no Java runtime (PySpark needs one)")

PERSONAS = (
    "admin",
    "leader",
    "industry_officer",
    "area_officer",
    "department",
    "service_officer",
    "outsider",
)


@pytest.fixture(scope="module")
def spark():
    """The process's Spark engine on ``local[2]``, one session for the module, stopped at its end."""
    from peiyu.analytics import engine as engine_mod

    old = os.environ.get("PEIYU_SPARK_MASTER")
    os.environ["PEIYU_SPARK_MASTER"] = "local[2]"
    engine_mod._instances.pop("spark", None)
    eng = get_engine("spark")
    assert isinstance(eng, SparkEngine) and eng.master == "local[2]"
    yield eng
    eng.stop()
    engine_mod._instances.pop("spark", None)
    if old is None:
        os.environ.pop("PEIYU_SPARK_MASTER", None)
    else:
        os.environ["PEIYU_SPARK_MASTER"] = old


def _forget_derived() -> None:
    """Drop every derived table (enterprise-month, dimension, rollups, per-month measures) so the
    next engine builds them itself."""
    root = library.root()
    shutil.rmtree(root / "derived", ignore_errors=True)
    shutil.rmtree(root / "em", ignore_errors=True)
    rollups._snapshots.clear()


def _callers(world):
    """Every persona's distinct scope, plus a liaison scope naming two enterprises."""
    e = world["enterprises"]
    callers, seen = [], set()
    for who in [
        *(world[p] for p in PERSONAS),
        Scope(enterprise_ids=frozenset({e["soft_a1"].id, e["health_a2"].id})),
    ]:
        s = as_scope(who)
        if s not in seen:
            seen.add(s)
            callers.append(who)
    return callers


def _run(callers: list) -> dict:
    """Every registered query with every sample for EVERYTHING, and with its first sample for each
    persona's scope (the samples differ in filters, not in scope: this keeps the Spark part short)."""
    out: dict[tuple[str, object, int], object] = {}
    for name, q in queries().items():
        samples = q.sample_params()
        if not samples:  # an app's query with nothing to run on the test library (its own tests
            continue  # and test_analytics_aggregates name it); the core queries are asserted below
        for j, params in enumerate(samples):
            out[(name, "everything", j)] = q(EVERYTHING, **params)
        for i, who in enumerate(callers):
            out[(name, i, 0)] = q(who, **samples[0])
    return out


def _stats(engine: str) -> dict:
    out = io.StringIO()
    call_command("stats", "industries", "--month", "2025-03", "--json", "--engine", engine, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_every_registered_query_agrees_on_duckdb_and_spark_for_every_scope(world, spark):
    fill(world)
    callers = _callers(world)
    assert len(callers) >= 6
    with use_engine("duckdb"):
        expected = _run(callers)
    duck_stats = _stats("duckdb")
    _forget_derived()
    rec = RecordingEngine(spark)
    with use_engine(rec):
        got = _run(callers)
    assert set(got) == set(expected) and len(expected) > 100
    ran = {name for name, _, _ in expected}
    assert {
        "taxes.industry_stats",
        "taxes.enterprise_rows",
        "taxes.decomposition",
        "alerts.window_sums",
    } <= ran
    wrong = [key for key in expected if got[key] != expected[key]]
    assert not wrong, f"{len(wrong)} differ, first {wrong[0]}: {got[wrong[0]]!r} != {expected[wrong[0]]!r}"
    # the derived tables were built by Spark, not left over from DuckDB
    writes = [sql for method, sql, _ in rec.statements if method == "copy_to_parquet"]
    assert len(writes) >= 3
    snap = rollups.current()
    assert "parquet-mr" in (pq.ParquetFile(snap.r2_path).metadata.created_by or "")
    # the scope reached Spark inside the statement: the outsider's statements say FALSE
    assert any("WHERE FALSE" in spark.to_spark(sql, params) for _, sql, params in rec.statements)
    # the interface others check: `peiyu stats industries --json --engine spark` prints the same object
    assert _stats("spark") == duck_stats and duck_stats["industries"]


def test_parameters_become_literals_rendered_by_sqlglot(spark):
    assert isinstance(spark, Engine) and (spark.name, spark.dialect) == ("spark", "spark")
    nasty = "x'); DROP TABLE t; -- \\' \\\\ \\u0041 %_ 有限公司\n"
    assert spark.rows("SELECT $q AS q, $n + 1 AS n, $flag AS f", {"q": nasty, "n": 41, "flag": True}) == [
        (nasty, 42, True)
    ]
    sql = translate(
        "SELECT * FROM t WHERE name = $q AND id IN (SELECT unnest($ids))", {"q": "a'b", "ids": [1, 2]}
    )
    assert sql == "SELECT * FROM t WHERE name = 'a\\'b' AND id IN (SELECT EXPLODE(ARRAY(1, 2)))"
    # a dollar sign inside a string literal is text, not a parameter
    assert spark.rows("SELECT '$q' AS s, $q AS p", {"q": "v"}) == [("$q", "v")]
    # LIKE with the house escape character, as the enterprise search sends it
    like = "SELECT x FROM (SELECT explode(array('10%', '100', 'a_b', 'ab')) AS x) WHERE x LIKE $q ESCAPE '\\' ORDER BY x"
    assert [r[0] for r in spark.rows(like, {"q": "%0\\%"})] == ["10%"]
    assert [r[0] for r in spark.rows(like, {"q": "a\\_b"})] == ["a_b"]
    with pytest.raises(KeyError, match=r"\$missing"):
        translate("SELECT $missing")
    assert parse_conf(" spark.executor.memory=8g,spark.cores.max=16 ") == {
        "spark.executor.memory": "8g",
        "spark.cores.max": "16",
    }
    with pytest.raises(ValueError, match="key=value"):
        parse_conf("nonsense")


def test_parquet_views_and_single_file_writes(spark, tmp_path):
    paths = []
    for i, month in enumerate(["2025-01", "2025-02"]):
        path = tmp_path / f"month={month}" / "part.parquet"  # a Hive-looking folder: no extra column
        path.parent.mkdir()
        pq.write_table(pa.table({"month": [month], "fen": pa.array([100 * (i + 1)], pa.int64())}), path)
        paths.append(str(path))
    view = spark.parquet(paths)
    assert spark.parquet(paths) == view  # one view per list of files, reused
    assert spark.dicts(f"SELECT * FROM {view} ORDER BY month") == [
        {"month": "2025-01", "fen": 100},
        {"month": "2025-02", "fen": 200},
    ]
    schema = pa.schema([("month", pa.string()), ("fen", pa.int64()), ("ok", pa.bool_())])
    empty = spark.arrow(f"SELECT * FROM {spark.parquet([], schema)} x")
    assert empty.num_rows == 0 and empty.schema.names == schema.names
    with pytest.raises(ValueError, match="schema"):
        spark.parquet([])
    target = tmp_path / "out.parquet"
    spark.copy_to_parquet(
        f"SELECT month, fen * 2 AS fen, $q AS q FROM {view} ORDER BY month", str(target), {"q": "它's"}
    )
    assert pq.read_table(target).to_pylist() == [
        {"month": "2025-01", "fen": 200, "q": "它's"},
        {"month": "2025-02", "fen": 400, "q": "它's"},
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["month=2025-01", "month=2025-02", "out.parquet"]
    # a file replaced under the same name is read anew (the view is keyed by modification time)
    os.utime(paths[0], ns=(1, 1))
    assert spark.parquet(paths) != view
    # the empty relation writes a typed, empty file that DuckDB reads back
    spark.copy_to_parquet(f"SELECT * FROM {spark.parquet([], schema)} x", str(target))
    back = get_engine("duckdb").arrow(f"SELECT * FROM {get_engine('duckdb').parquet([str(target)])}")
    assert back.num_rows == 0 and back.schema.names == schema.names
