"""City-scale tax library generator (issue 12): N enterprises × M months written straight to Parquet,
deterministic for a seed, with a scale factor.

    python -m bench.citygen --out /data/city --enterprises 1000000 --months 120      # 10⁶ × 120
    python -m bench.citygen --out /tmp/lib --enterprises 50000 --months 36 --scale 4  # 4× of a base

It writes the layout the analytics read (``peiyu.taxes.library`` / ``peiyu.taxes.rollups``), without a
database, so a library far larger than a registry import could build in minutes is available to
both engines:

- ``facts/month=YYYY-MM/version=1/facts.parquet`` — ``library.FACT_SCHEMA``, one to three tax-type
  rows per paying taxpayer and month (增值税, 企业所得税, 个人所得税), integer fen, district share 40 %;
- ``em/month=YYYY-MM/version=1.parquet`` — ``rollups.EM_SCHEMA``, the enterprise-month totals
  (exactly the sums of the facts: built from the same table in the same session);
- ``dim.parquet`` — ``rollups.DIM_SCHEMA``: 90 % of taxpayers matched to an enterprise (8 key
  industries on 60 % of them, 16 areas), 1 % outside the district, the rest unmatched.

Amounts are heavy-tailed (Pareto-like: a few firms pay most of the tax), firms enter and leave over
the years, ~8 % of firm-months pay nothing, a few are refunds. Every random draw is DuckDB's
``hash()`` of (seed, enterprise, month, stream), so the files depend only on the arguments.
Generation runs in-process on DuckDB (``peiyu.analytics.local_session``), one month at a time
(memory stays flat), with a progress bar on a terminal. 10⁶ × 120 months is ~1.1×10⁸ enterprise-
month rows and ~2.2×10⁸ fact rows (~4 GB of Parquet).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INDUSTRIES = 8
AREAS = 16
FIRST_YEAR = 2016


@dataclass(frozen=True)
class Spec:
    enterprises: int
    months: int
    seed: int = 2026
    first_year: int = FIRST_YEAR

    def month_names(self) -> list[str]:
        return [f"{self.first_year + i // 12:04d}-{i % 12 + 1:02d}" for i in range(self.months)]


def _u(seed: int, stream: int, *keys: str) -> str:
    """SQL for a uniform draw in [0, 1) from hash(seed, stream, keys…)."""
    parts = ", ".join([str(int(seed)), str(int(stream)), *keys])
    return f"((hash({parts}) % 1000003)::DOUBLE / 1000003)"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _dim_sql(spec: Spec) -> str:
    s = spec.seed
    return f"""
        SELECT taxpayer_id,
               CASE WHEN kind = 'matched' THEN i + 1 END::BIGINT AS enterprise_id,
               CASE WHEN kind = 'matched' THEN taxpayer_id END AS credit_code,
               '城市样本企业' || i::VARCHAR AS name,
               CASE WHEN kind = 'matched' AND {_u(s, 2, "i")} < 0.6
                    THEN 1 + (hash({s}, 3, i) % {INDUSTRIES}) END::BIGINT AS key_industry_id,
               CASE WHEN kind = 'matched' THEN 1 + (hash({s}, 4, i) % {AREAS}) END::BIGINT AS area_id,
               CASE WHEN kind = 'matched' THEN 'active' END AS status,
               (kind = 'matched' AND {_u(s, 5, "i")} < 0.01) AS is_key,
               (kind = 'outside') AS outside
        FROM (SELECT i, '9131' || lpad(i::VARCHAR, 14, '0') AS taxpayer_id,
                     CASE WHEN {_u(s, 1, "i")} < 0.90 THEN 'matched'
                          WHEN {_u(s, 1, "i")} < 0.91 THEN 'outside' ELSE 'unmatched' END AS kind
              FROM range({spec.enterprises}) t(i))
        WHERE kind <> 'unmatched'
    """


def _month_sql(spec: Spec, index: int, month: str) -> str:
    """The facts of one month: one row per paying taxpayer and tax type."""
    s = spec.seed
    m = index
    return f"""
        WITH firms AS (
            SELECT i,
                   -- entry and exit month (index), so the tax base changes over the years
                   (hash({s}, 10, i) % {spec.months + 60})::BIGINT - 60 AS born,
                   (hash({s}, 11, i) % {spec.months * 4})::BIGINT AS dies,
                   -- heavy-tailed size in fen per month: 300 元 … tens of millions
                   least(30000 * pow(1.0 / (0.0005 + {_u(s, 12, "i")}), 1.15), 5e10) AS size,
                   0.9 + 0.25 * {_u(s, 13, "i")} AS growth
            FROM range({spec.enterprises}) t(i)
        ), paying AS (
            SELECT i, size * pow(growth, {m} / 12.0)
                        * (0.85 + 0.3 * {_u(s, 14, "i", str(m))}) AS fen,
                   {_u(s, 15, "i", str(m))} AS r
            FROM firms WHERE born <= {m} AND dies > {m}
        )
        SELECT '{month}' AS month, {index + 1}::BIGINT AS batch_id, (i + 1)::INTEGER AS source_row,
               '9131' || lpad(i::VARCHAR, 14, '0') AS taxpayer_id, '城市样本企业' || i::VARCHAR AS taxpayer_name,
               tax_type,
               (CASE WHEN r < 0.004 THEN -0.1 ELSE 1 END * fen * share)::BIGINT AS total_fen,
               ((CASE WHEN r < 0.004 THEN -0.1 ELSE 1 END * fen * share)::BIGINT * 2) // 5 AS district_fen
        FROM paying, (VALUES ('增值税', 0.55, 0), ('企业所得税', 0.3, 1), ('个人所得税', 0.15, 2)) v(tax_type, share, k)
        WHERE (r >= 0.08 OR r < 0.004) AND (k = 0 OR fen > 40000 * k)
    """


def generate(
    out: Path, spec: Spec, *, quiet: bool = False, threads: int = 2, compression: str = "zstd"
) -> dict[str, Any]:
    """Write the library under ``out``; returns counts, sizes and seconds."""
    from peiyu.analytics import local_session
    from peiyu.core.progress import progress

    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    months = spec.month_names()
    facts = em = 0
    opts = f"(FORMAT PARQUET, COMPRESSION {compression}, ROW_GROUP_SIZE 262144)"
    with (
        local_session(threads) as s,
        progress("生成城市级税收库（月）", total=len(months), quiet=quiet) as bar,
    ):
        s.execute(f"COPY ({_dim_sql(spec)} ORDER BY taxpayer_id) TO {_quote(out / 'dim.parquet')} {opts}")
        for i, month in enumerate(months):
            fact_path = out / "facts" / f"month={month}" / "version=1" / "facts.parquet"
            em_path = out / "em" / f"month={month}" / "version=1.parquet"
            fact_path.parent.mkdir(parents=True, exist_ok=True)
            em_path.parent.mkdir(parents=True, exist_ok=True)
            s.execute(f"CREATE OR REPLACE TEMP TABLE f AS {_month_sql(spec, i, month)}")
            s.execute(f"COPY (SELECT * FROM f ORDER BY source_row, tax_type) TO {_quote(fact_path)} {opts}")
            s.execute(
                "COPY (SELECT month, taxpayer_id, max(taxpayer_name) AS taxpayer_name, "
                "sum(total_fen)::BIGINT AS total_fen, sum(district_fen)::BIGINT AS district_fen "
                f"FROM f GROUP BY month, taxpayer_id ORDER BY taxpayer_id) TO {_quote(em_path)} {opts}"
            )
            n_f, n_e = s.one("SELECT count(*), count(DISTINCT taxpayer_id) FROM f")
            facts += int(n_f)
            em += int(n_e)
            bar.advance()
        s.execute("DROP TABLE IF EXISTS f")
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    return {
        "out": str(out),
        "enterprises": spec.enterprises,
        "months": spec.months,
        "first_month": months[0],
        "last_month": months[-1],
        "seed": spec.seed,
        "fact_rows": facts,
        "em_rows": em,
        "parquet_mb": round(size / 1e6, 1),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="城市级税收库生成器（直接写 Parquet，同一种子结果相同）")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.add_argument("--enterprises", type=int, default=1_000_000, help="基础企业数（默认 1,000,000）")
    parser.add_argument("--months", type=int, default=120, help="月份数（默认 120，自 2016-01 起）")
    parser.add_argument("--scale", type=float, default=1.0, help="规模倍数：企业数 × scale（默认 1）")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB 线程数（默认 2）")
    parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象，不显示进度条")
    args = parser.parse_args(argv)
    if args.enterprises < 1 or args.months < 1 or args.scale <= 0:
        parser.error("--enterprises、--months 与 --scale 须为正数")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
    spec = Spec(int(args.enterprises * args.scale), args.months, args.seed)
    result = generate(Path(args.out), spec, quiet=args.json, threads=args.threads)
    print(json.dumps(result, ensure_ascii=False), file=sys.stdout)


if __name__ == "__main__":
    main()
