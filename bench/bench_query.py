"""Query benchmark: ``GET /api/v1/stats/industries`` against a raw DuckDB scan of the library.

Builds a synthetic district directly: 100,000 enterprises (``bulk_create``) and 60 months of facts
generated with DuckDB into Arrow tables and written with ``peiyu.taxes.library.activate_version``
(pyarrow): ~9.5 M non-zero fact rows, heavy-tailed amounts, three tax types, a few refunds. The
months are activated in three stages (12, 36, 60 months of history); at each stage it measures

- ``raw_scan_s``: DuckDB summing ``total_fen`` over every active Parquet file (median of 7);
- ``api_s``: ``GET /api/v1/stats/industries?month=<latest>`` with a bearer token against a real
  gunicorn server on a random localhost port (warm: the first call, which builds the rollups, is
  reported separately as ``first_call_s``; then the median of 30 calls);
- ``client_s``: the same call through Django's test Client in this process (median of 30);
- ``fingerprint_s``: the freshness check every query pays (median of 200);
- ``rollup_build_s``: building the dimension and rollups for that history;
- ``enterprises_api_s`` / ``decomposition_s``: the enterprise list (one page) and the growth
  decomposition, for information (they read the enterprise-month files of 24 months).

Run: ``.venv/bin/python -m bench.run query`` (or ``main()``); results go to docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request  # noqa: S310 (localhost URLs built here)
from typing import Any

ENTERPRISES = int(os.environ.get("BENCH_ENTERPRISES", "100000"))
MONTHS = int(os.environ.get("BENCH_MONTHS", "60"))
STAGES = [s for s in (12, 36, 60) if s <= MONTHS] or [MONTHS]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "31"))
FIRST_YEAR = 2021
TAX_TYPES = (("增值税", 85), ("企业所得税", 45), ("个人所得税", 28))


def _month(i: int) -> str:
    return f"{FIRST_YEAR + i // 12:04d}-{i % 12 + 1:02d}"


def _code(i: int) -> str:
    return f"91310107BK{i:08d}"


def _median(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def make_registry() -> None:
    from peiyu.registry.models import Area, Enterprise, KeyIndustry

    if Enterprise.objects.filter(credit_code=_code(0)).exists():
        return
    areas = list(Area.objects.values_list("id", flat=True)) or [
        Area.objects.create(code="310107999000", name="基准街道").id
    ]
    industries = list(KeyIndustry.objects.values_list("id", flat=True))
    batch = []
    for i in range(ENTERPRISES):
        h = (i * 2654435761) % 1000
        batch.append(
            Enterprise(
                credit_code=_code(i),
                name=f"上海基准企业{i:06d}有限公司",
                industry_code="6511",
                area_id=areas[i % len(areas)],
                key_industry_id=industries[h % len(industries)] if industries and h < 450 else None,
            )
        )
        if len(batch) == 20000:
            Enterprise.objects.bulk_create(batch)
            batch = []
    if batch:
        Enterprise.objects.bulk_create(batch)


def make_facts() -> int:
    """Write every month's facts (inactive batches) and return the number of fact rows."""
    from peiyu.analytics import local_session
    from peiyu.taxes import library
    from peiyu.taxes.models import TaxBatch

    con = local_session()
    rows_total = 0
    for mi in range(MONTHS):
        month = _month(mi)
        batch, created = TaxBatch.objects.get_or_create(
            month=month,
            version=1,
            status=TaxBatch.Status.ACCEPTED,
            defaults={"file_name": f"bench_{month}.xlsx", "sha256": f"{mi:064d}", "is_active": False},
        )
        path = library.fact_path(month, 1)
        if path.exists():
            rows_total += batch.rows
            continue
        type_sql = " UNION ALL ".join(
            f"SELECT {k} AS k, '{t}' AS t, {p} AS p" for k, (t, p) in enumerate(TAX_TYPES)
        )
        table = con.arrow(
            f"""
            WITH e AS (SELECT range AS i, hash(range) % 1000000 / 1000000.0 AS u FROM range({ENTERPRISES})),
            tt AS ({type_sql}),
            c AS (
              SELECT e.i, tt.t, tt.k,
                CAST(100 * pow(10, 6 * pow(e.u, 3)) * (0.5 + hash(e.i, tt.k, {mi}) % 1000 / 1000.0)
                     / (tt.k + 1) AS BIGINT) + 1 AS amount,
                hash(e.i, tt.k, {mi}, 'r') % 100 AS r
              FROM e, tt
              WHERE hash(e.i, tt.k, {mi}, 'p') % 100 < tt.p
            )
            SELECT '{month}' AS month, CAST({batch.pk} AS BIGINT) AS batch_id,
              CAST(row_number() OVER (ORDER BY i, k) + 4 AS INTEGER) AS source_row,
              '91310107BK' || lpad(CAST(i AS VARCHAR), 8, '0') AS taxpayer_id,
              '上海基准企业' || lpad(CAST(i AS VARCHAR), 6, '0') || '有限公司' AS taxpayer_name,
              t AS tax_type,
              CASE WHEN r = 0 THEN -amount // 3 ELSE amount END AS total_fen,
              CASE WHEN r = 0 THEN -amount // 3 ELSE amount END * 2 // 5 AS district_fen
            FROM c ORDER BY i, k
            """
        )
        library.activate_version(month, table, batch, announce=False)  # activate(n) picks the months served
        TaxBatch.objects.filter(pk=batch.pk).update(rows=table.num_rows)
        rows_total += table.num_rows
    con.close()
    return rows_total


