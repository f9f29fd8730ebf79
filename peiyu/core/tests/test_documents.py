"""The official document layout: A4, header with the issuer, page numbers, repeating table headers,
money in 万元, and the same sections as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from openpyxl import load_workbook

from peiyu.core.documents import render_docx, render_xlsx
from peiyu.core.sections import Section, SectionTable


def _sections() -> list[Section]:
    table = SectionTable(
        title="重点产业税收",
        columns=["产业", "区级税收", "同比"],
        rows=[["生命健康", 123_456_789, 12.34], ["软件和信息服务", 500_000, None]],
        kinds=["text", "money", "percent"],
        unit="万元",
        note="按入库日期统计。",
    )
    return [
        Section(key="b", title="问题与建议", order=20, problems=["两户重点企业连续下降。"]),
        Section(
            key="a", title="总体情况", order=10, paragraphs=["本月区级税收 12,345.68 万元。"], tables=[table]
        ),
    ]


def test_docx_is_a4_with_header_page_numbers_and_units() -> None:
    data = render_docx(
        title="2025年3月产业税收分析",
        sections=_sections(),
        issuer="普陀区发展改革委",
        date=dt.date(2025, 4, 8),
    )
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert sec.page_width is not None and sec.page_height is not None
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    assert "普陀区发展改革委" in sec.header.paragraphs[0].text
    assert "2025年4月8日" in sec.header.paragraphs[0].text
    assert "PAGE" in sec.footer.paragraphs[0]._p.xml
    headings = [
        p.text for p in doc.paragraphs if p.style is not None and (p.style.name or "").startswith("Heading 1")
    ]
    assert headings == ["一、总体情况", "二、问题与建议"]  # ordered by Section.order
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "单位：万元" in texts and "注：按入库日期统计。" in texts
    grid = doc.tables[0]
    assert "w:tblHeader" in grid.rows[0]._tr.xml
    assert [c.text for c in grid.rows[1].cells] == ["生命健康", "123.46", "12.3%"]
    assert [c.text for c in grid.rows[2].cells] == ["软件和信息服务", "0.50", "—"]


def test_xlsx_has_one_sheet_per_table_with_money_in_wan() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(title="测试", sections=_sections())))
    ws = wb["重点产业税收"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values.index(["产业", "区级税收", "同比"])
    assert values[header + 1][:2] == ["生命健康", 123.456789]
    assert ws.page_setup.paperSize == 9
