"""Writing registry files the way the market-supervision system exports them (for tests)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]], title_rows: Sequence[str] = ()) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("企业名录")
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for t in title_rows:
        ws.write_string(r, 0, t)
        r += 1
    for j, h in enumerate(header):
        ws.write_string(r, j, h)
    for row in rows:
        r += 1
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), datefmt)
            elif isinstance(v, int | float):
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))
    wb.close()
    return path


def write_xls(path: Path, header: list[str], rows: list[list[Any]], title_rows: Sequence[str] = ()) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("企业名录")
    datefmt = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    r = 0
    for t in title_rows:
        ws.write(r, 0, t)
        r += 1
    for j, h in enumerate(header):
        ws.write(r, j, h)
    for row in rows:
        r += 1
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write(r, j, dt.datetime(v.year, v.month, v.day), datefmt)
            else:
                ws.write(r, j, v)
    wb.save(str(path))
    return path


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[Any]],
    encoding: str = "utf-8",
    title_rows: Sequence[str] = (),
) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    for t in title_rows:
        w.writerow([t])
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path
