"""What the parser hands back: :class:`ParsedFile` for the whole file (facts as Arrow columns, the
month, the unit, the layout, every bad cell and every note) and :class:`SheetResult` per sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from peiyu.core.imports import ErrorRow, error_row


class TaxErrorRow(ErrorRow, total=False):
    """The error row every importer reports (``{row, column, value, message}``, the value as text);
    ``sheet`` names the worksheet when the file has several."""

    sheet: str


@dataclass
class ParsedFile:
    layout: str = ""
    unit: str = ""
    month: str = ""
    month_sources: dict[str, str] = field(default_factory=dict)
    district_source: str = ""  # file | ratio
    errors: list[TaxErrorRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0  # data rows read
    # facts, column-wise (one entry per stored fact)
    f_row: list[pa.Array] = field(default_factory=list)  # int32 chunks
    f_id: list[pa.Array] = field(default_factory=list)  # string chunks
    f_name: list[pa.Array] = field(default_factory=list)
    f_tax: list[pa.Array] = field(default_factory=list)
    f_total: list[pa.Array] = field(default_factory=list)  # int64 chunks (fen)
    f_district: list[pa.Array | None] = field(default_factory=list)  # None = computed from ratios
    names: dict[str, str] = field(default_factory=dict)  # taxpayer id -> name (first seen)
    file_totals: dict[str, int] = field(default_factory=dict)  # 合计 row values checked (label -> fen)
    sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)  # not read (only visible sheets count)
    codes: list[str] = field(default_factory=list)  # machine-readable reasons: missing_ratio, …
    missing_ratio_types: list[str] = field(default_factory=list)  # tax types without a sharing ratio

    def error(self, row: int | None, column: str, value: Any, message: str, sheet: str | None = None) -> None:
        err = TaxErrorRow(**error_row(row, column, value, message))
        if sheet:
            err["sheet"] = sheet
        self.errors.append(err)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class SheetResult:
    """What one sheet contributed besides its facts (those go straight into the ParsedFile)."""

    layout: str  # wide | long
    unit_explicit: bool  # the sheet names its unit (else 元 is assumed)
    units_used: set[str]
    title: str  # the text above the header
    date_month: str | None  # the one month of its 入库日期 cells, if any
    district_from_file: bool
    ids: set[str]  # its taxpayer IDs (only filled when the file has several sheets)
