"""The reports seams: a section from the tiny app's ``reports.py`` appears in the monthly report
(under 附：重点工作进展, as its ``order`` ≥ 50 says), a tile from its ``cockpit.py`` on the cockpit."""

from __future__ import annotations

import io

from django.urls import reverse
from docx import Document

from tests.test_contributions import tiny  # noqa: F401 (the fixture)


def test_the_tiny_app_adds_a_report_section_and_a_cockpit_tile(tiny, world, login):  # noqa: F811
    from peiyu.reports import actions
    from peiyu.testing.taxlib import put_month

    ent = world["enterprises"]["soft_a1"]
    put_month("2025-03", [(ent.credit_code, ent.name, "增值税", 100_000, 40_000)])
    report = actions.do_generate_report(world["admin"], "2025-03")
    text = "\n".join(p.text for p in Document(io.BytesIO(bytes(report.docx))).paragraphs)
    assert "附：重点工作进展" in text and "小应用工作情况" in text and "小应用报告：2025-03" in text
    assert text.index("小应用工作情况", text.index("附：重点工作进展")) > 0
    page = login(world["leader"]).get(reverse("reports:cockpit")).content.decode()
    assert 'id="ck-tile-tinyapp"' in page and "小应用磁贴" in page and 'href="/tinyapp/"' in page
