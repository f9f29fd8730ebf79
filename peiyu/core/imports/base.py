"""A declarative importer: declare the columns, write ``clean`` (one row → one item) and ``store``
(all items → the app's actions), and the base does the rest — saved upload, header found below title
rows with synonyms, blank/total/note rows skipped, every cell parsed with errors named by row,
column and value, all-or-nothing store in one transaction, batch record, audit row, report.

    class MeasureImporter(Importer):
        kind = "taskforces.measures"
        title = "营商环境措施"
        audit_action = "taskforces.measures.import"
        report_class = MeasureReport
        fields = [
            Field("number", "编号", synonyms=["序号", "措施编号"], required=True),
            Field("unit", "责任单位", synonyms=["牵头单位"], required=True),
            Field("deadline", "完成时限", parse=cells.date()),
        ]

        def clean(self, row):
            unit = self.units.get(row["unit"])
            if unit is None:
                row.error("unit", f"找不到责任单位“{row['unit']}”")
            return {"row": row.number, **row.values, "unit": unit}

        def store(self, items, report):
            for item in items:
                do_save_measure(self.user, ..., reason=self.reason(item["row"]))
            report.created = len(items)

``Importer().run(path, user=…)`` never raises for bad input: the report says what happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import transaction
from django.utils import timezone

from peiyu.core.imports import cells
from peiyu.core.imports.errors import ErrorCollector, column_label
from peiyu.core.imports.report import ImportReport, Status
from peiyu.core.imports.uploads import UploadTooLarge, save_upload, sha256_of, too_large_message
from peiyu.core.models import ImportBatch, Upload
from peiyu.core.tabular import Header, Sheet, TableError, clean_text, find_header, read_workbook

if TYPE_CHECKING:
    from peiyu.accounts.audit import Action

log = logging.getLogger(__name__)

TOTAL_WORDS = frozenset({"合计", "总计", "小计", "合 计", "总 计"})
NOTE_PREFIXES = ("注", "说明", "备注", "制表", "填表", "填报", "审核", "数据来源", "来源：", "联系人", "导出")
MAX_BYTES = 64 * 1024 * 1024  # a registry export of 100,000 enterprises is about 8 MB
MAX_ROWS = 1_000_000


class Refused(Exception):
    """Raised in ``clean_all``/``store`` to refuse the whole file (the transaction is rolled back).
    ``errors`` are extra error rows to report."""

    def __init__(self, message: str, errors: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)


@dataclass
class Field:
    """One column of the input file.

    - ``key``: the name the importer uses; ``label``: the canonical Chinese header (also the first
      synonym and the name shown when the column is missing);
    - ``synonyms``: other headers meaning the same column (matched ignoring spaces, full-width
      forms and a trailing unit in brackets, as :func:`peiyu.core.tabular.find_header` does);
    - ``required``: the header must contain the column, and a blank cell is an error
      (``blank_message``, default "<label>不能为空"); set ``blank_message`` on an optional column to
      refuse blanks only when the column is present;
    - ``parse``: a cell parser (see :mod:`peiyu.core.imports.cells`), or the name of an importer
      method taking the raw cell; it raises ``ValueError`` with a Chinese message;
    - ``money``: for an amount column, its default unit (``"元"`` or ``"万元"``); the unit named in
      the header (``兑现金额（万元）``) or on a unit line above it (``单位：万元``) wins, and the value
      is integer fen;
    - ``cache``: remember the parsed value per distinct raw cell (names resolved against the
      database, codes looked up in a table …).
    """

    key: str
    label: str
    synonyms: Sequence[str] = ()
    required: bool = False
    parse: Callable[[Any], Any] | str | None = None
    blank_message: str | None = None
    money: str | None = None
    cache: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


class Row:
    """One data row while it is validated: ``row["key"]`` is the parsed value (None when the cell
    is blank, invalid or the column absent; ``row.values`` has every field's key),
    ``row.raw("key")`` the cell as read, ``row.has("key")`` whether the file has the column."""

    __slots__ = ("number", "cells", "values", "failed", "_importer", "_columns")

    def __init__(self, importer: Importer, number: int, cells_: list[Any], columns: dict[str, int]) -> None:
        self.number = number
        self.cells = cells_
        self.values: dict[str, Any] = {}
        self.failed: set[str] = set()
        self._importer = importer
        self._columns = columns

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def has(self, key: str) -> bool:
        """The file has this column."""
        return key in self._columns

    def raw(self, key: str) -> Any:
        j = self._columns.get(key)
        return self.cells[j] if j is not None and j < len(self.cells) else None

    def filled(self, key: str) -> bool:
        """The cell holds something (valid or not)."""
        return not cells.is_blank(self.raw(key))

    def error(self, key: str, message: str, value: Any = ...) -> None:
        """Report a problem with this row's ``key`` cell (``value`` defaults to the raw cell)."""
        self._importer.errors.add(self.number, key, self.raw(key) if value is ... else value, message)
        self.failed.add(key)

    @property
    def ok(self) -> bool:
        return not self.failed


class Importer:
    """Subclass and declare ``kind``, ``title``, ``fields``; override ``clean`` and ``store``."""

    kind: ClassVar[str] = ""  # "registry", "targets", "users", "attraction.projects" …
    title: ClassVar[str] = ""  # 企业名录, 目标责任表 … (used in messages)
    fields: ClassVar[Sequence[Field]] = ()
    report_class: ClassVar[type[ImportReport]] = ImportReport
    # one audit row per stored file (and per refusal with audit_refused): the app's declared Action
    audit_action: ClassVar[Action | str] = ""
    audit_refused: ClassVar[bool] = False
    partial: bool = False  # True: valid rows are stored and bad rows reported (status partial)
    max_bytes: ClassVar[int] = MAX_BYTES
    max_rows: ClassVar[int] = MAX_ROWS
    header_scan: ClassVar[int] = 30
    progress_every: ClassVar[int] = 5000
    file_problem_prefix: ClassVar[str] = ""  # e.g. "文件无法使用：" before structural messages
    no_rows_message: ClassVar[str] = "表头下没有数据行"

    def __init__(self, *, on_progress: Callable[[int, int], None] | None = None) -> None:
        self.on_progress = on_progress
        self.user: Any = None
        self.request: Any = None
        self.errors = ErrorCollector(labels={f.key: f.label for f in self.fields})
        self.header: Header | None = None
        self.sheet: Sheet | None = None
        self.report: ImportReport = self.report_class(file="", kind=self.kind)
        self.units: dict[str, int] = {}  # money column key -> fen per unit in this file

    # ------------------------------------------------------------------ hooks (override)

    def options(self) -> dict[str, Any]:
        """Options recorded with the batch (e.g. ``{"strict": True}``)."""
        return {}

    def prepare(self) -> None:
        """Called once the header is known, before the rows: load lookups (names → objects)."""

    def accept_header(self, header: Header, sheet: Sheet) -> None:
        """Raise :class:`TableError` to refuse a header that has the required columns but is still
        not usable (e.g. none of several alternative columns is present)."""

    def skip_row(self, row: list[Any]) -> bool:
        """A row that is not data: a total line (合计/总计/小计 among the first filled cells) or a
        single-cell note (注：…, 制表人：…, 数据来源：…). Blank rows never reach here."""
        filled = first_filled(row, 4)
        if any(t in TOTAL_WORDS for t in filled[:3]):
            return True
        return len(filled) == 1 and filled[0].startswith(NOTE_PREFIXES)

    def clean(self, row: Row) -> Any:
        """One valid-looking row → the item ``store`` receives (default: the parsed values with
        ``"row"``). Report problems with ``row.error(key, message)``; a row with errors is dropped."""
        return {"row": row.number, **row.values}

    def clean_all(self, items: list[Any]) -> list[Any]:
        """Checks across rows after every row was read (raise :class:`Refused` to refuse)."""
        return items

    def store(self, items: list[Any], report: ImportReport) -> None:
        """Write the items through the app's actions; runs inside one transaction. Raise
        :class:`Refused` to roll everything back and refuse the file."""
        raise NotImplementedError

    def accepted_message(self, report: ImportReport) -> str:
        if report.rejected:
            return f"共 {report.rows} 行：导入 {report.accepted} 行，拒绝 {report.rejected} 行"
        return f"已导入 {report.accepted} 行"

    def rejected_message(self, report: ImportReport) -> str:
        return f"发现 {self.errors.total} 处错误，整个文件未导入"

    def columns_report(self, header: Header) -> dict[str, str]:
        """``report.columns``: under which header (and letter) each column was found,
        ``{"兑现金额": "金额(万元)（C）"}``."""
        labels = {f.key: f.label for f in self.fields}
        return {labels.get(k, k): column_label(header.labels[j], j) for k, j in header.columns.items()}

    def stored_report(self, report: ImportReport) -> dict[str, Any]:
        """What the batch record keeps as its report: the JSON object without the errors (kept in
        their own column). Drop anything secret here (initial passwords …)."""
        payload = report.as_dict()
        payload.pop("errors", None)
        return payload

    def audit_detail(self, report: ImportReport) -> dict[str, Any]:
        return {
            "status": report.status,
            "rows": report.rows,
            "accepted": report.accepted,
            "rejected": report.rejected,
            "sha256": report.sha256,
            **report.counts(),
        }

    def audit(self, batch: ImportBatch, report: ImportReport) -> None:
        if not self.audit_action:
            return
        from peiyu.accounts.audit import record

        record(
            self.user,
            self.audit_action,
            batch,
            object_repr=report.file,
            detail=self.audit_detail(report),
            reason=report.message,
            request=self.request,
        )

    def reason(self, row: int | None = None) -> str:
        """The audit reason for a change made from this file: ``导入 名册.xlsx 第 5 行``."""
        where = f" 第 {row} 行" if row else ""
        return f"导入 {self.report.file}{where}"

    # ------------------------------------------------------------------ running

    def run(
        self,
        path: str | Path,
        filename: str | None = None,
        *,
        user: Any = None,
        request: Any = None,
        upload: Upload | None = None,
        keep_copy: bool = True,
    ) -> ImportReport:
        """Import one file: validate every row, then store (all or nothing, unless ``partial``).
        Never raises for bad input; an unexpected exception gives status ``failed``."""
        return self._run(path, filename, user=user, request=request, upload=upload, keep_copy=keep_copy)

    def check(self, path: str | Path, filename: str | None = None, *, user: Any = None) -> ImportReport:
        """Validate only (a dry run): nothing is stored, no batch, no audit. Status ``checked`` or
        ``rejected``; the valid items are in ``self.items``."""
        return self._run(path, filename, user=user, dry_run=True, keep_copy=False)

    def _run(
        self,
        path: str | Path,
        filename: str | None,
        *,
        user: Any = None,
        request: Any = None,
        upload: Upload | None = None,
        keep_copy: bool = True,
        dry_run: bool = False,
    ) -> ImportReport:
        self._started = started = time.perf_counter()
        path = Path(path)
        self.user, self.request = user, request
        report = self.report = self.report_class(file=filename or (upload.file_name if upload else path.name))
        report.kind = self.kind
        self.items: list[Any] = []
        batch: ImportBatch | None = None
        try:
            if upload is None and keep_copy and not dry_run:
                try:
                    upload = save_upload(path, kind=self.kind, file_name=report.file, user=user,
                                         max_bytes=self.max_bytes)  # fmt: skip
                except UploadTooLarge as exc:
                    self._refuse_file(str(exc))
                except OSError as exc:
                    self._refuse_file(unreadable_message(exc))
            if upload is not None:
                report.sha256, report.size, report.upload_id = upload.sha256, upload.size, upload.pk
            elif report.status == Status.RUNNING:
                try:
                    report.size = path.stat().st_size
                    report.sha256 = sha256_of(path)
                except OSError as exc:
                    self._refuse_file(unreadable_message(exc))
            if not dry_run:
                batch = ImportBatch.objects.create(
                    kind=self.kind,
                    upload=upload,
                    file_name=report.file[:255],
                    sha256=report.sha256,
                    user=user if getattr(user, "is_authenticated", False) else None,
                    options=self.options(),
                )
                report.batch_id = batch.pk
            if report.status == Status.RUNNING:
                self._import(path, report, batch, dry_run)
        except Exception as exc:  # an internal error: nothing stored, the batch says so
            log.exception("import %s of %s failed", self.kind, report.file)
            report.exception = exc
            report.status = Status.FAILED
            report.message = (
                f"导入时发生内部错误（{type(exc).__name__}：{exc}），未导入任何数据；请联系管理员"
            )
            report.accepted = 0
        report.errors = self.errors.rows
        report.error_total = self.errors.total
        report.seconds = time.perf_counter() - started
        if batch is not None and report.status != Status.ACCEPTED and report.status != Status.PARTIAL:
            self._finish(batch, report, audit=self.audit_refused and report.status == Status.REJECTED)
        return report

    def _refuse_file(self, message: str) -> None:
        self.errors.file(message)
        self.report.reject(self.file_problem_prefix + message)

    def _import(self, path: Path, report: ImportReport, batch: ImportBatch | None, dry_run: bool) -> None:
        if report.size > self.max_bytes:
            return self._refuse_file(too_large_message(report.size, self.max_bytes))
        t0 = time.perf_counter()
        try:
            book = read_workbook(path, report.file)
            if book.error_cells:
                raise TableError(book.error_cells_message())
            self.sheet, self.header = self.pick_sheet(book.sheets)
        except TableError as exc:
            return self._refuse_file(str(exc))
        report.timings["read"] = time.perf_counter() - t0
        header = self.header
        report.columns = self.columns_report(header)
        self.errors.use_header(header)
        self._find_units()
        self.prepare()
        data_rows = len(self.sheet.rows) - header.first_data_row
        if data_rows > self.max_rows:
            return self._refuse_file(
                f"数据行过多（{data_rows} 行），单个文件最多 {self.max_rows} 行；请拆分后分别导入"
            )
        t0 = time.perf_counter()
        items = self._validate()
        report.timings["validate"] = time.perf_counter() - t0
        if report.status != Status.RUNNING:
            return None
        if not report.rows:
            return self._refuse_file(self.no_rows_message)
        try:
            items = self.clean_all(items)
        except Refused as exc:
            self.errors.extend(exc.errors)
            report.reject(exc.message)
            return None
        self.items = items
        report.accepted = len(items)
        if self.errors and not self.partial:
            report.accepted = 0
            report.reject(self.rejected_message(report))
            return None
        if not items:
            report.reject(self.rejected_message(report) if self.errors else "文件中没有可导入的数据行")
            return None
        if dry_run:
            report.status = Status.CHECKED
            report.message = f"校验通过：{len(items)} 行可以导入（未写入）"
            return None
        assert batch is not None
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                self.store(items, report)
                report.timings["store"] = time.perf_counter() - t0
                report.status = Status.PARTIAL if self.errors else Status.ACCEPTED
                report.accepted = len(items)
                report.message = report.message or self.accepted_message(report)
                report.errors = self.errors.rows
                report.error_total = self.errors.total
                self._finish(batch, report, audit=True)
                t0 = time.perf_counter()
            report.timings["commit_and_signal_listeners"] = time.perf_counter() - t0
        except Refused as exc:
            self.errors.extend(exc.errors)
            report.accepted = 0
            report.reject(exc.message)
        return None

    def pick_sheet(self, sheets: list[Sheet]) -> tuple[Sheet, Header]:
        """The first sheet whose header names every required column (an export often has a notes
        sheet in front)."""
        synonyms = {f.key: f.names() for f in self.fields}
        required = [f.key for f in self.fields if f.required]
        first_error: TableError | None = None
        for sheet in sheets:
            try:
                header = find_header(sheet.rows, synonyms, required, max_scan=self.header_scan)
                self.accept_header(header, sheet)
                return sheet, header
            except TableError as exc:
                first_error = first_error or exc
        raise first_error or TableError("文件中没有工作表")

    def _find_units(self) -> None:
        assert self.header is not None and self.sheet is not None
        above = self.sheet.rows[: self.header.row_index + 1]
        line_unit = cells.unit_from_lines(above[:-1]) if len(above) > 1 else None
        for f in self.fields:
            if f.money and f.key in self.header.columns:
                label = self.header.labels[self.header.columns[f.key]]
                self.units[f.key] = cells.unit_from_header(label) or line_unit or cells.UNIT_FEN[f.money]

    def _parsers(self) -> list[tuple[Field, int, Callable[[Any], Any] | None, dict[Any, Any] | None]]:
        assert self.header is not None
        out: list[tuple[Field, int, Callable[[Any], Any] | None, dict[Any, Any] | None]] = []
        for f in self.fields:
            j = self.header.columns.get(f.key)
            if j is None:
                continue
            parse: Callable[[Any], Any] | None
            if f.money:
                parse = cells.amount(unit=self.units[f.key])
            elif isinstance(f.parse, str):
                parse = getattr(self, f.parse)
            else:
                parse = f.parse
            out.append((f, j, parse, {} if f.cache else None))
        return out

    def _validate(self) -> list[Any]:
        assert self.header is not None and self.sheet is not None
        grid = self.sheet.rows
        header = self.header
        report = self.report
        errors = self.errors
        parsers = self._parsers()
        blank_messages = {
            f.key: f.blank_message or (f"{f.label}不能为空" if f.required else None) for f in self.fields
        }
        columns = dict(header.columns)
        empty = dict.fromkeys(f.key for f in self.fields)
        total = len(grid) - header.first_data_row
        items: list[Any] = []
        for i in range(header.first_data_row, len(grid)):
            raw = grid[i]
            if not has_content(raw) or self.skip_row(raw):
                continue
            report.rows += 1
            number = i + 1
            row = Row(self, number, raw, columns)
            mark = errors.mark()
            values = row.values = empty.copy()
            width = len(raw)
            for f, j, parse, cache in parsers:
                cell = raw[j] if j < width else None
                if cell is None or (isinstance(cell, str) and not cell.strip()):
                    values[f.key] = None
                    message = blank_messages[f.key]
                    if message:
                        row.error(f.key, message, "")
                    continue
                if parse is None:
                    values[f.key] = clean_text(cell)
                    continue
                if cache is not None:
                    try:
                        hit = cache.get(cell)
                    except TypeError:  # an unhashable cell never comes from the readers
                        hit = None
                    if hit is None:
                        try:
                            hit = (True, parse(cell))
                        except ValueError as exc:
                            hit = (False, str(exc))
                        cache[cell] = hit
                    if hit[0]:
                        values[f.key] = hit[1]
                    else:
                        values[f.key] = None
                        row.error(f.key, hit[1])
                    continue
                try:
                    values[f.key] = parse(cell)
                except ValueError as exc:
                    values[f.key] = None
                    row.error(f.key, str(exc))
            item = self.clean(row)
            if errors.since(mark):
                report.rejected += 1
            elif item is not None:
                items.append(item)
            if self.on_progress and report.rows % self.progress_every == 0:
                self.on_progress(i + 1 - header.first_data_row, total)
        if self.on_progress:
            self.on_progress(total, total)
        return items

    def _finish(self, batch: ImportBatch, report: ImportReport, *, audit: bool) -> None:
        batch.status = report.status
        batch.message = report.message
        batch.rows = report.rows
        batch.accepted = report.accepted
        batch.rejected = report.rejected
        batch.counts = report.counts()
        batch.errors = list(report.errors)
        batch.report = _jsonable(self.stored_report(report))
        batch.finished_at = timezone.now()
        report.seconds = time.perf_counter() - self._started
        batch.seconds = round(report.seconds, 2)
        batch.save()
        if audit:
            self.audit(batch, report)


def has_content(row: list[Any]) -> bool:
    """Some cell is not blank (a fast :func:`peiyu.core.tabular.is_blank_row` negation)."""
    for c in row:
        if c is None:
            continue
        if isinstance(c, str):
            if c.strip():
                return True
        elif clean_text(c):
            return True
    return False


def first_filled(row: list[Any], limit: int) -> list[str]:
    """The texts of the first ``limit`` non-blank cells (enough to recognise totals and notes)."""
    out: list[str] = []
    for c in row:
        if c is None:
            continue
        t = clean_text(c)
        if t:
            out.append(t)
            if len(out) >= limit:
                break
    return out


def unreadable_message(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(exc, PermissionError):
        return "没有读取该文件的权限"
    return f"无法读取文件：{exc.strerror or exc}"


def _jsonable(value: Any) -> Any:
    """Dates, Decimals and other scalars in a report become JSON-safe values."""
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def column_name(header: Header, key: str) -> str:
    """``责任部门（F）`` for a field found in ``header``."""
    j = header.columns[key]
    return column_label(header.labels[j], j)
