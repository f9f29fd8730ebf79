"""The Engine protocol and its DuckDB implementation: choosing the engine from settings, switching it
for a block, naming Parquet files as a relation, safe parameters, the local scratch session."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ImproperlyConfigured

from peiyu.analytics import Engine, engine_names, get_engine, local_session, use_engine
from peiyu.analytics.apps import check_engine_setting
from peiyu.analytics.testing import RecordingEngine


def test_the_configured_engine_is_duckdb_by_default(settings):
    if "PEIYU_ANALYTICS_ENGINE" not in os.environ:
        assert settings.PEIYU_ANALYTICS_ENGINE == "duckdb"
    settings.PEIYU_ANALYTICS_ENGINE = "duckdb"
    engine = get_engine()
    assert isinstance(engine, Engine)
    assert (engine.name, engine.dialect) == ("duckdb", "duckdb")
    assert get_engine("duckdb") is engine  # one instance per process
    assert "duckdb" in engine_names()


def test_an_unknown_engine_is_a_clear_error_and_a_failed_check(settings):
    settings.PEIYU_ANALYTICS_ENGINE = "sparkle"
    with pytest.raises(ImproperlyConfigured, match="未知的分析引擎“sparkle”.*可用：duckdb"):
        get_engine()
    errors = check_engine_setting(None)
    assert [e.id for e in errors] == ["peiyu.analytics.E001"] and "sparkle" in errors[0].msg
    settings.PEIYU_ANALYTICS_ENGINE = "DuckDB "
    assert get_engine().name == "duckdb" and check_engine_setting(None) == []


def test_use_engine_switches_for_a_block_and_restores():
    duck = get_engine("duckdb")
    rec = RecordingEngine(duck)
    assert isinstance(rec, Engine)
    with use_engine(rec) as chosen:
        assert chosen is rec and get_engine() is rec
        assert get_engine().rows("SELECT 41 + $n", {"n": 1}) == [(42,)]
    assert get_engine() is duck
    assert rec.statements == [("rows", "SELECT 41 + $n", {"n": 1})]


def test_parquet_names_files_as_one_relation_and_an_empty_list_as_a_typed_empty_one(tmp_path):
    engine = get_engine()
    paths = []
    for i, month in enumerate(["2025-01", "2025-02"]):
        # a Hive-looking folder: its key=value must not become a column
        path = tmp_path / f"month={month}" / "part.parquet"
        path.parent.mkdir()
        pq.write_table(pa.table({"month": [month], "fen": pa.array([100 * (i + 1)], pa.int64())}), path)
        paths.append(str(path))
    rows = engine.dicts(f"SELECT * FROM {engine.parquet(paths)} ORDER BY month")
    assert rows == [{"month": "2025-01", "fen": 100}, {"month": "2025-02", "fen": 200}]
    schema = pa.schema([("month", pa.string()), ("fen", pa.int64()), ("ok", pa.bool_())])
    empty = engine.arrow(f"SELECT * FROM {engine.parquet([], schema)} x")
    assert empty.num_rows == 0 and empty.schema == schema
    with pytest.raises(ValueError, match="schema"):
        engine.parquet([])
    quoted = tmp_path / "it's.parquet"
    pq.write_table(pa.table({"x": [1]}), quoted)
    assert engine.rows(f"SELECT x FROM {engine.parquet([str(quoted)])}") == [(1,)]


def test_copy_to_parquet_writes_the_query_result_with_bound_free_text(tmp_path):
    engine = get_engine()
    target = tmp_path / "out.parquet"
    engine.copy_to_parquet("SELECT $q AS q, $n AS n", str(target), {"q": "x'); DROP TABLE t; --", "n": 3})
    assert pq.read_table(target).to_pylist() == [{"q": "x'); DROP TABLE t; --", "n": 3}]


def test_a_local_session_keeps_state_and_binds_parameters():
    with local_session() as s:
        s.register("t", pa.table({"i": [1, 2, 3], "name": ["甲", "乙", "丙"]}))
        s.execute("CREATE TABLE u AS SELECT i * 10 AS j FROM t; CREATE VIEW v AS SELECT sum(j) AS s FROM u")
        assert s.one("SELECT s FROM v") == (60,)
        assert s.rows("SELECT name FROM t WHERE i >= $lo ORDER BY i", {"lo": 2}) == [("乙",), ("丙",)]
        assert s.rows("SELECT i FROM t WHERE name = $n", {"n": "丙' OR '1'='1"}) == []
        assert s.arrow("SELECT * FROM u ORDER BY j").column("j").to_pylist() == [10, 20, 30]
        with pytest.raises(ValueError, match="one row"):
            s.one("SELECT * FROM t")
