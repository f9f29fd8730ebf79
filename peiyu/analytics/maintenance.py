"""The heavy analytics jobs and the engine agreement check of a deployment (``peiyu analytics …``).

- :func:`rebuild` builds, on one engine (Spark on a cluster), every derived table the web tier reads:
  the enterprise-month totals of each active (month, version) — the warning inputs that
  ``alerts.window_sums`` and the key-enterprise set read —, the enterprise dimension, the monthly
  rollups ``r1``/``r2`` per (month, version) and concatenated, and the yearly recomputation: the
  per-enterprise measures ``ey`` of every month (累计 and the same period last year). They are the
  same files, at the same content-addressed paths, that :func:`peiyu.taxes.rollups.current` would
  build on first use, so pages and the API find them and only read them. ``force`` deletes the
  derived tables first (pages that run meanwhile rebuild what they need on first use).
- :func:`check` runs every registered analytics query with its sample parameters for a set of
  scopes on two engines and compares the results (to the fen), and recomputes the rollups from the
  enterprise-month files and the facts on both engines and compares them with the stored rollups.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from typing import Any

from peiyu.analytics.engine import Engine, get_engine, use_engine
from peiyu.analytics.registry import queries
from peiyu.analytics.runner import as_scope


def rebuild(
    engine: str | Engine | None = None, *, force: bool = False, months: Iterable[str] | None = None
) -> dict[str, Any]:
    """Build the derived tables with ``engine``; ``months`` limits the ``ey`` tables (default: every
    active month). Returns what was built and how long each phase took."""
    from peiyu.taxes import library, rollups

    chosen = get_engine(engine) if isinstance(engine, str) or engine is None else engine
    phases: dict[str, float] = {}
    started = time.monotonic()
    if force:
        root = library.root()
        for sub in ("derived", "em"):
            shutil.rmtree(root / sub, ignore_errors=True)
        rollups._snapshots.clear()
    with use_engine(chosen):
        t = time.monotonic()
        snap = rollups.current()  # em per (month, version), dim, r1/r2 parts and the snapshot's r1/r2
        phases["rollups"] = round(time.monotonic() - t, 2)
        wanted = list(snap.months) if months is None else [m for m in snap.months if m in set(months)]
        t = time.monotonic()
        for month in wanted:
            rollups.ensure_ey(snap, month, chosen)
        phases["ey"] = round(time.monotonic() - t, 2)
        counts = chosen.rows(
            f"SELECT (SELECT count(*) FROM {chosen.parquet([snap.r2_path])}), "
            f"(SELECT count(*) FROM {chosen.parquet([snap.r1_path])})"
        )[0]
    return {
        "engine": chosen.name,
        "master": getattr(chosen, "master", None),
        "months": len(snap.months),
        "em_files": len(snap.em_paths),
        "ey_months": len(wanted),
        "r2_rows": int(counts[0]),
        "r1_rows": int(counts[1]),
        "snapshot": snap.key,
        "library": str(library.root()),
        "seconds": {**phases, "total": round(time.monotonic() - started, 2)},
    }


def _normalise(value: Any) -> Any:
    """Results compared as data: tuples and lists alike, dict keys in any order."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def default_scopes(limit: int = 20) -> list[Any]:
    """EVERYTHING and the distinct scopes of up to ``limit`` active users (by id)."""
    from django.contrib.auth import get_user_model

    from peiyu.accounts.scope import EVERYTHING

    out, seen = [EVERYTHING], {EVERYTHING}
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        if len(out) > limit:
            break
        s = as_scope(user)
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def _rollup_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    from peiyu.taxes import rollups

    snap = rollups.current()
    dim = engine.parquet([snap.dim_path])
    out = {}
    for name, sql, stored in (
        ("r2", rollups.R2_SQL.format(em=snap.em_sql(engine=engine), dim=dim), snap.r2_path),
        ("r1", rollups.R1_SQL.format(facts=snap.facts_sql(engine=engine), dim=dim), snap.r1_path),
    ):
        out[name] = _sorted(engine.rows(f"SELECT * FROM ({sql}) x"))
        out[f"{name}_stored"] = _sorted(engine.rows(f"SELECT * FROM {engine.parquet([stored])}"))
    return out


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in rows), key=lambda r: tuple((v is None, v) for v in r))


def check(engines: tuple[str, str] = ("duckdb", "spark"), scopes: list[Any] | None = None) -> dict[str, Any]:
    """Compare every registered query (every sample, every scope) and the rollups on two engines."""
    from peiyu.analytics.testing import run_every_query

    scopes = default_scopes() if scopes is None else scopes
    a, b = (get_engine(e) for e in engines)
    started = time.monotonic()
    results, rollup = [], []
    seconds = {}
    for eng in (a, b):
        t = time.monotonic()
        with use_engine(eng):
            results.append(run_every_query(scopes))
            rollup.append(_rollup_rows(eng))
        seconds[eng.name] = round(time.monotonic() - t, 2)
    mismatches = [
        {"query": name, "scope": i, "sample": j}
        for (name, i, j) in results[0]
        if _normalise(results[0][(name, i, j)]) != _normalise(results[1].get((name, i, j)))
    ]
    mismatches += [
        {"query": name, "scope": None, "sample": None}
        for name, rows in rollup[0].items()
        if [list(r) for r in rows] != [list(r) for r in rollup[1][name]]
    ]
    stored_ok = all(rollup[k][n] == rollup[k][f"{n}_stored"] for k in (0, 1) for n in ("r1", "r2"))
    return {
        "ok": not mismatches and stored_ok,
        "engines": [a.name, b.name],
        "queries": len(queries()),
        "scopes": len(scopes),
        "compared": len(results[0]) + len(rollup[0]),
        "rollups_match_stored": stored_ok,
        "mismatches": mismatches[:50],
        "seconds": {**seconds, "total": round(time.monotonic() - started, 2)},
    }
