"""The audit log: append-only at every level, the viewer with filters and Excel export, `peiyu audit`."""

from __future__ import annotations

import datetime as dt
import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from peiyu.accounts import triggers
from peiyu.accounts.audit import record
from peiyu.accounts.models import AuditLog


def test_rows_cannot_be_changed_or_deleted_through_the_orm(world):
    row = record(world["admin"], "accounts.user.update", world["outsider"], before={"a": 1}, after={"a": 2})
    row.reason = "篡改"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=row.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=row.pk).reason == ""


def test_database_triggers_refuse_update_and_delete(world):
    row = record(world["admin"], "accounts.session.login", world["admin"])
    assert triggers.installed(connection)
    for sql in (
        "UPDATE accounts_auditlog SET reason = 'x' WHERE id = %s",
        "DELETE FROM accounts_auditlog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [row.pk])
    assert AuditLog.objects.filter(pk=row.pk, reason="").exists()


def test_a_user_with_audit_history_cannot_be_deleted(world):
    record(world["outsider"], "accounts.session.login", world["outsider"])
    with pytest.raises(ProtectedError), transaction.atomic():
        world["outsider"].delete()


@pytest.mark.django_db(transaction=True)
def test_flush_still_works_and_puts_the_triggers_back():
    from peiyu.testing.factories import UserFactory

    user = UserFactory(username="flushme")
    record(user, "accounts.session.login", user)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditLog.objects.count() == 0
    assert triggers.installed(connection)


def test_migrations_reapply_triggers_idempotently(db):
    assert triggers.install(connection) is True
    assert triggers.install(connection) is True
    assert triggers.installed(connection)


def test_retention_setting_never_below_180_days(settings):
    assert settings.AUDIT_RETENTION_DAYS >= 180


# --- the viewer ----------------------------------------------------------------------------------


@pytest.fixture
def history(world):
    old = timezone.now() - dt.timedelta(days=40)
    rows = [
        record(
            world["admin"],
            "accounts.user.update",
            world["area_officer"],
            object_id="taopu_p",
            before={"areas": []},
        ),
        record(
            world["industry_officer"],
            "accounts.session.login",
            world["industry_officer"],
            object_id="software_p",
        ),
        record(
            None,
            "accounts.session.login_failed",
            object_type="accounts.user",
            object_id="ghost",
            username="ghost",
        ),
    ]
    AuditLog.objects.create(
        time=old, username="admin_p", action="accounts.token.create", object_repr="旧令牌"
    )
    return rows


def test_audit_viewer_is_for_administrators_only(world, login, history):
    for persona in ("industry_officer", "area_officer", "outsider"):
        resp = login(world[persona]).get(reverse("accounts:audit"))
        assert resp.status_code == 403 and "仅限系统管理员" in resp.content.decode()
        assert "修改用户及范围" not in resp.content.decode() and "ghost" not in resp.content.decode()


def _rows(resp) -> str:
    """The text of the audit table's body (the filter form lists every action label too)."""
    import re

    assert resp.status_code == 200
    m = re.search(r'id="audit-table".*?<tbody>(.*?)</tbody>', resp.content.decode(), re.S)
    assert m is not None
    return m.group(1)


def test_audit_viewer_filters(world, login, history):
    client = login(world["admin"])
    url = reverse("accounts:audit")
    body = _rows(client.get(url))
    assert "修改用户及范围" in body and "登录失败" in body and "旧令牌" in body
    body = _rows(client.get(url, {"user": "software_p"}))
    assert "software_p" in body and "修改用户及范围" not in body and "ghost" not in body
    body = _rows(client.get(url, {"action": "accounts.session.login_failed"}))
    assert "ghost" in body and "旧令牌" not in body
    body = _rows(client.get(url, {"obj": "taopu"}))
    assert "修改用户及范围" in body and "ghost" not in body
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = _rows(client.get(url, {"since": since}))
    assert "旧令牌" not in body and "ghost" in body
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    body = _rows(client.get(url, {"until": until}))
    assert "旧令牌" in body and "ghost" not in body
    body = client.get(url, {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert "截止日期不能早于起始日期" in body


def test_audit_export_is_an_excel_file_and_is_itself_recorded(world, login, history):
    client = login(world["admin"])
    resp = client.get(reverse("accounts:audit"), {"action": "accounts.user.update", "export": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    cells = [tuple(row) for row in ws.iter_rows(values_only=True)]
    header = next(r for r in cells if r and r[0] == "时间")
    assert header[:3] == ("时间", "用户", "操作")
    data = [r for r in cells[cells.index(header) + 1 :] if r[0]]
    assert len(data) == 1 and data[0][1] == "admin_p" and data[0][2] == "修改用户及范围"
    assert data[0][header.index("修改前")] == "区域范围：—"
    export = AuditLog.objects.get(action="accounts.audit.export")
    assert export.username == "admin_p" and export.detail["filters"] == {"action": "accounts.user.update"}


# --- peiyu audit -----------------------------------------------------------------------------------


def test_audit_command_json(world, history):
    out = StringIO()
    call_command("audit", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert {"time", "user", "action", "object", "detail"} <= set(payload["entries"][0])
    assert [e["action"] for e in payload["entries"]][:3] == [
        "accounts.session.login_failed",
        "accounts.session.login",
        "accounts.user.update",
    ]
    update = next(e for e in payload["entries"] if e["action"] == "accounts.user.update")
    assert update["user"] == "admin_p" and update["detail"]["before"] == {"areas": []}
    out = StringIO()
    call_command("audit", "--json", "--user", "software_p", stdout=out)
    assert [e["user"] for e in json.loads(out.getvalue())["entries"]] == ["software_p"]
    out = StringIO()
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    call_command("audit", "--json", "--since", since, stdout=out)
    assert "accounts.token.create" not in [e["action"] for e in json.loads(out.getvalue())["entries"]]


def test_audit_command_text_and_bad_date(world, history):
    out = StringIO()
    call_command("audit", "--user", "admin_p", stdout=out)
    text = out.getvalue()
    assert "修改用户及范围" in text and "旧令牌" in text
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "--since", "昨天")
    out = StringIO()
    call_command("audit", "--user", "nobody", stdout=out)
    assert "没有符合条件" in out.getvalue()


def test_login_and_logout_are_recorded(client, world):
    from peiyu.testing.factories import PASSWORD

    resp = client.post(reverse("accounts:login"), {"username": "software_p", "password": PASSWORD})
    assert resp.status_code == 302
    client.post(reverse("accounts:logout"))
    actions = list(AuditLog.objects.filter(username="software_p").values_list("action", flat=True))
    assert actions == ["accounts.session.logout", "accounts.session.login"]
    row = AuditLog.objects.get(username="software_p", action="accounts.session.login")
    assert row.ip == "127.0.0.1" and row.object_id == "software_p"
    client.post(reverse("accounts:login"), {"username": "software_p", "password": "bad"})
    failed = AuditLog.objects.get(action="accounts.session.login_failed")
    assert failed.username == "software_p" and failed.user is None


def test_client_ip_trusts_forwarded_for_only_behind_our_proxy(rf, settings):
    from peiyu.accounts.audit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.1.20")
    settings.AUDIT_TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "10.0.0.5"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "192.168.1.20"  # the hop our proxy added, not the client's claim
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")) is None
    assert client_ip(None) is None
