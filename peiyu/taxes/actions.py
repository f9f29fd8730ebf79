"""Data changes of the tax library's OLTP side: each a small ``do_*`` function in one transaction,
each writing an audit row, each announcing itself to the rest of the platform on commit.

The tax import, followed from an uploaded file to the served version of its month::

    do_import_tax_file
      ├─ parse.read_tax_file          (worker thread)   meanwhile: the file kept (core Upload, sha256),
      │                               the run recorded (core ImportBatch), duplicate check, registry codes
      ├─ parse.parse_tax_file         pure: layout → rows → amounts → 合计 → month → facts   (peiyu/taxes/parse/)
      ├─ sharing ratios               when the file has no 区级 column
      ├─ refused   → _refuse_file     a rejected TaxBatch with every error row; nothing else changes
      ├─ duplicate → _note_duplicate  the same file is already the month's active version
      └─ accepted  → _accept_file     next version number, TaxBatch, facts table, then
                       library.activate_version: the file written (worker thread) while
                       matching.match_taxpayers fills the 待匹配 queue and the report, the run's record
                       and the audit row are written; the month switched to the new version;
                       tax_library_changed on commit
"""

from __future__ import annotations

import gc
import logging
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import wraps
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from peiyu.accounts import audit
from peiyu.core.imports import save_upload, sha256_of
from peiyu.core.models import ImportBatch, Upload
from peiyu.core.signals import dimension_changed
from peiyu.core.tabular import Workbook
from peiyu.taxes import audit_actions as A
from peiyu.taxes import library, matching, parse
from peiyu.taxes.models import SharingRatio, TaxBatch, TaxpayerLink
from peiyu.taxes.parse import ParsedFile, Progress

logger = logging.getLogger(__name__)


class ActionError(Exception):
    """A refused change; the message is Chinese and shown to the user as is."""


def _announce_dimension() -> None:
    transaction.on_commit(lambda: dimension_changed.send(sender=TaxpayerLink))


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------
# Importing a tax file


def _without_gc(fn: Any) -> Any:
    """Large imports build ~10⁶ small objects; the cyclic collector would rescan them many times."""

    @wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapped


def _no_progress(phase: str, done: int, total: int | None) -> None:
    pass


@dataclass
class _Run:
    """One run of the tax import: who, from where, which file, and the core ImportBatch recording it."""

    acting_user: Any
    request: Any
    record: ImportBatch
    source: dict[str, Any]  # file, sha256, stored_copy: the first keys of every report
    started: float
    progress: Progress
    confirm: bool = False  # accept even if implausible (an administrator confirmed)
    held: TaxBatch | None = None  # the held batch this run confirms
    seen_pk: int = 0  # the newest TaxBatch when this run started

    def finish(self, report: dict[str, Any], *, rows: int = 0, accepted: int = 0) -> None:
        """Fill the core ImportBatch with the outcome (in the caller's transaction)."""
        r = self.record
        errors = report["errors"]
        r.status = (
            ImportBatch.Status.ACCEPTED if report["status"] == "accepted" else ImportBatch.Status.REJECTED
        )
        r.message = report["message"]
        r.rows, r.accepted = rows, accepted
        r.rejected = len({e["row"] for e in errors if e.get("row")}) if errors else 0
        r.counts = {k: report[k] for k in RECORD_COUNTS if report.get(k) is not None}
        r.errors = list(errors)
        r.report = {k: v for k, v in report.items() if k != "errors"}
        r.finished_at = timezone.now()
        r.seconds = round(time.perf_counter() - self.started, 2)
        r.save()


IMPORT_KIND = "taxes"  # core ImportBatch.kind and Upload.kind (files kept under UPLOAD_DIR/taxes/)
RECORD_COUNTS = ("month", "version", "taxpayers", "facts", "matched_enterprises", "unmatched_taxpayers")


