"""Requests: working-day deadlines across the 2024/2025 National Day and Spring Festival holidays
(with their 调休 working weekends), the status flow, extension, the green channel, satisfaction from
the enterprise's own reply and reopening on dissatisfaction."""

import datetime as dt

import pytest

from peiyu.accounts.models import AuditLog
from peiyu.services import actions, queries
from peiyu.services.models import Feedback, Satisfaction, Status
from peiyu.services.tests.helpers import at, category, make_request
from peiyu.work.models import Event

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("received", "accept", "reply", "resolve"),
    [
        # 2024 国庆: 10-01..10-07 off; 09-29 (Sun) and 10-12 (Sat) working
        (at(2024, 9, 30), D(2024, 10, 8), D(2024, 10, 10), D(2024, 10, 25)),
        # received on Saturday 09-28: Sunday 09-29 is a 调休 working day
        (at(2024, 9, 28), D(2024, 9, 29), D(2024, 10, 8), D(2024, 10, 23)),
        # 2024 春节: 02-10..02-17 off; 02-04 (Sun) and 02-18 (Sun) working; 02-09 (除夕) working
        (at(2024, 2, 8), D(2024, 2, 9), D(2024, 2, 19), D(2024, 3, 6)),
        # 2025 春节: 01-28..02-04 off; 01-26 (Sun) and 02-08 (Sat) working
        (at(2025, 1, 24), D(2025, 1, 26), D(2025, 2, 5), D(2025, 2, 20)),
        # 2025 国庆: 10-01..10-08 off; 09-28 (Sun) and 10-11 (Sat) working
        (at(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 11), D(2025, 10, 28)),
    ],
)
def test_deadlines_count_working_days_across_holidays(world, received, accept, reply, resolve):
    req = make_request(world, received_at=received)
    assert (req.accept_due, req.reply_due, req.resolve_due) == (accept, reply, resolve)
    deadlines = {
        k: v.date()
        for k, v in __import__("peiyu.work.actions", fromlist=["x"]).stage_deadlines(req.item).items()
        if v
    }
    assert deadlines["received"] == accept
    assert deadlines["accepted"] == reply
    assert deadlines["handling"] == resolve


def test_green_channel_is_shorter_and_names_a_dianxiaoer(world):
    ent = world["enterprises"]["health_a1"]  # liaison: the service officer
    ent.tags = ["落地项目"]
    ent.save()
    req = actions.do_create_request(
        world["admin"], ent, category=category(), content="新落地项目办证", received_at=at(2024, 9, 30)
    )
    assert req.green and req.green_basis == "落地项目"
    assert req.handler == world["service_officer"]
    assert req.item.owner == world["service_officer"]
    # green limits 1 / 2 / 10 working days
    assert (req.accept_due, req.reply_due, req.resolve_due) == (
        D(2024, 10, 8),
        D(2024, 10, 9),
        D(2024, 10, 18),
    )
    other = make_request(world, "soft_a1", received_at=at(2024, 9, 30))
    assert not other.green and other.handler is None


def test_extension_once_to_thirty_working_days_with_reason(world):
    req = make_request(world, received_at=at(2024, 9, 30))
    with pytest.raises(actions.ActionError):
        actions.do_extend_request(world["admin"], req, "复杂")  # not accepted yet
    req = actions.do_accept_request(world["admin"], req)
    with pytest.raises(actions.ActionError, match="延期理由"):
        actions.do_extend_request(world["admin"], req, "")
    req = actions.do_extend_request(world["admin"], req, "涉及规划调整，需多部门会商")
    assert req.resolve_due == D(2024, 11, 15)
    assert req.item.due_at.date() == D(2024, 11, 15)
    with pytest.raises(actions.ActionError, match="只能|已延期"):
        actions.do_extend_request(world["admin"], req, "再延")


