"""DuckDB against Spark ``local[2]`` on the same queries at 1×, 2× and 4× data (issue 12).

For each scale, a city-style library is generated straight to Parquet (:mod:`bench.citygen`: base
``PEIYU_BENCH_CITY_ENTERPRISES`` = 25,000 enterprises × ``PEIYU_BENCH_CITY_MONTHS`` = 36 months, then
×2 and ×4 the enterprises). Both engines then run, from their one definition each:

- the heavy jobs of ``peiyu analytics rebuild``: the monthly rollup ``r2`` (``rollups.R2_SQL`` over
  every enterprise-month row × the dimension), the tax-type rollup ``r1`` (``rollups.R1_SQL`` over
  every fact row) and the yearly recomputation ``ey`` of the latest month (``rollups.ensure_ey``:
  24 months of enterprise-month rows), each written to Parquet;
- registered analytics queries through the scoped runner: ``alerts.window_sums`` (13 months of
  enterprise-month rows), ``taxes.enterprise_series``, ``taxes.enterprise_rows`` (top 20 of the
  month), ``taxes.decomposition`` for an industry scope, ``taxes.grouped`` for an area scope and
  ``taxes.monthly_totals`` (the small rollup: what pages read).

The registered queries find their tables through ``rollups.current()``, which this process points
at the generated library (no registry database of 10⁵–10⁶ enterprises is needed); everything else —
runner, scope predicate, SQL, transpilation — is the product's. Each figure is the median of
``PEIYU_BENCH_CITY_REPEAT`` (3) warm runs after one warm-up; results of the two engines are compared
(``agree``). Memory: peak RSS of this process (Python + DuckDB) and of Spark's JVM (``VmHWM``).
The machine is shared: the load average is recorded before and after.

    python -m bench.run engines
"""

from __future__ import annotations

import math
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE = int(os.environ.get("PEIYU_BENCH_CITY_ENTERPRISES", "25000"))
MONTHS = int(os.environ.get("PEIYU_BENCH_CITY_MONTHS", "36"))
SCALES = [int(s) for s in os.environ.get("PEIYU_BENCH_CITY_SCALES", "1,2,4").split(",")]
REPEAT = int(os.environ.get("PEIYU_BENCH_CITY_REPEAT", "3"))
SPARK_MASTER = os.environ.get("PEIYU_BENCH_SPARK_MASTER", "local[2]")


def _snapshot(root: Path, months: list[str], derived: Path) -> Any:
    from peiyu.taxes.rollups import Snapshot

    return Snapshot(
        key=f"bench-{root.name}",
        months=tuple(months),
        fact_paths=tuple(str(root / "facts" / f"month={m}" / "version=1" / "facts.parquet") for m in months),
        em_paths=tuple(str(root / "em" / f"month={m}" / "version=1.parquet") for m in months),
        dim_path=str(root / "dim.parquet"),
        r1_path=str(derived / "r1.parquet"),
        r2_path=str(derived / "r2.parquet"),
    )


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm-up (Spark: plan, codegen, file listing; DuckDB: file metadata)
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def _jvm_peak_mb(engine: Any) -> float | None:
    try:
        pid = engine.session().sparkContext._gateway.proc.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 0)
    except Exception:  # not a local JVM (a cluster master) or no /proc
        return None
    return None