@_without_gc
def do_import_tax_file(
    acting_user: Any,
    path: str | Path,
    file_name: str | None = None,
    *,
    month: str | None = None,
    request: Any = None,
    progress: Progress | None = None,
    force: bool = False,
    keep_copy: bool = True,
    upload: Upload | None = None,
    confirm: bool = False,
    held: TaxBatch | None = None,
) -> dict[str, Any]:
    """Import one tax-bureau file (xlsx/xls/csv) as the next version of its month; returns the
    report (the ``peiyu import-tax --json`` object). All or nothing, and never raises for bad
    content: a refused file gives ``status="rejected"`` with its error rows and a rejected TaxBatch.
    Every run is recorded as a core ImportBatch (kind ``taxes``) that the TaxBatch links to; an
    internal error marks it failed and is raised.

    ``month`` (YYYY-MM) is the month the user gave, checked against the file's own; ``force``
    imports a file that is already its month's active version again; ``keep_copy`` keeps the
    original (a core Upload under UPLOAD_DIR/taxes) for audit, unless ``upload`` says it is kept
    already (the upload page saves the posted file first; ``path`` is then ``upload.full_path``,
    and a kept file can be imported again without uploading it twice). ``progress(phase, done, total)``
    (total None when not known yet) follows the work: ``read`` (data rows read), ``match``
    (taxpayers matched), ``store`` (facts stored).

    A file whose figures are implausible against the month's history (:func:`plausibility`), or of a
    month another import changed while this one ran, is **held** (``status="held"``, 待确认): nothing
    is served until an administrator confirms it (:func:`do_confirm_tax_batch`, or ``confirm=True``
    here, the CLI's ``--confirm``); ``held`` is the held batch being confirmed."""
    started = time.perf_counter()
    seen_pk = TaxBatch.objects.aggregate(m=Max("pk"))["m"] or 0  # a later import of the month: newer pk
    path = Path(path)
    file_name = file_name or path.name
    # The workbook is read in a worker thread (python-calamine works without the GIL) while this
    # thread keeps a copy of the file (hashing it), checks for a duplicate and loads the registry.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tax-read") as pool:
        reading = pool.submit(parse.read_tax_file, path, file_name)
        if upload is None and keep_copy:
            upload = save_upload(path, kind=IMPORT_KIND, file_name=file_name, user=acting_user)
        digest = upload.sha256 if upload is not None else sha256_of(path)
        record = ImportBatch.objects.create(
            kind=IMPORT_KIND,
            upload=upload,
            file_name=file_name[:255],
            sha256=digest,
            user=_user(acting_user),
            options={"month": month or "", "force": bool(force)},
        )
        source = {
            "file": file_name,
            "sha256": digest,
            "stored_copy": str(upload.full_path) if upload is not None else "",
        }
        run = _Run(acting_user, request, record, source, started, progress or _no_progress)
        run.confirm, run.held, run.seen_pk = confirm, held, seen_pk
        try:
            with parse.vocabulary.using(heading_vocabulary()):
                return _import(run, path, reading, month=month, force=force)
        except BaseException as exc:
            _record_failure(run, exc)
            raise


def _import(
    run: _Run, path: Path, reading: Future[Workbook], *, month: str | None, force: bool
) -> dict[str, Any]:
    """The steps of one import, in order (the file is being read meanwhile)."""
    existing = None if force or run.held else _active_duplicate(run.source["sha256"], month)
    if existing is not None:
        reading.cancel()
        return _note_duplicate(run, existing)
    registry = matching.registry_codes()
    pf = parse.parse_tax_file(path, run.source["file"], month, reading=reading, progress=run.progress)
    run.progress("read", pf.rows, pf.rows)
    ratios = _district_ratios(pf)
    if not pf.ok:
        return _refuse_file(run, pf)
    if not run.confirm:
        doubts = plausibility(pf) + _landed_meanwhile(pf.month, run.seen_pk)
        if doubts:
            return _hold_file(run, pf, doubts)
    return _accept_file(run, pf, ratios, force=force, registry=registry)


# ---------------------------------------------------------------------------------------------
# Plausibility: a month far from its history is held (待确认) until an administrator confirms it

