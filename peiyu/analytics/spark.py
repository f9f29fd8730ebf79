"""The Spark engine: the same analytics definitions on Apache Spark (PySpark), for a city or province
platform whose tax library is far larger than one machine should scan (issue 12).

- **One SparkSession per process**, created on first use and reused: ``settings.PEIYU_SPARK_MASTER``
  (environment ``PEIYU_SPARK_MASTER``; ``local[*]`` by default, ``spark://host:7077``, ``yarn`` or
  ``k8s://…`` on a cluster) and ``PEIYU_SPARK_CONF`` (``key=value`` pairs separated by spaces or
  commas, e.g. ``spark.executor.memory=8g``) configure it. Only SQL is sent: the executors run no
  Python, so a cluster needs nothing of Peiyu installed, only read/write access to the library.
- **SQL**: every statement arrives in the house dialect (DuckDB's, ``$name`` parameters) from the
  one definition of each query; it is parsed with sqlglot, every ``$name`` is replaced by a sqlglot
  literal node built from the Python value (``exp.convert``: sqlglot renders and escapes it for
  Spark — user text is never formatted into SQL), and the tree is written in Spark's dialect.
  The scope predicate is already in the statement: the runner injected it before any engine saw it.
- **Parquet**: :meth:`SparkEngine.parquet` registers the list of files as a temporary view (one per
  list of files and their modification times, reused) and returns its name; an empty list is a typed
  empty ``SELECT``. Files are read as they are: Spark's partition discovery starts at each file's
  own folder, so ``month=…/version=…`` folders never become columns.
- **Writing**: :meth:`SparkEngine.copy_to_parquet` writes the result as one zstd Parquet file (one
  partition, written by an executor into a scratch folder beside the target, then moved to the
  target path): the rollups, enterprise-month and per-month measure tables that the web tier reads.
  On a cluster the library must therefore be a path that the driver, the executors and the web tier
  all see (see docs/operations.md: NFS/CephFS, HDFS through its NFS gateway, S3/MinIO mounted).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from peiyu.analytics.sql import HOUSE_DIALECT, Params

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[*]"
MAX_VIEWS = 512  # registered Parquet views kept per session (least recently used dropped)
MAX_TRANSLATIONS = 2048

# house-dialect names: the relation is embedded in house SQL, which is transpiled as a whole
_HOUSE_TYPES = {
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

# defaults for a session (PEIYU_SPARK_CONF and the master's own defaults override nothing here
# unless named there)
BASE_CONF = {
    "spark.app.name": "peiyu",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.sql.adaptive.enabled": "true",
    # no _SUCCESS marker and no .crc side files in the scratch folder
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
}


def java_available() -> bool:
    """A Java runtime PySpark can start (``JAVA_HOME`` or ``java`` on the PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def parse_conf(text: str) -> dict[str, str]:
    """``"a=1 b=2,c=3"`` → ``{"a": "1", "b": "2", "c": "3"}`` (PEIYU_SPARK_CONF)."""
    out: dict[str, str] = {}
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"PEIYU_SPARK_CONF: “{item[:60]}” is not key=value")
        out[key.strip()] = value.strip()
    return out


def _setting(name: str, default: str = "") -> str:
    try:
        from django.conf import settings

        value = getattr(settings, name, None)
    except Exception:  # settings not configured (a bare script): the environment only
        value = None
    if value is None:
        value = os.environ.get(name, default)
    return str(value or default).strip()


def _empty(schema: pa.Schema) -> str:
    cols = []
    for f in schema:
        sql_type = _HOUSE_TYPES.get(f.type)
        if sql_type is None:
            raise TypeError(f"no SQL type for {f.name}: {f.type}")
        cols.append(f'CAST(NULL AS {sql_type}) AS "{f.name}"')
    return f"(SELECT {', '.join(cols)} WHERE FALSE)"


