"""The task-force meeting pack from a generated month: carried-over decisions first, the target gap
against time progress, the month's movers and the firms behind them, new warnings, reports,
liaison coverage — as the preparer sees the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from peiyu.alerts.tests.helpers import WAN, load
from peiyu.meetings import actions as meeting_actions
from peiyu.meetings import queries as meeting_queries
from peiyu.targets.models import Target, TargetKind
from peiyu.taskforce import actions
from peiyu.taskforce.tests.factories import taskforce
from peiyu.work import actions as work_actions

pytestmark = pytest.mark.django_db


def _months(year: int, upto: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, upto + 1)]


@pytest.fixture
def generated(world):
    """Two years of software firms: 长寿软件 steady then +50 万 in March 2025, 桃浦软件 down to 10 万 in
    February and March 2025 (a year-on-year drop warning); a health firm as a bystander."""
    e = world["enterprises"]
    series: dict = {e["soft_a1"]: {}, e["soft_a2"]: {}, e["health_a1"]: {}}
    for m in _months(2024, 12) + _months(2025, 3):
        series[e["soft_a1"]][m] = 100 * WAN
        series[e["soft_a2"]][m] = 80 * WAN
        series[e["health_a1"]][m] = 500 * WAN
    series[e["soft_a1"]]["2025-03"] = 150 * WAN
    series[e["soft_a2"]]["2025-02"] = 10 * WAN
    series[e["soft_a2"]]["2025-03"] = 10 * WAN
    load(series)
    call_command("warnings", "--month", "2025-03", "--json", stdout=__import__("io").StringIO())
    Target.objects.create(
        year=2025,
        name="智能软件产业区级税收",
        kind=TargetKind.AMOUNT,
        key_industry=world["industries"]["soft"],
        target_fen=3_000 * WAN,
    )
    return world


def test_pack_contents_from_a_generated_month(generated):
    world = generated
    officer = world["industry_officer"]
    tf = taskforce(world)
    march = actions.do_schedule_taskforce_meeting(officer, tf, date=dt.date(2025, 3, 12))
    d = meeting_actions.do_add_decision(
        officer, march, text="走访桃浦软件了解减收原因", owner=officer, due=dt.date(2025, 3, 31)
    )
    april = actions.do_schedule_taskforce_meeting(officer, tf, date=dt.date(2025, 4, 10))
    assert april.title == "智能软件产业专班2025年4月例会"
    meeting_actions.do_prepare_pack(officer, april)
    april.refresh_from_db()
    keys = [s["key"] for s in april.pack]
    assert keys[0] == "meetings.carried_over"
    assert keys[1:] == [
        "taskforce.tax",
        "taskforce.movers",
        "taskforce.warnings",
        "taskforce.projects",
        "taskforce.liaison",
    ]
    assert "本产业在库招商项目 0 个" in april.pack[4]["paragraphs"][0]
    sections = {s["key"]: s for s in april.pack}
    # last meeting's decision, overdue by now (its due date has passed)
    carried = sections["meetings.carried_over"]
    assert carried["tables"][0]["rows"][0][0] == "走访桃浦软件了解减收原因"
    assert "超期" in carried["tables"][0]["rows"][0][-1]
    assert d.item.is_open
    # the industry's tax (data month = March, the month before the meeting) and the target gap
    tax = sections["taskforce.tax"]
    assert (
        "2025年1—3月，智能软件产业实现区级税收 450.00 万元" in tax["paragraphs"][0]
    )  # 100+100+150 + 80+10+10
    row = tax["tables"][0]["rows"][0]
    assert row[0] == "智能软件产业区级税收" and row[1] == 3_000 * WAN and row[2] == 450 * WAN
    assert row[3] == pytest.approx(15.0) and row[4] == pytest.approx(25.0)  # 450 / 3000; 3 / 12
    assert any("慢于时间进度" in p for p in tax["paragraphs"])
    assert any("按时间进度尚差 300.00 万元" in p for p in tax["paragraphs"])  # 750 − 450
    # the month's movers and the firms behind them (same month last year)
    movers = sections["taskforce.movers"]
    up, down, parts = movers["tables"]
    assert up["rows"][0][0] == "上海长寿软件有限公司" and up["rows"][0][4] == 50 * WAN
    assert down["rows"][0][0] == "上海桃浦软件有限公司" and down["rows"][0][4] == -70 * WAN
    assert "上海长寿医药有限公司" not in str(movers)  # another industry
    assert {p[0] for p in parts["rows"]} == {
        "新进入税基企业",
        "退出税基企业",
        "持续纳税企业增收",
        "持续纳税企业减收",
    }
    # new warnings of the month for the industry (桃浦软件's drop)
    warn = sections["taskforce.warnings"]
    new_rows = warn["tables"][0]["rows"]
    assert new_rows and {r[0] for r in new_rows} == {"上海桃浦软件有限公司"}
    # the page shows the snapshot; the Word pack renders it
    client = __import__("django.test", fromlist=["Client"]).Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("meetings:detail", args=[april.pk])).content.decode()
    assert "上海长寿软件有限公司" in page and "走访桃浦软件了解减收原因" in page
    r = client.get(reverse("meetings:docx", args=[april.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_decisions_become_items_and_carry_over(generated):
    world = generated
    officer = world["industry_officer"]
    tf = taskforce(world)
    first = actions.do_schedule_taskforce_meeting(officer, tf, date=dt.date(2025, 2, 12))
    a = meeting_actions.do_add_decision(
        officer, first, text="甲", owner=officer, unit=world["departments"]["kewei"], due=dt.date(2099, 1, 1)
    )
    b = meeting_actions.do_add_decision(officer, first, text="乙", owner=officer, due=dt.date(2099, 1, 1))
    assert a.item.kind == "meetings.decision" and a.item.unit == world["departments"]["kewei"]
    work_actions.do_transition(officer, b.item, "done", note="完成")
    second = actions.do_schedule_taskforce_meeting(officer, tf, date=dt.date(2025, 3, 12))
    carried = meeting_queries.carried_over(second)
    assert [(d.text, d.status) for d in carried] == [("甲", "assigned"), ("乙", "done")]
    # the decisions are the task force's open items on its home page
    from peiyu.taskforce import queries

    assert [i.title for i in queries.open_items(officer, tf)] == [f"{first.title}：甲"]


def test_taskforce_scope(generated, login):
    world = generated
    soft = taskforce(world)
    from peiyu.accounts.models import Department

    other, _ = Department.objects.get_or_create(name="区卫健委")
    # several member units and areas: the scope joins must not return the task force twice
    health = taskforce(
        world,
        "health",
        departments=[world["departments"]["kewei"], other],
        areas=list(world["areas"].values()),
    )
    m_soft = actions.do_schedule_taskforce_meeting(world["admin"], soft, date=dt.date(2025, 4, 10))
    m_health = actions.do_schedule_taskforce_meeting(world["admin"], health, date=dt.date(2025, 4, 11))
    from peiyu.taskforce import queries

    assert list(queries.visible(world["industry_officer"])) == [soft]
    assert list(queries.visible(world["department"])) == [health]  # 区科委 is a member unit of 生命健康
    assert set(queries.visible(world["leader"])) == {soft, health}
    assert not queries.visible(world["outsider"]).exists()
    client = login(world["industry_officer"])
    assert client.get(reverse("taskforce:detail", args=[soft.pk])).status_code == 200
    assert client.get(reverse("taskforce:detail", args=[health.pk])).status_code == 404
    assert login(world["department"]).get(reverse("taskforce:detail", args=[health.pk])).status_code == 200
    client = login(world["industry_officer"])
    assert client.get(reverse("meetings:detail", args=[m_health.pk])).status_code == 404
    assert (
        client.post(reverse("taskforce:schedule", args=[health.pk]), {"date": "2025-05-01"}).status_code
        == 404
    )
    # a named leader of a task force (a 区领导) may run its meetings; other leaders only read
    soft.leaders.add(world["leader"])
    assert meeting_queries.can_change(world["leader"], m_soft)
    assert not meeting_queries.can_change(world["leader"], m_health)
    leader = login(world["leader"])
    assert (
        leader.post(reverse("taskforce:schedule", args=[health.pk]), {"date": "2025-05-01"}).status_code
        == 403
    )


def test_home_page(generated, login):
    world = generated
    tf = taskforce(world)
    actions.do_schedule_taskforce_meeting(
        world["admin"], tf, date=dt.date(2099, 4, 10), location="区政府 301"
    )
    client = login(world["industry_officer"])
    page = client.get(reverse("taskforce:detail", args=[tf.pk])).content.decode()
    assert "450.00 万元" in page  # YTD tax
    assert "智能软件产业区级税收" in page  # its target
    assert "上海桃浦软件有限公司" in page  # open warning
    assert "区政府 301" in page  # next meeting
    assert "上海长寿医药" not in page


def test_pack_shows_the_industrys_projects(world):
    from peiyu.attraction.models import Stage
    from peiyu.attraction.tests.factories import make_project, make_teams

    make_teams(world)
    soft = world["industries"]["soft"]
    make_project(
        world["teams"]["one"], Stage.TALKS, name="软件总部项目", industry=soft, entered_on=dt.date(2020, 1, 1)
    )
    make_project(world["teams"]["one"], Stage.TALKS, name="医药项目", industry=world["industries"]["health"])
    tf = taskforce(world)
    m = actions.do_schedule_taskforce_meeting(world["admin"], tf, date=dt.date(2025, 4, 10))
    meeting_actions.do_prepare_pack(world["admin"], m)
    m.refresh_from_db()
    sec = next(s for s in m.pack if s["key"] == "taskforce.projects")
    assert "在库招商项目 1 个" in sec["paragraphs"][0] and "在谈 1" in sec["paragraphs"][0]
    assert sec["tables"][0]["rows"][0][0] == "软件总部项目"  # stalled: no follow-up for years
    assert "医药项目" not in str(sec)