PLAUSIBLE_FACTOR = 20  # a month total 20× (or 1/20 of) the usual one: 元 read as 万元, a missing block
PLAUSIBLE_TAXPAYER_SHARE = 0.2  # fewer than a fifth of the usual taxpayers: a partial export
HISTORY_MONTHS = 12


def _median(values: list[int]) -> float:
    v = sorted(values)
    n = len(v)
    return 0.0 if not n else float(v[n // 2]) if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _file_total(pf: ParsedFile) -> int:
    return sum(int(pc.sum(a).as_py() or 0) for a in pf.f_total)


def plausibility(pf: ParsedFile) -> list[str]:
    """Doubts about the file's figures against the active versions of the months before it (up to
    12; at least 2 needed): the total 20× or 1/20 of the usual, or a fraction of the usual taxpayers."""
    history = list(
        TaxBatch.objects.filter(is_active=True, status=TaxBatch.Status.ACCEPTED)
        .exclude(month=pf.month)
        .order_by("-month")
        .values_list("month", "total_fen", "taxpayers")[:HISTORY_MONTHS]
    )
    if len(history) < 2:
        return []
    total = _file_total(pf)
    usual = _median([t for _m, t, _n in history])
    usual_n = _median([n for _m, _t, n in history])
    span = f"{history[-1][0]} 至 {history[0][0]} 共 {len(history)} 个月"
    doubts = []
    if usual > 0 and total > 0 and (total >= usual * PLAUSIBLE_FACTOR or total * PLAUSIBLE_FACTOR <= usual):
        times = total / usual
        shown = f"{times:,.0f} 倍" if times >= 1 else f"{times:.4f} 倍（约 1/{1 / times:,.0f}）"
        doubts.append(
            f"本文件税收合计 {parse.amounts.yuan(total)} 元，是{span}月均（中位数）{parse.amounts.yuan(int(usual))} 元的 {shown}"
            f"（单位是否写错？文件注明的单位为“{pf.unit or '元'}”）"
        )
    taxpayers = len(pf.names)
    if usual_n >= 20 and taxpayers < usual_n * PLAUSIBLE_TAXPAYER_SHARE:
        doubts.append(
            f"本文件只有 {taxpayers} 户纳税人，{span}通常有 {usual_n:,.0f} 户（是否只导出了一部分？）"
        )
    return doubts


def _landed_meanwhile(month: str, seen_pk: int) -> list[str]:
    """Another import of the same month accepted while this one ran: never replace it silently."""
    other = (
        TaxBatch.objects.filter(month=month, status=TaxBatch.Status.ACCEPTED, pk__gt=seen_pk)
        .select_related("uploaded_by")
        .order_by("-pk")
        .first()
    )
    if other is None:
        return []
    who = getattr(other.uploaded_by, "username", "") or "其他用户"
    return [
        f"在本次导入进行期间，{who} 已导入 {month} 第 {other.version} 版（{other.file_name}）；"
        "确认后本文件将取代它成为当前版本"
    ]


def _hold_file(run: _Run, pf: ParsedFile, doubts: list[str]) -> dict[str, Any]:
    """Keep the file as 待确认: a held TaxBatch with the doubts; nothing is served, nothing else changes."""
    total = _file_total(pf)
    message = (
        f"待确认：{pf.month} 的文件已读取（{pf.rows} 行，{len(pf.names)} 户），但数字与历史不符——"
        + "；".join(doubts)
        + "。文件暂未入库；核实无误后请在导入报告页点击“确认入库”（或 peiyu import-tax --confirm），否则请修正后重新导入"
    )
    report = _empty_report(run.source) | {
        "status": "held",
        "month": pf.month,
        "rows": pf.rows,
        "taxpayers": len(pf.names),
        "total_fen": total,
        "district_source": pf.district_source,
        "unit": pf.unit,
        "layout": pf.layout,
        "month_sources": pf.month_sources,
        "notes": pf.notes,
        "ignored_columns": pf.ignored_columns,
        "doubts": doubts,
        "message": message,
    }
    with transaction.atomic():
        batch = TaxBatch.objects.create(
            month=pf.month,
            status=TaxBatch.Status.HELD,
            file_name=run.source["file"][:255],
            sha256=run.source["sha256"],
            uploaded_by=_user(run.acting_user),
            import_batch=run.record,
            layout=pf.layout,
            unit=pf.unit[:10],
            district_source=pf.district_source,
            rows=pf.rows,
            taxpayers=len(pf.names),
            total_fen=total,
            note=message,
        )
        report["batch_id"] = batch.pk
        batch.report = {k: v for k, v in report.items() if k != "errors"}
        batch.save(update_fields=["report"])
        run.finish(report, rows=pf.rows)
        audit.record(
            run.acting_user,
            A.IMPORT_HOLD,
            batch,
            detail={"file": run.source["file"], "month": pf.month, "doubts": doubts},
            request=run.request,
        )
    return report


def do_confirm_tax_batch(
    acting_user: Any, batch: TaxBatch, reason: str = "", request: Any = None
) -> dict[str, Any]:
    """Accept a held (待确认) file after an administrator checked it: read again from the kept copy
    and stored as the next version of its month (the held batch becomes that version)."""
    if batch.status != TaxBatch.Status.HELD:
        raise ActionError("只有“待确认”的文件可以确认入库")
    upload = batch.import_batch.upload if batch.import_batch is not None else None
    if upload is None or not upload.full_path.exists():
        raise ActionError("该文件的原件未保存，无法确认入库；请重新上传并在命令行使用 --confirm")
    report = do_import_tax_file(
        acting_user,
        upload.full_path,
        batch.file_name,
        month=batch.month,
        request=request,
        upload=upload,
        confirm=True,
        held=batch,
    )
    if report["status"] == "accepted":
        with transaction.atomic():
            audit.record(
                acting_user,
                A.IMPORT_CONFIRM,
                batch,
                detail={"month": batch.month, "version": report.get("version")},
                reason=reason,
                request=request,
            )
    return report


def do_withdraw_tax_version(
    acting_user: Any, batch: TaxBatch, reason: str = "", request: Any = None
) -> TaxBatch | None:
    """Withdraw the active version of a month (a confirmed file that proved wrong): the month goes
    back to the version served before it (or to no data when it had none); the withdrawn version
    stays on disk for audit and can never be served again. Returns the version now served."""
    if batch.status != TaxBatch.Status.ACCEPTED or not batch.is_active:
        raise ActionError("只能撤回某月的当前版本")
    if not reason.strip():
        raise ActionError("请填写撤回原因")
    with transaction.atomic():
        previous = library.withdraw_version(batch.month, batch)
        audit.record(
            acting_user,
            A.VERSION_WITHDRAW,
            batch,
            before={"active_version": batch.version},
            after={"active_version": previous.version if previous else None},
            reason=reason,
            request=request,
        )
    return previous


def ratio_completion(batch: TaxBatch) -> list[str]:
    """The tax types whose sharing ratios would let a refused file in (its only problem), else []."""
    if batch.status != TaxBatch.Status.REJECTED:
        return []
    report = batch.report or {}
    missing = report.get("missing_ratio_types") or []
    if not missing or len(batch.errors or []) != 1:
        return []
    upload = batch.import_batch.upload if batch.import_batch is not None else None
    return list(missing) if upload is not None and upload.full_path.exists() else []


def do_complete_ratios(
    acting_user: Any, batch: TaxBatch, ratios: dict[str, Any], *, valid_from: str = "", request: Any = None
) -> dict[str, Any]:
    """A file refused only for missing sharing ratios: save the ratios (from its month, unless
    ``valid_from`` says otherwise) and import the kept file again, without uploading it."""
    missing = ratio_completion(batch)
    if not missing:
        raise ActionError("该文件不是仅因缺少分成比例而被拒绝，请修正后重新导入")
    absent = [t for t in missing if str(ratios.get(t, "")).strip() == ""]
    if absent:
        raise ActionError(f"请填写以下税种的区级比例：{'、'.join(absent)}")
    with transaction.atomic():
        for t in missing:
            do_save_ratio(
                acting_user, t, valid_from or batch.month, ratios[t], note=f"补录自导入 {batch.file_name}"
            )
    assert batch.import_batch is not None and batch.import_batch.upload is not None
    upload = batch.import_batch.upload
    return do_import_tax_file(
        acting_user, upload.full_path, batch.file_name, month=batch.month, request=request, upload=upload
    )


def _record_failure(run: _Run, exc: BaseException) -> None:
    """An internal error: nothing was stored; the core record says so (never masking ``exc``)."""
    try:
        ImportBatch.objects.filter(pk=run.record.pk).update(
            status=ImportBatch.Status.FAILED,
            message=f"导入时发生内部错误（{type(exc).__name__}），未导入任何数据；请联系管理员",
            finished_at=timezone.now(),
            seconds=round(time.perf_counter() - run.started, 2),
        )
    except Exception:
        logger.exception("could not record the failed tax import %s", run.record.pk)


def _active_duplicate(digest: str, month: str | None) -> TaxBatch | None:
    """The active version that was imported from this very file (same SHA-256), if any."""
    dup = TaxBatch.objects.filter(sha256=digest, is_active=True)
    if month:
        dup = dup.filter(month=month)
    return dup.first()


def _district_ratios(pf: ParsedFile) -> dict[str, Decimal]:
    """The sharing ratios of the file's month when the file has no 区级 column; a tax type without
    a valid ratio is an error row (the file is refused)."""
    if not (pf.ok and pf.district_source == "ratio"):
        return {}
    ratios = ratios_for_month(pf.month)
    missing = [t for t in parse.needed_ratio_types(pf) if t not in ratios]
    if missing:
        pf.codes.append("missing_ratio")
        pf.missing_ratio_types = missing
        pf.error(
            None,
            "区级收入",
            "",
            f"文件没有区级列，需要按分成比例计算区级收入，但以下税种在 {pf.month} 没有有效的区级分成比例："
            f"{'、'.join(missing)}。文件本身没有问题：请在本导入报告页填写这些税种的区级比例后直接入库（无需重新上传），"
            "或由管理员在“分成比例”页面维护后重新导入",
        )
    return ratios


def _empty_report(source: dict[str, Any]) -> dict[str, Any]:
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
        **source,
    }


def _refuse_file(run: _Run, pf: ParsedFile) -> dict[str, Any]:
    """Record a refused file: a TaxBatch with status rejected and every error; nothing else changes."""
    report = _empty_report(run.source) | {
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
        "missing_ratio_types": pf.missing_ratio_types,
        "codes": pf.codes,
        "message": f"文件被拒绝：发现 {len(pf.errors)} 处问题，整个文件未入库，该月已有版本保持不变",
    }
    with transaction.atomic():
        batch = TaxBatch.objects.create(
            month=pf.month or "",
            status=TaxBatch.Status.REJECTED,
            file_name=run.source["file"][:255],
            sha256=run.source["sha256"],
            uploaded_by=_user(run.acting_user),
            import_batch=run.record,
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
        run.finish(report, rows=pf.rows)
        audit.record(
            run.acting_user,
            A.IMPORT_REJECT,
            batch,
            detail={
                "file": run.source["file"],
                "sha256": run.source["sha256"],
                "month": pf.month,
                "errors": len(pf.errors),
            },
            request=run.request,
        )
    return report


def _note_duplicate(run: _Run, existing: TaxBatch) -> dict[str, Any]:
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
            "file": run.source["file"],
            "batch_id": existing.pk,
            "month": existing.month,
            "version": existing.version,
            "errors": [],
            "message": f"该文件（SHA-256 相同）已是 {existing.month} 的当前版本 v{existing.version}，未重复入库；如确需重新入库请使用 --force",
        }
    )
    with transaction.atomic():
        run.finish(report)
        audit.record(
            run.acting_user,
            A.IMPORT_DUPLICATE,
            existing,
            detail={"file": run.source["file"], "sha256": existing.sha256},
            request=run.request,
        )
    return report


