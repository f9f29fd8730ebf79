"""Reports in parts: numbered parts and sections, a table of contents, charts drawn on the server as
pictures, a chart that cannot be drawn leaves the tables, and the PDF through LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from docx import Document

from peiyu.core import chartimage, documents
from peiyu.core.sections import Section, SectionTable

BARS = {
    "_fenAxis": True,
    "title": {"text": "区级税收分月对比"},
    "xAxis": {"type": "category", "data": ["1月", "2月", "3月"]},
    "series": [
        {"type": "bar", "name": "2025年", "data": [1_000_000, 2_500_000, None]},
        {"type": "line", "name": "2024年", "data": [900_000, 2_000_000, 3_000_000]},
    ],
}


def _report(chart=BARS) -> bytes:
    table = SectionTable(
        title="表：分产业",
        columns=["产业", "累计"],
        kinds=["text", "money"],
        rows=[["软件", 12_345_600]],
        unit="万元",
    )
    parts = [
        ("主要特点", [Section(key="a", title="税收", paragraphs=["本月区级税收 1.00 万元。"], chart=chart, tables=[table]),
                      Section(key="b", title="目标", paragraphs=["完成 50.0%。"])]),
        ("问题与建议", [Section(key="c", title="", paragraphs=["1. 走访减收企业。"])]),
        ("附：重点工作进展", [Section(key="d", title="预警", paragraphs=["预警 2 条。"])]),
    ]  # fmt: skip
    return documents.render_report(
        title="2025年3月产业税收分析报告",
        parts=parts,
        issuer="区发改委",
        date=dt.date(2025, 4, 8),
        basis="口径说明：区级税收，按入库日期。",
    )


def test_parts_are_numbered_with_a_table_of_contents_and_a_chart_picture():
    doc = Document(io.BytesIO(_report()))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert h1 == ["一、主要特点", "二、问题与建议", "附：重点工作进展"]
    assert h2 == ["（一）税收", "（二）目标", "预警"]
    body = doc.element.body.xml
    assert 'TOC \\o "1-2"' in body  # the contents field, Word fills in the page numbers
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("目　录") < texts.index("一、主要特点", texts.index("目　录") + 2)
    assert "w:updateFields" in doc.settings.element.xml
    assert len(doc.inline_shapes) == 1 and "图：区级税收分月对比" in texts
    assert doc.tables[0].rows[1].cells[1].text == "12.35"
    assert "区发改委" in doc.sections[0].header.paragraphs[0].text


def test_the_chart_is_a_png_and_an_empty_chart_is_left_out():
    png = chartimage.render_png(BARS)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    pie = {"series": [{"type": "pie", "data": [{"name": "软件", "value": 3}, {"name": "医药", "value": 1}]}]}
    assert chartimage.render_png(pie) is not None
    assert (
        chartimage.render_png(
            {"series": [{"type": "bar", "data": [None, None]}], "xAxis": {"data": ["a", "b"]}}
        )
        is None
    )
    doc = Document(io.BytesIO(_report(chart={"series": []})))
    assert len(doc.inline_shapes) == 0 and doc.tables  # the table still carries the figures


def _cjk_font_installed() -> bool:
    import subprocess

    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.mark.skipif(not _cjk_font_installed(), reason="no CJK font (Debian: fonts-noto-cjk)")
def test_a_cjk_font_is_found_for_chart_labels():
    assert chartimage.cjk_font() is not None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_through_libreoffice():
    pdf = documents.to_pdf(_report())
    assert pdf is not None and pdf[:5] == b"%PDF-"
