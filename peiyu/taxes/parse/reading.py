"""Reading a file into sheets of cells (rows of Python values), whatever it really is: Excel
through python-calamine, HTML or text saved under an Excel name, CSV via peiyu.core.tabular.
The only part of the parser that touches the file system, and only to read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from peiyu.core.tabular import (
    Sheet,
    TableError,
    Workbook,
    check_file_size,
    decode_text,
    is_xml_spreadsheet,
    read_workbook,
)


class _HtmlTables(HTMLParser):
    """Tables of an HTML page, with colspan/rowspan laid out like merged cells in Excel (the value in
    the top-left cell, blanks elsewhere). Many systems export "Excel" files that are HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._rows: list[list[tuple[str, int, int]]] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            if not self._rows:
                self._rows.append([])
            self._cell = []

            def span(name: str) -> int:
                try:
                    return max(1, min(int(a.get(name) or 1), 1000))
                except ValueError:
                    return 1

            self._span = (span("rowspan"), span("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(("".join(self._cell).strip(), *self._span))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append(self._layout(self._rows))
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    @staticmethod
    def _layout(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
        grid: dict[tuple[int, int], str] = {}
        width = 0
        for i, row in enumerate(rows):
            j = 0
            for text, rs, cs in row:
                while (i, j) in grid:
                    j += 1
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = text if (di, dj) == (0, 0) else ""
                j += cs
                width = max(width, j)
        height = max((i for i, _ in grid), default=-1) + 1
        return [[grid.get((i, j), "") for j in range(width)] for i in range(height)]


def read_tax_file(path: str | Path, file_name: str) -> Workbook:
    """Excel (visible sheets only; every limit of :func:`peiyu.core.tabular.read_workbook` checked
    before reading), XML Spreadsheet 2003, HTML or text saved as ".xls" (as many systems export) as
    what it really is; CSV / UTF-16 text via peiyu.core.tabular."""
    path = Path(path)
    try:
        check_file_size(path.stat().st_size)
        with path.open("rb") as fh:
            data_head = fh.read(4096)
    except OSError as exc:
        raise TableError(f"无法读取文件：{exc.strerror or exc}") from None
    is_excel = data_head[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    if not is_excel and not is_xml_spreadsheet(data_head):
        probe = data_head
        if data_head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            probe = data_head.decode("utf-16", "ignore").encode("utf-8")
        if re.search(rb"<\s*(html|table|!doctype)", probe, re.IGNORECASE):
            parser = _HtmlTables()
            parser.feed(decode_text(path.read_bytes()))
            parser.close()
            if not parser.tables:
                raise TableError("网页格式的文件中没有表格")
            return Workbook([Sheet(f"表{k + 1}", t) for k, t in enumerate(parser.tables)])
    suffix = Path(file_name).suffix.lower()
    if not is_excel and suffix in {".xls", ".xlsx"}:
        file_name = Path(file_name).stem + (".xls" if is_xml_spreadsheet(data_head) else ".csv")
    return read_workbook(path, file_name)
