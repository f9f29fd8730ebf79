"""Data changes of the tax library's OLTP side: each a small ``do_*`` function in one transaction,
each writing an audit row, each announcing itself to the rest of the platform on commit."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.db.models import Max

from peiyu.accounts import audit
from peiyu.core.signals import dimension_changed, tax_library_changed
from peiyu.registry import uscc
from peiyu.taxes import audit_actions as A
from peiyu.taxes import library
from peiyu.taxes.models import SharingRatio, TaxBatch, TaxpayerLink

if TYPE_CHECKING:
    from peiyu.taxes.importer import ParsedFile

REPORT_UNMATCHED_LIMIT = 500


class ActionError(Exception):
    """A refused change; the message is Chinese and shown to the user as is."""


def _announce_months(months: list[str]) -> None:
    transaction.on_commit(lambda: tax_library_changed.send(sender=TaxBatch, months=list(months)))


def _announce_dimension() -> None:
    transaction.on_commit(lambda: dimension_changed.send(sender=TaxpayerLink))


def _empty_report(base: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "rejected",
        "month": "",
        "version": None,
        "rows": 0,
        "taxpayers": 0,
        "total_fen": 0,
        "district_fen": 0,
        "matched_enterprises": 0,
        "unmatched_taxpayers": 0,
        "errors": [],
        "district_source": "",
        "unit": "",
        "layout": "",
        "batch_id": None,
        **base,
    }


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------
# Imports


def do_reject_import(user: Any, pf: ParsedFile, base: dict[str, Any]) -> dict[str, Any]:
    """Record a rejected file: a TaxBatch with status rejected and every error; nothing else changes."""
    report = _empty_report(base) | {
        "month": pf.month,
        "rows": pf.rows,
        "taxpayers": len(pf.names),
        "errors": pf.errors,
        "district_source": pf.district_source,
        "unit": pf.unit,
        "layout": pf.layout,
        "month_sources": pf.month_sources,
        "notes": pf.notes,
        "ignored_columns": pf.ignored_columns,
        "error_count": len(pf.errors),
        "message": f"文件被拒绝：发现 {len(pf.errors)} 处问题，整个文件未入库，该月已有版本保持不变",
    }
    with transaction.atomic():
        batch = TaxBatch.objects.create(
            month=pf.month or "",
            status=TaxBatch.Status.REJECTED,
            file_name=base["file"][:255],
            sha256=base["sha256"],
            uploaded_by=_user(user),
            layout=pf.layout,
            unit=pf.unit[:10],
            district_source=pf.district_source,
            rows=pf.rows,
            taxpayers=len(pf.names),
            errors=pf.errors,
            note=report["message"],
        )
        report["batch_id"] = batch.pk
        batch.report = {k: v for k, v in report.items() if k != "errors"}
        batch.save(update_fields=["report"])
        audit.record(
            user,
            A.IMPORT_REJECT,
            batch,
            detail={
                "file": base["file"],
                "sha256": base["sha256"],
                "month": pf.month,
                "errors": len(pf.errors),
            },
        )
    return report


def do_note_duplicate(user: Any, existing: TaxBatch, file_name: str) -> dict[str, Any]:
    """The very same file (same sha256) is already the active version of its month: say so."""
    report = {
        "rows": existing.rows,
        "taxpayers": existing.taxpayers,
        "total_fen": existing.total_fen,
        "district_fen": existing.district_fen,
        "matched_enterprises": existing.matched_enterprises,
        "unmatched_taxpayers": existing.unmatched_taxpayers,
        "district_source": existing.district_source,
        "unit": existing.unit,
        "layout": existing.layout,
        "sha256": existing.sha256,
        **(existing.report or {}),
    }
    report.update(
        {
            "status": "accepted",
            "duplicate": True,
            "file": file_name,
            "batch_id": existing.pk,
            "month": existing.month,
            "version": existing.version,
            "errors": [],
            "message": f"该文件（SHA-256 相同）已是 {existing.month} 的当前版本 v{existing.version}，未重复入库；如确需重新入库请使用 --force",
        }
    )
    with transaction.atomic():
        audit.record(
            user, A.IMPORT_DUPLICATE, existing, detail={"file": file_name, "sha256": existing.sha256}
        )
    return report


def registry_codes() -> pa.Array:
    """Every registered credit code, as one Arrow array (loaded once per import)."""
    from django.db import connection

    from peiyu.registry.models import Enterprise

    with connection.cursor() as cur:
        cur.execute(f"SELECT credit_code FROM {connection.ops.quote_name(Enterprise._meta.db_table)}")
        return pa.array([r[0] for r in cur.fetchall()], pa.string())


def _match(
    ids: list[str], names: dict[str, str], month: str, registered: pa.Array | None = None
) -> tuple[int, list[str], dict[str, dict[str, Any]]]:
    """(number of matched enterprises, unmatched taxpayer ids, taxpayer id → link state for the ids
    not registered), creating
    待匹配 links for taxpayers seen for the first time and moving first/last month of the others.

    Bulk SQL on purpose: a monthly file has ~10⁵ taxpayers; the registry map is loaded once."""
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
    return matched_count, sorted(others_set), links


def _last_version_on_disk(month: str) -> int:
    folder = library.root() / "facts" / f"month={month}"
    if not folder.is_dir():
        return 0
    found = [int(p.name.split("=", 1)[1]) for p in folder.iterdir() if re.fullmatch(r"version=\d+", p.name)]
    return max(found, default=0)


def do_accept_import(
    user: Any,
    pf: ParsedFile,
    ratios: dict[str, Decimal],
    base: dict[str, Any],
    *,
    force: bool = False,
    registry: pa.Array | None = None,
) -> dict[str, Any]:
    """Store an accepted file as the next version of its month and make it the active one.

    Order: create the batch row, write the Parquet facts (immutable file), update the taxpayer
    links, then switch ``is_active`` — all in one transaction, so readers see either the old or the
    new version. If anything fails the transaction rolls back and the written file is removed."""
    from peiyu.taxes.importer import facts_table, summarize

    month = pf.month
    written = None
    try:
        with transaction.atomic():
            # lock the month's versions (PostgreSQL; SQLite serialises writers anyway)
            list(
                TaxBatch.objects.select_for_update()
                .filter(month=month, status=TaxBatch.Status.ACCEPTED)
                .values_list("pk")
            )
            last = (
                TaxBatch.objects.filter(month=month, status=TaxBatch.Status.ACCEPTED).aggregate(
                    v=Max("version")
                )["v"]
                or 0
            )
            version = max(last, _last_version_on_disk(month)) + 1  # a crashed import may have left a file
            batch = TaxBatch.objects.create(
                month=month,
                version=version,
                status=TaxBatch.Status.ACCEPTED,
                is_active=False,
                file_name=base["file"][:255],
                sha256=base["sha256"],
                uploaded_by=_user(user),
                layout=pf.layout,
                unit=pf.unit[:10],
                district_source=pf.district_source,
                rows=pf.rows,
            )
            table = facts_table(pf, batch.pk, ratios)
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tax-write") as pool:
                writing = pool.submit(
                    library.write_facts, month, version, table
                )  # Arrow writes without the GIL
                try:
                    ids = list(pf.names)
                    matched_count, unmatched_ids, links = _match(ids, pf.names, month, registry)
                finally:
                    written = writing.result()  # raises if the write failed (nothing of ours on disk then)
            total = int(pc.sum(table["total_fen"]).as_py() or 0)
            district = int(pc.sum(table["district_fen"]).as_py() or 0)
            summary = summarize(pf, table)
            unmatched_rows = _unmatched_rows(table, unmatched_ids, links, pf.names)
            previous = TaxBatch.objects.filter(month=month, is_active=True).first()
            report = _empty_report(base) | {
                "status": "accepted",
                "month": month,
                "version": version,
                "rows": pf.rows,
                "facts": table.num_rows,
                "taxpayers": len(ids),
                "total_fen": total,
                "district_fen": district,
                "matched_enterprises": matched_count,
                "unmatched_taxpayers": len(unmatched_ids),
                "pending_taxpayers": sum(
                    1 for i in unmatched_ids if links[i]["status"] == TaxpayerLink.Status.PENDING
                ),
                "errors": [],
                "district_source": pf.district_source,
                "unit": pf.unit,
                "layout": pf.layout,
                "batch_id": batch.pk,
                "month_sources": pf.month_sources,
                "file_totals": pf.file_totals,
                "notes": pf.notes,
                "ignored_columns": pf.ignored_columns,
                "replaced_version": previous.version if previous else None,
                "forced": bool(force),
                "unmatched": unmatched_rows[:REPORT_UNMATCHED_LIMIT],
                **summary,
                "message": f"已入库：{month} 第 {version} 版，{pf.rows} 行，{len(ids)} 户纳税人",
            }
            TaxBatch.objects.filter(month=month, is_active=True).update(is_active=False)
            batch.is_active = True
            batch.path = str(written)
            batch.taxpayers = len(ids)
            batch.total_fen = total
            batch.district_fen = district
            batch.matched_enterprises = report["matched_enterprises"]
            batch.unmatched_taxpayers = report["unmatched_taxpayers"]
            batch.report = {k: v for k, v in report.items() if k != "errors"}
            batch.note = report["message"]
            batch.save()
            audit.record(
                user,
                A.IMPORT_ACCEPT,
                batch,
                before={"active_version": previous.version if previous else None},
                after={
                    "active_version": version,
                    "total_fen": total,
                    "district_fen": district,
                    "rows": pf.rows,
                },
                detail={"file": base["file"], "sha256": base["sha256"], "forced": bool(force)},
            )
            _announce_months([month])
    except BaseException:
        if written is not None and written.exists():
            written.unlink()
        raise
    return report


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


def _unmatched_rows(
    table: pa.Table, unmatched_ids: list[str], links: dict[str, dict[str, Any]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """The unmatched taxpayers of this file, largest first (at most REPORT_UNMATCHED_LIMIT)."""
    if not unmatched_ids:
        return []
    sub = table.filter(pc.is_in(table["taxpayer_id"], value_set=pa.array(unmatched_ids, pa.string())))
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
        link = links.get(i) or {}
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


def do_rollback(user: Any, batch: TaxBatch, reason: str = "") -> TaxBatch:
    """Make an earlier accepted version of its month the active one again (audited)."""
    if batch.status != TaxBatch.Status.ACCEPTED or batch.version is None:
        raise ActionError("只能回滚到已入库的版本")
    if not library.fact_path(batch.month, batch.version).exists():
        raise ActionError(f"{batch.month} 第 {batch.version} 版的数据文件不存在，无法回滚")
    with transaction.atomic():
        current = TaxBatch.objects.select_for_update().filter(month=batch.month, is_active=True).first()
        if current is not None and current.pk == batch.pk:
            raise ActionError(f"第 {batch.version} 版已是 {batch.month} 的当前版本")
        TaxBatch.objects.filter(month=batch.month, is_active=True).update(is_active=False)
        TaxBatch.objects.filter(pk=batch.pk).update(is_active=True)
        batch.is_active = True
        audit.record(
            user,
            A.VERSION_ROLLBACK,
            batch,
            before={"active_version": current.version if current else None},
            after={"active_version": batch.version},
            reason=reason,
        )
        _announce_months([batch.month])
    return batch


# ---------------------------------------------------------------------------------------------
# The 待匹配 queue


def _link_state(link: TaxpayerLink) -> dict[str, Any]:
    return {
        "status": link.status,
        "enterprise": link.enterprise.credit_code if link.enterprise is not None else None,
    }


def _set_link(
    user: Any,
    link: TaxpayerLink,
    status: str,
    enterprise: Any,
    action: str,
    reason: str,
    keep_note: bool = True,
) -> TaxpayerLink:
    """One state change of a 待匹配 row, audited; figures follow at query time (no re-import)."""
    with transaction.atomic():
        link = (
            TaxpayerLink.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=link.pk)
        )
        before = _link_state(link)
        link.status = status
        link.enterprise = enterprise
        link.updated_by = _user(user)
        if reason and keep_note:
            link.note = reason
        link.save()
        audit.record(
            user,
            action,
            link,
            object_id=link.taxpayer_id,
            before=before,
            after=_link_state(link),
            reason=reason,
        )
        _announce_dimension()
    return link


def do_link_taxpayer(user: Any, link: TaxpayerLink, enterprise: Any, reason: str = "") -> TaxpayerLink:
    """Link a taxpayer to a registry enterprise; its tax follows the enterprise from now on (all months)."""
    if enterprise is None:
        raise ActionError("请选择要关联的企业")
    return _set_link(user, link, TaxpayerLink.Status.LINKED, enterprise, A.TAXPAYER_LINK, reason)


def do_mark_outside(user: Any, link: TaxpayerLink, reason: str = "") -> TaxpayerLink:
    """Mark a taxpayer as outside the district (not counted for any enterprise)."""
    return _set_link(user, link, TaxpayerLink.Status.OUTSIDE, None, A.TAXPAYER_OUTSIDE, reason)


def do_reset_link(user: Any, link: TaxpayerLink, reason: str = "") -> TaxpayerLink:
    """Put a taxpayer back into the 待匹配 queue."""
    return _set_link(user, link, TaxpayerLink.Status.PENDING, None, A.TAXPAYER_RESET, reason, keep_note=False)


# ---------------------------------------------------------------------------------------------
# Sharing ratios


def clean_ratio(tax_type: str, valid_from: str, pct: Any) -> tuple[str, str, Decimal]:
    """Validate a ratio form/CLI input; raises ActionError with a Chinese message."""
    from peiyu.taxes.importer import TAX_ALIASES

    t = re.sub(r"\s+", "", str(tax_type or ""))
    t = TAX_ALIASES.get(t, t)
    if not t:
        raise ActionError("请填写税种")
    vf = str(valid_from or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", vf)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ActionError(f"起始月份“{vf}”格式应为 YYYY-MM，例如 2025-01")
    vf = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    try:
        value = Decimal(str(pct).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ActionError(f"区级比例“{pct}”不是数字") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ActionError(f"区级比例“{pct}”应在 0 到 100 之间")
    if value != value.quantize(Decimal("0.0001")):
        raise ActionError(f"区级比例“{pct}”最多保留四位小数")
    return t, vf, value.quantize(Decimal("0.0001"))


def _ratio_state(r: SharingRatio | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "tax_type": r.tax_type,
        "valid_from": r.valid_from,
        "district_pct": str(r.district_pct),
        "note": r.note,
    }


def do_save_ratio(user: Any, tax_type: str, valid_from: str, pct: Any, note: str = "") -> SharingRatio:
    """Create or change the district share of a tax type from a month on (audited)."""
    t, vf, value = clean_ratio(tax_type, valid_from, pct)
    with transaction.atomic():
        ratio = SharingRatio.objects.select_for_update().filter(tax_type=t, valid_from=vf).first()
        before = _ratio_state(ratio)
        if ratio is None:
            ratio = SharingRatio(tax_type=t, valid_from=vf)
        ratio.district_pct = value
        ratio.note = (note or "")[:200]
        ratio.save()
        audit.record(
            user,
            A.RATIO_SAVE,
            ratio,
            object_repr=f"{t} 自 {vf}",
            before=before,
            after=_ratio_state(ratio),
        )
    return ratio


def do_delete_ratio(user: Any, ratio: SharingRatio, reason: str = "") -> None:
    with transaction.atomic():
        before = _ratio_state(ratio)
        pk = ratio.pk
        audit.record(
            user,
            A.RATIO_DELETE,
            ratio,
            object_repr=f"{ratio.tax_type} 自 {ratio.valid_from}",
            before=before,
            reason=reason,
        )
        SharingRatio.objects.filter(pk=pk).delete()
