"""Reading the spreadsheets officials exchange: .xlsx/.xls/.ods through python-calamine, .csv in
UTF-8, GBK or GB18030; finding the header row below title rows, with synonyms and two-level headers.

Row numbers in messages are spreadsheet row numbers (1-based), as the user sees them in Excel.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}


class TableError(Exception):
    """The file cannot be used at all (unreadable, no recognisable header). Message is Chinese."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[i] is spreadsheet row i + 1


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ａ１（）) to half-width, via NFKC; keeps Chinese characters."""
    return unicodedata.normalize("NFKC", text)


def clean_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def norm_label(value: Any) -> str:
    """A header cell reduced for matching: half-width, no spaces, no line breaks, no * marks."""
    text = to_halfwidth(clean_text(value))
    return re.sub(r"[\s*:：]+", "", text)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312)."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码（支持 UTF-8、GBK、GB18030）")


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    sample = text[:20000]
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        if "\t" in sample and "," not in sample:
            delimiter = "\t"
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:  # a cell over the field limit, a stray NUL …: refuse, never crash
        raise TableError(f"CSV 文件无法读取（{exc}）：可能有超长单元格或不配对的引号") from None


def read_sheets(path: str | Path, filename: str | None = None) -> list[Sheet]:
    """All sheets of a workbook (a CSV is one sheet). ``filename`` gives the type when ``path`` is a temp file."""
    path = Path(path)
    suffix = Path(filename or path.name).suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"无法读取文件：{exc.strerror or exc}") from None
    if not data:
        raise TableError("文件是空的")
    if suffix in TEXT_SUFFIXES or (
        suffix not in EXCEL_SUFFIXES and data[:4] not in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    ):
        return [Sheet(Path(filename or path.name).stem, _read_csv(data))]
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in wb.sheet_names:
            ws = wb.get_sheet_by_name(name)
            sheets.append(Sheet(name, [list(r) for r in ws.to_python(skip_empty_area=False)]))
        return sheets
    except TableError:
        raise
    except Exception as exc:  # calamine raises several exception types for corrupt files
        raise TableError(f"无法读取 Excel 文件（文件损坏或格式不符）：{type(exc).__name__}") from None


def is_blank_row(row: Iterable[Any]) -> bool:
    return all(clean_text(c) == "" for c in row)


@dataclass
class Header:
    """Where the header is and which column holds each canonical field."""

    row_index: int  # 0-based index of the (last) header row; data starts after it
    columns: dict[str, int]  # canonical name -> 0-based column index
    labels: list[str]  # combined label per column ("其中/区级" for two-level headers)
    extra: dict[int, str] = field(default_factory=dict)  # unmatched labelled columns

    @property
    def first_data_row(self) -> int:
        return self.row_index + 1

    def column_letter(self, name: str) -> str:
        return column_letter(self.columns[name])


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_UNIT_SUFFIX = re.compile(r"[(（\[【].*?[)）\]】]$")


def _match(label: str, synonyms: Mapping[str, Iterable[str]]) -> str | None:
    if not label:
        return None
    bare = _UNIT_SUFFIX.sub("", label)
    for canonical, names in synonyms.items():
        for name in names:
            n = norm_label(name)
            if label == n or bare == n:
                return canonical
    return None


def combined_labels(rows: list[list[Any]], top: int, depth: int) -> list[str]:
    """Labels for a header of ``depth`` rows starting at ``top``; merged cells (blank to the right of
    a label) inherit the label on their left, and levels are joined with "/"."""
    width = max((len(rows[i]) for i in range(top, min(top + depth, len(rows)))), default=0)
    levels: list[list[str]] = []
    for i in range(top, min(top + depth, len(rows))):
        row = [norm_label(c) for c in rows[i]] + [""] * (width - len(rows[i]))
        if i < top + depth - 1:  # upper levels: forward fill across merged cells
            last = ""
            filled = []
            for cell in row:
                last = cell or last
                filled.append(last)
            row = filled
        levels.append(row)
    labels = []
    for j in range(width):
        parts = [lvl[j] for lvl in levels if lvl[j]]
        # de-duplicate vertically merged cells ("纳税人名称" over blank, or over itself)
        dedup: list[str] = []
        for p in parts:
            if not dedup or dedup[-1] != p:
                dedup.append(p)
        labels.append("/".join(dedup))
    return labels


def find_header(
    rows: list[list[Any]],
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str],
    *,
    max_scan: int = 30,
    max_depth: int = 2,
) -> Header:
    """Find the header among the first ``max_scan`` rows: the first row (or pair of rows, for a
    two-level header) whose labels name every ``required`` column. A label matches a synonym exactly,
    ignoring spaces and a trailing unit in brackets; in a two-level header either the lower label,
    the upper label or "upper/lower" may match."""
    required = list(required)
    best: tuple[int, Header] | None = None
    for top in range(min(max_scan, len(rows))):
        if is_blank_row(rows[top]):
            continue
        for depth in range(1, max_depth + 1):
            if top + depth > len(rows):
                break
            if depth > 1 and sum(1 for c in rows[top] if clean_text(c)) < 2:
                break  # a title or units line is never the upper level of a header
            labels = combined_labels(rows, top, depth)
            columns: dict[str, int] = {}
            extra: dict[int, str] = {}
            for j, label in enumerate(labels):
                canonical = _match(label, synonyms)
                if canonical is None and "/" in label:
                    lower = label.rsplit("/", 1)[1]
                    upper = label.split("/", 1)[0]
                    canonical = _match(lower, synonyms) or _match(upper, synonyms)
                if canonical and canonical not in columns:
                    columns[canonical] = j
                elif label:
                    extra[j] = label
            score = sum(1 for r in required if r in columns)
            if score == len(required):
                header = Header(top + depth - 1, columns, labels, extra)
                # Prefer the deeper header when it recognises more columns.
                if best is None or (best[0] == top and len(columns) > len(best[1].columns)):
                    best = (top, header)
        if best is not None:
            return best[1]
    names = "、".join(next(iter(synonyms[r])) for r in required)
    raise TableError(f"在前 {max_scan} 行中找不到表头：需要包含以下列 {names}")
