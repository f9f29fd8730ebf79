"""Written documents from :class:`peiyu.core.sections.Section` data: Word in the official layout and
Excel with one sheet per table.

Every document the platform writes — the monthly analysis report, a meeting pack, the dispatch
pack, a supervision bulletin, an evaluation report — is a list of sections rendered here, so that
they all look like the papers a district office issues: A4, 仿宋 body text, 黑体 headings, a header
with the issuing unit and the date, page numbers in the footer, tables whose header row repeats on
every page and whose unit is printed under the title.

    data = render_docx(title="2025年3月产业税收分析", sections=sections, issuer="普陀区发展改革委")
    return docx_response("产业税收分析_2025-03.docx", data)
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from peiyu.core import export
from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Official fonts first; a Linux server without them falls back to what Debian ships (Noto CJK).
BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "FangSong"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"

#: The issuing unit printed in the header when a caller names none (settings.PEIYU_REPORT_ISSUER).
DEFAULT_ISSUER = "区重点产业培育工作领导小组办公室"


def default_issuer() -> str:
    from django.conf import settings

    return str(getattr(settings, "PEIYU_REPORT_ISSUER", "") or DEFAULT_ISSUER)


_KIND_TO_COLUMN = {
    "money": "wan",
    "percent": "pct",
    "integer": "int",
    "date": "date",
    "decimal": "decimal",
    "text": "text",
}


def cell_text(value: Any, kind: str) -> str:
    """A table cell as printed: money (fen) in 万元 with two decimals, percentages with one."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_wan(int(value))
    if kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value):.1f}%"
    if kind == "integer" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def _set_font(
    run_or_style: Any, east_asia: str, size_pt: float | None = None, bold: bool | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = LATIN_FONT
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)


def _page_field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES, TOC) that Word fills in when the document is opened."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1" if "PAGE" in instruction else ""
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, text, separate, placeholder, end):
        run._r.append(el)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def new_document(*, issuer: str = "", date: dt.date | None = None) -> Any:
    """An empty A4 document in the official layout (styles, margins, header and page numbers)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, 14)  # 三号 is 16 pt; 四号 (14 pt) keeps tables readable
    normal.paragraph_format.line_spacing = Pt(26)
    normal.paragraph_format.first_line_indent = Pt(28)
    for level, (font, size) in {1: (HEADING_FONT, 16), 2: (SUBHEADING_FONT, 15), 3: (BODY_FONT, 14)}.items():
        style = doc.styles[f"Heading {level}"]
        _set_font(style, font, size, bold=level != 2)
        style.font.color.rgb = None
        style.paragraph_format.first_line_indent = Pt(0)
    title = doc.styles["Title"]
    _set_font(title, "方正小标宋简体", 22, bold=False)
    title.font.color.rgb = None
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    header = section.header.paragraphs[0]
    header.text = "　".join(p for p in (issuer, date.strftime("%Y年%-m月%-d日") if date else "") if p)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _page_field(footer, "PAGE")
    footer.add_run(" —")
    return doc


def add_table(doc: Any, table: SectionTable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if table.title:
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.first_line_indent = Pt(0)
        _set_font(caption.add_run(table.title), HEADING_FONT, 12)
    if table.unit:
        unit = doc.add_paragraph()
        unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        unit.paragraph_format.first_line_indent = Pt(0)
        _set_font(unit.add_run(f"单位：{table.unit}"), BODY_FONT, 10.5)
    kinds = list(table.kinds) + ["text"] * (len(table.columns) - len(table.kinds))
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    head = grid.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, table.columns, strict=True):
        cell.text = ""
        p = cell.paragraphs[0]
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(text), HEADING_FONT, 10.5)
    for row in table.rows:
        cells = grid.add_row().cells
        for j, cell in enumerate(cells):
            value = row[j] if j < len(row) else None
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = Pt(16)
            if kinds[j] in ("money", "percent", "integer", "decimal"):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_font(p.add_run(cell_text(value, kinds[j])), BODY_FONT, 10.5)
    _fit_columns(grid, table, kinds)
    if table.note:
        note = doc.add_paragraph()
        note.paragraph_format.first_line_indent = Pt(0)
        _set_font(note.add_run(f"注：{table.note}"), BODY_FONT, 10.5)


TEXT_WIDTH_CM = 15.6  # A4 less the official margins (2.8 cm + 2.6 cm)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fit_columns(grid: Any, table: SectionTable, kinds: list[str]) -> None:
    """Column widths in proportion to their content (a name column wide, numbers narrow), the table
    spanning the text width; Word and LibreOffice both read the cell widths."""
    from docx.shared import Cm

    weights = []
    for j, header in enumerate(table.columns):
        longest = max(
            [_display_width(header) // 2 + 2]
            + [
                _display_width(cell_text(row[j] if j < len(row) else None, kinds[j]))
                for row in table.rows[:200]
            ]
        )
        weights.append(min(max(longest, 6), 28 if kinds[j] == "text" else 14))
    total = sum(weights) or 1
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in weights]
    grid.autofit = False
    for col, width in zip(grid.columns, widths, strict=True):
        col.width = width
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def add_section(doc: Any, section: Section, *, number: str = "", level: int = 1) -> None:
    """A section: its heading (none when the title is empty), paragraphs, chart image, tables and
    problems."""
    if section.title:
        doc.add_heading(f"{number}{section.title}", level=level)
    for text in section.paragraphs:
        doc.add_paragraph(text)
    if section.chart:
        add_chart(doc, section.chart)
    for table in section.tables:
        add_table(doc, table)
    if section.problems:
        doc.add_heading("存在问题与建议", level=min(level + 1, 3))
        for text in section.problems:
            doc.add_paragraph(text)


def add_chart(doc: Any, option: dict[str, Any], *, width_cm: float = 15.5) -> bool:
    """The chart as a picture (rendered on the server, :mod:`peiyu.core.chartimage`); False when it
    cannot be drawn (no data, no plotting library): the tables still carry the figures."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from peiyu.core import chartimage

    png = chartimage.render_png(option)
    if png is None:
        return False
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0  # not the body's exact 26 pt: that would crop the picture
    p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    title = chartimage.title_of(option)
    if title:
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.first_line_indent = Pt(0)
        _set_font(caption.add_run(f"图：{title}"), SUBHEADING_FONT, 12)
    return True


