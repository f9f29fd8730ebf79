"""Visits × warnings both ways, the visit plan by risk and coverage."""

import datetime as dt

import pytest
from django.utils import timezone

from peiyu.alerts.actions import create_warning
from peiyu.alerts.models import Rule, Severity, Warning
from peiyu.services import actions, queries
from peiyu.services.models import Request, Visit
from peiyu.services.tests.helpers import category
from peiyu.work.models import Event

pytestmark = pytest.mark.django_db


def warn(ent, rule=Rule.YOY_DROP, severity=Severity.MEDIUM):
    return create_warning(
        ent,
        rule,
        severity=severity,
        first_month="2025-05",
        last_month="2025-06",
        evidence={},
        summary="测试预警",
    )


def test_moving_out_flag_raises_a_moved_out_warning(world):
    ent = world["enterprises"]["soft_a2"]
    assert not Warning.objects.filter(enterprise=ent).exists()
    v = actions.do_record_visit(
        world["area_officer"],
        ent,
        date=timezone.localdate(),
        findings="企业表示拟迁往临港",
        flags=["moving_out"],
    )
    w = Warning.objects.get(enterprise=ent, rule=Rule.MOVED_OUT)
    assert w.is_open and w.severity == Severity.HIGH and w.evidence["visit"] == v.pk
    assert v.warning_ids == [w.pk]


def test_moving_out_flag_escalates_an_open_warning_and_shows_in_its_history(world):
    ent = world["enterprises"]["soft_a2"]
    w = warn(ent, Rule.MOVED_OUT, Severity.MEDIUM)
    other = warn(ent, Rule.YOY_DROP)
    actions.do_record_visit(
        world["area_officer"], ent, date=timezone.localdate(), findings="拟整体搬迁", flags=["moving_out"]
    )
    w.refresh_from_db()
    assert w.severity == Severity.HIGH
    assert Warning.objects.filter(enterprise=ent, rule=Rule.MOVED_OUT).count() == 1
    # both open warnings carry the visit in their history
    for x in (w, other):
        assert Event.objects.filter(item=x.item, label="走访", note__contains="拟整体搬迁").exists()
    assert Event.objects.filter(item=w.item, label="走访升级").exists()


def test_a_new_warning_proposes_a_visit_until_the_firm_is_visited(world):
    ent = world["enterprises"]["soft_a2"]
    user = world["area_officer"]
    assert ent.pk not in {r["enterprise"].pk for r in queries.visit_plan(user)}
    warn(ent)
    plan = {r["enterprise"].pk: r for r in queries.visit_plan(user)}
    assert "税收大幅下降" in plan[ent.pk]["reasons"]
    actions.do_record_visit(user, ent, date=timezone.localdate(), findings="订单下滑，已对接产业链资源")
    assert ent.pk not in {r["enterprise"].pk for r in queries.visit_plan(user)}


def test_plan_lists_key_enterprises_not_visited_and_red_flags(world):
    ent = world["enterprises"]["other_a2"]
    ent.is_key = True
    ent.save()
    user = world["area_officer"]
    plan = {r["enterprise"].pk: r for r in queries.visit_plan(user)}
    assert plan[ent.pk]["reasons"] == "重点企业从未走访"
    Visit.objects.create(
        enterprise=ent,
        date=timezone.localdate() - dt.timedelta(days=60),
        findings="裁员 30 人",
        flags=["layoffs"],
    )
    plan = {r["enterprise"].pk: r for r in queries.visit_plan(user)}
    assert "裁员" in plan[ent.pk]["reasons"] and "重点企业" not in plan[ent.pk]["reasons"]
    # not in another persona's plan
    assert ent.pk not in {r["enterprise"].pk for r in queries.visit_plan(world["industry_officer"])}


def test_coverage_share_of_key_enterprises_visited(world):
    for k in ("other_a2", "soft_a2"):
        e = world["enterprises"][k]
        e.is_key = True
        e.save()
    actions.do_record_visit(
        world["area_officer"], world["enterprises"]["soft_a2"], date=timezone.localdate(), findings="正常"
    )
    cov = queries.coverage(world["area_officer"], timezone.localdate().year)
    (row,) = cov["areas"]
    assert (row["area"], row["key_enterprises"], row["visited"], row["share"]) == ("桃浦镇", 2, 1, 50.0)
    assert cov["officers"][0]["visits"] == 1


def test_request_raised_during_a_visit(world):
    ent = world["enterprises"]["soft_a2"]
    actions.do_record_visit(
        world["area_officer"],
        ent,
        date=timezone.localdate(),
        findings="扩产",
        flags=["expansion"],
        raise_request=(category("space"), "需要 3000 平方米厂房"),
    )
    r = Request.objects.get(enterprise=ent)
    assert r.channel == "visit" and r.area == ent.area


def test_visit_outside_scope_refused(world):
    with pytest.raises(actions.ActionError):
        actions.do_record_visit(
            world["area_officer"], world["enterprises"]["soft_a1"], date=timezone.localdate(), findings="x"
        )
