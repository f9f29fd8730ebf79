"""The meetings core: scheduling within scope, the pack snapshot with the carried-over decisions
first, decisions becoming tracked items, carry-over at the next meeting, pages and exports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from peiyu.accounts.models import AuditLog
from peiyu.meetings import actions, queries
from peiyu.meetings.models import Decision, Meeting
from peiyu.meetings.tests.factories import TEST_KIND, meeting
from peiyu.work import actions as work_actions
from peiyu.work import queries as work_queries
from peiyu.work.models import Item

pytestmark = pytest.mark.django_db


def test_a_decision_opens_a_tracked_item_with_owner_unit_and_due(world):
    officer = world["industry_officer"]
    kewei = world["departments"]["kewei"]
    m = meeting(officer, industry=world["industries"]["soft"])
    d = actions.do_add_decision(
        officer, m, text="走访长寿软件了解扩产计划", owner=officer, unit=kewei, due=dt.date(2025, 3, 28)
    )
    item = Item.objects.get(pk=d.item_id)
    assert item.kind == "meetings.decision"
    assert item.source == d
    assert item.owner == officer
    assert item.unit == kewei
    assert item.due_at is not None and item.due_at.date() == dt.date(2025, 3, 28)
    assert d.status == "assigned" and d.status_label == "已交办" and d.is_open
    assert d.unit_name == "区科委"
    assert AuditLog.objects.filter(action="meetings.decision.add", object_id=str(d.pk)).exists()
    # the decision's status is the item's: closing the item closes the decision
    work_actions.do_transition(officer, item, "done", note="已走访")
    d.refresh_from_db()
    d = Decision.objects.select_related("item").get(pk=d.pk)
    assert d.status == "done" and not d.is_open
    # it sits in the owner's inbox while open, and the item page links back to the meeting
    assert reverse("meetings:detail", args=[m.pk]) in work_queries.item_url(item)


def test_overdue_decision_is_overdue(world):
    officer = world["industry_officer"]
    m = meeting(officer, industry=world["industries"]["soft"], date=dt.date(2024, 1, 5))
    d = actions.do_add_decision(officer, m, text="过期事项", owner=officer, due=dt.date(2024, 1, 31))
    assert d.is_overdue()
    assert d.item in work_queries.items_for(officer)


def test_carried_over_decisions_come_first_in_the_next_pack(world):
    admin = world["admin"]
    soft = world["industries"]["soft"]
    first = meeting(admin, industry=soft, date=dt.date(2025, 2, 10), title="二月例会")
    assert queries.previous(first) is None and queries.carried_over(first) == []
    d1 = actions.do_add_decision(admin, first, text="落实甲事项", due=dt.date(2025, 2, 28))
    d2 = actions.do_add_decision(admin, first, text="推进乙事项", due=dt.date(2099, 3, 31))
    work_actions.do_transition(admin, d1.item, "done", note="完成")
    # another series (other industry) does not count as previous
    meeting(admin, industry=world["industries"]["health"], date=dt.date(2025, 2, 20))
    second = meeting(admin, industry=soft, date=dt.date(2025, 3, 10), title="三月例会")
    assert queries.previous(second) == first
    carried = queries.carried_over(second)
    assert [d.pk for d in carried] == [d1.pk, d2.pk]
    assert [d.status for d in carried] == ["done", "assigned"]
    actions.do_prepare_pack(admin, second)
    second.refresh_from_db()
    keys = [s["key"] for s in second.pack]
    assert keys == ["meetings.carried_over", "test.figures"]
    first_section = second.pack[0]
    assert "形成议定事项 2 项：已落实 1 项，推进中 1 项" in first_section["paragraphs"][0]
    rows = first_section["tables"][0]["rows"]
    assert rows[0][0] == "落实甲事项" and rows[0][-1] == "已落实"
    assert rows[1][-1] == "已交办"
    # a third meeting: the first meeting's open decision is carried again, below the previous ones
    third = meeting(admin, industry=soft, date=dt.date(2025, 4, 10), title="四月例会")
    assert queries.carried_over(third) == []
    assert [d.pk for d in queries.still_open_earlier(third)] == [d2.pk]
    sec = queries.carried_over_section(third)
    assert sec.tables[-1].rows[0][1] == "推进乙事项"


def test_pack_is_a_snapshot(world):
    admin = world["admin"]
    m = meeting(admin, industry=world["industries"]["soft"])
    actions.do_prepare_pack(admin, m)
    m.refresh_from_db()
    assert m.pack_prepared_at is not None
    Meeting.objects.filter(pk=m.pk).update(title="改名")
    m.refresh_from_db()
    assert "测试例会 的测试材料。" in m.pack[1]["paragraphs"]
    assert AuditLog.objects.filter(action="meetings.pack.prepare", object_id=str(m.pk)).exists()


def test_scheduling_outside_the_scope_is_refused(world):
    officer = world["industry_officer"]  # 智能软件
    with pytest.raises(PermissionDenied):
        meeting(officer, industry=world["industries"]["health"])
    assert not Meeting.objects.filter(industry=world["industries"]["health"]).exists()
    with pytest.raises(PermissionDenied):
        meeting(world["leader"], industry=world["industries"]["soft"])


def test_scope_of_meetings_and_decisions(world):
    admin = world["admin"]
    soft = meeting(admin, industry=world["industries"]["soft"], title="软件例会")
    health = meeting(admin, industry=world["industries"]["health"], title="健康例会")
    area = meeting(admin, area=world["areas"]["a2"], title="桃浦会商")
    for m in (soft, health, area):
        actions.do_add_decision(admin, m, text=f"{m.title}事项")
    seen = {
        p: set(queries.visible(world[p]).values_list("title", flat=True))
        for p in ("industry_officer", "area_officer", "department", "leader", "outsider")
    }
    assert seen["industry_officer"] == {"软件例会"}
    assert seen["area_officer"] == {"桃浦会商"}
    assert seen["department"] == {"健康例会"}
    assert seen["leader"] == {"软件例会", "健康例会", "桃浦会商"}
    assert seen["outsider"] == set()
    assert set(queries.visible_decisions(world["industry_officer"]).values_list("text", flat=True)) == {
        "软件例会事项"
    }
    assert not queries.can_change(world["leader"], soft)
    assert queries.can_change(world["industry_officer"], soft)
    with pytest.raises(PermissionDenied):
        actions.do_add_decision(world["leader"], soft, text="领导无权")
    # the decision items follow the same scope
    assert {
        i.title for i in work_queries.visible(world["industry_officer"]).filter(kind="meetings.decision")
    } == {"软件例会：软件例会事项"}


def test_detail_page_minutes_decisions_and_exports(world, login):
    officer = world["industry_officer"]
    m = meeting(officer, industry=world["industries"]["soft"])
    client = login(officer)
    r = client.get(reverse("meetings:detail", args=[m.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "上次会议议定事项落实情况" in page and "1.23" in page  # preview: 1,234,500 fen = 1.23 万元
    r = client.post(
        reverse("meetings:minutes", args=[m.pk]), {"minutes": "会议听取了汇报。", "attendees": "张三"}
    )
    assert r.status_code == 302
    r = client.post(
        reverse("meetings:add_decision", args=[m.pk]),
        {"text": "三月底前完成走访", "owner": officer.username, "unit": "", "due": "2025-03-31"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD and m.minutes == "会议听取了汇报。"
    assert m.decisions.get().owner == officer
    client.post(reverse("meetings:prepare", args=[m.pk]))
    m.refresh_from_db()
    assert m.pack_prepared_at is not None
    page = client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert "三月底前完成走访" in page and "pack-preview" not in page
    # read-only for the leader: the page shows, posting is refused
    leader = login(world["leader"])
    assert leader.get(reverse("meetings:detail", args=[m.pk])).status_code == 200
    assert leader.post(reverse("meetings:minutes", args=[m.pk]), {"minutes": "x"}).status_code == 403
    # out of scope: 404
    other = login(world["area_officer"])
    assert other.get(reverse("meetings:detail", args=[m.pk])).status_code == 404


def test_exports(world, login):
    pytest.importorskip("peiyu.core.documents")
    officer = world["industry_officer"]
    m = meeting(officer, industry=world["industries"]["soft"])
    client = login(officer)
    r = client.get(reverse("meetings:docx", args=[m.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(reverse("meetings:xlsx", args=[m.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_cancelled_meeting_is_not_previous(world):
    admin = world["admin"]
    soft = world["industries"]["soft"]
    a = meeting(admin, industry=soft, date=dt.date(2025, 1, 10))
    b = meeting(admin, industry=soft, date=dt.date(2025, 2, 10))
    actions.do_cancel_meeting(admin, b, reason="改期")
    c = meeting(admin, industry=soft, date=dt.date(2025, 3, 10))
    assert queries.previous(c) == a
    assert c.kind == TEST_KIND


def test_pack_snapshot_keeps_decimals_and_dates_as_json(world):
    from decimal import Decimal

    from peiyu.core.sections import Section, SectionTable
    from peiyu.meetings.kinds import MeetingKind, register

    register(
        MeetingKind(
            key="meetings.test_decimal",
            label="测试",
            pack=lambda m, who: [
                Section(
                    key="x",
                    title="x",
                    tables=[
                        SectionTable(
                            title="t",
                            columns=["a", "b", "c"],
                            rows=[[Decimal("652.00"), Decimal("7.6"), dt.date(2025, 3, 1)]],
                        )
                    ],
                )
            ],
        )
    )
    m = actions.do_schedule_meeting(
        world["admin"], kind="meetings.test_decimal", title="t", date=dt.date(2025, 3, 1)
    )
    actions.do_prepare_pack(world["admin"], m)
    m.refresh_from_db()
    assert m.pack[1]["tables"][0]["rows"] == [[652, 7.6, "2025-03-01"]]