def activate(n: int) -> list[str]:
    from peiyu.taxes.models import TaxBatch

    months = [_month(i) for i in range(n)]
    TaxBatch.objects.filter(month__in=months).update(is_active=True)
    TaxBatch.objects.exclude(month__in=months).update(is_active=False)
    return months


def raw_scan_sql(paths: list[str]) -> str:
    from peiyu.analytics import get_engine

    return f"SELECT sum(total_fen) FROM {get_engine().parquet(paths)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "peiyu",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def main() -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from peiyu.accounts.models import ApiToken, Role, User
    from peiyu.analytics import get_engine
    from peiyu.taxes import analytics, library, rollups

    engine = get_engine()

    t0 = time.perf_counter()
    make_registry()
    registry_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fact_rows = make_facts()
    facts_s = time.perf_counter() - t0
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"role": Role.ADMIN, "is_superuser": True}
    )
    secret = "pyt_bench_" + os.urandom(12).hex()
    ApiToken.objects.create(
        user=admin,
        prefix=secret[:12],
        key_hash=ApiToken.hash_key(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    headers = {"Authorization": f"Bearer {secret}"}
    all_paths = [str(library.fact_path(_month(i), 1)) for i in range(MONTHS)]
    port = free_port()
    server = start_server(port)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    result: dict[str, Any] = {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} CPU · "
        f"Python {platform.python_version()} · DuckDB {__import__('duckdb').__version__}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "enterprises": ENTERPRISES,
        "fact_rows_60_months": fact_rows,
        "registry_bulk_create_s": round(registry_s, 2),
        "facts_generation_s": round(facts_s, 2),
        "data_dir": str(settings.DATA_DIR),
        "stages": [],
    }
    try:
        for n in STAGES:
            months = activate(n)
            month = months[-1]
            t0 = time.perf_counter()
            snap = rollups.current()
            build_s = time.perf_counter() - t0
            paths = [str(library.fact_path(m, 1)) for m in months]
            url = f"http://127.0.0.1:{port}/api/v1/stats/industries?month={month}"

            def call(url=url):
                req = urllib.request.Request(url, headers=headers)  # noqa: S310
                with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
                    body = resp.read()
                    assert resp.status == 200, resp.status
                return body

            t0 = time.perf_counter()
            body = call()
            first_s = time.perf_counter() - t0
            data = json.loads(body)
            assert data["month"] == month and data["district"]["ytd_total_fen"] > 0
            path = f"/api/v1/stats/industries?month={month}"
            client.get(path)
            # Paired, interleaved rounds: the machine is shared, so every round measures the raw
            # scans and the API back to back and the medians compare like with like.
            scan_sql = raw_scan_sql(paths)
            full_sql = raw_scan_sql(all_paths)
            engine.rows(scan_sql)
            engine.rows(full_sql)
            samples: dict[str, list[float]] = {"scan": [], "full": [], "api": [], "client": []}
            for _ in range(ROUNDS):
                for key, fn in (
                    ("full", lambda full_sql=full_sql: engine.rows(full_sql)),
                    ("scan", lambda scan_sql=scan_sql: engine.rows(scan_sql)),
                    ("api", call),
                    ("client", lambda path=path: client.get(path)),
                ):
                    t = time.perf_counter()
                    fn()
                    samples[key].append(time.perf_counter() - t)
            scan_s = statistics.median(samples["scan"])
            full_s = statistics.median(samples["full"])
            api_s = statistics.median(samples["api"])
            client_s = statistics.median(samples["client"])
            fp_s = _median(rollups._fingerprint, 200)
            ent_url = f"http://127.0.0.1:{port}/api/v1/tax/enterprises?month={month}&page_size=100"
            call(ent_url)
            ent_s = _median(lambda ent_url=ent_url: call(ent_url), 5)
            dec_s = _median(lambda month=month: analytics.decomposition(admin, month, top=10), 3)
            r2_rows = __import__("pyarrow.parquet", fromlist=["x"]).read_metadata(snap.r2_path).num_rows
            stage = {
                "months": n,
                "fact_rows": sum(
                    __import__("pyarrow.parquet", fromlist=["x"]).read_metadata(p).num_rows for p in paths
                ),
                "r2_rows": r2_rows,
                "rollup_build_s": round(build_s, 3),
                "raw_scan_s": round(scan_s, 4),
                "full_library_scan_s": round(full_s, 4),
                "first_call_s": round(first_s, 3),
                "api_s": round(api_s, 4),
                "client_s": round(client_s, 4),
                "api_vs_raw_scan": round(api_s / scan_s, 3),
                # the fastest round of each series: the intrinsic cost, least disturbed by other load
                "api_min_s": round(min(samples["api"]), 4),
                "full_library_scan_min_s": round(min(samples["full"]), 4),
                "raw_scan_min_s": round(min(samples["scan"]), 4),
                "load_average": round(os.getloadavg()[0], 2),
                "fingerprint_s": round(fp_s, 5),
                "enterprises_api_s": round(ent_s, 3),
                "decomposition_s": round(dec_s, 3),
            }
            print(json.dumps(stage), file=sys.stderr)
            result["stages"].append(stage)
    finally:
        server.terminate()
        server.wait(10)
    for stage in result["stages"]:
        # the requirement: at most 1x the raw scan of the whole (60-month) library, measured in the same rounds
        stage["api_vs_full_scan"] = round(stage["api_s"] / stage["full_library_scan_s"], 3)
    result["passes"] = all(s["api_s"] <= s["full_library_scan_s"] for s in result["stages"])
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=2))
