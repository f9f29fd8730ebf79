"""Hostile and malformed files, generated (not committed as binaries): for the hostile-corpus test
(``tests/test_hostile_corpus.py``) and for anyone checking a reader against what arrives in real
uploads — truncated and bomb zips, sheets claiming 16,384 × 1,048,576 cells, shared-string bombs,
endless cells, unbalanced quotes, mixed encodings, entity bombs, hidden sheets, formula text …

    path = hostile.write_xlsx(tmp / "x.xlsx", [[["纳税人识别号", "增值税"], ["9131…", 1.5]]])
    path = hostile.xlsx_bomb(tmp / "bomb.xlsx")

Every builder writes one file and returns its path; none needs more than a few MB of memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from peiyu.core.tabular import column_letter

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}{sst}</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def cell_xml(ref: str, value: Any) -> str:
    """One <c>: numbers as numbers, ``("e", "#DIV/0!")`` as an error cell, ``("s", k)`` as shared
    string k, anything else as an inline string."""
    if isinstance(value, tuple):
        kind, v = value
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{escape(str(v))}</v></c>'
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{v}</v></c>'
        if kind == "f":  # a formula with a cached value
            return f'<c r="{ref}"><f>{escape(str(v[0]))}</f><v>{v[1]}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if value is None or value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Any]], *, dimension: str | None = None, extra_cells: str = "") -> str:
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for i, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{column_letter(j)}{i}", v) for j, v in enumerate(row))
        out.append(f'<row r="{i}">{cells}</row>')
    out.append(extra_cells)
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(
    path: str | Path,
    sheets: Sequence[Sequence[Sequence[Any]]] | None = None,
    *,
    names: Sequence[str] | None = None,
    states: Sequence[str] | None = None,
    sheet_xmls: Sequence[str] | None = None,
    shared_strings: str | bytes | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal .xlsx from rows (or ready sheet XML); ``states`` "visible" / "hidden" / "veryHidden"."""
    path = Path(path)
    xmls = list(sheet_xmls) if sheet_xmls is not None else [sheet_xml(r) for r in (sheets or [[]])]
    names = list(names or [f"Sheet{k + 1}" for k in range(len(xmls))])
    states = list(states or ["visible"] * len(xmls))
    wb_sheets = "".join(
        f'<sheet name="{escape(n)}" sheetId="{k + 1}" r:id="rId{k + 1}"'
        + (f' state="{s}"' if s != "visible" else "")
        + "/>"
        for k, (n, s) in enumerate(zip(names, states, strict=True))
    )
    rels = "".join(
        f'<Relationship Id="rId{k + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{k + 1}.xml"/>'
        for k in range(len(xmls))
    )
    if shared_strings is not None:
        rels += f'<Relationship Id="rId{len(xmls) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    ct_sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for k in range(len(xmls))
    )
    ct_sst = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings is not None
        else ""
    )
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(sheets=ct_sheets, sst=ct_sst))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS}><sheets>{wb_sheets}</sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for k, x in enumerate(xmls):
            zf.writestr(f"xl/worksheets/sheet{k + 1}.xml", x)
        if shared_strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def xlsx_far_cell(path: str | Path, rows: Sequence[Sequence[Any]], *, with_dimension: bool = True) -> Path:
    """A few KB claiming (and holding a cell at) XFD1048576: a dense reader allocates 1.7·10¹⁰ cells."""
    extra = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    x = sheet_xml(rows, dimension="A1:XFD1048576" if with_dimension else None, extra_cells=extra)
    return write_xlsx(path, sheet_xmls=[x])


def xlsx_wide_cell(path: str | Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A cell far to the right (column ZZZ) on row 2, no dimension."""
    x = sheet_xml(rows).replace("</row>", '<c r="ZZZ1"><v>1</v></c></row>', 1)
    return write_xlsx(path, sheet_xmls=[x])


def xlsx_lying_dimension(path: str | Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A dimension claiming 16,384 columns over a normal table."""
    return write_xlsx(path, sheet_xmls=[sheet_xml(rows, dimension="A1:XFD20")])


def xlsx_shared_string_bomb(path: str | Path, *, megabytes: int = 600) -> Path:
    """A few hundred KB whose shared strings decompress to ``megabytes`` MB (streamed into the zip)."""
    path = Path(path)
    write_xlsx(path, sheet_xmls=[sheet_xml([[("s", 0), ("s", 0)]])])
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh,
    ):
        fh.write(f'<?xml version="1.0"?><sst {_NS} count="1" uniqueCount="1"><si><t>'.encode())
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            fh.write(block)
        fh.write(b"</t></si></sst>")
    return path


def xlsx_sheet_bomb(path: str | Path, *, megabytes: int = 400) -> Path:
    """A sheet XML of many MB of blank rows, compressed a thousandfold."""
    path = Path(path)
    # the parts of a one-sheet workbook, then its sheet streamed in
    write_xlsx(path, sheet_xmls=["<worksheet/>"])
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist() if not n.startswith("xl/worksheets/")}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'.encode())
            block = b"<row/>" * ((1 << 20) // 6)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def xlsx_long_cell(path: str | Path, rows: Sequence[Sequence[Any]], *, chars: int = 40_000) -> Path:
    table = [list(r) for r in rows]
    table[1][1] = "名" * chars
    return write_xlsx(path, [table])


def truncated(path: str | Path, source: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    Path(path).write_bytes(data[: max(1, int(len(data) * keep))])
    return Path(path)


def xml_spreadsheet(rows: Sequence[Sequence[Any]], *, doctype: str = "") -> bytes:
    cells = "".join(
        "<Row>"
        + "".join(
            f'<Cell><Data ss:Type="{"Number" if isinstance(v, (int, float)) else "String"}">{escape(str(v))}</Data></Cell>'
            for v in r
        )
        + "</Row>"
        for r in rows
    )
    return (
        f'<?xml version="1.0"?>{doctype}<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        f'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>{cells}'
        "</Table></Worksheet></Workbook>"
    ).encode()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def csv_text(rows: Sequence[Sequence[Any]], delimiter: str = ",") -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()
