"""Whole pages reused until the data changes (peiyu.core.pagecache): the audit row is written on
every look, a change shows at once, no page crosses users, and each session gets its own CSRF token."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import Client

from peiyu.accounts.models import AuditLog
from peiyu.registry import audit_actions as RA
from peiyu.registry.models import Enterprise

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _client(user, **kw) -> Client:
    c = Client(**kw)
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def _profile(ent: Enterprise) -> str:
    return f"/registry/e/{ent.credit_code}/"


@pytest.mark.django_db
def test_second_look_is_reused_and_still_audited(world):
    ent = world["enterprises"]["soft_a1"]
    c = _client(world["admin"])
    first = c.get(_profile(ent), REMOTE_ADDR="10.0.0.1")
    second = c.get(_profile(ent), REMOTE_ADDR="10.0.0.2")
    assert first.status_code == second.status_code == 200
    assert "X-Peiyu-Reused" not in first and second["X-Peiyu-Reused"] == "1"
    assert ent.name in second.content.decode()
    rows = list(AuditLog.objects.filter(action=str(RA.PROFILE_VIEW)).order_by("id"))
    assert [r.ip for r in rows] == ["10.0.0.1", "10.0.0.2"]  # one row per look, this request's address
    assert rows[1].user == world["admin"] and rows[1].detail == rows[0].detail


@pytest.mark.django_db
def test_a_change_shows_at_once(world):
    ent = world["enterprises"]["soft_a1"]
    c = _client(world["admin"])
    c.get(_profile(ent))
    Enterprise.objects.filter(pk=ent.pk).update(name="上海改名以后软件有限公司")
    after = c.get(_profile(ent))
    assert "X-Peiyu-Reused" not in after
    assert "上海改名以后软件有限公司" in after.content.decode()


@pytest.mark.django_db
def test_never_served_to_another_user(world):
    ent = world["enterprises"]["soft_a1"]
    _client(world["admin"]).get(_profile(ent))
    leader = _client(world["leader"]).get(_profile(ent))
    assert leader.status_code == 200 and "X-Peiyu-Reused" not in leader
    # the area officer of 桃浦 may not see a 长寿路 firm: a page stored for others changes nothing
    assert _client(world["area_officer"]).get(_profile(ent)).status_code == 404


@pytest.mark.django_db
def test_each_session_gets_its_own_csrf_token(world):
    ent = world["enterprises"]["soft_a1"]
    one = _client(world["admin"], enforce_csrf_checks=True)
    two = _client(world["admin"], enforce_csrf_checks=True)
    page_one = one.get(_profile(ent)).content.decode()
    reused = two.get(_profile(ent))
    assert reused["X-Peiyu-Reused"] == "1"
    tokens = set(TOKEN.findall(reused.content.decode()))
    assert tokens and tokens.isdisjoint(TOKEN.findall(page_one))
    secret = two.cookies["csrftoken"].value
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    # and a form posted with it is accepted (the key flag form of the profile)
    resp = two.post(
        f"/registry/e/{ent.credit_code}/key-flag/",
        {"csrfmiddlewaretoken": tokens.pop(), "is_key": "1", "reason": "测试"},
    )
    assert resp.status_code == 302


@pytest.mark.django_db
def test_a_pending_message_is_shown_not_stored(world):
    ent = world["enterprises"]["soft_a1"]
    c = _client(world["admin"])
    c.get(_profile(ent))
    c.post(f"/registry/e/{ent.credit_code}/key-flag/", {"is_key": "1", "reason": "测试"})
    with_message = c.get(_profile(ent))
    assert "已更新重点企业标记" in with_message.content.decode()
    assert "X-Peiyu-Reused" not in with_message
    again = c.get(_profile(ent))
    assert "已更新重点企业标记" not in again.content.decode()
    bad_date = c.get(_profile(ent) + "?as_of=not-a-date")
    assert "格式不正确" in bad_date.content.decode()
    assert "格式不正确" in c.get(_profile(ent) + "?as_of=not-a-date").content.decode()  # never stored


@pytest.mark.django_db
def test_api_result_reused_and_audited(world):
    c = _client(world["admin"])
    first = c.get("/api/v1/warnings")
    second = c.get("/api/v1/warnings")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert AuditLog.objects.filter(action="alerts.warnings.api").count() == 2


@pytest.mark.django_db
def test_switched_off_with_the_data_cache(world, settings):
    settings.PEIYU_DATA_CACHE = False
    ent = world["enterprises"]["soft_a1"]
    c = _client(world["admin"])
    c.get(_profile(ent))
    assert "X-Peiyu-Reused" not in c.get(_profile(ent))
