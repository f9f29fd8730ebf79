"""The task forces' monthly report section, scoped to its reader."""

from __future__ import annotations

import datetime as dt

import pytest

from peiyu.meetings import actions as meeting_actions
from peiyu.taskforce import actions
from peiyu.taskforce.reports import monthly_section
from peiyu.taskforce.tests.factories import measure, plan, taskforce

pytestmark = pytest.mark.django_db


def test_monthly_section(world):
    soft = taskforce(world)
    taskforce(world, "health")
    m = actions.do_schedule_taskforce_meeting(world["admin"], soft, date=dt.date(2025, 3, 10))
    meeting_actions.do_record_minutes(world["admin"], m, "纪要")
    meeting_actions.do_add_decision(world["admin"], m, text="超期事项", due=dt.date(2025, 3, 20))
    p = plan()
    measure(p, "1", world["departments"]["kewei"], dt.date(2025, 3, 1))
    sec = monthly_section(world["admin"], "2025-03")
    assert sec is not None and sec.key == "taskforce.monthly"
    assert "2 个产业专班召开例会 1 次" in sec.paragraphs[0] and "其中超期 1 项" in sec.paragraphs[0]
    assert [r[0] for r in sec.tables[0].rows] == ["智能软件产业专班", "生命健康产业专班"]
    assert "逾期未完成 1 项" in sec.paragraphs[1]
    officer = monthly_section(world["industry_officer"], "2025-03")
    assert officer is not None and [r[0] for r in officer.tables[0].rows] == ["智能软件产业专班"]
    assert monthly_section(world["outsider"], "2025-03") is None
