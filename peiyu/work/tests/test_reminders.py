"""Reminders before a deadline and escalation of overdue items to the owner's leader, with a frozen
clock; notifications stay on the server unless e-mail or a webhook is configured."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from peiyu.accounts.models import Department
from peiyu.testing.factories import UserFactory
from peiyu.work import actions, notify, reminders
from peiyu.work.models import Event, Notification
from peiyu.work.tests.factories import open_request

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def unit(world):
    dept = Department.objects.get_or_create(name="区发改委")[0]
    leader = UserFactory(username="fgw_head", role="leader", display_name="发改委主任")
    actions.do_set_unit_leader(world["admin"], dept, leader)
    return dept, leader


def test_reminder_the_working_day_before_and_escalation_after_the_deadline(world, unit):
    dept, leader = unit
    officer = world["area_officer"]
    with time_machine.travel(at(2025, 9, 26, 10, 0), tick=False) as clock:  # Friday before National Day
        item = open_request(
            world["admin"],
            world["enterprises"]["soft_a2"],
            owner=officer,
            unit=dept,
            stage_days={"received": 3},
        )
        assert timezone.localtime(item.due_at) == at(2025, 9, 30, 17, 30)  # 9/28 (调休), 9/29, 9/30
        assert reminders.send_reminders().reminded == 0  # too early: 9/29 is the day before
        clock.move_to(at(2025, 9, 28, 8, 30))  # Sunday, but a working day: still not the day before
        assert reminders.send_reminders().reminded == 0
        clock.move_to(at(2025, 9, 29, 8, 30))
        assert reminders.send_reminders().reminded == 1
        assert reminders.send_reminders().reminded == 0  # once per deadline
        reminder = Notification.objects.get(user=officer, kind="reminder")
        assert "2025-09-30 17:30" in reminder.body
        assert reminders.escalate_overdue().escalated == 0  # not yet overdue
        clock.move_to(at(2025, 9, 30, 17, 29))
        assert reminders.escalate_overdue().escalated == 0
        clock.move_to(at(2025, 10, 1, 8, 30))  # the holiday: overdue since 17:30 yesterday
        run = reminders.daily_run()
        assert run["escalated"] == 1 and run["reminded"] == 0
        assert Notification.objects.filter(user=leader, kind="escalation").count() == 1
        assert Notification.objects.filter(user=officer, kind="overdue").count() == 1
        item.refresh_from_db()
        assert item.escalated_to == leader and item.is_overdue()
        esc = Event.objects.get(item=item, kind=Event.Kind.ESCALATED)
        assert esc.data["leader"] == "fgw_head" and esc.time == at(2025, 10, 1, 8, 30)
        assert reminders.daily_run()["escalated"] == 0  # once per deadline
        # a new deadline (accepted: 3 working days from the opening … already past) escalates again once
        actions.do_set_due(world["admin"], item, at(2025, 10, 10, 17, 30), reason="节后办理")
        clock.move_to(at(2025, 10, 9, 9, 0))
        assert reminders.send_reminders().reminded == 1
        clock.move_to(at(2025, 10, 11, 9, 0))
        assert reminders.escalate_overdue().escalated == 1
        assert Notification.objects.filter(user=leader, kind="escalation").count() == 2


def test_leader_is_found_through_the_owners_department_when_the_item_has_no_unit(world, unit):
    dept, leader = unit
    officer = UserFactory(username="fgw_staff", role="department")
    officer.departments.set([dept])
    world["enterprises"]["other_a2"].liaison = officer
    world["enterprises"]["other_a2"].save()
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False) as clock:
        open_request(world["admin"], world["enterprises"]["other_a2"], owner=officer)
        clock.move_to(at(2025, 3, 5, 9, 0))
        res = reminders.escalate_overdue()
    assert res.escalated == 1 and res.no_leader == 0
    assert Notification.objects.filter(user=leader, kind="escalation").exists()


def test_no_leader_recorded_is_said_in_the_history(world):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False) as clock:
        item = open_request(world["admin"], world["enterprises"]["soft_a1"], owner=world["industry_officer"])
        clock.move_to(at(2025, 3, 6, 9, 0))
        res = reminders.escalate_overdue()
    assert res.escalated == 1 and res.no_leader == 1
    assert "未设单位负责人" in Event.objects.get(item=item, kind=Event.Kind.ESCALATED).note


def test_closed_items_are_neither_reminded_nor_escalated(world):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False) as clock:
        item = open_request(world["admin"], world["enterprises"]["soft_a1"], owner=world["admin"])
        actions.do_transition(world["admin"], item, "returned", reason="重复诉求")
        clock.move_to(at(2025, 3, 10, 9, 0))
        assert reminders.daily_run() == {"reminded": 0, "escalated": 0, "no_leader": 0, "skipped": []}


def test_nothing_leaves_the_server_unless_configured(world, monkeypatch, settings):
    sent = []
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: sent.append(a))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world["area_officer"].email = "taopu@example.gov.cn"
    world["area_officer"].save()
    n = notify.notify(world["area_officer"], "测试", "内容")
    assert n is not None and notify.channels() == []
    assert mail.outbox == [] and sent == []
    assert Notification.objects.get(pk=n.pk).sent == {}


def test_email_and_webhook_when_configured(world, monkeypatch, settings, django_capture_on_commit_callbacks):
    posted = []

    class Resp:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    def fake_urlopen(req, timeout=10):
        posted.append((req.full_url, json.loads(req.data.decode())))
        return Resp()

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST, settings.PEIYU_EMAIL_ENABLED = "smtp.example.gov.cn", True
    settings.PEIYU_WEBHOOK_URL, settings.PEIYU_WEBHOOK_KIND = "http://127.0.0.1:9/robot?key=k", "wecom"
    world["area_officer"].email = "taopu@example.gov.cn"
    world["area_officer"].save()
    with django_capture_on_commit_callbacks(execute=True):
        n = notify.notify(world["area_officer"], "督办提醒", "请处理", url="/work/")
    assert [m.to for m in mail.outbox] == [["taopu@example.gov.cn"]] and "督办提醒" in mail.outbox[0].subject
    assert posted[0][0].startswith("http://127.0.0.1:9/robot") and posted[0][1]["msgtype"] == "text"
    assert "督办提醒" in posted[0][1]["text"]["content"]
    assert Notification.objects.get(pk=n.pk).sent == {"email": "已发送", "webhook": "HTTP 200"}


def test_dingtalk_robot_is_signed_when_a_secret_is_set(world, settings):
    settings.PEIYU_WEBHOOK_KIND, settings.PEIYU_WEBHOOK_SECRET = "dingtalk", "SECabc"
    url = notify._signed_url("https://oapi.example/robot/send?access_token=t", "SECabc")
    assert "&timestamp=" in url and "&sign=" in url
