"""Derived tables of the tax library, kept current so dashboards never rescan the facts.

- ``dim``: the enterprise dimension snapshot (taxpayer_id → enterprise, key industry, area, status,
  key flag, outside-district flag), built from the registry and the taxpayer links;
- ``em``: enterprise-month totals, one file per (month, version) — independent of the dimension;
- ``r2``: month × key industry × area totals (district, total, taxpaying enterprises);
- ``r1``: month × key industry × area × tax type totals;
- ``ey``: one month's enterprise-level measures (the month, 累计, the same period last year…),
  built on first use.

r1/r2 are built per (month, version) and concatenated, so an import rebuilds one month; the
dimension is stored under its content hash, so a registry edit that leaves it unchanged reuses
every rollup.

``dim``, ``r1`` and ``r2`` are keyed by a fingerprint that is cheap enough to check on every
request (about a millisecond with 100,000 enterprises, see docs/performance.md):

- the ``tax_dimension`` generation counter (:class:`peiyu.core.models.Generation`), bumped after
  commit by every ``post_save``/``post_delete`` of an Enterprise, TaxpayerLink or KeyIndustry and by
  the ``dimension_changed``/``tax_library_changed`` signals (which every bulk path — queryset
  ``update()``, ``bulk_update``, reclassification, registry import, linking — sends on commit);
- ``MAX(id)`` of the enterprises (catches ``bulk_create``, which sends no signal; ``COUNT(*)`` was
  dropped: ~10 ms on SQLite with 100,000 rows, and deletes send ``post_delete`` anyway) and a small
  aggregate over the non-pending taxpayer links (a table of hundreds of rows, not the registry);
- the list of active (month, version, batch) rows: the version swap itself;
- :data:`ROLLUP_FORMAT`, bumped when the derived tables' SQL changes.

The former fingerprint (aggregates over every enterprise row) cost ~50 ms per request with 100,000
enterprises, more than the whole query budget. The contract that keeps the counter safe: code that
changes enterprise classification, area, status, key flag or links in bulk (without ``save()``)
sends ``dimension_changed`` on commit, as ``registry.classify.notify_dimension_changed`` does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection as db
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from peiyu.analytics import get_engine, parse_month, period_params
from peiyu.analytics.engine import Engine
from peiyu.core.signals import dimension_changed, tax_library_changed
from peiyu.taxes import library

_lock = threading.Lock()

ROLLUP_FORMAT = 3
GENERATION = "tax_dimension"
KEEP_OLD_SECONDS = 600  # other processes may still be reading an older snapshot

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
EM_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("taxpayer_id", pa.string()),
        ("taxpayer_name", pa.string()),
        ("total_fen", pa.int64()),
        ("district_fen", pa.int64()),
    ]
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

    @property
    def base(self) -> str:
        return os.path.dirname(self.r2_path)

    def ey_path(self, month: str) -> str:
        return os.path.join(self.base, "ey", f"month={month}.parquet")

    def _pick(self, paths: tuple[str, ...], months: Any) -> list[str]:
        if months is None:
            return list(paths)
        wanted = set(months)
        return [p for m, p in zip(self.months, paths, strict=True) if m in wanted]

    def facts_sql(self, months: Any = None, engine: Engine | None = None) -> str:
        """The active facts, optionally only the files of some months (the others are not read)."""
        return (engine or get_engine()).parquet(self._pick(self.fact_paths, months), library.FACT_SCHEMA)

    def em_sql(self, months: Any = None, engine: Engine | None = None) -> str:
        return (engine or get_engine()).parquet(self._pick(self.em_paths, months), EM_SCHEMA)

    def dim_sql(self, engine: Engine | None = None) -> str:
        return (engine or get_engine()).parquet([self.dim_path])


def generation() -> int:
    from peiyu.core.models import Generation

    return Generation.objects.filter(name=GENERATION).values_list("value", flat=True).first() or 0


def bump_generation() -> None:
    """Invalidate the dimension snapshot and every rollup (the next query rebuilds them)."""
    from django.db import IntegrityError
    from django.db.models import F

    from peiyu.core.models import Generation

    if Generation.objects.filter(name=GENERATION).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            Generation.objects.create(name=GENERATION, value=1)
    except IntegrityError:  # created concurrently
        Generation.objects.filter(name=GENERATION).update(value=F("value") + 1)


def _bump_after_commit() -> None:
    bump_generation()


def bump_on_commit() -> None:
    """Bump once the current transaction commits (once per transaction, however many rows change);
    at once in autocommit mode."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        bump_generation()
        return
    if any(entry[1] is _bump_after_commit for entry in conn.run_on_commit):
        return
    transaction.on_commit(_bump_after_commit)


