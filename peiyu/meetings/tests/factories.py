"""A test meeting kind and helpers for the meetings core's tests (and other apps' tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.core.sections import Section, SectionTable
from peiyu.meetings import actions
from peiyu.meetings.kinds import MeetingKind, register

TEST_KIND = "meetings.test"


def _pack(meeting: Any, who: Any) -> list[Section]:
    return [
        Section(
            key="test.figures",
            title="测试数据",
            order=10,
            paragraphs=[f"{meeting.title} 的测试材料。"],
            tables=[
                SectionTable(
                    title="金额", columns=["项目", "金额"], rows=[["甲", 1_234_500]], kinds=["text", "money"]
                )
            ],
        )
    ]


def register_test_kind() -> MeetingKind:
    return register(MeetingKind(key=TEST_KIND, label="测试会议", pack=_pack))


def meeting(
    user: Any,
    *,
    industry: Any = None,
    area: Any = None,
    date: dt.date | None = None,
    title: str = "测试例会",
    owner: Any = None,
) -> Any:
    register_test_kind()
    return actions.do_schedule_meeting(
        user,
        kind=TEST_KIND,
        title=title,
        date=date or dt.date(2025, 3, 10),
        industry=industry,
        area=area,
        owner=owner,
    )
