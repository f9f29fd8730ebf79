"""Excel exports, formatted the way officials expect: a title row, bold frozen header, 万元 with two
decimals, percentages with one, column widths that fit Chinese text, an optional total row. They
print well (A4, landscape when wide, fit to the page width, the header row repeated on every page,
page numbers in the footer) and are safe to open: text that Excel would take for a formula
(``=``, ``+``, ``-``, ``@`` at the start, or a tab/carriage return) is written as text with the
quote prefix, never evaluated.

Most callers declare a :class:`peiyu.core.tables.TableSpec` and call its ``xlsx``/``table``; this
module is the writer underneath:

    columns = [Column("企业名称", "name"), Column("本月区级税收（万元）", "month_fen", "wan")]
    return xlsx_response("产业税收.xlsx", [Table("产业税收", columns, rows, title="2025年3月 产业税收")])
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse

from peiyu.core.money import FEN_PER_WAN

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
LANDSCAPE_WIDTH = 110  # characters of column width beyond which a sheet prints landscape
A4 = 9


@dataclass
class Column:
    header: str
    key: str
    # text | wan (fen shown in 万元) | yuan (fen shown in 元) | int | pct | pct_signed | points | decimal
    # | date | datetime
    kind: str = "text"
    width: float | None = None


@dataclass
class Table:
    sheet: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any] | Any]
    title: str = ""
    notes: list[str] = field(default_factory=list)
    totals: Mapping[str, Any] | None = None  # key -> value of the total row (written below the rows)
    total_label: str = "合计"


def _value(row: Any, key: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    value: Any = row
    for part in key.split("."):
        value = getattr(value, part, None) if value is not None else None
        if callable(value):
            value = value()
    return value


def _display_width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def looks_like_formula(text: str) -> bool:
    """Text Excel (or a spreadsheet importing a CSV) would evaluate as a formula."""
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """For CSV and other plain-text exports: a leading apostrophe makes formula-like text inert."""
    return "'" + text if looks_like_formula(text) else text


def build_workbook(tables: Sequence[Table]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    fmt_title = wb.add_format({"bold": True, "font_size": 14})
    fmt_head = wb.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    number_formats = {
        "wan": "#,##0.00",
        "yuan": "#,##0.00",
        "int": "#,##0",
        "pct": '0.0"%"',
        "pct_signed": '+0.0"%";-0.0"%";0.0"%"',
        "points": "+0.0;-0.0;0.0",
        "decimal": "#,##0.##",
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm:ss",
    }
    formats = {k: wb.add_format({"num_format": v, "border": 1}) for k, v in number_formats.items()}
    formats["text"] = wb.add_format({"border": 1})
    totals_formats = {
        k: wb.add_format({"num_format": v, "border": 1, "bold": True, "top": 2})
        for k, v in number_formats.items()
    }
    totals_formats["text"] = wb.add_format({"border": 1, "bold": True, "top": 2})
    fmt_text_quoted = wb.add_format({"border": 1, "quote_prefix": True})
    fmt_note = wb.add_format({"italic": True, "font_color": "#666666"})
    for table in tables:
        ws = wb.add_worksheet(_sheet_name(table.sheet))
        r = 0
        if table.title:
            ws.write_string(r, 0, table.title, fmt_title)
            r += 1
        for note in table.notes:
            ws.write_string(r, 0, note, fmt_note)
            r += 1
        header_row = r
        widths = [max(_display_width(c.header), 8) for c in table.columns]
        for j, col in enumerate(table.columns):
            ws.write_string(r, j, col.header, fmt_head)
        r += 1
        for row in table.rows:
            for j, col in enumerate(table.columns):
                shown = _write(ws, r, j, col, _value(row, col.key), formats, fmt_text_quoted)
                if shown:
                    widths[j] = max(widths[j], min(shown, 60))
            r += 1
        last_data_row = r - 1
        if table.totals is not None:
            for j, col in enumerate(table.columns):
                if col.key in table.totals:
                    _write(ws, r, j, col, table.totals[col.key], totals_formats, totals_formats["text"])
                elif j == 0:
                    ws.write_string(r, j, table.total_label, totals_formats["text"])
                else:
                    ws.write_blank(r, j, None, totals_formats["text"])
            r += 1
        column_widths = [col.width or widths[j] + 2 for j, col in enumerate(table.columns)]
        for j, width in enumerate(column_widths):
            ws.set_column(j, j, width)
        ws.freeze_panes(header_row + 1, 0)
        if last_data_row > header_row:
            ws.autofilter(header_row, 0, last_data_row, len(table.columns) - 1)
        _print_setup(ws, header_row, sum(column_widths), table.title or table.sheet)
    wb.close()
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")
    return (cleaned or "Sheet")[:31]


def _write(ws: Any, r: int, j: int, col: Column, v: Any, formats: dict[str, Any], quoted: Any) -> int:
    """Write one cell; returns the display width of text cells (0 for numbers and blanks)."""
    if v is None or v == "":
        ws.write_blank(r, j, None, formats["text"])
        return 0
    kind = col.kind
    if kind == "wan":
        ws.write_number(r, j, float(Decimal(int(v)) / FEN_PER_WAN), formats["wan"])
    elif kind == "yuan":
        ws.write_number(r, j, float(Decimal(int(v)) / 100), formats["yuan"])
    elif kind in ("int", "pct", "pct_signed", "points", "decimal") and isinstance(v, int | float | Decimal):
        ws.write_number(r, j, float(v), formats[kind])
    elif kind in ("date", "datetime") and isinstance(v, dt.date | dt.datetime):
        if isinstance(v, dt.datetime):
            if v.tzinfo is not None:
                from django.utils import timezone

                v = timezone.localtime(v)
            v = v.replace(tzinfo=None)
        elif kind == "datetime":
            v = dt.datetime(v.year, v.month, v.day)
        ws.write_datetime(r, j, v, formats[kind])
    else:
        text = "是" if v is True else "否" if v is False else str(v)
        ws.write_string(r, j, text, quoted if looks_like_formula(text) else formats["text"])
        return _display_width(text)
    return 0


def _print_setup(ws: Any, header_row: int, total_width: float, title: str = "") -> None:
    """A4, landscape when wide, one page wide, the header row on every page, centred; the title and
    the print date in the page header (the title rows above the table print on page 1 only)."""
    ws.set_paper(A4)
    ws.center_horizontally()
    if title:
        ws.set_header(f"&L{title.replace('&', '&&')[:120]}&R打印日期：&D")
    if total_width > LANDSCAPE_WIDTH:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def xlsx_response(filename: str, tables: Sequence[Table]) -> HttpResponse:
    response = HttpResponse(
        build_workbook(tables),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