def add_toc(doc: Any, headings: Sequence[tuple[int, str]]) -> None:
    """A table of contents: a Word TOC field (Word fills in the page numbers on opening: the document
    asks to update its fields) whose shown result lists the headings already, so a reader — or
    LibreOffice converting to PDF — sees the contents even before the update."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.first_line_indent = Pt(0)
    _set_font(head.add_run("目　录"), HEADING_FONT, 16)

    def fld(paragraph: Any, kind: str, instruction: str = "") -> None:
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
        if instruction:
            instr = paragraph.add_run()
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            instr._r.append(text)

    entries = list(headings) or [(1, "（更新域后显示目录）")]
    for i, (level, text) in enumerate(entries):
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.left_indent = Pt(0 if level == 1 else 28)
        if i == 0:
            fld(p, "begin", 'TOC \\o "1-2" \\h \\z \\u')
            fld(p, "separate")
        _set_font(p.add_run(text), HEADING_FONT if level == 1 else BODY_FONT, 14)
        if i == len(entries) - 1:
            fld(p, "end")
    _ask_to_update_fields(doc)
    doc.add_page_break()


CHINESE_NUMBERS = "一二三四五六七八九十"


def section_number(i: int) -> str:
    if i < 10:
        return CHINESE_NUMBERS[i] + "、"
    return f"{i + 1}、"


def render_docx(
    *,
    title: str,
    sections: Sequence[Section],
    issuer: str = "",
    subtitle: str = "",
    date: dt.date | None = None,
    basis: str = "",
) -> bytes:
    """The sections as one Word document in the official layout; sections in their ``order``."""
    doc = new_document(issuer=issuer, date=date)
    _title_block(doc, title, subtitle, basis)
    for i, section in enumerate(sorted(sections, key=lambda s: s.order)):
        add_section(doc, section, number=section_number(i))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


#: settings.xml children that follow ``w:updateFields`` (the schema fixes the order; Word refuses
#: a file whose settings are out of order).
_AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
}  # fmt: skip


def _ask_to_update_fields(doc: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    for child in settings:
        if isinstance(child.tag, str) and child.tag.split("}")[-1] in _AFTER_UPDATE_FIELDS:
            child.addprevious(update)
            return
    settings.append(update)


def render_report(
    *,
    title: str,
    parts: Sequence[tuple[str, Sequence[Section]]],
    issuer: str = "",
    subtitle: str = "",
    date: dt.date | None = None,
    basis: str = "",
    toc: bool = True,
) -> bytes:
    """A report in parts (the monthly analysis): each part a numbered level-1 heading (一、…), its
    sections level-2 headings (（一）…; a section without a title continues the part), a table of
    contents first."""
    doc = new_document(issuer=issuer, date=date)
    _title_block(doc, title, subtitle, basis)
    numbered: list[tuple[str, list[tuple[str, Section]]]] = []
    for i, (heading, sections) in enumerate(parts):
        head = heading if heading.startswith("附") else f"{section_number(i)}{heading}"
        titled = [s for s in sections if s.title]
        subs = [
            (
                f"（{CHINESE_NUMBERS[titled.index(s)]}）"
                if s.title and len(titled) > 1 and titled.index(s) < 10
                else "",
                s,
            )
            for s in sections
        ]
        numbered.append((head, subs))
    if toc:
        entries: list[tuple[int, str]] = []
        for head, subs in numbered:
            entries.append((1, head))
            entries.extend((2, f"{n}{s.title}") for n, s in subs if s.title)
        add_toc(doc, entries)
    for head, subs in numbered:
        doc.add_heading(head, level=1)
        for number, section in subs:
            add_section(doc, section, number=number, level=2)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _title_block(doc: Any, title: str, subtitle: str, basis: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.add_paragraph(title, style="Title")
    for line in (subtitle, basis):
        if line:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if line == subtitle else WD_ALIGN_PARAGRAPH.LEFT
            p.paragraph_format.first_line_indent = Pt(0)
            _set_font(p.add_run(line), SUBHEADING_FONT, 14 if line == subtitle else 12)


def to_pdf(docx: bytes, *, timeout: int = 120) -> bytes | None:
    """The document as PDF through LibreOffice (``soffice --headless --convert-to pdf``), or None when
    LibreOffice is not installed or fails. The official font names map to what the server has
    (Noto CJK / WenQuanYi) through a private fontconfig file."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="peiyu-pdf-") as tmp:
        folder = Path(tmp)
        src = folder / "document.docx"
        src.write_bytes(docx)
        env = {
            "HOME": str(folder),
            "PATH": "/usr/bin:/bin",
            "LANG": "zh_CN.UTF-8",
            "FONTCONFIG_FILE": str(_fontconfig(folder)),
        }
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
                env=env,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        out = folder / "document.pdf"
        return out.read_bytes() if out.exists() else None


