"""The scope walk's world for the attraction app: the 投促办 and two teams (with the "attraction team
member" persona ``attraction_member``), a project per team landed in each area and industry, a
duplicate claim, a chain around an anchor firm, a fund and a co-operation event. The project of
第二招商小组 that lands as 上海长寿医药有限公司 (长寿路街道, 生命健康) is outside the team member's,
the area officer's and the industry officer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.attraction import actions
    from peiyu.attraction.models import AnchorFirm, CooperationEvent, Fund, Stage
    from peiyu.attraction.tests.factories import make_project, make_teams

    make_teams(world)
    one, two = world["teams"]["one"], world["teams"]["two"]
    ents = world["enterprises"]
    soft, health = world["industries"]["soft"], world["industries"]["health"]
    anchor = AnchorFirm.objects.create(name="走查链主集团", industry=soft)
    fund = Fund.objects.create(name="走查产业基金", manager="走查资本")
    event = CooperationEvent.objects.create(name="走查长三角推介会", date=dt.date(2025, 4, 1), city="苏州")
    mine = make_project(
        one,
        Stage.SIGNED,
        name=f"走查项目：{ents['soft_a2'].name}",
        industry=soft,
        anchor=anchor,
        chain_position="upstream",
        fund=fund,
        event=event,
        signed_on=dt.date(2025, 1, 20),
    )
    actions.do_confirm_landing(
        None, mine, credit_code=ents["soft_a2"].credit_code, registered_on=dt.date(2025, 2, 1)
    )
    theirs = make_project(
        two,
        Stage.SIGNED,
        name=f"走查项目：{ents['health_a1'].name}",
        industry=health,
        signed_on=dt.date(2025, 1, 5),
    )
    actions.do_confirm_landing(
        None, theirs, credit_code=ents["health_a1"].credit_code, registered_on=dt.date(2025, 1, 25)
    )
    dup = make_project(two, Stage.TALKS, name=f"走查重复申报：{ents['soft_a2'].name}", industry=soft)
    actions.do_update_project(None, dup, credit_code=ents["soft_a2"].credit_code)
    actions.do_add_followup(None, mine, text="走查：对接用房需求", problem="走查：需协调人才公寓")
    world["attraction_projects"] = {"mine": mine, "theirs": theirs, "dup": dup}
    # a dispatch meeting with its pack and a decision (seen by the office, the teams, admin, leader)
    from peiyu.meetings import actions as meeting_actions

    meeting = meeting_actions.do_schedule_meeting(
        None, kind="attraction.dispatch", title="走查招商引资调度会", date=dt.date(2025, 6, 1)
    )
    meeting_actions.do_prepare_pack(world["office_user"], meeting)
    meeting_actions.do_add_decision(
        None, meeting, text="走查：协调人才公寓", owner=world["office_user"], unit=one
    )
    # what the team member may see: their team's landed company (the duplicate claim of the other
    # team on it stays out of their list)
    world["visible"]["attraction_member"] = {"soft_a2"}
    world["changeable"]["attraction_member"] = {"soft_a2"}
