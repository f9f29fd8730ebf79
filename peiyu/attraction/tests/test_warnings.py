"""Pipeline warnings as tracked work items: signed but not registered within 3 months; landed and
nothing paid for 6 months. One open item per rule, closed by the system when the condition ends."""

from __future__ import annotations

import datetime as dt

import pytest

from peiyu.attraction import actions, warnings
from peiyu.attraction.models import Stage
from peiyu.attraction.tests.factories import make_project, make_teams
from peiyu.testing.taxlib import put_month
from peiyu.work import queries as work_queries


@pytest.fixture
def aw(world):
    world = make_teams(world)
    world["teams"]["one"].leader = world["leader"]
    world["teams"]["one"].save()
    return world


def test_signed_not_registered_after_three_months(aw):
    p = make_project(aw["teams"]["one"], Stage.SIGNED, signed_on=dt.date(2025, 1, 10))
    assert warnings.check(today=dt.date(2025, 4, 10)) == {"opened": 0, "closed": 0}
    assert warnings.check(today=dt.date(2025, 4, 11)) == {"opened": 1, "closed": 0}
    assert warnings.check(today=dt.date(2025, 4, 12)) == {"opened": 0, "closed": 0}  # never twice
    item = work_queries.items_of(p, kind="attraction.warning").get()
    assert item.is_open and "签约超过3个月未注册落地" in item.title and item.owner == aw["leader"]
    assert item.unit == aw["teams"]["one"]
    ent = aw["enterprises"]["soft_a2"]
    actions.do_confirm_landing(
        None, p, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 5, 1)
    )
    assert warnings.check(today=dt.date(2025, 5, 2)) == {"opened": 0, "closed": 1}
    item.refresh_from_db()
    assert not item.is_open


def test_landed_without_tax_for_six_months(aw):
    ent = aw["enterprises"]["soft_a1"]
    p = make_project(aw["teams"]["one"], Stage.SIGNED, signed_on=dt.date(2025, 1, 10))
    actions.do_confirm_landing(
        None, p, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 2, 1)
    )
    other = aw["enterprises"]["other_a2"]
    for m in ("2025-02", "2025-03", "2025-04", "2025-05", "2025-06"):
        put_month(m, [(other.credit_code, other.name, "增值税", 100, 50)])
    assert warnings.check(today=dt.date(2025, 8, 1))["opened"] == 0  # five months of library only
    put_month("2025-07", [(other.credit_code, other.name, "增值税", 100, 50)])
    assert warnings.check(today=dt.date(2025, 8, 1))["opened"] == 1
    item = work_queries.items_of(p, kind="attraction.warning").get()
    assert "6个月未产生区级税收" in item.title


def test_tax_check_job_creates_the_daily_schedule(aw):
    from peiyu.work import jobs
    from peiyu.work.models import Schedule

    make_project(aw["teams"]["one"], Stage.SIGNED, signed_on=dt.date(2025, 1, 10))
    job = jobs.start("attraction.tax_check")
    assert job.status == "done", job.error
    s = Schedule.objects.get(key="attraction.daily_check")
    assert s.enabled and s.job_kind == "attraction.tax_check" and s.next_run_at is not None


def test_home_panel(aw, rf):
    from peiyu.attraction.panels import home_panel

    make_project(aw["teams"]["one"], Stage.TALKS)
    req = rf.get("/")
    req.user = aw["office_user"]
    panel = home_panel(req)
    assert panel is not None and ("在谈", 1) in panel["stages"]
    req.user = aw["outsider"]
    assert home_panel(req) is None
