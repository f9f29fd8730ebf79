"""Tracked items: opening, the flow declared by the kind, per-stage working-day deadlines, notes
with attachments, reassignment, history, scope, the inbox across kinds and its CLI/Excel/API."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peiyu.accounts.models import AuditLog, Department
from peiyu.testing.factories import UserFactory
from peiyu.work import actions, queries
from peiyu.work.models import Event, Notification
from peiyu.work.tests.factories import open_request

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@time_machine.travel(at(2025, 9, 26, 16, 0), tick=False)  # a Friday afternoon before National Day
def test_stage_deadlines_count_working_days_from_the_opening(world):
    officer = world["area_officer"]
    item = open_request(world["admin"], world["enterprises"]["soft_a2"], owner=officer)
    # accept within 1 working day: Sunday 9/28 is a 调休 working day
    assert timezone.localtime(item.due_at) == at(2025, 9, 28, 17, 30)
    deadlines = {k: timezone.localtime(v) for k, v in actions.stage_deadlines(item).items()}
    assert deadlines == {
        "received": at(2025, 9, 28, 17, 30),
        "accepted": at(2025, 9, 30, 17, 30),  # 9/28, 9/29, 9/30
        # 15: 9/28, 9/29, 9/30, (10/1–10/8 off) 10/9, 10/10, 10/11 (Sat, 调休), 10/13–17, 10/20–23
        "handling": at(2025, 10, 23, 17, 30),
    }
    actions.do_transition(officer, item, "accepted")
    item.refresh_from_db()
    assert timezone.localtime(item.due_at) == at(2025, 9, 30, 17, 30)
    # the owner was told in-app when the item was opened for them
    assert Notification.objects.filter(user=officer, kind="assigned").count() == 1


def test_a_green_channel_overrides_the_days_and_a_fixed_due_wins(world):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False):  # a Monday
        item = open_request(world["admin"], world["enterprises"]["soft_a1"], stage_days={"received": 0})
        assert timezone.localtime(item.due_at) == at(2025, 3, 3, 17, 30)
        actions.do_set_due(
            world["admin"], item, at(2025, 4, 30, 17, 30), reason="情况复杂，延长至 30 个工作日"
        )
        item.refresh_from_db()
        assert timezone.localtime(item.due_at) == at(2025, 4, 30, 17, 30)
        with pytest.raises(actions.ActionError):
            actions.do_set_due(world["admin"], item, None, reason=" ")


def test_flow_rules_refuse_what_the_kind_does_not_allow(world):
    admin = world["admin"]
    item = open_request(admin, world["enterprises"]["soft_a1"])
    with pytest.raises(actions.ActionError, match="不能办结"):
        actions.do_transition(admin, item, "closed", reason="x")  # must be accepted first
    with pytest.raises(actions.ActionError, match="理由"):
        actions.do_transition(admin, item, "returned")
    actions.do_transition(admin, item, "returned", reason="不属于本区事权")
    item.refresh_from_db()
    assert not item.is_open and item.closed_by == admin and item.resolution == "不属于本区事权"
    assert item.due_at is not None  # the deadline it was closed against is kept (for the bulletin)
    assert not item.is_overdue(timezone.now() + dt.timedelta(days=90))
    with pytest.raises(actions.ActionError):
        actions.do_add_note(admin, item, text="再记一笔")


def test_history_records_who_when_what_before_and_after(world):
    admin, officer = world["admin"], world["area_officer"]
    item = open_request(admin, world["enterprises"]["soft_a2"])
    actions.do_transition(admin, item, "accepted", note="已受理")
    actions.do_reassign(admin, item, officer, reason="属地办理")
    note = actions.do_add_note(
        officer,
        item,
        text="走访企业，了解用地规模",
        method="visit",
        contact="张总",
        files=[SimpleUploadedFile("走访记录.docx", b"minutes"), SimpleUploadedFile("现场.jpg", b"\xff\xd8")],
    )
    assert [a.name for a in note.attachments.all()] == ["走访记录.docx", "现场.jpg"]
    rows = list(Event.objects.filter(item=item).order_by("id"))
    assert [(e.kind, e.label, e.user) for e in rows] == [
        ("opened", "立项", admin),
        ("transition", "受理", admin),
        ("reassigned", "转派", admin),
        ("note", "跟进", officer),
    ]
    assert rows[2].before["owner"] is None and rows[2].after["owner"] == officer.username
    assert rows[2].note == f"由 未分派 转派给 {officer}：属地办理"
    assert rows[1].from_status == "received" and rows[1].to_status == "accepted"
    actions_logged = set(AuditLog.objects.filter(object_id=str(item.pk)).values_list("action", flat=True))
    assert actions_logged == {
        "work.item.open",
        "work.item.transition",
        "work.item.reassign",
        "work.item.note",
    }
    with pytest.raises(actions.ActionError, match="转派理由"):
        actions.do_reassign(admin, item, world["admin"], reason="")


def test_reassignment_needs_someone_who_can_see_the_source(world):
    item = open_request(world["admin"], world["enterprises"]["health_a1"])
    with pytest.raises(actions.ActionError, match="数据范围"):
        actions.do_reassign(world["admin"], item, world["area_officer"], reason="试试")
    inactive = UserFactory(username="gone", is_active=False)
    with pytest.raises(actions.ActionError):
        actions.do_reassign(world["admin"], item, inactive, reason="x")


def test_scope_owner_unit_members_source_viewers_and_managers_see_an_item(world):
    e = world["enterprises"]
    dept = Department.objects.get_or_create(name="区科委")[0]
    member = UserFactory(username="kewei_p", role="department")
    member.departments.set([dept])
    stranger = world["outsider"]
    # on an enterprise outside everyone's scope but the admin's, owned by the stranger, unit 区科委
    item = open_request(world["admin"], e["health_a1"], owner=stranger, unit=dept)
    seen = {
        u.username
        for u in (world["admin"], world["industry_officer"], world["area_officer"], stranger, member)
        if queries.can_see(u, item)
    }
    assert seen == {"admin_p", "outsider_p", "kewei_p"}
    # an item on an enterprise in the area officer's scope is visible to them through the source
    other = open_request(world["admin"], e["soft_a2"])
    assert queries.can_see(world["area_officer"], other) and queries.can_see(world["industry_officer"], other)
    assert not queries.can_see(stranger, other)
    # seeing is not changing: the industry officer sees it through the source but may not act
    assert not queries.can_act(world["industry_officer"], other, "accepted")
    with pytest.raises(actions.ActionError, match="无权"):
        actions.do_transition(world["industry_officer"], other, "accepted")
    assert queries.can_act(member, item, "accepted")  # a member of the responsible unit
    # out of scope is a 404 on the page and the API
    c_client = __import__("django.test", fromlist=["Client"]).Client()
    c_client.force_login(world["industry_officer"], backend="django.contrib.auth.backends.ModelBackend")
    assert c_client.get(reverse("work:item", args=[item.pk]) + "?generic=1").status_code == 404
    assert c_client.get(f"/api/v1/items/{item.pk}").status_code == 404
    assert c_client.get(reverse("work:item", args=[other.pk]) + "?generic=1").status_code == 200


def test_the_inbox_spans_kinds_overdue_first_then_by_due(world):
    from peiyu.alerts.actions import create_warning

    officer = world["area_officer"]
    e = world["enterprises"]
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        late = open_request(world["admin"], e["soft_a2"], owner=officer, title="已超期的诉求")
    with time_machine.travel(at(2025, 6, 16, 9, 0), tick=False):
        soon = open_request(world["admin"], e["health_a2"], owner=officer, title="明天到期的诉求")
        later = open_request(
            world["admin"], e["other_a2"], owner=officer, title="三天后的诉求", stage_days={"received": 3}
        )
        w = create_warning(
            e["soft_a2"],
            "spike",
            owner=officer,
            first_month="2025-05",
            last_month="2025-05",
            summary="单月异常",
        )
        open_request(world["admin"], e["soft_a2"], owner=world["admin"], title="别人的")
        titles = [i.title for i in queries.items_for(officer)]
        assert titles[0] == "已超期的诉求"
        assert titles[1:] == ["明天到期的诉求", "三天后的诉求", w.item.title]  # the warning: 14 calendar days
        out = io.StringIO()
        call_command("inbox", officer.username, "--json", stdout=out)
        data = json.loads(out.getvalue())
        assert list(data) == ["items"]
        first = data["items"][0]
        assert set(first) == {"kind", "title", "owner", "status", "due", "overdue"}
        assert first == {
            "kind": "tests.request",
            "title": "已超期的诉求",
            "owner": officer.username,
            "status": "received",
            "due": "2025-06-03T17:30:00+08:00",
            "overdue": True,
        }
        assert [i["overdue"] for i in data["items"]] == [True, False, False, False]
        assert {i["kind"] for i in data["items"]} == {"tests.request", "alerts.warning"}
        assert queries.counts(officer)["overdue"] == 1
    del late, soon, later


def test_inbox_page_top_bar_and_excel_export(world, login):
    from peiyu.testing.walk import spreadsheet_text

    officer = world["area_officer"]
    open_request(world["admin"], world["enterprises"]["soft_a2"], owner=officer, title="协调用地")
    c = login(officer)
    page = c.get(reverse("work:inbox")).content.decode()
    assert "协调用地" in page and 'id="topbar-todo-count">1<' in page
    xlsx = c.get(reverse("work:inbox") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "协调用地" in spreadsheet_text(xlsx.content, "x.xlsx")
    assert AuditLog.objects.filter(action="work.inbox.export").exists()


def test_unowned_items_wait_in_their_units_inbox(world):
    dept = Department.objects.get_or_create(name="区商务委")[0]
    member = UserFactory(username="swj", role="department")
    member.departments.set([dept])
    item = open_request(world["admin"], world["enterprises"]["other_a2"], unit=dept)
    assert [i.pk for i in queries.items_for(member)] == [item.pk]
    assert queries.items_for(world["area_officer"]) == []  # sees it (area) but it is not theirs to do


def test_a_missing_calendar_year_leaves_the_deadline_pending_and_says_why(world, tmp_path):
    with time_machine.travel(at(2026, 12, 30, 10, 0), tick=False):
        item = open_request(world["admin"], world["enterprises"]["soft_a1"], stage_days={"received": 3})
        assert item.due_at is None and "2027 年工作日历尚未录入" in item.due_problem
        path = tmp_path / "2027.csv"
        path.write_text("日期,类型\n2027-01-01,放假\n", encoding="utf-8")
        actions.do_import_calendar(world["admin"], path, filename="2027.csv")
        item.refresh_from_db()
        # 12/31, then 1/1 off and the weekend: 1/4, 1/5
        assert timezone.localtime(item.due_at) == at(2027, 1, 5, 17, 30) and item.due_problem == ""


def test_item_page_actions_through_the_browser_forms(world, login):
    officer = world["area_officer"]
    item = open_request(world["admin"], world["enterprises"]["soft_a2"], owner=officer)
    c = login(officer)
    url = reverse("work:item", args=[item.pk]) + "?generic=1"
    assert "受理" in c.get(url).content.decode()
    c.post(reverse("work:item_action", args=[item.pk, "transition"]), {"to": "accepted"})
    c.post(
        reverse("work:item_action", args=[item.pk, "note"]),
        {
            "text": "电话联系企业",
            "method": "call",
            "date": timezone.localdate().isoformat(),
            "files": SimpleUploadedFile("a.txt", b"x"),
        },
    )
    item.refresh_from_db()
    assert item.status == "accepted" and item.notes.count() == 1
    att = item.notes.get().attachments.get()
    assert c.get(reverse("work:attachment", args=[att.pk])).status_code == 200
    assert login(world["industry_officer"]).get(reverse("work:attachment", args=[att.pk])).status_code == 200
    assert login(world["outsider"]).get(reverse("work:attachment", args=[att.pk])).status_code == 404


def test_items_of_a_source_lists_every_item_opened_on_it(world):
    e = world["enterprises"]["soft_a1"]
    first = open_request(world["admin"], e, title="第一项")
    second = open_request(world["admin"], e, title="第二项")
    open_request(world["admin"], world["enterprises"]["soft_a2"], title="别的企业")
    assert list(queries.items_of(e)) == [second, first]
    assert list(queries.items_of(e, kind="work.task")) == []