def _accept_file(
    run: _Run, pf: ParsedFile, ratios: dict[str, Decimal], *, force: bool, registry: pa.Array
) -> dict[str, Any]:
    """Store an accepted file as the next version of its month and make it the active one, in one
    transaction: readers see either the old or the new version; on any failure nothing changes
    (the written file is removed by the writer)."""
    month = pf.month
    with transaction.atomic():
        fields = {
            "month": month,
            "version": library.next_version(month),  # locks the month's versions
            "status": TaxBatch.Status.ACCEPTED,
            "is_active": False,
            "file_name": run.source["file"][:255],
            "sha256": run.source["sha256"],
            "import_batch": run.record,
            "layout": pf.layout,
            "unit": pf.unit[:10],
            "district_source": pf.district_source,
            "rows": pf.rows,
        }
        if run.held is not None:  # the confirmed 待确认 batch becomes the version
            batch = TaxBatch.objects.select_for_update().get(pk=run.held.pk, status=TaxBatch.Status.HELD)
            for k, v in fields.items():
                setattr(batch, k, v)
            batch.save()
        else:
            batch = TaxBatch.objects.create(uploaded_by=_user(run.acting_user), **fields)
        table = parse.facts_table(pf, batch.pk, ratios)
        progress = run.progress
        progress("store", 0, table.num_rows)

        def match_and_record(activation: library.Activation) -> dict[str, Any]:
            """While the facts file is being written: the 待匹配 queue, the report, the audit row."""
            ids = list(pf.names)
            progress("match", 0, len(ids))
            matched = matching.match_taxpayers(ids, pf.names, month, registry)
            progress("match", len(ids), len(ids))
            report = _accepted_report(pf, table, batch, activation.previous, matched, run.source, force)
            batch.taxpayers = len(ids)
            batch.total_fen = report["total_fen"]
            batch.district_fen = report["district_fen"]
            batch.matched_enterprises = report["matched_enterprises"]
            batch.unmatched_taxpayers = report["unmatched_taxpayers"]
            batch.report = {k: v for k, v in report.items() if k != "errors"}
            batch.note = report["message"]
            batch.save()
            run.finish(report, rows=pf.rows, accepted=pf.rows)
            audit.record(
                run.acting_user,
                A.IMPORT_ACCEPT,
                batch,
                before={"active_version": report["replaced_version"]},
                after={
                    "active_version": batch.version,
                    "total_fen": report["total_fen"],
                    "district_fen": report["district_fen"],
                    "rows": pf.rows,
                },
                detail={"file": run.source["file"], "sha256": run.source["sha256"], "forced": bool(force)},
                request=run.request,
            )
            return report

        report: dict[str, Any] = library.activate_version(
            month, table, batch, meanwhile=match_and_record
        ).result
    progress("store", table.num_rows, table.num_rows)
    return report


