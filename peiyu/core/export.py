"""Excel exports, formatted the way officials expect: a title row, bold frozen header, 万元 with two
decimals, percentages with one, column widths that fit Chinese text. One helper for every table.

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


@dataclass
class Column:
    header: str
    key: str
    kind: str = "text"  # text | wan (fen shown in 万元) | yuan (fen shown in 元) | int | pct | date
    width: float | None = None


@dataclass
class Table:
    sheet: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any] | Any]
    title: str = ""
    notes: list[str] = field(default_factory=list)


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


def build_workbook(tables: Sequence[Table]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    fmt_title = wb.add_format({"bold": True, "font_size": 14})
    fmt_head = wb.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    formats = {
        "wan": wb.add_format({"num_format": "#,##0.00", "border": 1}),
        "yuan": wb.add_format({"num_format": "#,##0.00", "border": 1}),
        "int": wb.add_format({"num_format": "#,##0", "border": 1}),
        "pct": wb.add_format({"num_format": '0.0"%"', "border": 1}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd", "border": 1}),
        "text": wb.add_format({"border": 1}),
    }
    fmt_note = wb.add_format({"italic": True, "font_color": "#666666"})
    for table in tables:
        ws = wb.add_worksheet(table.sheet[:31])
        r = 0
        if table.title:
            ws.write(r, 0, table.title, fmt_title)
            r += 1
        for note in table.notes:
            ws.write(r, 0, note, fmt_note)
            r += 1
        header_row = r
        widths = [max(_display_width(c.header), 8) for c in table.columns]
        for j, col in enumerate(table.columns):
            ws.write(r, j, col.header, fmt_head)
        r += 1
        for row in table.rows:
            for j, col in enumerate(table.columns):
                v = _value(row, col.key)
                if v is None or v == "":
                    ws.write_blank(r, j, None, formats["text"])
                    continue
                if col.kind == "wan":
                    ws.write_number(r, j, float(Decimal(int(v)) / FEN_PER_WAN), formats["wan"])
                elif col.kind == "yuan":
                    ws.write_number(r, j, float(Decimal(int(v)) / 100), formats["yuan"])
                elif col.kind in ("int", "pct"):
                    ws.write_number(r, j, float(v), formats[col.kind])
                elif col.kind == "date" and isinstance(v, dt.date | dt.datetime):
                    if isinstance(v, dt.datetime):
                        v = v.replace(tzinfo=None)
                    ws.write_datetime(r, j, v, formats["date"])
                else:
                    text = str(v)
                    ws.write_string(r, j, text, formats["text"])
                    widths[j] = max(widths[j], min(_display_width(text), 60))
            r += 1
        for j, col in enumerate(table.columns):
            ws.set_column(j, j, col.width or widths[j] + 2)
        ws.freeze_panes(header_row + 1, 0)
        if r > header_row + 1:
            ws.autofilter(header_row, 0, r - 1, len(table.columns) - 1)
    wb.close()
    return buf.getvalue()


def xlsx_response(filename: str, tables: Sequence[Table]) -> HttpResponse:
    response = HttpResponse(
        build_workbook(tables),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
