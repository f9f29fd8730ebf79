"""Test helper: put months of facts into the library the way an accepted import leaves them.

    put_month("2025-03", [(credit_code, name, "增值税", total_fen, district_fen), ...])

Creates the TaxBatch (accepted, active, next version; the previous active version of the month is
deactivated), writes the Parquet facts and sends ``tax_library_changed`` like a real import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyarrow as pa
from django.db import transaction

from peiyu.core.signals import tax_library_changed
from peiyu.taxes import library
from peiyu.taxes.models import TaxBatch

Row = tuple[str, str, str, int, int]


def put_month(month: str, rows: Iterable[Row], file_name: str = "") -> TaxBatch:
    rows = list(rows)
    version = (TaxBatch.objects.filter(month=month, status=TaxBatch.Status.ACCEPTED).count()) + 1
    digest = hashlib.sha256(repr((month, version, rows)).encode()).hexdigest()
    with transaction.atomic():
        batch = TaxBatch.objects.create(
            month=month,
            version=version,
            status=TaxBatch.Status.ACCEPTED,
            file_name=file_name or f"test_{month}.xlsx",
            sha256=digest,
            rows=len(rows),
            taxpayers=len({r[0] for r in rows}),
            total_fen=sum(r[3] for r in rows),
            district_fen=sum(r[4] for r in rows),
            layout="wide",
            unit="元",
            district_source="file",
        )
        table = pa.table(
            {
                "month": [month] * len(rows),
                "batch_id": [batch.pk] * len(rows),
                "source_row": list(range(2, len(rows) + 2)),
                "taxpayer_id": [r[0] for r in rows],
                "taxpayer_name": [r[1] for r in rows],
                "tax_type": [r[2] for r in rows],
                "total_fen": [int(r[3]) for r in rows],
                "district_fen": [int(r[4]) for r in rows],
            },
            schema=library.FACT_SCHEMA,
        )
        path = library.write_facts(month, version, table)
        TaxBatch.objects.filter(month=month, is_active=True).update(is_active=False)
        batch.is_active = True
        batch.path = str(path)
        batch.save(update_fields=["is_active", "path"])
        transaction.on_commit(lambda: tax_library_changed.send(sender=None, months=[month]))
    return batch
