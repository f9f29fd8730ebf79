"""Denied attempts are security events: an out-of-scope enterprise (404), an administrator page
(403) and a refused API token each leave an audit row saying who, what and from where — and
``peiyu audit --json`` lists them."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.urls import reverse

from peiyu.accounts.models import AuditLog

DENIED = "accounts.access.denied"


def _audit_json(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("audit", "--json", *args, stdout=out)
    return json.loads(out.getvalue())["entries"]


def test_an_out_of_scope_enterprise_is_a_404_and_a_recorded_denial(world, login):
    hidden = world["enterprises"]["soft_a1"]  # 长寿路: outside the 桃浦镇 officer's scope
    client = login(world["area_officer"])
    resp = client.get(reverse("registry:detail", args=[hidden.credit_code]), REMOTE_ADDR="10.1.2.3")
    assert resp.status_code == 404
    row = AuditLog.objects.get(action=DENIED)
    assert row.username == "taopu_p" and row.ip == "10.1.2.3"
    assert row.object_id == hidden.credit_code and row.detail["access"] == "查看"
    assert row.detail["path"].endswith(f"{hidden.credit_code}/")
    # a code that does not exist at all is an ordinary 404, not a security event
    assert client.get(reverse("registry:detail", args=["91310107MA1G000000"])).status_code == 404
    assert AuditLog.objects.filter(action=DENIED).count() == 1
    (entry,) = _audit_json("--action", DENIED)
    assert entry["user"] == "taopu_p" and entry["action_label"] == "越权访问被拒绝"
    assert entry["detail"]["ip"] == "10.1.2.3"


def test_an_administrator_page_is_a_chinese_403_and_a_recorded_denial(world, login):
    resp = login(world["industry_officer"]).get(reverse("accounts:audit"))
    assert resp.status_code == 403 and "无权访问" in resp.content.decode()
    row = AuditLog.objects.get(action=DENIED)
    assert row.username == "software_p" and row.detail["permission"] == "admin"
    assert row.detail["path"] == reverse("accounts:audit")


def test_a_refused_api_token_is_recorded_with_where_it_came_from(world, client):
    from peiyu.accounts.actions import do_create_token, do_revoke_token

    token, key = do_create_token(world["area_officer"], world["area_officer"], label="对接")
    do_revoke_token(world["area_officer"], token)
    resp = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.9.8.7")
    assert resp.status_code == 401
    resp = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION="Bearer not-a-token", REMOTE_ADDR="10.9.8.7")
    assert resp.status_code == 401
    rows = list(AuditLog.objects.filter(action="accounts.token.refused").order_by("id"))
    assert [r.detail["reason"] for r in rows] == ["令牌已撤销", "令牌不存在"]
    assert rows[0].username == "taopu_p" and rows[1].username == "anonymous"
    assert all(r.ip == "10.9.8.7" for r in rows)
    assert key not in json.dumps([r.detail for r in rows]) + "".join(r.object_repr for r in rows)
    assert len(_audit_json("--action", "accounts.token.refused")) == 2


def test_a_leader_may_read_a_warning_but_acting_on_it_is_refused_and_recorded(world, login):
    from peiyu.alerts.tests.test_loop import make_warning

    w = make_warning(world["enterprises"]["soft_a2"])
    status = w.item.status
    client = login(world["leader"])
    assert client.get(reverse("alerts:detail", args=[w.pk])).status_code == 200
    resp = client.post(reverse("alerts:transition", args=[w.pk, "acknowledge"]), {"note": "已知悉"})
    assert resp.status_code == 403 and "区领导账户可查看全部数据，但不能修改" in resp.content.decode()
    w.item.refresh_from_db()
    assert w.item.status == status
    row = AuditLog.objects.get(action=DENIED)
    assert row.username == "leader_p" and row.detail["access"] == "修改或办理"
    # the 桃浦镇 officer may act on it
    resp = login(world["area_officer"]).post(
        reverse("alerts:transition", args=[w.pk, "acknowledge"]), {"note": "已知悉"}
    )
    w.item.refresh_from_db()
    assert resp.status_code in (200, 302) and w.item.status != status
