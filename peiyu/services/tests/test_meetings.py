"""The sub-district service meetings on the shared meetings core: the pack puts the previous
meeting's decisions first, then the area's open/overdue requests, visits due and red flags."""

import datetime as dt

import pytest
from django.utils import timezone

from peiyu.meetings import actions as m_actions
from peiyu.services import actions
from peiyu.services.meetings import do_schedule_area_meeting
from peiyu.services.tests.helpers import at, make_request

pytestmark = pytest.mark.django_db


def test_area_meeting_pack(world, client):
    officer = world["area_officer"]
    a2 = world["areas"]["a2"]
    late = make_request(world, "other_a2", received_at=at(2024, 9, 30))
    make_request(world, "soft_a1", received_at=at(2024, 9, 30))  # another area: not in the pack
    actions.do_record_visit(
        officer,
        world["enterprises"]["soft_a2"],
        date=timezone.localdate(),
        findings="裁员 20 人",
        flags=["layoffs"],
    )
    first = do_schedule_area_meeting(
        officer, a2, form="例会", date=timezone.localdate() - dt.timedelta(days=14)
    )
    m_actions.do_add_decision(
        officer, first, text="协调解决桃浦贸易用房问题", due=timezone.localdate() + dt.timedelta(days=10)
    )
    second = do_schedule_area_meeting(officer, a2, form="问题会商", date=timezone.localdate())
    m_actions.do_prepare_pack(officer, second)
    second.refresh_from_db()
    keys = [s["key"] for s in second.pack]
    assert keys[0] == "meetings.carried_over"
    assert keys[1:] == ["services.area.requests", "services.area.visits", "services.area.flags"]
    reqs = second.pack[1]
    refs = [row[0] for row in reqs["tables"][0]["rows"]]
    assert refs == [late.ref]
    assert reqs["tables"][0]["rows"][0][-1] == "是"
    assert "其中超期 1 件" in reqs["paragraphs"][0]
    assert "裁员" in second.pack[3]["tables"][0]["rows"][0][2]
    assert second.title == "桃浦镇企业服务问题会商"
    client.force_login(officer)
    assert client.get("/services/meetings/").status_code == 200
    assert client.get(f"/meetings/{second.pk}/").status_code == 200


def test_scheduling_for_another_area_is_refused(world, client):
    client.force_login(world["area_officer"])
    r = client.post(
        "/services/meetings/", {"area": world["areas"]["a1"].pk, "form": "例会", "date": "2025-03-01"}
    )
    assert r.status_code == 302
    from peiyu.meetings.models import Meeting

    assert not Meeting.objects.exists()