def _accepted_report(
    pf: ParsedFile,
    table: pa.Table,
    batch: TaxBatch,
    previous: TaxBatch | None,
    matched: matching.Matching,
    source: dict[str, Any],
    force: bool,
) -> dict[str, Any]:
    total = int(pc.sum(table["total_fen"]).as_py() or 0)
    district = int(pc.sum(table["district_fen"]).as_py() or 0)
    return _empty_report(source) | {
        "status": "accepted",
        "month": pf.month,
        "version": batch.version,
        "rows": pf.rows,
        "facts": table.num_rows,
        "taxpayers": len(pf.names),
        "total_fen": total,
        "district_fen": district,
        "matched_enterprises": matched.matched_enterprises,
        "unmatched_taxpayers": len(matched.unmatched),
        "pending_taxpayers": matched.pending,
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
        "confirmed": run_confirmed(batch),
        "unmatched": matching.unmatched_rows(table, matched, pf.names),
        **parse.summarize(pf, table),
        "message": f"已入库：{pf.month} 第 {batch.version} 版，{pf.rows} 行，{len(pf.names)} 户纳税人",
    }


def run_confirmed(batch: TaxBatch) -> bool:
    return bool((batch.report or {}).get("doubts"))


# ---------------------------------------------------------------------------------------------
# The vocabulary an administrator extends


