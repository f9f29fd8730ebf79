"""Matching a file's taxpayers to the registry, for the tax import: a taxpayer whose ID is a
registered credit code is that enterprise; a taxpayer linked in the 待匹配 queue counts for its
enterprise; every other taxpayer waits in the queue (a TaxpayerLink, created the first time it is
seen, its first and last month moved as files arrive).

Bulk SQL on purpose: a monthly file has ~10⁵ taxpayers; the registry's codes are loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from peiyu.registry import uscc
from peiyu.taxes.models import TaxpayerLink

REPORT_UNMATCHED_LIMIT = 500


@dataclass
class Matching:
    matched_enterprises: int  # distinct enterprises reached (directly or through a link)
    unmatched: list[str]  # taxpayer IDs that reach no enterprise, sorted
    links: dict[str, dict[str, Any]]  # taxpayer ID → link state, for the IDs not registered

    @property
    def pending(self) -> int:
        return sum(1 for i in self.unmatched if self.links[i]["status"] == TaxpayerLink.Status.PENDING)


def registry_codes() -> pa.Array:
    """Every registered credit code, as one Arrow array (loaded once per import)."""
    from django.db import connection

    from peiyu.registry.models import Enterprise

    with connection.cursor() as cur:
        cur.execute(f"SELECT credit_code FROM {connection.ops.quote_name(Enterprise._meta.db_table)}")
        return pa.array([r[0] for r in cur.fetchall()], pa.string())


def match_taxpayers(
    ids: list[str], names: dict[str, str], month: str, registered: pa.Array | None = None
) -> Matching:
    """Match ``ids`` (the file's taxpayers, once each), creating 待匹配 links for taxpayers seen for
    the first time and moving the first/last month of the others (inside the caller's transaction)."""
    from django.db import connection
    from django.utils import timezone

    from peiyu.registry.models import Enterprise

    ent_table = connection.ops.quote_name(Enterprise._meta.db_table)
    link_table = connection.ops.quote_name(TaxpayerLink._meta.db_table)
    with connection.cursor() as cur:
        if registered is None:
            registered = registry_codes()
        ids_arr = pa.array(ids, pa.string())
        is_registered = pc.is_in(ids_arr, value_set=registered)  # vectorised: ~10⁵ × ~10⁵
        found = set(ids_arr.filter(is_registered).to_pylist())
        enterprises = set()  # enterprises reached through a link (a direct match is its own enterprise)
        others = ids_arr.filter(pc.invert(is_registered)).to_pylist()
        others_set = set(others)
        cur.execute(
            f"SELECT taxpayer_id, id, status, enterprise_id, first_month, last_month, name FROM {link_table}"
        )
        links: dict[str, dict[str, Any]] = {}
        for tid, pk, status, eid, fm, lm, nm in cur.fetchall():
            if tid in others_set:
                links[tid] = {
                    "pk": pk,
                    "status": status,
                    "enterprise_id": eid,
                    "first": fm,
                    "last": lm,
                    "name": nm,
                }
        now = timezone.now()
        new, changed = [], []
        for i in others:
            link = links.get(i)
            if link is None:
                nm = (names.get(i) or "")[:200]
                new.append((i[:40], nm, TaxpayerLink.Status.PENDING.value, month, month, "", now))
                links[i] = {"pk": None, "status": TaxpayerLink.Status.PENDING.value, "enterprise_id": None}
                continue
            fm = month if not link["first"] or month < link["first"] else link["first"]
            lm = month if not link["last"] or month > link["last"] else link["last"]
            nm = link["name"] or (names.get(i) or "")[:200]
            if (fm, lm, nm) != (link["first"], link["last"], link["name"]):
                changed.append((fm, lm, nm, now, link["pk"]))
            if link["status"] == TaxpayerLink.Status.LINKED and link["enterprise_id"]:
                enterprises.add(link["enterprise_id"])
                others_set.discard(i)
        if new:
            cur.executemany(
                f"INSERT INTO {link_table} (taxpayer_id, name, status, first_month, last_month, note, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                new,
            )
        if changed:
            cur.executemany(
                f"UPDATE {link_table} SET first_month = %s, last_month = %s, name = %s, updated_at = %s WHERE id = %s",
                changed,
            )
    if enterprises:
        with connection.cursor() as cur:
            ph = ", ".join(["%s"] * len(enterprises))
            cur.execute(f"SELECT credit_code FROM {ent_table} WHERE id IN ({ph})", list(enterprises))
            linked_codes = {r[0] for r in cur.fetchall()}
        matched_count = len(found) + len(enterprises) - len(linked_codes & found)
    else:
        matched_count = len(found)
    return Matching(matched_count, sorted(others_set), links)


def _id_kind(taxpayer_id: str) -> str:
    """uscc / legacy / invalid, like uscc.classify_taxpayer_id for already-normalised IDs (faster:
    the check character decides; the report only labels the kind)."""
    if (
        len(taxpayer_id) == 18
        and all(c in uscc.VALUES for c in taxpayer_id)
        and uscc.check_character(taxpayer_id[:17]) == taxpayer_id[17]
    ):
        return "uscc"
    return "legacy" if uscc.LEGACY_PATTERN.match(taxpayer_id) else "invalid"


def unmatched_rows(table: pa.Table, matching: Matching, names: dict[str, str]) -> list[dict[str, Any]]:
    """The unmatched taxpayers of this file, largest first (at most REPORT_UNMATCHED_LIMIT)."""
    if not matching.unmatched:
        return []
    sub = table.filter(pc.is_in(table["taxpayer_id"], value_set=pa.array(matching.unmatched, pa.string())))
    g = sub.group_by("taxpayer_id").aggregate([("total_fen", "sum"), ("district_fen", "sum")])
    g = g.append_column("size", pc.abs(g["total_fen_sum"]))
    g = g.sort_by([("size", "descending"), ("taxpayer_id", "ascending")]).slice(0, REPORT_UNMATCHED_LIMIT)
    kinds = {"uscc": "统一社会信用代码（未登记）", "legacy": "旧纳税人识别号", "invalid": "格式异常"}
    rows = []
    for i, tot, dis in zip(
        g["taxpayer_id"].to_pylist(),
        g["total_fen_sum"].to_pylist(),
        g["district_fen_sum"].to_pylist(),
        strict=True,
    ):
        link = matching.links.get(i) or {}
        rows.append(
            {
                "taxpayer_id": i,
                "name": names.get(i, ""),
                "id_kind": kinds[_id_kind(i)],
                "status": link.get("status", TaxpayerLink.Status.PENDING.value),
                "total_fen": int(tot or 0),
                "district_fen": int(dis or 0),
            }
        )
    return rows
