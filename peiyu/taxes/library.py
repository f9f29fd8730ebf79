"""The columnar tax library: Parquet files under ``settings.TAX_LIBRARY_DIR``.

Layout (Hive-style partitions, readable by DuckDB and Spark alike)::

    facts/month=2025-03/version=2/facts.parquet     one file per accepted batch (immutable)
    dim/enterprise.parquet                           enterprise dimension snapshot (rebuilt on change)
    rollups/…                                        aggregates kept up to date at import

Facts schema (:data:`FACT_SCHEMA`): one row per source row (several rows for the same taxpayer
and tax type are kept and add up), money in integer fen. A wide file gives one fact per non-zero
tax-type cell of a row (same ``source_row``). Two special ``tax_type`` values:

- ``"合计"``: the file has only a total column per taxpayer (no tax-type columns);
- ``"区级收入（未分税种）"``: the file gives the district share per taxpayer only (one 区级收入 column
  next to the tax-type columns); that share is its own fact with ``total_fen = 0``, so sums per
  taxpayer, per industry or per month are exact and no split by tax type is invented.

Files are written with LZ4 compression (fast to write; DuckDB and Spark read it).

Which version of a month is served is decided by the database (``TaxBatch.is_active``), switched
in one transaction: that is the atomic swap; older versions stay on disk for audit and rollback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

FACT_SCHEMA = pa.schema(
    [
        ("month", pa.string()),  # "YYYY-MM" (入库月份)
        ("batch_id", pa.int64()),  # TaxBatch.pk
        ("source_row", pa.int32()),  # spreadsheet row number in the file (1-based)
        ("taxpayer_id", pa.string()),  # normalised identifier as in the file (USCC or legacy ID)
        ("taxpayer_name", pa.string()),
        ("tax_type", pa.string()),  # 增值税, 企业所得税, … ("合计" when the file has only totals)
        ("total_fen", pa.int64()),  # 税收合计 / 实缴金额
        ("district_fen", pa.int64()),  # 区级收入
    ]
)


def root() -> Path:
    return Path(settings.TAX_LIBRARY_DIR)


def fact_path(month: str, version: int) -> Path:
    return root() / "facts" / f"month={month}" / f"version={version}" / "facts.parquet"


def write_facts(month: str, version: int, table: pa.Table) -> Path:
    """Write one version of a month (never overwrites: versions are immutable)."""
    path = fact_path(month, version)
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    # LZ4 (fast to write, read by DuckDB and Spark); dictionary pages only where values repeat a lot
    pq.write_table(
        table.cast(FACT_SCHEMA), tmp, compression="lz4", use_dictionary=["month", "batch_id", "tax_type"]
    )
    os.replace(tmp, path)
    return path


def active_fact_paths() -> list[str]:
    """The Parquet files of the active version of every month, oldest month first."""
    from peiyu.taxes.models import TaxBatch

    rows = TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", "version")
    return [str(fact_path(m, cast(int, v))) for m, v in rows]  # active batches are accepted: versioned


# ---------------------------------------------------------------------------------------------
# Versions: totals of one version and the comparison of two (read straight from their files)


def read_version(month: str, version: int) -> pa.Table:
    return pq.read_table(fact_path(month, version))


def version_totals(table: pa.Table) -> dict[str, dict[str, int]]:
    """``{tax_type: {"total_fen", "district_fen", "rows"}}`` of one version's facts."""
    out: dict[str, dict[str, int]] = {}
    if table.num_rows == 0:
        return out
    g = table.group_by("tax_type").aggregate(
        [("total_fen", "sum"), ("district_fen", "sum"), ("total_fen", "count")]
    )
    for t, tot, dis, cnt in zip(
        g["tax_type"].to_pylist(),
        g["total_fen_sum"].to_pylist(),
        g["district_fen_sum"].to_pylist(),
        g["total_fen_count"].to_pylist(),
        strict=True,
    ):
        out[t] = {"total_fen": int(tot or 0), "district_fen": int(dis or 0), "rows": int(cnt)}
    return out


def _by_taxpayer(table: pa.Table) -> dict[str, tuple[str, int, int]]:
    if table.num_rows == 0:
        return {}
    g = table.group_by("taxpayer_id").aggregate(
        [("taxpayer_name", "max"), ("total_fen", "sum"), ("district_fen", "sum")]
    )
    return {
        t: (n or "", int(a or 0), int(b or 0))
        for t, n, a, b in zip(
            g["taxpayer_id"].to_pylist(),
            g["taxpayer_name_max"].to_pylist(),
            g["total_fen_sum"].to_pylist(),
            g["district_fen_sum"].to_pylist(),
            strict=True,
        )
    }


def compare_versions(month: str, a: int, b: int, top: int = 20) -> dict:
    """Totals of versions ``a`` and ``b`` of a month side by side: per tax type, overall, and the
    ``top`` taxpayers whose total changed most (by absolute change)."""
    ta, tb = read_version(month, a), read_version(month, b)
    sa, sb = version_totals(ta), version_totals(tb)
    taxes = sorted(set(sa) | set(sb), key=lambda t: -abs(sb.get(t, {}).get("total_fen", 0)))
    zero = {"total_fen": 0, "district_fen": 0, "rows": 0}
    by_tax = []
    for t in taxes:
        x, y = sa.get(t, zero), sb.get(t, zero)
        by_tax.append(
            {
                "tax_type": t,
                "a_total_fen": x["total_fen"],
                "b_total_fen": y["total_fen"],
                "delta_total_fen": y["total_fen"] - x["total_fen"],
                "a_district_fen": x["district_fen"],
                "b_district_fen": y["district_fen"],
                "delta_district_fen": y["district_fen"] - x["district_fen"],
            }
        )
    pa_, pb_ = _by_taxpayer(ta), _by_taxpayer(tb)
    changes: list[dict[str, Any]] = []
    for tid in set(pa_) | set(pb_):
        na, xa, da = pa_.get(tid, ("", 0, 0))
        nb, xb, db = pb_.get(tid, ("", 0, 0))
        if xa != xb or da != db:
            changes.append(
                {
                    "taxpayer_id": tid,
                    "name": nb or na,
                    "a_total_fen": xa,
                    "b_total_fen": xb,
                    "delta_total_fen": xb - xa,
                    "a_district_fen": da,
                    "b_district_fen": db,
                    "delta_district_fen": db - da,
                    "change": "新增" if tid not in pa_ else ("消失" if tid not in pb_ else "变化"),
                }
            )
    changes.sort(key=lambda r: (-abs(r["delta_total_fen"]), -abs(r["delta_district_fen"]), r["taxpayer_id"]))

    def tot(s: dict, key: str) -> int:
        return sum(v[key] for v in s.values())

    return {
        "month": month,
        "a": a,
        "b": b,
        "a_total_fen": tot(sa, "total_fen"),
        "b_total_fen": tot(sb, "total_fen"),
        "a_district_fen": tot(sa, "district_fen"),
        "b_district_fen": tot(sb, "district_fen"),
        "a_taxpayers": len(pa_),
        "b_taxpayers": len(pb_),
        "changed_taxpayers": len(changes),
        "by_tax_type": by_tax,
        "top_changes": changes[:top],
    }
