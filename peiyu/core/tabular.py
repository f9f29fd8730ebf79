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
from html.parser import HTMLParser
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
    return str(value).replace("\u3000", " ").replace("\x00", "").strip()


def norm_label(value: Any) -> str:
    """A header cell reduced for matching: half-width, no spaces, no line breaks, no * marks."""
    text = to_halfwidth(clean_text(value))
    return re.sub(r"[\s*:：]+", "", text)


# ---------------------------------------------------------------------------------------------
# Limits, checked before anything large is allocated (a hostile file must not exhaust the server)

MAX_FILE_BYTES = 200 * 1024 * 1024  # the largest file any importer reads
MAX_ROWS = 1_000_000  # rows of one sheet (Excel's own limit is 1,048,576)
MAX_COLS = 1024  # columns of one sheet (Excel's is 16,384; exports have tens)
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # an .xlsx once decompressed (all its parts)
MAX_PART_BYTES = 512 * 1024 * 1024  # one part of an .xlsx (a sheet, the shared strings)
MAX_RATIO = 200  # decompressed / compressed size of a large part: beyond it, a "zip bomb"
_RATIO_FROM = 20 * 1024 * 1024  # … checked for parts larger than this once decompressed


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def check_file_size(size: int, limit: int | None = None) -> None:
    limit = MAX_FILE_BYTES if limit is None else limit
    if size > limit:
        raise TableError(f"文件过大（{_mb(size)}），单个文件最多 {_mb(limit)}；请拆分后分别导入")


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26 (the inverse of :func:`column_letter`)."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
# one scan for a cell reference beyond the limits: three or more letters, or a row of 7+ digits
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3,}|[A-Z]{0,2}\d{7,})')
_WIDE_CELL = re.compile(rb'r="([A-Z]{3,})(\d+)"')
_DEEP_ROW = re.compile(rb'r="[A-Z]*(\d{7,})"')
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\s([^>]*?\bt="e"[^>]*)>(?:\s*<(?:\w+:)?f[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?\s*<(?:\w+:)?v>([^<]*)<'
)
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_LONG_TEXT = re.compile(rb">[^<]{%d}" % (MAX_CELL_CHARS * 3 + 1))  # UTF-8: at most 3 bytes a character


def _where_cell(col: int, row: int) -> str:
    return f"{column_letter(col)}{row}"


def _check_part(
    zf: Any, info: Any, sheet_names: Mapping[str, str], error_cells: list[tuple[str, str, str]]
) -> int:
    """Decompress one part in chunks (never whole), checking its size, its ratio, the sheet
    dimension, cell positions and text lengths, collecting Excel error cells (#DIV/0!, #N/A: a
    reader shows them as blanks); returns its size."""
    name = info.filename
    label = f"工作表“{sheet_names[name]}”" if name in sheet_names else f"文件部件 {name}"
    if info.file_size > MAX_PART_BYTES or (
        info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(1, info.compress_size)
    ):
        raise TableError(
            f"{label}解压后达 {_mb(info.file_size)}（压缩前 {_mb(info.compress_size)}），"
            "超过允许的大小，疑似恶意构造的压缩文件；文件未导入"
        )
    is_xml = name.endswith(".xml")
    is_sheet = name in sheet_names
    size = 0
    text_run = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > MAX_PART_BYTES or (
                size > _RATIO_FROM and size > MAX_RATIO * max(1, info.compress_size)
            ):
                raise TableError(
                    f"{label}解压后超过 {_mb(min(size, MAX_PART_BYTES))}（压缩前 {_mb(info.compress_size)}），"
                    "疑似恶意构造的压缩文件；文件未导入"
                )
            if not is_xml:
                continue
            # a cell's text runs from ">" to the next "<" (the run carried across chunks)
            first_lt = chunk.find(b"<")
            if text_run and text_run + (len(chunk) if first_lt < 0 else first_lt) > MAX_CELL_CHARS * 3:
                text_run = MAX_CELL_CHARS * 3 + 1
            if text_run > MAX_CELL_CHARS * 3 or _LONG_TEXT.search(chunk):
                raise TableError(
                    f"{label}中有超长单元格（超过 {MAX_CELL_CHARS} 个字符，Excel 单元格的上限）；文件未导入"
                )
            last_gt, last_lt = chunk.rfind(b">"), chunk.rfind(b"<")
            if last_gt > last_lt:
                text_run = len(chunk) - last_gt - 1
            elif first_lt < 0 and text_run:
                text_run += len(chunk)
            else:
                text_run = 0
            if is_sheet:
                window = tail + chunk
                if size <= 1 << 20:
                    m = _DIMENSION.search(window)
                    if m and m.group(3) and m.group(4):
                        cols, rows = column_index(m.group(3).decode()) + 1, int(m.group(4))
                        if rows > MAX_ROWS or cols > MAX_COLS:
                            raise TableError(
                                f"{label}的范围为 {m.group(0).decode()[16:-1]}（{rows} 行 × {cols} 列），"
                                f"超过上限（{MAX_ROWS} 行、{MAX_COLS} 列）；请删去多余的行列后重新导出"
                            )
                if _FAR_REF.search(window):
                    for m in _WIDE_CELL.finditer(window):
                        col = column_index(m.group(1).decode())
                        if col >= MAX_COLS:
                            raise TableError(
                                f"{label}的单元格 {m.group(1).decode()}{m.group(2).decode()} 超出 {MAX_COLS} 列的上限；"
                                "请删去多余的列后重新导出"
                            )
                    m = _DEEP_ROW.search(window)
                    if m and int(m.group(1)) > MAX_ROWS:
                        raise TableError(
                            f"{label}有第 {int(m.group(1))} 行的数据，超过 {MAX_ROWS} 行的上限；请拆分后分别导入"
                        )
                if b't="e"' in window and len(error_cells) < 200:
                    for m in _ERROR_CELL.finditer(window):
                        ref = _REF.search(m.group(1))
                        item = (
                            sheet_names[name],
                            ref.group(1).decode() if ref else "",
                            m.group(2).decode("utf-8", "replace"),
                        )
                        if item not in error_cells:
                            error_cells.append(item)
                tail = chunk[-1024:]
    return size


def check_zip(data: bytes | Path) -> list[tuple[str, str, str]]:
    """An .xlsx/.ods is a zip: its parts' sizes, ratios, sheet dimensions and cells are checked
    while decompressing them in chunks, before a spreadsheet reader allocates anything for them.
    Returns the Excel error cells found: (sheet name, cell, value such as "#DIV/0!")."""
    error_cells: list[tuple[str, str, str]] = []
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError("无法读取 Excel 文件（文件损坏或格式不符）：压缩包无法打开") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise TableError(f"Excel 文件含 {len(infos)} 个部件，异常；文件未导入")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNPACKED_BYTES:
            raise TableError(
                f"Excel 文件解压后达 {_mb(declared)}，超过 {_mb(MAX_UNPACKED_BYTES)} 的上限，疑似恶意构造的压缩文件"
            )
        sheet_names = _xlsx_sheet_parts(zf)
        total = 0
        try:
            for info in infos:
                if info.is_dir():
                    continue
                total += _check_part(zf, info, sheet_names, error_cells)
                if total > MAX_UNPACKED_BYTES:
                    raise TableError(
                        f"Excel 文件解压后超过 {_mb(MAX_UNPACKED_BYTES)} 的上限，疑似恶意构造的压缩文件"
                    )
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise TableError(f"无法读取 Excel 文件（文件损坏或格式不符）：{type(exc).__name__}") from None
        except Exception as exc:  # zlib.error and other decompression errors
            if isinstance(exc, TableError):
                raise
            raise TableError(f"无法读取 Excel 文件（文件损坏或格式不符）：{type(exc).__name__}") from None
    return error_cells


def _xlsx_sheet_parts(zf: Any) -> dict[str, str]:
    """Sheet part name → the sheet's name ("xl/worksheets/sheet1.xml" → "明细"), best effort."""
    out: dict[str, str] = {}
    try:
        wb = zf.read("xl/workbook.xml")[: 4 << 20].decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels")[: 4 << 20].decode("utf-8", "replace")
    except KeyError:
        return {
            n: n.rsplit("/", 1)[-1]
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        }
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets |= {
        m.group(2): m.group(1)
        for m in re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
    }
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", wb):
        attrs = m.group(1)
        nm = re.search(r'\bname="([^"]*)"', attrs)
        rid = re.search(r'\br:id="([^"]*)"|\bid="([^"]*)"', attrs)
        if not nm or not rid:
            continue
        target = targets.get(rid.group(1) or rid.group(2) or "")
        if target:
            target = target.lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            out[part] = _html_unescape(nm.group(1))
    for n in zf.namelist():
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and n not in out:
            out[n] = n.rsplit("/", 1)[-1]
    return out


def _html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


# ---------------------------------------------------------------------------------------------
# Text files: encodings and CSV


def _utf16(data: bytes) -> str | None:
    """Excel's "Unicode text" (UTF-16 with a BOM) or UTF-16 without one (many NUL bytes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    elif len(data) >= 8 and data[1:200:2].count(0) > 0.6 * len(data[1:200:2]):
        enc = "utf-16-le"
    elif len(data) >= 8 and data[0:200:2].count(0) > 0.6 * len(data[0:200:2]):
        enc = "utf-16-be"
    else:
        return None
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        raise TableError("文件看似 UTF-16（Unicode 文本），但内容无法按 UTF-16 解码；请重新导出") from None


def _mixed_encoding(data: bytes) -> None:
    """Lines in UTF-8 next to lines in GBK (a file pasted together from two exports): refuse, naming
    the first line whose encoding differs from the file's first non-ASCII line."""
    first: str | None = None
    for no, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            enc = "UTF-8"
        except UnicodeDecodeError:
            enc = "GBK/GB18030"
        if first is None:
            first = enc
        elif enc != first:
            raise TableError(
                f"文件混用了两种编码：前面的内容是 {first}，第 {no} 行起是 {enc}（可能由两个文件拼接而成）；"
                "请用一种编码重新导出整个文件"
            )


def decode_text(data: bytes) -> str:
    """UTF-16 ("Unicode text"), UTF-8 (with or without BOM), else GB18030 (a superset of GBK and
    GB2312); a file mixing UTF-8 and GBK lines is refused. Stray NUL characters (left by some export
    tools at line ends) are dropped: no text cell holds one, and PostgreSQL cannot store them."""
    return _decode_text(data).replace("\x00", "")


def _decode_text(data: bytes) -> str:
    text = _utf16(data)
    if text is not None:
        return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    _mixed_encoding(data)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TableError("无法识别文件编码（支持 UTF-8、UTF-16、GBK、GB18030）") from None


csv.field_size_limit(MAX_CELL_CHARS * 4)


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    sample = text[:20000]
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        if "\t" in sample and "," not in sample:
            delimiter = "\t"
        elif ";" in sample and "," not in sample:
            delimiter = ";"
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for r in reader:
            for j, value in enumerate(r):
                if len(value) > MAX_CELL_CHARS:
                    raise TableError(
                        f"第 {len(rows) + 1} 行 {column_letter(j)} 列的单元格过长（{len(value)} 个字符，"
                        f"上限 {MAX_CELL_CHARS}）；文件未导入"
                    )
                if "\n" in value and value.count(delimiter) >= 2:
                    raise TableError(
                        f"第 {len(rows) + 1} 行 {column_letter(j)} 列的引号没有配对：文本第 {start}–{reader.line_num} 行"
                        "被读成了一个单元格（其后的行，可能包括合计行，都被吞掉了）；请修正引号后重新导出"
                    )
            rows.append(r)
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise TableError(f"文件超过 {MAX_ROWS} 行的上限；请拆分后分别导入")
    except csv.Error as exc:  # an unclosed quote, a stray NUL …: refuse, never crash
        if "end of data" in str(exc):
            raise TableError(
                f"第 {len(rows) + 1} 行{'' if start == len(rows) + 1 else f'（文本第 {start} 行）'}起的引号没有配对，直到文件末尾都被读成了一个单元格"
                "（其后的行，包括合计行，都会丢失）；请修正引号后重新导出"
            ) from None
        if "field limit" in str(exc):
            raise TableError(
                f"CSV 文件无法读取：第 {len(rows) + 1} 行有超长单元格（超过 {MAX_CELL_CHARS} 个字符的上限）"
            ) from None
        raise TableError(
            f"CSV 文件无法读取：第 {len(rows) + 1} 行有问题（{exc}），可能有不配对的引号或空字符"
        ) from None
    _check_not_cut(text, rows)
    return rows


_TAIL_WORDS = ("合计", "总计", "小计", "说明", "注", "备注", "制表")


def _check_not_cut(text: str, rows: list[list[Any]]) -> None:
    """A text file cut off mid-row (an interrupted download or copy): no line break at the end and a
    last row shorter than the rows before it. Its missing rows (and 合计) must not pass unnoticed."""
    if len(rows) < 3 or text.endswith(("\n", "\r")):
        return
    last = rows[-1]
    widths = sorted(len(r) for r in rows[-51:-1] if any(str(c).strip() for c in r))
    if not widths or len(last) >= widths[len(widths) // 2]:
        return
    first = str(last[0]).strip() if last else ""
    if any(first.startswith(w) for w in _TAIL_WORDS):
        return
    raise TableError(
        f"文件似乎不完整：最后一行（第 {len(rows)} 行）只有 {len(last)} 列，前面的行有 "
        f"{widths[len(widths) // 2]} 列，且文件末尾没有换行——可能在下载或复制时被截断，其后的行（包括合计行）"
        "都没有读到；请重新导出完整的文件"
    )


# ---------------------------------------------------------------------------------------------
# XML Spreadsheet 2003 (what older systems save as .xls)

_SS = "urn:schemas-microsoft-com:office:spreadsheet"


def is_xml_spreadsheet(head: bytes) -> bool:
    h = head[:4096]
    return h.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<?xml") and (
        b"urn:schemas-microsoft-com:office:spreadsheet" in h or b"<Workbook" in h
    )


def read_xml_spreadsheet(data: bytes) -> Workbook:
    """Sheets of an XML Spreadsheet 2003 file (ss:Index gaps, MergeAcross/MergeDown as blanks,
    hidden sheets skipped). DTDs and entities are refused (no entity expansion)."""
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise TableError("XML 表格文件含 DTD/实体声明，出于安全原因不予读取")
    ns = {"ss": _SS}
    try:
        root = ET.fromstring(data)  # noqa: S314 - DTDs and entities refused above; no expansion possible
    except ET.ParseError as exc:
        raise TableError(f"XML 表格文件无法解析（{exc}）") from None
    sheets: list[Sheet] = []
    hidden: list[str] = []
    for k, ws in enumerate(root.iter(f"{{{_SS}}}Worksheet")):
        name = ws.get(f"{{{_SS}}}Name") or f"Sheet{k + 1}"
        vis = ws.find(".//{urn:schemas-microsoft-com:office:excel}Visible")
        if vis is not None and (vis.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
            hidden.append(name)
            continue
        rows: list[list[Any]] = []
        pending: dict[tuple[int, int], bool] = {}  # cells covered by a MergeDown from above
        table = ws.find("ss:Table", ns)
        for row_el in table.findall("ss:Row", ns) if table is not None else []:
            idx = row_el.get(f"{{{_SS}}}Index")
            if idx is not None:
                target = int(idx) - 1
                if target >= MAX_ROWS:
                    raise TableError(f"工作表“{name}”有第 {target + 1} 行的数据，超过 {MAX_ROWS} 行的上限")
                while len(rows) < target:
                    rows.append([])
            if len(rows) >= MAX_ROWS:
                raise TableError(f"工作表“{name}”超过 {MAX_ROWS} 行的上限；请拆分后分别导入")
            i = len(rows)
            row: list[Any] = []
            j = 0
            for cell_el in row_el.findall("ss:Cell", ns):
                cidx = cell_el.get(f"{{{_SS}}}Index")
                if cidx is not None:
                    j = int(cidx) - 1
                while (i, j) in pending:
                    j += 1
                if j >= MAX_COLS:
                    raise TableError(f"工作表“{name}”第 {i + 1} 行的单元格超出 {MAX_COLS} 列的上限")
                while len(row) < j:
                    row.append("")
                data_el = cell_el.find("ss:Data", ns)
                value: Any = ""
                if data_el is not None:
                    text = "".join(data_el.itertext())
                    typ = data_el.get(f"{{{_SS}}}Type", "String")
                    if len(text) > MAX_CELL_CHARS:
                        raise TableError(
                            f"工作表“{name}”单元格 {_where_cell(j, i + 1)} 过长（超过 {MAX_CELL_CHARS} 个字符）"
                        )
                    if typ == "Number":
                        try:
                            num = float(text)
                            value = (
                                int(num)
                                if num.is_integer()
                                and abs(num) < 2**53
                                and "." not in text
                                and "e" not in text.lower()
                                else num
                            )
                        except ValueError:
                            value = text
                    elif typ == "DateTime":
                        import datetime as _dt

                        try:
                            value = _dt.datetime.fromisoformat(text[:19])
                        except ValueError:
                            value = text
                    elif typ == "Error":
                        value = text  # "#DIV/0!": an amount parser refuses it
                    else:
                        value = text
                row.append(value)
                across = int(cell_el.get(f"{{{_SS}}}MergeAcross", "0") or 0)
                down = int(cell_el.get(f"{{{_SS}}}MergeDown", "0") or 0)
                if across > MAX_COLS or down > MAX_ROWS:
                    raise TableError(f"工作表“{name}”的合并单元格范围过大")
                row.extend([""] * across)
                for di in range(1, down + 1):
                    for dj in range(0, across + 1):
                        pending[(i + di, j + dj)] = True
                j += across + 1
            rows.append(row)
        width = max((len(r) for r in rows), default=0)
        sheets.append(Sheet(name, [r + [""] * (width - len(r)) for r in rows]))
    if not sheets:
        raise TableError("XML 表格文件中没有可见的工作表" if hidden else "XML 表格文件中没有工作表")
    return Workbook(sheets, hidden)


# ---------------------------------------------------------------------------------------------
# HTML tables saved as .xls (what many systems export)


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
        area = 0
        for i, row in enumerate(rows):
            j = 0
            for text, rs, cs in row:
                area += rs * cs
                if area > 5_000_000:
                    raise TableError("网页格式的表格过大（合并单元格的范围超过 500 万格）；文件未导入")
                while (i, j) in grid:
                    j += 1
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = text if (di, dj) == (0, 0) else ""
                j += cs
                width = max(width, j)
        height = max((i for i, _ in grid), default=-1) + 1
        return [[grid.get((i, j), "") for j in range(width)] for i in range(height)]


def is_html(head: bytes) -> bool:
    return bool(re.search(rb"<\s*(html|table|!doctype)", head[:4096], re.IGNORECASE))


def read_html_tables(data: bytes) -> Workbook:
    parser = _HtmlTables()
    parser.feed(decode_text(data))
    parser.close()
    if not parser.tables:
        raise TableError("网页格式的文件中没有表格")
    for t in parser.tables:
        if len(t) > MAX_ROWS or any(len(r) > MAX_COLS for r in t[:1]):
            raise TableError(f"网页格式的表格超过上限（{MAX_ROWS} 行、{MAX_COLS} 列）")
    return Workbook([Sheet(f"表{k + 1}", t) for k, t in enumerate(parser.tables)])


# ---------------------------------------------------------------------------------------------
# Workbooks


@dataclass
class Workbook:
    sheets: list[Sheet]
    hidden: list[str] = field(default_factory=list)  # hidden sheets, not read
    error_cells: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (sheet, cell, "#N/A") visible sheets

    def error_cells_message(self) -> str:
        """A Chinese sentence naming the error cells (empty when there are none)."""
        if not self.error_cells:
            return ""
        multi = len({s for s, _c, _v in self.error_cells}) > 1 or len(self.sheets) > 1
        shown = "、".join((f"{s}!" if multi else "") + f"{c}（{v}）" for s, c, v in self.error_cells[:20])
        more = f"等 {len(self.error_cells)} 个单元格" if len(self.error_cells) > 20 else ""
        return (
            f"文件中有 Excel 错误值：{shown}{more}。错误值会被读成空白（0），数字就错了；"
            "请在 Excel 中修正公式（或粘贴为数值）后重新导出"
        )


def check_xls_errors(data: bytes, limit: int = 1000) -> list[tuple[str, str, str]]:
    """(sheet, cell, "#N/A") for the error cells of the visible sheets of an old .xls (BIFF) file:
    calamine reads them as blanks, which would silently become 0. Read with xlrd; a file xlrd
    cannot open is left to calamine to judge."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - a declared dependency
        return []
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False)
    except Exception:  # noqa: BLE001 — not BIFF (or damaged): calamine decides
        return []
    out: list[tuple[str, str, str]] = []
    try:
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            if sheet.visibility:  # hidden or very hidden: not read at all
                continue
            for r in range(sheet.nrows):
                for c, kind in enumerate(sheet.row_types(r)):
                    if kind == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(sheet.cell_value(r, c), "#错误")
                        out.append((sheet.name, f"{column_letter(c)}{r + 1}", text))
                        if len(out) >= limit:
                            return out
            book.unload_sheet(i)
    except Exception:  # noqa: BLE001 — a sheet xlrd cannot parse: calamine decides
        return out
    finally:
        book.release_resources()
    return out


def _calamine(data: bytes) -> Workbook:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    visible: list[str] = []
    hidden: list[str] = []
    try:
        meta = {m.name: m for m in wb.sheets_metadata}
    except Exception:  # older python-calamine: every sheet counts as visible
        meta = {}
    for name in wb.sheet_names:
        m = meta.get(name)
        state = str(getattr(m, "visible", "Visible")) if m is not None else "Visible"
        kind = str(getattr(m, "typ", "WorkSheet")) if m is not None else "WorkSheet"
        if "Hidden" in state:
            hidden.append(name)
        elif "WorkSheet" in kind or "Worksheet" in kind:
            visible.append(name)
    if not visible:
        raise TableError(
            f"文件中没有可见的工作表（隐藏的工作表 {'、'.join(hidden)} 不读取）"
            if hidden
            else "文件中没有工作表"
        )
    sheets = []
    for name in visible:
        ws = wb.get_sheet_by_name(name)
        height, width = ws.height, ws.width
        if height > MAX_ROWS or width > MAX_COLS:
            raise TableError(
                f"工作表“{name}”有 {height} 行 × {width} 列，超过上限（{MAX_ROWS} 行、{MAX_COLS} 列）；"
                "请删去多余的行列后重新导出"
            )
        sheets.append(Sheet(name, ws.to_python(skip_empty_area=False)))
    return Workbook(sheets, hidden)


def read_workbook(path: str | Path, filename: str | None = None) -> Workbook:
    """All visible sheets of a workbook (a CSV is one sheet), every limit checked first: the file's
    size, an .xlsx's decompressed size and ratio, sheet dimensions, cell lengths. ``filename`` gives
    the type when ``path`` is a temp file. Hidden sheets are not read; their names are returned."""
    path = Path(path)
    name = filename or path.name
    suffix = Path(name).suffix.lower()
    try:
        check_file_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"无法读取文件：{exc.strerror or exc}") from None
    if not data:
        raise TableError("文件是空的")
    if is_xml_spreadsheet(data):
        return read_xml_spreadsheet(data)
    is_zip, is_ole = data[:4] == b"PK\x03\x04", data[:4] == b"\xd0\xcf\x11\xe0"
    if suffix in TEXT_SUFFIXES or (suffix not in EXCEL_SUFFIXES and not (is_zip or is_ole)):
        return Workbook([Sheet(Path(name).stem, _read_csv(data))])
    if not (is_zip or is_ole):
        probe = data[:4096]
        if probe[:2] in (b"\xff\xfe", b"\xfe\xff"):
            probe = probe.decode("utf-16", "ignore").encode("utf-8")
        if is_html(probe):
            return read_html_tables(data)
        return Workbook([Sheet(Path(name).stem, _read_csv(data))])  # text saved with an Excel name
    error_cells = check_zip(data) if is_zip else check_xls_errors(data)
    try:
        book = _calamine(data)
        visible = {sh.name for sh in book.sheets}
        book.error_cells = [e for e in error_cells if e[0] in visible]
        return book
    except TableError:
        raise
    except Exception as exc:  # calamine raises several exception types for corrupt files
        raise TableError(f"无法读取 Excel 文件（文件损坏或格式不符）：{type(exc).__name__}") from None


def read_sheets(path: str | Path, filename: str | None = None) -> list[Sheet]:
    """All visible sheets of a workbook (a CSV is one sheet); see :func:`read_workbook`."""
    return read_workbook(path, filename).sheets


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
