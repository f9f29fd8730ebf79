"""Reading a file into sheets of cells (rows of Python values), whatever it really is: Excel
through python-calamine, HTML or text saved under an Excel name, CSV via peiyu.core.tabular.
The only part of the parser that touches the file system, and only to read."""

from __future__ import annotations

from pathlib import Path

from peiyu.core.tabular import (
    TableError,
    Workbook,
    check_file_size,
    is_html,
    is_xml_spreadsheet,
    read_html_tables,
    read_workbook,
)


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
        if is_html(probe):
            return read_html_tables(path.read_bytes())
    suffix = Path(file_name).suffix.lower()
    if not is_excel and suffix in {".xls", ".xlsx"}:
        file_name = Path(file_name).stem + (".xls" if is_xml_spreadsheet(data_head) else ".csv")
    return read_workbook(path, file_name)