_FINGERPRINT_SECONDS = 5.0
_fingerprint_memo: dict[str, tuple[float, tuple[str, list[tuple[str, int]]]]] = {}


def _fingerprint() -> tuple[str, list[tuple[str, int]]]:
    """``_fingerprint_now()``, reused for a few seconds while no data changed (``datacache``): a
    page asks for the snapshot several times, and every change of the rows or of the library's
    files starts a new generation."""
    from peiyu.core import datacache

    if not datacache.enabled():
        return _fingerprint_now()
    key = f"{_root()}:{datacache.generation()}"
    now = time.monotonic()
    hit = _fingerprint_memo.get(key)
    if hit is not None and now - hit[0] < _FINGERPRINT_SECONDS:
        return hit[1][0], list(hit[1][1])
    value = _fingerprint_now()
    _fingerprint_memo.clear()
    _fingerprint_memo[key] = (now, value)
    return value[0], list(value[1])


def _fingerprint_now() -> tuple[str, list[tuple[str, int]]]:
    """The dimension key (a hash of what the enterprise dimension depends on) and the active
    (month, version) list: a few index-only queries."""
    from peiyu.taxes.models import TaxBatch

    with db.cursor() as cur:
        cur.execute("SELECT value FROM core_generation WHERE name = %s", [GENERATION])
        row = cur.fetchone()
        gen = row[0] if row else 0
        cur.execute("SELECT MAX(id) FROM registry_enterprise")  # an index lookup
        ent = cur.fetchone()
        cur.execute(
            "SELECT COUNT(*), MAX(id), SUM(COALESCE(enterprise_id, 0) * (id % 997 + 1)),"
            " SUM(CASE WHEN status = 'outside' THEN id % 991 + 1 ELSE 0 END)"
            " FROM taxes_taxpayerlink WHERE status <> 'pending'"
        )
        links = cur.fetchone()
    active = list(
        TaxBatch.objects.filter(is_active=True).order_by("month").values_list("month", "version", "id")
    )
    dim_key = hashlib.sha256(repr((ROLLUP_FORMAT, gen, ent, links)).encode()).hexdigest()[:16]
    # a month whose file is missing or damaged is left out (its pages say so) rather than failing all
    return dim_key, [
        (m, cast(int, v)) for m, v, _ in active if not library.file_problem(m, cast(int, v))
    ]  # active batches are accepted: versioned


def _root() -> Path:
    return library.root()


def em_path(month: str, version: int) -> Path:
    return _root() / "em" / f"month={month}" / f"version={version}.parquet"


def _atomic_copy(
    sql: str, path: Path, params: dict[str, Any] | None = None, engine: Engine | None = None
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    (engine or get_engine()).copy_to_parquet(sql, str(tmp), params)
    os.replace(tmp, path)


def _build_em(month: str, version: int) -> Path:
    path = em_path(month, version)
    if not path.exists():
        src = get_engine().parquet([str(library.fact_path(month, version))], library.FACT_SCHEMA)
        _atomic_copy(
            "SELECT month, taxpayer_id, max(taxpayer_name) AS taxpayer_name, "
            "sum(total_fen)::BIGINT AS total_fen, sum(district_fen)::BIGINT AS district_fen "
            f"FROM {src} GROUP BY month, taxpayer_id",
            path,
        )
    return path


def _build_dim(base: Path) -> Path:
    """Build the dimension and store it under its content hash: ``base/c-<hash>/dim.parquet``.
    Registry edits that do not change the dimension (an address, a phone number) then reuse every
    rollup built for the same content."""
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
    table = pa.table(cols, schema=DIM_SCHEMA)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    content = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]
    path = base / f"c-{content}" / "dim.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    return path