def _jobs(engine: Any, snap: Any, latest: str) -> dict[str, Callable[[], Any]]:
    """name → a callable running it on ``engine`` (the heavy jobs write to a per-engine folder)."""
    from peiyu.accounts.scope import EVERYTHING, Scope
    from peiyu.alerts import analytics as alerts
    from peiyu.analytics import Period, shift_month, use_engine
    from peiyu.taxes import analytics as taxes
    from peiyu.taxes import rollups

    out_dir = Path(snap.base) / f"out-{engine.name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    dim = engine.parquet([snap.dim_path])
    window13 = [shift_month(latest, -i) for i in range(12, -1, -1)]
    area = Scope(area_ids=frozenset({1, 2, 3, 4}))
    industry = Scope(industry_ids=frozenset({1, 2}))

    def write(name: str, sql: str) -> Callable[[], int]:
        def run() -> int:
            target = out_dir / f"{name}.parquet"
            target.unlink(missing_ok=True)
            engine.copy_to_parquet(sql, str(target))
            return target.stat().st_size

        return run

    def ey() -> str:
        ey_snap = rollups.Snapshot(
            snap.key, snap.months, snap.fact_paths, snap.em_paths, snap.dim_path,
            str(out_dir / "r1.parquet"), str(out_dir / "r2.parquet"),
        )  # fmt: skip
        path = Path(ey_snap.ey_path(latest))
        path.unlink(missing_ok=True)
        return rollups.ensure_ey(ey_snap, latest, engine)

    def q(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
        def run() -> Any:
            with use_engine(engine):
                return fn(*args, **kwargs)

        return run

    top_ids = [1, 2, 3, 5, 8]
    return {
        "rebuild.r2": write("r2", rollups.R2_SQL.format(em=snap.em_sql(engine=engine), dim=dim)),
        "rebuild.r1": write("r1", rollups.R1_SQL.format(facts=snap.facts_sql(engine=engine), dim=dim)),
        "rebuild.ey": ey,
        "alerts.window_sums": q(alerts.window_sums, EVERYTHING, window13),
        "taxes.enterprise_series": q(
            taxes.enterprise_series, EVERYTHING, Period(latest).window(), enterprise_ids=top_ids
        ),
        "taxes.enterprise_rows": q(taxes.enterprise_rows, EVERYTHING, latest, limit=20),
        "taxes.decomposition": q(taxes.decomposition, industry, latest, top=3),
        "taxes.grouped": q(taxes.grouped, area, latest, "industry"),
        "taxes.monthly_totals": q(taxes.monthly_totals, EVERYTHING, Period(latest).window(), "industry"),
    }


def _input_rows(engine: Any, snap: Any, latest: str) -> dict[str, int]:
    from peiyu.analytics import Period, shift_month

    def count(paths: list[str], schema: Any) -> int:
        return int(engine.rows(f"SELECT count(*) FROM {engine.parquet(paths, schema)}")[0][0])

    from peiyu.taxes import library, rollups

    em_all = count(list(snap.em_paths), rollups.EM_SCHEMA)
    pick = dict(zip(snap.months, snap.em_paths, strict=True))
    w24 = [pick[m] for m in Period(latest).window() if m in pick]
    w13 = [pick[shift_month(latest, -i)] for i in range(13) if shift_month(latest, -i) in pick]
    return {
        "rebuild.r2": em_all,
        "rebuild.r1": count(list(snap.fact_paths), library.FACT_SCHEMA),
        "rebuild.ey": count(w24, rollups.EM_SCHEMA),
        "alerts.window_sums": count(w13, rollups.EM_SCHEMA),
        "taxes.enterprise_series": count(w24, rollups.EM_SCHEMA),
    }


def _exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(data): 1.0 = linear."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / den, 2) if den else None


def main() -> dict[str, Any]:
    from bench.citygen import Spec, generate
    from peiyu.analytics import get_engine
    from peiyu.analytics.spark import SparkEngine
    from peiyu.taxes import rollups

    load_before = [round(x, 2) for x in os.getloadavg()]
    duck = get_engine("duckdb")
    spark = SparkEngine(master=SPARK_MASTER, conf={"spark.driver.memory": "3g"})
    t = time.perf_counter()
    spark.session()
    spark_start_s = round(time.perf_counter() - t, 1)
    base_dir = Path(tempfile.mkdtemp(prefix="city-", dir=os.environ.get("PEIYU_DATA_DIR")))
    scales: dict[str, Any] = {}
    original_current = rollups.current
    try:
        for scale in SCALES:
            spec = Spec(BASE * scale, MONTHS)
            root = base_dir / f"x{scale}"
            gen = generate(root, spec, quiet=True)
            months = spec.month_names()
            latest = months[-1]
            derived = root / "derived"
            snap = _snapshot(root, months, derived)
            derived.mkdir(parents=True, exist_ok=True)
            # the small rollups the registered queries read: built once (DuckDB), read by both
            duck.copy_to_parquet(
                rollups.R2_SQL.format(em=snap.em_sql(engine=duck), dim=duck.parquet([snap.dim_path])),
                snap.r2_path,
            )
            duck.copy_to_parquet(
                rollups.R1_SQL.format(facts=snap.facts_sql(engine=duck), dim=duck.parquet([snap.dim_path])),
                snap.r1_path,
            )
            rollups.current = lambda snap=snap: snap  # type: ignore[assignment,misc]
            rows = _input_rows(duck, snap, latest)
            entry: dict[str, Any] = {"generate": gen, "input_rows": rows, "queries": {}}
            results: dict[str, dict[str, Any]] = {}
            for engine in (duck, spark):
                for name, fn in _jobs(engine, snap, latest).items():
                    seconds, result = _timed(fn, REPEAT)
                    q = entry["queries"].setdefault(name, {})
                    q[f"{engine.name}_s"] = round(seconds, 4)
                    if name in rows:
                        q[f"{engine.name}_rows_per_s"] = round(rows[name] / seconds)
                    results.setdefault(name, {})[engine.name] = result
            for name, q in entry["queries"].items():
                a, b = results[name]["duckdb"], results[name]["spark"]
                q["agree"] = a == b if not name.startswith("rebuild.") else None
                q["spark_over_duckdb"] = round(q["spark_s"] / q["duckdb_s"], 1) if q["duckdb_s"] else None
            entry["peak_rss_mb"] = {
                "python_duckdb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "spark_jvm": _jvm_peak_mb(spark),
            }
            entry["load_average"] = [round(x, 2) for x in os.getloadavg()]
            scales[f"{scale}x"] = entry
    finally:
        rollups.current = original_current  # type: ignore[assignment]
        spark.stop()
    names = list(next(iter(scales.values()))["queries"])
    exponents = {
        name: {
            eng: _exponent([(float(s[:-1]), scales[s]["queries"][name][f"{eng}_s"]) for s in scales])
            for eng in ("duckdb", "spark")
        }
        for name in names
    }
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "base_enterprises": BASE,
        "months": MONTHS,
        "repeat": REPEAT,
        "spark_master": SPARK_MASTER,
        "spark_session_start_s": spark_start_s,
        "load_average_before": load_before,
        "scales": scales,
        "scaling_exponent": exponents,
    }


if __name__ == "__main__":
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    django.setup()
    print(json.dumps(main(), ensure_ascii=False, indent=1))