def heading_vocabulary() -> parse.vocabulary.Extra:
    """The words added with ``peiyu tax-headings add`` (the HeadingWord table), for one import."""
    from peiyu.taxes.models import HeadingWord

    words: dict[str, set[str]] = {}
    taxes: dict[str, str] = {}
    for w in HeadingWord.objects.values("word", "role", "tax_type"):
        if w["role"] == "tax":
            taxes[w["word"]] = w["tax_type"]
        else:
            words.setdefault(w["role"], set()).add(w["word"])
    return parse.vocabulary.Extra({k: frozenset(v) for k, v in words.items()}, taxes)


def do_add_heading_word(acting_user: Any, word: str, role: str, tax_type: str = "", note: str = "") -> Any:
    """Teach the tax import a heading (or a 征收项目 value): ``role`` one of vocabulary.ROLES;
    ``tax`` needs ``tax_type`` (an existing tax type, or a new one)."""
    from peiyu.taxes.models import HeadingWord

    key = parse.vocabulary.heading_key(word)
    if not key:
        raise ActionError("请填写表头用语")
    if role not in parse.vocabulary.ROLES:
        raise ActionError(
            f"含义“{role}”无效，可选：{'、'.join(f'{k}（{v}）' for k, v in parse.vocabulary.ROLES.items())}"
        )
    tax_type = re.sub(r"\s+", "", tax_type or "")
    if role == "tax":
        if not tax_type:
            raise ActionError("含义为 tax（税种）时须用 --tax 指定对应的税种，例如 --tax 增值税")
        tax_type = parse.TAX_ALIASES.get(tax_type, tax_type)
    elif tax_type:
        raise ActionError("只有含义为 tax 的用语才能指定税种")
    with transaction.atomic():
        obj, created = HeadingWord.objects.update_or_create(
            word=key,
            defaults={
                "role": role,
                "tax_type": tax_type,
                "note": note[:200],
                "created_by": _user(acting_user),
            },
        )
        audit.record(
            acting_user,
            A.HEADING_ADD,
            obj,
            object_repr=str(obj),
            after={"word": key, "role": role, "tax_type": tax_type},
            detail={"created": created},
        )
    return obj


