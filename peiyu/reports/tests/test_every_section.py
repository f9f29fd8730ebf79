"""Every installed app's section, in the walk's world (every app plants its objects, one outside
each persona's scope): the district report carries them all without a failure, and each scoped
persona's report names no enterprise outside their scope — whichever app wrote the sentence."""

from __future__ import annotations

import io
import logging

import pytest
from docx import Document

from peiyu.reports import actions, monthly


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.django_db
def test_every_section_in_the_district_report_and_scoped_reports_stay_in_scope(caplog):
    from peiyu.testing import walk

    world = walk.populated_world()
    month = world["months"][-1]
    with caplog.at_level(logging.ERROR, logger="peiyu.reports.monthly"):
        district = monthly.build(world["admin"], month)
    assert not [r for r in caplog.records if "章节生成失败" in r.getMessage()], caplog.text
    keys = {s.key for s in district.sections()}
    assert {"taxes.features", "reports.drivers", "reports.forecast"} <= keys
    for persona in ("industry_officer", "area_officer", "department", "service_officer", "outsider"):
        user = world[persona]
        text = _text(bytes(actions.do_generate_report(user, month, reader=user).docx))
        for key, ent in world["enterprises"].items():
            if key not in world["visible"][persona]:
                assert ent.name not in text, (persona, ent.name)
                assert ent.credit_code not in text, (persona, ent.credit_code)
        for tid, name in world["unmatched"].items():
            assert tid not in text and name not in text, persona