def translate(sql: str, params: Params | None = None) -> str:
    """A house-dialect statement with ``$name`` parameters as Spark SQL with every parameter a
    literal rendered by sqlglot (strings quoted and escaped for Spark, lists as ``ARRAY(…)``).
    A parameter the statement names but ``params`` lacks is an error."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read=HOUSE_DIALECT)
    values = dict(params or {})
    for node in list(tree.find_all(exp.Placeholder, exp.Parameter)):
        name = node.name
        if name not in values:
            raise KeyError(f"parameter ${name} has no value")
        node.replace(exp.convert(values[name]))
    return tree.sql(dialect="spark")


def _file_key(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:  # a URI (hdfs://, s3a://) or a file that is gone: the path alone
        return (path, 0, 0)
    return (path, st.st_mtime_ns, st.st_size)


class SparkEngine:
    name = "spark"
    dialect = "spark"

    def __init__(self, master: str | None = None, conf: Mapping[str, str] | None = None) -> None:
        self._master = master
        self._conf = dict(conf or {})
        self._session: SparkSession | None = None
        self._lock = threading.RLock()
        self._views: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._translations: OrderedDict[tuple[str, str], str] = OrderedDict()

    # -- the session ---------------------------------------------------------------------------

    @property
    def master(self) -> str:
        return self._master or _setting("PEIYU_SPARK_MASTER", DEFAULT_MASTER) or DEFAULT_MASTER

    def conf(self) -> dict[str, str]:
        conf = dict(BASE_CONF)
        if self.master.startswith("local"):
            conf["spark.sql.shuffle.partitions"] = "4"  # tiny shuffles on one machine
            conf["spark.driver.memory"] = _setting("PEIYU_SPARK_DRIVER_MEMORY", "2g")
        conf.update(parse_conf(_setting("PEIYU_SPARK_CONF")))
        conf.update(self._conf)
        return conf

    def session(self) -> SparkSession:
        """The process's SparkSession (started on first use, about 10 s; then reused)."""
        if self._session is not None:
            return self._session
        with self._lock:
            if self._session is None:
                from pyspark.sql import SparkSession

                builder = SparkSession.builder.master(self.master)
                for key, value in self.conf().items():
                    builder = builder.config(key, value)
                session = builder.getOrCreate()
                session.sparkContext.setLogLevel("ERROR")
                self._session = session
        return self._session

    @property
    def started(self) -> bool:
        return self._session is not None

    def stop(self) -> None:
        """Stop the session (a later call starts a new one)."""
        with self._lock:
            if self._session is not None:
                self._session.stop()
            self._session = None
            self._views.clear()

    # -- SQL -----------------------------------------------------------------------------------

    def to_spark(self, sql: str, params: Params | None = None) -> str:
        """The Spark SQL actually run for a house-dialect statement and its parameters."""
        key = (sql, repr(sorted((k, v) for k, v in (params or {}).items() if f"${k}" in sql)))
        with self._lock:
            hit = self._translations.get(key)
            if hit is not None:
                self._translations.move_to_end(key)
                return hit
        out = translate(sql, params)
        with self._lock:
            self._translations[key] = out
            while len(self._translations) > MAX_TRANSLATIONS:
                self._translations.popitem(last=False)
        return out

    def frame(self, sql: str, params: Params | None = None) -> DataFrame:
        return self.session().sql(self.to_spark(sql, params))

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.frame(sql, params).collect()]

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        df = self.frame(sql, params)
        names = df.columns
        return [dict(zip(names, tuple(r), strict=True)) for r in df.collect()]

    def arrow(self, sql: str, params: Params | None = None) -> pa.Table:
        return self.frame(sql, params).toArrow()

    def copy_to_parquet(self, sql: str, path: str, params: Params | None = None) -> None:
        target = Path(path)
        scratch = target.with_name(f".{target.name}.spark-{uuid.uuid4().hex[:12]}")
        try:
            self.frame(sql, params).coalesce(1).write.mode("overwrite").option("compression", "zstd").parquet(
                str(scratch)
            )
            parts = sorted(scratch.glob("part-*.parquet"))
            if len(parts) != 1:
                raise RuntimeError(f"Spark wrote {len(parts)} files for {target.name}, expected one")
            os.replace(parts[0], target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- Parquet -------------------------------------------------------------------------------

    def parquet(self, paths: Sequence[str], schema: pa.Schema | None = None) -> str:
        if not paths:
            if schema is None:
                raise ValueError("an empty list of Parquet files needs a schema")
            return _empty(schema)
        files = [str(p) for p in paths]
        key = tuple(_file_key(p) for p in files)
        with self._lock:
            name = self._views.get(key)
            if name is not None:
                self._views.move_to_end(key)
                return name
            session = self.session()
            name = "peiyu_pq_" + hashlib.sha256(repr(key).encode()).hexdigest()[:20]
            session.read.parquet(*files).createOrReplaceTempView(name)
            self._views[key] = name
            while len(self._views) > MAX_VIEWS:
                _old, old_name = self._views.popitem(last=False)
                session.catalog.dropTempView(old_name)
            return name
