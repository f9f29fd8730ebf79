"""Derived tables of the tax library, kept current so dashboards never rescan the facts.

- ``dim``: the enterprise dimension snapshot (taxpayer_id → enterprise, key industry, area, status,
  key flag, outside-district flag), built from the registry and the taxpayer links;
- ``em``: enterprise-month totals, one file per (month, version) — independent of the dimension;
- ``r2``: month × key industry × area totals (district, total, taxpaying enterprises);
- ``r1``: month × key industry × area × tax type totals.

``dim``, ``r1`` and ``r2`` are keyed by a fingerprint of the registry state and of the active
versions, computed with one cheap query: a stale rollup can never be served, whether or not a
change sent its signal. The signals only make the rebuild happen eagerly (at import or at
reclassification) instead of on the next page view.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection as db
from django.dispatch import receiver

from peiyu.core.signals import dimension_changed, tax_library_changed
from peiyu.taxes import engine, library

_lock = threading.Lock()

DIM_SCHEMA = pa.schema(
    [
        ("taxpayer_id", pa.string()),
        ("enterprise_id", pa.int64()),
        ("credit_code", pa.string()),
        ("name", pa.string()),
        ("key_industry_id", pa.int64()),
        ("area_id", pa.int64()),
        ("status", pa.string()),
        ("is_key", pa.bool_()),
        ("outside", pa.bool_()),
    ]
)
EMPTY_FACTS = (
    "SELECT ''::VARCHAR AS month, 0::BIGINT AS batch_id, 0::INTEGER AS source_row, ''::VARCHAR AS taxpayer_id, "
    "''::VARCHAR AS taxpayer_name, ''::VARCHAR AS tax_type, 0::BIGINT AS total_fen, 0::BIGINT AS district_fen"
)
EMPTY_EM = (
    "SELECT ''::VARCHAR AS month, ''::VARCHAR AS taxpayer_id, ''::VARCHAR AS taxpayer_name, "
    "0::BIGINT AS total_fen, 0::BIGINT AS district_fen"
)


@dataclass(frozen=True)
class Snapshot:
    key: str
    months: tuple[str, ...]
    fact_paths: tuple[str, ...]
    em_paths: tuple[str, ...]
    dim_path: str
    r1_path: str
    r2_path: str

    def facts_sql(self) -> str:
        return engine.parquet_source(list(self.fact_paths), EMPTY_FACTS)

    def em_sql(self) -> str:
        return engine.parquet_source(list(self.em_paths), EMPTY_EM)


def _fingerprint() -> tuple[str, list[tuple[str, int]]]:
    """A hash of everything the dimension and rollups depend on (one aggregate query per table)."""
    from peiyu.registry.models import GONE_STATUSES
    from peiyu.taxes.models import TaxBatch

    gone = ", ".join("'" + s + "'" for s in GONE_STATUSES)
    with db.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), MAX(updated_at), MAX(id),"
            " SUM(COALESCE(key_industry_id, 0) * (id % 997 + 1)),"
            " SUM(COALESCE(area_id, 0) * (id % 991 + 1)),"
            " SUM(CASE WHEN is_key THEN id % 983 + 1 ELSE 0 END),"
            f" SUM(CASE WHEN status IN ({gone}) THEN id % 977 + 1 ELSE 0 END)"
            " FROM registry_enterprise"
        )
        ent = cur.fetchone()
        cur.execute(
            "SELECT COUNT(*), MAX(updated_at), SUM(COALESCE(enterprise_id, 0) * (id % 997 + 1)) FROM taxes_taxpayerlink"
            " WHERE status <> 'pending'"
        )
        links = cur.fetchone()
    active = list(
        TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", "version", "id")
    )
    raw = repr((ent, links, active)).encode()
    return hashlib.sha256(raw).hexdigest()[:20], [(m, v) for m, v, _ in active]


def _root() -> Path:
    return library.root()


def em_path(month: str, version: int) -> Path:
    return _root() / "em" / f"month={month}" / f"version={version}.parquet"


def _atomic_copy(sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    engine.copy_to_parquet(sql, str(tmp))
    os.replace(tmp, path)


def _build_em(month: str, version: int) -> Path:
    path = em_path(month, version)
    if not path.exists():
        src = engine.parquet_source([str(library.fact_path(month, version))], EMPTY_FACTS)
        _atomic_copy(
            "SELECT month, taxpayer_id, max(taxpayer_name) AS taxpayer_name, "
            "sum(total_fen)::BIGINT AS total_fen, sum(district_fen)::BIGINT AS district_fen "
            f"FROM {src} GROUP BY month, taxpayer_id",
            path,
        )
    return path


def _build_dim(path: Path) -> None:
    from peiyu.registry.models import Enterprise
    from peiyu.taxes.models import TaxpayerLink

    cols: dict[str, list] = {name: [] for name in DIM_SCHEMA.names}

    def add(tid, eid, code, name, ind, area, status, is_key, outside):
        cols["taxpayer_id"].append(tid)
        cols["enterprise_id"].append(eid)
        cols["credit_code"].append(code)
        cols["name"].append(name)
        cols["key_industry_id"].append(ind)
        cols["area_id"].append(area)
        cols["status"].append(status)
        cols["is_key"].append(is_key)
        cols["outside"].append(outside)

    ents = {}
    for row in Enterprise.objects.values_list(
        "id", "credit_code", "name", "key_industry_id", "area_id", "status", "is_key"
    ).iterator(chunk_size=20000):
        ents[row[0]] = row
    seen = set()
    for links in TaxpayerLink.objects.exclude(status=TaxpayerLink.Status.PENDING).values_list(
        "taxpayer_id", "status", "enterprise_id", "name"
    ):
        tid, status, eid, name = links
        seen.add(tid)
        if status == TaxpayerLink.Status.LINKED and eid in ents:
            e = ents[eid]
            add(tid, e[0], e[1], e[2], e[3], e[4], e[5], e[6], False)
        elif status == TaxpayerLink.Status.OUTSIDE:
            add(tid, None, None, name, None, None, None, False, True)
    for e in ents.values():
        if e[1] not in seen:
            add(e[1], e[0], e[1], e[2], e[3], e[4], e[5], e[6], False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.table(cols, schema=DIM_SCHEMA), tmp)
    os.replace(tmp, path)


def _cleanup(keep: str) -> None:
    base = _root() / "derived"
    if not base.exists():
        return
    for child in base.iterdir():
        if child.name != keep and not child.name.startswith("."):
            shutil.rmtree(child, ignore_errors=True)


def current() -> Snapshot:
    """The current snapshot, building whatever is missing (idempotent, safe across processes)."""
    key, active = _fingerprint()
    base = _root() / "derived" / key
    dim_path, r1_path, r2_path = base / "dim.parquet", base / "r1.parquet", base / "r2.parquet"
    fact_paths = tuple(str(library.fact_path(m, v)) for m, v in active)
    months = tuple(m for m, _ in active)
    if r1_path.exists() and r2_path.exists() and dim_path.exists():
        return Snapshot(
            key,
            months,
            fact_paths,
            tuple(str(em_path(m, v)) for m, v in active),
            str(dim_path),
            str(r1_path),
            str(r2_path),
        )
    with _lock:
        em_paths = tuple(str(_build_em(m, v)) for m, v in active)
        snap = Snapshot(key, months, fact_paths, em_paths, str(dim_path), str(r1_path), str(r2_path))
        if not dim_path.exists():
            _build_dim(dim_path)
        dim = f"read_parquet('{dim_path}')"
        if not r2_path.exists():
            _atomic_copy(
                "SELECT e.month, d.key_industry_id, d.area_id, (d.enterprise_id IS NOT NULL) AS matched, "
                "sum(e.district_fen)::BIGINT AS district_fen, sum(e.total_fen)::BIGINT AS total_fen, "
                "count(*) FILTER (WHERE e.total_fen > 0) AS taxpayers "
                f"FROM {snap.em_sql()} e LEFT JOIN {dim} d ON d.taxpayer_id = e.taxpayer_id "
                "WHERE NOT coalesce(d.outside, FALSE) GROUP BY ALL",
                r2_path,
            )
        if not r1_path.exists():
            _atomic_copy(
                "SELECT f.month, d.key_industry_id, d.area_id, (d.enterprise_id IS NOT NULL) AS matched, f.tax_type, "
                "sum(f.district_fen)::BIGINT AS district_fen, sum(f.total_fen)::BIGINT AS total_fen "
                f"FROM {snap.facts_sql()} f LEFT JOIN {dim} d ON d.taxpayer_id = f.taxpayer_id "
                "WHERE NOT coalesce(d.outside, FALSE) GROUP BY ALL",
                r1_path,
            )
        _cleanup(key)
        return snap


@receiver(tax_library_changed)
@receiver(dimension_changed)
def _refresh_on_change(sender, **kwargs) -> None:
    """Rebuild eagerly so the next dashboard view is fast."""
    current()
