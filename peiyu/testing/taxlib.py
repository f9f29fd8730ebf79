"""Putting months of facts into the tax library for tests, the way an accepted import leaves them.

    put_month("2025-03", [(credit_code, name, "增值税", total_fen, district_fen), ...])

Creates the TaxBatch (accepted, next version of the month) and stores the facts through the tax
library's one writer, :func:`peiyu.taxes.library.activate_version`: the version file is written, the
month switched to it (the previous version is kept) and ``tax_library_changed`` sent on commit —
exactly as a real import does, without reading a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyarrow as pa
from django.db import transaction

from peiyu.taxes import library
from peiyu.taxes.models import TaxBatch

Row = tuple[str, str, str, int, int]  # (taxpayer id, name, tax type, total fen, district fen)


def facts(month: str, batch_id: int, rows: list[Row]) -> pa.Table:
    """Facts in ``library.FACT_SCHEMA``, one per row (source rows numbered from 2)."""
    return pa.table(
        {
            "month": [month] * len(rows),
            "batch_id": [batch_id] * len(rows),
            "source_row": list(range(2, len(rows) + 2)),
            "taxpayer_id": [r[0] for r in rows],
            "taxpayer_name": [r[1] for r in rows],
            "tax_type": [r[2] for r in rows],
            "total_fen": [int(r[3]) for r in rows],
            "district_fen": [int(r[4]) for r in rows],
        },
        schema=library.FACT_SCHEMA,
    )


def put_month(month: str, rows: Iterable[Row], file_name: str = "") -> TaxBatch:
    """Store ``rows`` as the new active version of ``month``; returns its batch."""
    rows = list(rows)
    with transaction.atomic():
        version = library.next_version(month)
        batch = TaxBatch.objects.create(
            month=month,
            version=version,
            status=TaxBatch.Status.ACCEPTED,
            file_name=file_name or f"test_{month}.xlsx",
            sha256=hashlib.sha256(repr((month, version, rows)).encode()).hexdigest(),
            rows=len(rows),
            taxpayers=len({r[0] for r in rows}),
            total_fen=sum(r[3] for r in rows),
            district_fen=sum(r[4] for r in rows),
            layout="wide",
            unit="元",
            district_source="file",
        )
        library.activate_version(month, facts(month, batch.pk, rows), batch)
    return batch
