"""The columnar tax library: Parquet files under ``settings.TAX_LIBRARY_DIR``.

Layout (Hive-style partitions, readable by DuckDB and Spark alike)::

    facts/month=2025-03/version=2/facts.parquet     one file per accepted batch (immutable)
    dim/enterprise.parquet                           enterprise dimension snapshot (rebuilt on change)
    rollups/…                                        aggregates kept up to date at import

Facts schema (:data:`FACT_SCHEMA`): one row per source row (several rows for the same taxpayer
and tax type are kept and add up), money in integer fen.

Which version of a month is served is decided by the database (``TaxBatch.is_active``), switched
in one transaction: that is the atomic swap; older versions stay on disk for audit and rollback.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    pq.write_table(table.cast(FACT_SCHEMA), tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def active_fact_paths() -> list[str]:
    """The Parquet files of the active version of every month, oldest month first."""
    from peiyu.taxes.models import TaxBatch

    rows = TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", "version")
    return [str(fact_path(m, v)) for m, v in rows]
