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

**One writer**: :func:`activate_version` is the only code that writes a version file, and it,
:func:`switch_active` (rollback) and :func:`withdraw_version` are the only code that changes which
version is served. The import
action, the demo generator and the test helpers (``peiyu.testing.taxlib``) all go through them, so
the rules — immutable versions, a temporary file renamed into place, one active version per month
switched in one transaction, ``tax_library_changed`` sent on commit — live in one place.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from peiyu.taxes.models import TaxBatch

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


def _write_facts_file(month: str, version: int, table: pa.Table) -> Path:
    """Write one version of a month (never overwrites: versions are immutable); a temporary file
    renamed into place, so a reader never sees half a file."""
    path = fact_path(month, version)
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    try:
        # LZ4 (fast to write, read by DuckDB and Spark); dictionary pages only where values repeat a lot
        pq.write_table(
            table.cast(FACT_SCHEMA), tmp, compression="lz4", use_dictionary=["month", "batch_id", "tax_type"]
        )
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    return path


# ---------------------------------------------------------------------------------------------
# The one writer: a new version of a month, switched in


@dataclass
class Activation:
    """What :func:`activate_version` did (and what ``meanwhile`` is given while it does it)."""

    month: str
    batch: TaxBatch  # the new version, active once activate_version returns
    path: Path  # its facts file
    previous: TaxBatch | None  # the version served before (None: the month is new)
    result: Any = None  # what ``meanwhile`` returned


def versions_on_disk(month: str) -> list[int]:
    """The version folders of a month that exist on disk (accepted ones, and any a crash left)."""
    folder = root() / "facts" / f"month={month}"
    if not folder.is_dir():
        return []
    return sorted(int(p.name[8:]) for p in folder.iterdir() if re.fullmatch(r"version=\d+", p.name))


def next_version(month: str) -> int:
    """The number of a new version of ``month``: one more than any accepted batch and any version
    folder on disk (a crashed import may have left one; it is never overwritten). Locks the month's
    versions until the transaction ends (PostgreSQL; SQLite serialises writers anyway), so call it
    inside the transaction that creates the batch and activates it."""
    from django.db.models import Max

    from peiyu.taxes.models import TaxBatch

    accepted = TaxBatch.objects.filter(month=month, status=TaxBatch.Status.ACCEPTED)
    list(accepted.select_for_update().values_list("pk"))
    last = accepted.aggregate(v=Max("version"))["v"] or 0
    return max([last, *versions_on_disk(month)]) + 1


def _check_version(month: str, table: pa.Table, batch: TaxBatch) -> None:
    from peiyu.taxes.models import TaxBatch

    if batch.pk is None or batch.status != TaxBatch.Status.ACCEPTED or not batch.version:
        raise ValueError(f"{batch}: only a saved, accepted batch with a version number can be activated")
    if batch.month != month:
        raise ValueError(f"batch {batch.pk} is of {batch.month}, not {month}")
    if table.num_rows:
        months = pc.unique(table["month"]).to_pylist()
        batches = pc.unique(table["batch_id"]).to_pylist()
        if months != [month] or batches != [batch.pk]:
            raise ValueError(
                f"facts of months {months} / batches {batches} given as {month} batch {batch.pk}"
            )


def activate_version(
    month: str,
    table: pa.Table,
    batch: TaxBatch,
    *,
    meanwhile: Callable[[Activation], Any] = lambda activation: None,
    announce: bool = True,
) -> Activation:
    """Store ``table`` (facts in FACT_SCHEMA, all of ``month`` and ``batch``) as version
    ``batch.version`` of ``month`` and make it the version served, in one transaction:

    1. lock the month's active version (``Activation.previous``);
    2. write the facts file in a worker thread (Arrow writes without the GIL) while this thread runs
       ``meanwhile(activation)`` — the caller's database work of the same transaction (the import
       matches taxpayers, writes its report and audit row); its return value is ``result``;
    3. switch ``is_active`` from the previous version to ``batch`` (:func:`switch_active`) and, on
       commit, send ``tax_library_changed(months=[month])`` unless ``announce`` is false (a caller
       activating many months announces them once).

    If anything fails — the write, ``meanwhile``, the switch, or the commit when this is the
    outermost transaction — the new file is removed and nothing changes. (Inside a caller's
    transaction that rolls back later, the file stays as an orphan that :func:`next_version` skips.)
    ``batch`` must be saved, accepted and numbered (:func:`next_version`); its ``path`` and
    ``is_active`` are saved here."""
    from peiyu.taxes.models import TaxBatch

    _check_version(month, table, batch)
    version = cast(int, batch.version)
    path = fact_path(month, version)
    written = False
    try:
        with transaction.atomic():
            previous = TaxBatch.objects.select_for_update().filter(month=month, is_active=True).first()
            activation = Activation(month, batch, path, previous)
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tax-write") as pool:
                writing = pool.submit(_write_facts_file, month, version, table)
                try:
                    activation.result = meanwhile(activation)
                finally:
                    writing.result()  # raises if the write failed (nothing of ours on disk then)
                    written = True
            batch.path = str(path)
            batch.save(update_fields=["path"])
            switch_active(month, batch, announce=announce)
    except BaseException:
        if written:
            _discard(path)
        raise
    return activation


def _discard(path: Path) -> None:
    """Remove a version file written by a failed activation, and its folder (so no version number
    is used up by it)."""
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something else is there, leave it
        path.parent.rmdir()


def switch_active(month: str, batch: TaxBatch, *, announce: bool = True) -> None:
    """Make ``batch`` the version of ``month`` that is served (the previous one is kept for rollback),
    inside the caller's transaction; ``tax_library_changed`` on commit unless ``announce`` is false."""
    from peiyu.taxes.models import TaxBatch

    TaxBatch.objects.filter(month=month, is_active=True).exclude(pk=batch.pk).update(is_active=False)
    TaxBatch.objects.filter(pk=batch.pk).update(is_active=True)
    batch.is_active = True
    if announce:
        announce_months([month])


def withdraw_version(month: str, batch: TaxBatch, *, announce: bool = True) -> TaxBatch | None:
    """Withdraw the served version ``batch`` of ``month`` (inside the caller's transaction): it is
    marked withdrawn (kept on disk for audit, never served again) and the month returns to the
    latest earlier accepted version whose file exists, or to no version at all. Returns that version."""
    from peiyu.taxes.models import TaxBatch

    locked = list(TaxBatch.objects.select_for_update().filter(month=month).values_list("pk", flat=True))
    if batch.pk not in locked:
        raise ValueError(f"batch {batch.pk} is not of {month}")
    previous = next(
        (
            b
            for b in TaxBatch.objects.filter(
                month=month, status=TaxBatch.Status.ACCEPTED, version__lt=batch.version or 0
            ).order_by("-version")
            if fact_path(month, cast(int, b.version)).exists()
        ),
        None,
    )
    TaxBatch.objects.filter(pk=batch.pk).update(is_active=False, status=TaxBatch.Status.WITHDRAWN)
    batch.is_active, batch.status = False, TaxBatch.Status.WITHDRAWN
    if previous is not None:
        switch_active(month, previous, announce=announce)
    elif announce:
        announce_months([month])
    return previous


def announce_months(months: list[str]) -> None:
    """``tax_library_changed(months=…)`` once the current transaction commits (rollups and warnings
    listen); immediately in autocommit mode."""
    from peiyu.core.signals import tax_library_changed
    from peiyu.taxes.models import TaxBatch

    months = list(months)
    transaction.on_commit(lambda: tax_library_changed.send(sender=TaxBatch, months=months))


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
