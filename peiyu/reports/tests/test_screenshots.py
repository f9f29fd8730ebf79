"""The report as printed: Word → PDF through LibreOffice → page images (poppler). Skips when either
is missing. With PEIYU_SCREENSHOTS=1 the pages are copied to docs/screenshots/ (scripts/screenshots.py
takes the demo district's instead)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from peiyu.core import documents
from peiyu.reports import actions
from peiyu.taxes.tests.taxdata import fill

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
@pytest.mark.django_db
def test_report_pages_as_printed(world, tmp_path):
    fill(world)
    report = actions.do_generate_report(world["admin"], "2025-03", pdf=True)
    assert report.pdf is not None and bytes(report.pdf)[:5] == b"%PDF-"
    pages = documents.pdf_page_images(bytes(report.pdf), tmp_path, "report-page", dpi=60)
    assert len(pages) >= 3 and all(p.stat().st_size > 5000 for p in pages)  # title + contents, parts …
    if os.environ.get("PEIYU_SCREENSHOTS"):
        for p in pages[:4]:
            shutil.copy(p, DOCS / f"test-{p.name}")