def test_flow_and_return_needs_reason(world):
    req = make_request(world)
    with pytest.raises(actions.ActionError, match="退回理由"):
        actions.do_return_request(world["admin"], req, "")
    with pytest.raises(actions.ActionError):
        actions.do_close_request(world["admin"], req)  # 待受理 cannot be closed
    req = actions.do_return_request(world["admin"], req, "不属于本区事权，已告知企业向市级部门反映")
    assert req.status == Status.RETURNED and not req.item.is_open


def test_satisfied_reply_from_the_enterprise_closes(world, client):
    req = make_request(world)
    req = actions.do_accept_request(world["admin"], req)
    req = actions.do_handle_request(world["admin"], req)
    req = actions.do_reply_request(world["admin"], req, "已协调园区提供 2000 平方米研发用房")
    assert req.status == Status.REPLIED and req.reply_round == 1
    token = actions.reply_token(req)
    # the enterprise answers through its one-time link (no login)
    url = f"/services/reply/?t={token}"
    assert client.get(url).status_code == 200
    r = client.post(url, {"t": token, "result": "satisfied", "comment": "很及时"})
    assert r.status_code == 200
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.satisfaction == Satisfaction.SATISFIED
    fb = Feedback.objects.get(request=req)
    assert fb.source == Feedback.Source.LINK and fb.recorded_by is None
    # one time only
    assert client.post(url, {"t": token, "result": "dissatisfied"}).status_code == 404
    assert Feedback.objects.filter(request=req).count() == 1
    assert client.get("/services/reply/?t=forged").status_code == 404


def test_dissatisfied_reply_reopens_even_after_closing(world):
    req = make_request(world)
    req = actions.do_accept_request(world["admin"], req)
    req = actions.do_reply_request(world["admin"], req, "建议企业自行联系园区")
    req = actions.do_close_request(world["admin"], req, "企业未回访，按期办结")
    assert req.status == Status.CLOSED
    r, rnd = actions.read_token(actions.reply_token(req))
    actions.do_record_feedback(None, r, round=rnd, result="dissatisfied", comment="没有实际解决")
    req.refresh_from_db()
    assert req.status == Status.HANDLING and req.item.is_open and req.reopened == 1
    assert Event.objects.filter(item=req.item, label="重新办理", to_status="handling").exists()
    assert AuditLog.objects.filter(action="services.request.reopen", object_id=req.ref).exists()
    # a second answer starts a new round; the old link is superseded
    old = actions.reply_token(req)
    req = actions.do_reply_request(world["admin"], req, "已协调桃浦智创城提供场地")
    with pytest.raises(actions.ActionError, match="取代"):
        actions.read_token(old)
    r, rnd = actions.read_token(actions.reply_token(req))
    assert rnd == 2
    actions.do_record_feedback(None, r, round=rnd, result="basic")
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.satisfaction == "basic"


def test_handler_pages_cannot_set_satisfaction(world, client):
    req = make_request(world)
    req = actions.do_accept_request(world["admin"], req)
    req = actions.do_reply_request(world["admin"], req, "答复")
    client.force_login(world["admin"])
    client.post(f"/services/requests/{req.pk}/close/", {"satisfaction": "satisfied", "note": "办结"})
    req.refresh_from_db()
    assert req.satisfaction == "" and not Feedback.objects.exists()


def test_requests_json_overdue_as_of(world):
    late = make_request(world, received_at=at(2024, 9, 30))  # resolve due 2024-10-25
    ontime = make_request(world, received_at=at(2024, 9, 30))
    rows = {
        r["ref"]: r for r in queries.request_rows(queries.visible_requests(world["admin"]), D(2024, 10, 25))
    }
    assert rows[late.ref]["overdue"] is False and rows[late.ref]["status"] == "待受理"
    rows = {
        r["ref"]: r for r in queries.request_rows(queries.visible_requests(world["admin"]), D(2024, 10, 26))
    }
    assert rows[late.ref]["overdue"] is True
    assert rows[late.ref]["received"] == "2024-09-30" and rows[late.ref]["resolve_due"] == "2024-10-25"
    # before it was received it is not listed
    assert not queries.request_rows(queries.visible_requests(world["admin"]), D(2024, 9, 29))
    assert ontime.ref in rows