#: What the official fonts become on a Linux server (Debian fonts-noto-cjk, fonts-wqy-*).
FONT_FALLBACKS = {
    "仿宋_GB2312": ("FangSong", "Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "仿宋": ("FangSong", "Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "楷体_GB2312": ("KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "WenQuanYi Zen Hei"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei"),
    "方正小标宋简体": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
}


def _fontconfig(folder: Any) -> Any:
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer>'
        + "".join(f"<family>{f}</family>" for f in fallbacks)
        + "</prefer></alias>"
        for name, fallbacks in FONT_FALLBACKS.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def pdf_page_images(
    pdf: bytes, folder: Any, prefix: str = "page", *, dpi: int = 80, pages: int = 0
) -> list[Any]:
    """The PDF's pages as PNG files in ``folder`` (poppler's ``pdftoppm``; [] when not installed) —
    for screenshots of documents as printed."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="peiyu-png-") as tmp:
        src = Path(tmp) / "document.pdf"
        src.write_bytes(pdf)
        args = [tool, "-png", "-r", str(dpi)]
        if pages:
            args += ["-f", "1", "-l", str(pages)]
        subprocess.run([*args, str(src), str(Path(tmp) / "p")], check=True, capture_output=True, timeout=120)
        made = []
        for i, png in enumerate(sorted(Path(tmp).glob("p-*.png")), 1):
            target = out / f"{prefix}-{i}.png"
            shutil.move(str(png), target)
            made.append(target)
    return made


def pdf_response(filename: str, data: bytes) -> HttpResponse:
    return _attachment(data, filename, "application/pdf")


def render_xlsx(*, title: str, sections: Sequence[Section]) -> bytes:
    """Every table of the sections on its own sheet (A4, header repeated, page numbers)."""
    tables: list[export.Table] = []
    used: set[str] = set()
    for section in sorted(sections, key=lambda s: s.order):
        for k, table in enumerate(section.tables):
            name = (table.title or section.title)[:28] or f"表{len(tables) + 1}"
            while name in used:
                name = f"{name[:25]}_{k + 1}"
                k += 1
            used.add(name)
            kinds = list(table.kinds) + ["text"] * (len(table.columns) - len(table.kinds))
            columns = [
                export.Column(header, f"c{j}", _KIND_TO_COLUMN.get(kinds[j], "text"))
                for j, header in enumerate(table.columns)
            ]
            rows = [{f"c{j}": v for j, v in enumerate(row)} for row in table.rows]
            notes = [n for n in (f"单位：{table.unit}" if table.unit else "", table.note) if n]
            tables.append(
                export.Table(
                    name, columns, rows, title=f"{title} — {table.title or section.title}", notes=notes
                )
            )
    if not tables:
        tables.append(export.Table("说明", [export.Column("内容", "c0")], [], title=title))
    return export.build_workbook(tables)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def docx_response(filename: str, data: bytes) -> HttpResponse:
    return _attachment(data, filename, DOCX_TYPE)


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    return _attachment(data, filename, XLSX_TYPE)