def _stale(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime >= KEEP_OLD_SECONDS
    except FileNotFoundError:
        return False


def _cleanup(dim_dir: Path, content_dir: Path, snap_dir: Path) -> None:
    """Remove older derived data, except what another process may still be reading (recent)."""
    import time

    base = _root() / "derived"
    now = time.time()
    for child in base.iterdir():
        if child.name.startswith(".") or child in (dim_dir, content_dir):
            continue
        if _stale(child, now):
            shutil.rmtree(child, ignore_errors=True)
    for child in content_dir.iterdir():
        if child.name.startswith("s-") and child != snap_dir and _stale(child, now):
            shutil.rmtree(child, ignore_errors=True)


_snapshots: dict[str, Snapshot] = {}

R2_SQL = (
    # taxpayers: enterprises (all taxpayer IDs of one registry enterprise together, or one
    # unmatched taxpayer ID) whose total tax in the month is positive
    "SELECT month, key_industry_id, area_id, matched, sum(district_fen)::BIGINT AS district_fen, "
    "sum(total_fen)::BIGINT AS total_fen, count(*) FILTER (WHERE total_fen > 0) AS taxpayers "
    "FROM (SELECT e.month, coalesce(d.credit_code, e.taxpayer_id) AS k, d.key_industry_id, d.area_id, "
    "(d.enterprise_id IS NOT NULL) AS matched, sum(e.district_fen) AS district_fen, "
    "sum(e.total_fen) AS total_fen "
    "FROM {em} e LEFT JOIN {dim} d ON d.taxpayer_id = e.taxpayer_id "
    "WHERE NOT coalesce(d.outside, FALSE) GROUP BY ALL) j GROUP BY ALL ORDER BY month"
)
R1_SQL = (
    "SELECT f.month, d.key_industry_id, d.area_id, (d.enterprise_id IS NOT NULL) AS matched, f.tax_type, "
    "sum(f.district_fen)::BIGINT AS district_fen, sum(f.total_fen)::BIGINT AS total_fen "
    "FROM {facts} f LEFT JOIN {dim} d ON d.taxpayer_id = f.taxpayer_id "
    "WHERE NOT coalesce(d.outside, FALSE) GROUP BY ALL ORDER BY month"
)


def current() -> Snapshot:
    """The current snapshot, building whatever is missing (idempotent, safe across processes).

    Layout under ``derived/``: ``d-<dim key>/content`` names the dimension's content hash;
    ``c-<content>/dim.parquet`` is the dimension; ``c-<content>/part/`` holds the rollups of each
    (month, version), so an import rebuilds one month, not the history; ``c-<content>/s-<active>/``
    holds the snapshot's r1/r2 (the parts concatenated) and its per-month ``ey`` tables.

    Per request this costs the fingerprint plus one ``stat``: the Snapshot of a key is cached in
    the process."""
    dim_key, active = _fingerprint()
    active_key = hashlib.sha256(repr(active).encode()).hexdigest()[:16]
    # the library folder is part of the key: a process that switches folders (tests, `peiyu check`)
    # must not be served another library's snapshot whose files still exist
    key = f"{dim_key}-{active_key}"
    cache_key = f"{_root()}:{key}"
    cached = _snapshots.get(cache_key)
    if cached is not None and os.path.exists(cached.r2_path):
        return cached
    derived = _root() / "derived"
    dim_dir = derived / f"d-{dim_key}"
    pointer = dim_dir / "content"
    fact_paths = tuple(str(library.fact_path(m, v)) for m, v in active)
    months = tuple(m for m, _ in active)
    em_paths = tuple(str(em_path(m, v)) for m, v in active)
    if pointer.exists():
        content_dir = derived / pointer.read_text().strip()
        snap_dir = content_dir / f"s-{active_key}"
        snap = Snapshot(
            key,
            months,
            fact_paths,
            em_paths,
            str(content_dir / "dim.parquet"),
            str(snap_dir / "r1.parquet"),
            str(snap_dir / "r2.parquet"),
        )
        if os.path.exists(snap.r1_path) and os.path.exists(snap.r2_path) and os.path.exists(snap.dim_path):
            _snapshots.clear()
            _snapshots[cache_key] = snap
            return snap
    with _lock:
        for m, v in active:
            _build_em(m, v)
        if pointer.exists():
            content_dir = derived / pointer.read_text().strip()
            dim_path = content_dir / "dim.parquet"
        else:
            dim_path = _build_dim(derived)
            content_dir = dim_path.parent
            dim_dir.mkdir(parents=True, exist_ok=True)
            tmp = dim_dir / f".content.{os.getpid()}.{threading.get_ident()}"
            tmp.write_text(content_dir.name)
            os.replace(tmp, pointer)
        engine = get_engine()
        dim = engine.parquet([str(dim_path)])
        snap_dir = content_dir / f"s-{active_key}"
        snap = Snapshot(
            key,
            months,
            fact_paths,
            em_paths,
            str(dim_path),
            str(snap_dir / "r1.parquet"),
            str(snap_dir / "r2.parquet"),
        )
        r1_parts, r2_parts = [], []
        for (m, v), fpath, epath in zip(active, fact_paths, em_paths, strict=True):
            r2_part = content_dir / "part" / f"r2-{m}-v{v}.parquet"
            r1_part = content_dir / "part" / f"r1-{m}-v{v}.parquet"
            if not r2_part.exists():
                _atomic_copy(R2_SQL.format(em=engine.parquet([epath], EM_SCHEMA), dim=dim), r2_part)
            if not r1_part.exists():
                _atomic_copy(
                    R1_SQL.format(facts=engine.parquet([fpath], library.FACT_SCHEMA), dim=dim), r1_part
                )
            r1_parts.append(str(r1_part))
            r2_parts.append(str(r2_part))
        if not os.path.exists(snap.r2_path):
            src = (
                f"SELECT * FROM {engine.parquet(r2_parts)} ORDER BY month"
                if r2_parts
                else R2_SQL.format(em=snap.em_sql(engine=engine), dim=dim)
            )
            _atomic_copy(src, Path(snap.r2_path))
        if not os.path.exists(snap.r1_path):
            src = (
                f"SELECT * FROM {engine.parquet(r1_parts)} ORDER BY month"
                if r1_parts
                else R1_SQL.format(facts=snap.facts_sql(engine=engine), dim=dim)
            )
            _atomic_copy(src, Path(snap.r1_path))
        _cleanup(dim_dir, content_dir, snap_dir)
        _snapshots.clear()
        _snapshots[cache_key] = snap
        return snap


# ---------------------------------------------------------------------------------------------
# Enterprise-level measures of one month (``ey``), built on first use and cached per snapshot.

MEASURES_SQL = (
    "CAST(sum(CASE WHEN month = $m THEN district_fen ELSE 0 END) AS BIGINT) AS month_fen, "
    "CAST(sum(CASE WHEN month = $m THEN total_fen ELSE 0 END) AS BIGINT) AS month_total_fen, "
    "CAST(sum(CASE WHEN month = $pm THEN district_fen ELSE 0 END) AS BIGINT) AS prev_month_fen, "
    "CAST(sum(CASE WHEN month = $lym THEN district_fen ELSE 0 END) AS BIGINT) AS month_last_year_fen, "
    "CAST(sum(CASE WHEN month BETWEEN $ys AND $m THEN district_fen ELSE 0 END) AS BIGINT) AS ytd_fen, "
    "CAST(sum(CASE WHEN month BETWEEN $ys AND $m THEN total_fen ELSE 0 END) AS BIGINT) AS ytd_total_fen, "
    "CAST(sum(CASE WHEN month BETWEEN $pys AND $lym THEN district_fen ELSE 0 END) AS BIGINT) AS prev_ytd_fen, "
    "CAST(sum(CASE WHEN month BETWEEN $pys AND $lym THEN total_fen ELSE 0 END) AS BIGINT) AS prev_ytd_total_fen"
)


def em_join_sql(snap: Snapshot, months: Any = None, engine: Engine | None = None) -> str:
    """Enterprise-month rows joined to the dimension (unscoped: analytics wraps it in the scope)."""
    engine = engine or get_engine()
    return (
        "SELECT e.month, e.taxpayer_id, d.enterprise_id, coalesce(d.credit_code, e.taxpayer_id) AS credit_code, "
        "coalesce(d.name, e.taxpayer_name) AS name, d.key_industry_id, d.area_id, d.status, "
        "coalesce(d.is_key, FALSE) AS is_key, (d.enterprise_id IS NOT NULL) AS matched, e.total_fen, e.district_fen "
        f"FROM {snap.em_sql(months, engine)} e LEFT JOIN {snap.dim_sql(engine)} d ON d.taxpayer_id = e.taxpayer_id "
        "WHERE NOT coalesce(d.outside, FALSE)"
    )


def ensure_ey(snap: Snapshot, month: str, engine: Engine | None = None) -> str:
    """The per-enterprise measures of ``month`` (one row per enterprise — all its taxpayer IDs
    together — or per unmatched taxpayer ID): the month, previous month, same month last year,
    累计 and the same period last year. Reading it is one file of ~100,000 rows instead of 24
    months of enterprise-month rows."""
    params = period_params(parse_month(month))
    path = snap.ey_path(month)
    if os.path.exists(path):
        return path
    window = [m for m in snap.months if params["pys"] <= m <= month]
    with _lock:
        if not os.path.exists(path):
            _atomic_copy(
                "SELECT credit_code, max(name) AS name, max(enterprise_id) AS enterprise_id, "
                "max(key_industry_id) AS key_industry_id, max(area_id) AS area_id, max(status) AS status, "
                "bool_or(is_key) AS is_key, bool_or(matched) AS matched, "
                f"{MEASURES_SQL} FROM ({em_join_sql(snap, window, engine)}) j GROUP BY credit_code "
                "HAVING month_fen <> 0 OR ytd_fen <> 0 OR prev_ytd_fen <> 0 OR ytd_total_fen <> 0 "
                "OR prev_ytd_total_fen <> 0 OR prev_month_fen <> 0 ORDER BY credit_code",
                Path(path),
                params,
                engine,
            )
    return path


@receiver(tax_library_changed)
def _refresh_on_import(sender, **kwargs) -> None:
    """New facts: the active versions are part of the fingerprint, so no bump is needed; build the
    new month's parts now so the next dashboard view is fast (the enterprise-level ``ey`` table is
    left to the first page that needs it, to keep imports quick)."""
    current()


@receiver(dimension_changed)
def _refresh_on_change(sender, **kwargs) -> None:
    """Invalidate, then rebuild eagerly so the next dashboard view is fast."""
    bump_generation()
    current()


@receiver(post_save, sender="registry.Enterprise")
@receiver(post_delete, sender="registry.Enterprise")
@receiver(post_save, sender="taxes.TaxpayerLink")
@receiver(post_delete, sender="taxes.TaxpayerLink")
@receiver(post_delete, sender="registry.KeyIndustry")
def _row_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    bump_on_commit()
