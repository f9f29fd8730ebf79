"""User management pages (administrators) and the API token pages (everyone)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from peiyu.accounts.models import ApiToken, AuditLog, Role, User
from peiyu.testing.factories import PASSWORD


@pytest.fixture
def admin(world, login):
    return login(world["admin"])


def _password_on(page: str) -> str:
    m = re.search(r'id="initial-password">([^<]+)<', page)
    assert m is not None
    return m.group(1)


def test_user_pages_are_for_administrators_only(world, login):
    target = world["area_officer"]
    urls = [
        reverse("accounts:users"),
        reverse("accounts:user_create"),
        reverse("accounts:user_edit", args=[target.pk]),
    ]
    posts = [
        reverse("accounts:user_set_active", args=[target.pk]),
        reverse("accounts:user_reset_password", args=[target.pk]),
        reverse("accounts:user_unlock", args=[target.pk]),
    ]
    for persona in ("industry_officer", "area_officer", "outsider"):
        client = login(world[persona])
        for url in urls:
            assert client.get(url).status_code == 403, url
        for url in posts:
            assert client.post(url, {"active": "0"}).status_code == 403, url
        assert (
            client.post(reverse("accounts:user_create"), {"username": "x", "role": "admin"}).status_code
            == 403
        )
    target.refresh_from_db()
    assert target.is_active and not target.must_change_password
    assert not User.objects.filter(username="x").exists()
    assert Client().get(urls[0]).status_code == 302  # anonymous: to the login page


def test_user_list_shows_roles_scopes_and_filters(world, admin):
    body = admin.get(reverse("accounts:users")).content.decode()
    for name in ("admin_p", "software_p", "taopu_p", "outsider_p"):
        assert name in body
    assert "智能软件" in body and "桃浦镇" in body and "无数据范围" in body
    body = admin.get(reverse("accounts:users"), {"role": "taskforce"}).content.decode()
    assert "software_p" in body and "taopu_p" not in body
    body = admin.get(reverse("accounts:users"), {"q": "taopu"}).content.decode()
    assert "taopu_p" in body and "software_p" not in body


def test_create_user_shows_the_password_once_and_forces_a_change(world, admin):
    soft = world["industries"]["soft"]
    a1 = world["areas"]["a1"]
    resp = admin.post(
        reverse("accounts:user_create"),
        {
            "username": "kewei01",
            "display_name": "科委联络员",
            "role": Role.TASKFORCE,
            "key_industries": [soft.pk],
            "areas": [a1.pk],
            "reason": "新任专班联络员",
        },
    )
    assert resp.status_code == 200 and resp["Cache-Control"].startswith("no-store")
    password = _password_on(resp.content.decode())
    user = User.objects.get(username="kewei01")
    assert user.must_change_password and user.check_password(password)
    assert set(user.key_industries.all()) == {soft} and set(user.areas.all()) == {a1}
    row = AuditLog.objects.get(action="accounts.user.create")
    assert row.username == "admin_p" and row.reason == "新任专班联络员"
    assert row.after["key_industries"] == ["智能软件"] and row.after["areas"] == ["长寿路街道"]
    assert password not in str(row.after) and password not in str(row.detail)
    # first login goes straight to the password change
    c = Client()
    assert c.post(reverse("accounts:login"), {"username": "kewei01", "password": password}).status_code == 302
    assert c.get("/")["Location"] == reverse("accounts:password_change")
    # the user list never shows a password
    assert password not in admin.get(reverse("accounts:users")).content.decode()


def test_create_user_validation(world, admin):
    url = reverse("accounts:user_create")
    body = admin.post(url, {"username": "taopu_p", "role": Role.LEADER}).content.decode()
    assert "已存在" in body
    body = admin.post(url, {"username": "bad name!", "role": Role.LEADER}).content.decode()
    assert "用户名只能包含" in body
    body = admin.post(url, {"username": "noscope", "role": Role.AREA}).content.decode()
    assert "须至少选择一个" in body
    assert not User.objects.filter(username__in=["bad name!", "noscope"]).exists()
    assert not AuditLog.objects.filter(action="accounts.user.create").exists()


def test_edit_role_and_scopes_records_before_and_after(world, admin):
    user = world["area_officer"]
    a1, a2 = world["areas"]["a1"], world["areas"]["a2"]
    resp = admin.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"display_name": "桃浦镇经济办", "role": Role.AREA, "areas": [a1.pk, a2.pk], "reason": "兼管长寿路"},
    )
    assert resp.status_code == 302
    user.refresh_from_db()
    assert set(user.areas.all()) == {a1, a2}
    row = AuditLog.objects.get(action="accounts.user.update")
    assert row.before["areas"] == ["桃浦镇"] and row.after["areas"] == sorted(["长寿路街道", "桃浦镇"])
    assert row.object_id == "taopu_p" and row.reason == "兼管长寿路"
    # the new scope takes effect at once
    from peiyu.accounts import scope

    assert scope.enterprises(User.objects.get(pk=user.pk)).count() == 5
    # the edit page shows the history
    page = admin.get(reverse("accounts:user_edit", args=[user.pk])).content.decode()
    assert "修改用户及范围" in page and "兼管长寿路" in page
    # saving without a change writes nothing
    admin.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"display_name": "桃浦镇经济办", "role": Role.AREA, "areas": [a1.pk, a2.pk]},
    )
    assert AuditLog.objects.filter(action="accounts.user.update").count() == 1


def test_role_change_syncs_superuser_and_admins_cannot_lock_themselves_out(world, admin):
    me = world["admin"]
    resp = admin.post(reverse("accounts:user_edit", args=[me.pk]), {"role": Role.LEADER})
    assert "不能取消自己的管理员权限" in resp.content.decode()
    resp = admin.post(reverse("accounts:user_set_active", args=[me.pk]), {"active": "0"}, follow=True)
    assert "不能取消自己的管理员权限或停用自己的账户" in resp.content.decode()
    me.refresh_from_db()
    assert me.is_active and me.is_admin
    leader = world["industry_officer"]
    admin.post(reverse("accounts:user_edit", args=[leader.pk]), {"role": Role.ADMIN})
    leader.refresh_from_db()
    assert leader.is_superuser and leader.is_admin
    admin.post(
        reverse("accounts:user_edit", args=[leader.pk]),
        {"role": Role.TASKFORCE, "key_industries": [world["industries"]["soft"].pk]},
    )
    leader.refresh_from_db()
    assert not leader.is_superuser and not leader.is_admin


def test_deactivate_and_reactivate(world, admin):
    user = world["area_officer"]
    from peiyu.accounts.actions import do_create_token

    token, _ = do_create_token(user, user)
    resp = admin.post(reverse("accounts:user_set_active", args=[user.pk]), {"active": "0"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
        .status_code
        == 200
    )
    admin.post(reverse("accounts:user_set_active", args=[user.pk]), {"active": "1"})
    user.refresh_from_db()
    assert user.is_active
    actions = list(
        AuditLog.objects.filter(object_id=user.username, action__startswith="accounts.user.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["accounts.user.activate", "accounts.user.deactivate"]
    row = AuditLog.objects.get(action="accounts.user.deactivate")
    assert row.before["is_active"] is True and row.after["is_active"] is False


def test_reset_password_forces_a_change_and_ends_sessions(world, admin):
    user = world["industry_officer"]
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert client.get("/").status_code == 200
    resp = admin.post(reverse("accounts:user_reset_password", args=[user.pk]))
    new = _password_on(resp.content.decode())
    assert resp["Cache-Control"].startswith("no-store")
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(new) and not user.check_password(PASSWORD)
    assert client.get("/").status_code == 302  # the old session ended with the old password
    row = AuditLog.objects.get(action="accounts.password.reset")
    assert row.username == "admin_p" and new not in str(row.after)


# --- tokens --------------------------------------------------------------------------------------


def test_token_pages(world, login):
    officer = login(world["area_officer"])
    resp = officer.post(reverse("accounts:tokens"), {"label": "月报脚本", "days": "30"})
    assert resp.status_code == 200 and resp["Cache-Control"].startswith("no-store")
    secret = re.search(r'id="token-secret">([^<]+)<', resp.content.decode()).group(1)
    token = ApiToken.objects.get(user=world["area_officer"])
    assert token.key_hash == ApiToken.hash_key(secret)
    listing = officer.get(reverse("accounts:tokens")).content.decode()
    assert token.prefix in listing and secret not in listing and "月报脚本" in listing
    # another scoped user neither sees nor revokes it
    other = login(world["industry_officer"])
    assert token.prefix not in other.get(reverse("accounts:tokens")).content.decode()
    assert other.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    # the administrator sees every token and can revoke it
    admin = login(world["admin"])
    page = admin.get(reverse("accounts:tokens")).content.decode()
    assert token.prefix in page and "taopu_p" in page
    assert admin.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    row = AuditLog.objects.get(action="accounts.token.revoke")
    assert row.username == "admin_p" and row.before["revoked_at"] is None and row.after["revoked_at"]
    # invalid lifetime
    body = login(world["area_officer"]).post(reverse("accounts:tokens"), {"days": "0"}).content.decode()
    assert "id_days" in body and ApiToken.objects.filter(user=world["area_officer"]).count() == 1