def do_remove_heading_word(acting_user: Any, word: str) -> None:
    from peiyu.taxes.models import HeadingWord

    obj = HeadingWord.objects.filter(word=parse.vocabulary.heading_key(word)).first()
    if obj is None:
        raise ActionError(f"没有登记过表头用语“{word}”")
    with transaction.atomic():
        audit.record(
            acting_user,
            A.HEADING_REMOVE,
            obj,
            object_repr=str(obj),
            before={"word": obj.word, "role": obj.role},
        )
        obj.delete()


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
        library.switch_active(batch.month, batch)
        audit.record(
            user,
            A.VERSION_ROLLBACK,
            batch,
            before={"active_version": current.version if current else None},
            after={"active_version": batch.version},
            reason=reason,
        )
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
    action: Any,
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


def ratios_for_month(month: str) -> dict[str, Decimal]:
    """The district percentage per tax type valid in ``month`` (the latest ``valid_from`` ≤ month)."""
    out: dict[str, tuple[str, Decimal]] = {}
    for r in SharingRatio.objects.filter(valid_from__lte=month).values(
        "tax_type", "valid_from", "district_pct"
    ):
        t = parse.TAX_ALIASES.get(r["tax_type"].strip(), r["tax_type"].strip())
        if t not in out or r["valid_from"] > out[t][0]:
            out[t] = (r["valid_from"], r["district_pct"])
    return {t: v[1] for t, v in out.items()}


def clean_ratio(tax_type: str, valid_from: str, pct: Any) -> tuple[str, str, Decimal]:
    """Validate a ratio form/CLI input; raises ActionError with a Chinese message."""
    t = re.sub(r"\s+", "", str(tax_type or ""))
    t = parse.TAX_ALIASES.get(t, t)
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
