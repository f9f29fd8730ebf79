"""Test support for the attraction app: the 投促办, two teams and the "attraction team member"
persona (a member of 第一招商小组 with no other scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from peiyu.accounts.models import Department, Role, User
from peiyu.attraction.models import Project, Stage, Team
from peiyu.testing.factories import UserFactory


def office_department() -> Department:
    dept, _ = Department.objects.get_or_create(name="区投促办", defaults={"short_name": "投促办"})
    return dept


def make_teams(world: dict[str, Any]) -> dict[str, Any]:
    """Adds to ``world``: ``office_user`` (投促办), ``attraction_member`` (第一招商小组),
    ``other_member`` (第二招商小组) and ``teams`` {"one", "two"}."""
    dept = office_department()
    office = cast(User, UserFactory(username="touchu_p", role=Role.DEPARTMENT, display_name="投促办干部"))
    office.departments.set([dept])
    member = cast(User, UserFactory(username="team1_p", role=Role.DEPARTMENT, display_name="一组成员"))
    other = cast(User, UserFactory(username="team2_p", role=Role.DEPARTMENT, display_name="二组成员"))
    one, _ = Team.objects.get_or_create(
        name="第一招商小组", defaults={"order": 1, "target_signed": 4, "target_landed": 2}
    )
    two, _ = Team.objects.get_or_create(name="第二招商小组", defaults={"order": 2, "target_signed": 3})
    one.members.add(member)
    two.members.add(other)
    world.update(
        {
            "office_user": office,
            "attraction_member": member,
            "other_member": other,
            "teams": {"one": one, "two": two},
        }
    )
    return world


def make_project(team: Team, stage: str = Stage.LEAD, **fields: Any) -> Project:
    """A project at ``stage`` with every gate field it needs filled (override with ``fields``)."""
    from peiyu.attraction import stages
    from peiyu.registry.models import KeyIndustry

    defaults: dict[str, Any] = {
        "name": f"测试项目{Project.objects.count() + 1}",
        "entered_on": dt.date(2025, 1, 15),
    }
    i = stages.index(stage)
    if i >= stages.index(Stage.CONTACT):
        defaults["investor"] = "某集团"
    if i >= stages.index(Stage.TALKS):
        defaults.update(
            invest_fen=100_000_000, industry=KeyIndustry.objects.first(), space_need="写字楼 2000 平方米"
        )
    if i >= stages.index(Stage.SIGNED):
        defaults.update(
            signed_on=dt.date(2025, 3, 10), agreement_terms="五年内落地总部", promised_tax_fen=5_000_000
        )
    defaults.update(fields)
    p = Project(team=team, stage=stage, **defaults)
    if p.credit_code and p.enterprise_id is None:
        from peiyu.registry.models import Enterprise

        p.enterprise = Enterprise.objects.filter(credit_code=p.credit_code).first()
        if p.enterprise is not None and p.area_id is None:
            p.area_id = p.enterprise.area_id
    p.save()
    return p
