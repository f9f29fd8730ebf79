"""The biweekly dispatch meeting on the meetings core: the pack (last meeting's decisions first),
decisions as tracked items, the rotating team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from peiyu.attraction import actions, dispatch
from peiyu.attraction.models import Stage, Status
from peiyu.attraction.tests.factories import make_project, make_teams
from peiyu.meetings import actions as meeting_actions
from peiyu.meetings import queries as meeting_queries
from peiyu.work import actions as work_actions

KIND = "attraction.dispatch"


@pytest.fixture
def aw(world):
    return make_teams(world)


def _meeting(office, day):
    return meeting_actions.do_schedule_meeting(office, kind=KIND, title=f"{day} 招商引资调度会", date=day)


def test_dispatch_pack_and_carried_over_decisions(aw):
    office, member = aw["office_user"], aw["attraction_member"]
    one, two = aw["teams"]["one"], aw["teams"]["two"]
    ent = aw["enterprises"]["soft_a2"]
    signed = make_project(one, Stage.SIGNED, name="新签约项目", signed_on=dt.date(2025, 6, 5))
    landed = make_project(two, Stage.SIGNED, name="新落地项目", signed_on=dt.date(2025, 5, 1))
    actions.do_confirm_landing(
        None, landed, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 6, 8)
    )
    stalled = make_project(one, Stage.TALKS, name="停滞项目", last_followup=dt.date(2025, 4, 1))
    actions.do_set_status(None, stalled, Status.STALLED, reason="投资方暂缓")
    actions.do_add_followup(
        member, signed, text="对接载体", problem="需协调人才公寓 20 套", date=dt.date(2025, 6, 6)
    )
    dup = make_project(two, Stage.TALKS, name="重复申报项目", credit_code=ent.credit_code)
    actions.recompute_duplicates(ent.credit_code)

    first = _meeting(office, dt.date(2025, 6, 1))
    second = _meeting(office, dt.date(2025, 6, 15))
    with pytest.raises(PermissionDenied):
        meeting_actions.do_prepare_pack(member, second)
    first = meeting_actions.do_prepare_pack(office, first)
    sections = first.sections()
    assert sections[0].key == "meetings.carried_over" and "首次" in sections[0].paragraphs[0]
    assert [s.key for s in sections[1:]] == [
        "attraction.targets",
        "attraction.since",
        "attraction.stalled",
        "attraction.problems",
        "attraction.duplicates",
        "attraction.rotation",
    ]
    assert "第一招商小组" in sections[-1].title  # the first meeting: the first team reports
    d = meeting_actions.do_add_decision(
        office, first, text="投促办协调人才公寓 20 套", owner=member, unit=one, due=dt.date(2025, 6, 30)
    )
    assert d.item is not None and d.item.is_open and d.item.owner == member

    second = meeting_actions.do_prepare_pack(office, second)
    by_key = {s.key: s for s in second.sections()}
    assert second.sections()[0].key == "meetings.carried_over"
    carried = by_key["meetings.carried_over"].tables[0].rows
    assert carried[0][0] == "投促办协调人才公寓 20 套" and carried[0][-1].startswith("已交办")
    since = by_key["attraction.since"]
    assert [r[0] for r in since.tables[0].rows] == ["新签约项目"]
    assert [r[0] for r in since.tables[1].rows] == ["新落地项目"]
    assert any("停滞项目" in r[0] for r in by_key["attraction.stalled"].tables[0].rows)
    assert by_key["attraction.problems"].tables[0].rows[0][2] == "需协调人才公寓 20 套"
    assert by_key["attraction.duplicates"].tables[0].rows[0][0] == dup.name
    assert "第二招商小组" in by_key["attraction.rotation"].title  # the next team in turn
    targets = by_key["attraction.targets"].tables[0].rows
    assert targets[0][0] == "第一招商小组" or targets[1][0] == "第一招商小组"

    # the decision is done: the pack prepared again shows it so
    work_actions.do_transition(member, d.item, "done", reason="已协调落实 20 套")
    second = meeting_actions.do_prepare_pack(office, second)
    assert second.sections()[0].tables[0].rows[0][-1].startswith("已落实")
    # a third meeting starts with the second one's decisions (none)
    third = meeting_actions.do_prepare_pack(office, _meeting(office, dt.date(2025, 6, 29)))
    assert meeting_queries.carried_over(third) == [] and third.sections()[0].key == "meetings.carried_over"


def test_team_members_see_dispatch_meetings_outsiders_do_not(aw, client):
    m = _meeting(aw["office_user"], dt.date(2025, 7, 1))
    assert meeting_queries.visible(aw["attraction_member"]).filter(pk=m.pk).exists()
    assert not meeting_queries.visible(aw["outsider"]).filter(pk=m.pk).exists()
    assert not meeting_queries.visible(aw["area_officer"]).filter(pk=m.pk).exists()
    client.force_login(aw["office_user"], backend="django.contrib.auth.backends.ModelBackend")
    r = client.post("/attraction/dispatch/", {"date": "2025-07-15"})
    assert r.status_code == 302
    assert dispatch.rotating_team(meeting_queries.series(m).order_by("-date").first()).name == "第二招商小组"
    client.force_login(aw["attraction_member"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/attraction/dispatch/", {"date": "2025-07-29"}).status_code == 403
    assert client.get("/attraction/dispatch/").status_code == 200
