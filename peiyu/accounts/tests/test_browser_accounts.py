"""The account pages in a real browser: an administrator creates a user, the new user must change the
password at first login; the lock-out page after five failures. No page error, nothing from outside."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("PEIYU_SCREENSHOTS", "")

pytestmark = pytest.mark.browser


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _login(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_admin_creates_a_user_who_must_change_the_password(live_server, page, world):
    from peiyu.accounts.models import AuditLog, User
    from peiyu.testing.factories import PASSWORD

    base = live_server.url
    _login(page, base, "admin_p", PASSWORD)
    page.wait_for_url(base + "/")
    page.goto(base + "/accounts/users/")
    assert "taopu_p" in page.locator("#user-table").inner_text()
    _shot(page, "users")
    page.click("#user-create")
    page.fill("#id_username", "zhuanban01")
    page.fill("#id_display_name", "智能软件专班联络员")
    page.select_option("#id_role", "taskforce")
    page.get_by_label("智能软件").check()
    _shot(page, "user_create")
    page.click("#user-form button[type=submit]")
    password = page.locator("#initial-password").inner_text().strip()
    _shot(page, "user_password")
    assert User.objects.get(username="zhuanban01").must_change_password
    page.click("#logout")  # the header's logout button (a POST form)
    page.wait_for_url("**/accounts/login/**")
    _login(page, base, "zhuanban01", password)
    page.wait_for_url("**/accounts/password/")
    assert "首次登录" in page.content()
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "Putuo-Kejiao#86")
    page.fill("#id_new_password2", "Putuo-Kejiao#86")
    page.click(".page-body button[type=submit]")  # not the header's logout button
    _shot(page, "after_change")
    page.wait_for_url(base + "/")
    assert "智能软件" in page.locator("#user-box").inner_text()
    assert AuditLog.objects.filter(action="accounts.password.change", username="zhuanban01").exists()


@pytest.mark.django_db(transaction=True)
def test_lockout_page(live_server, page, world):
    base = live_server.url
    for _ in range(5):
        _login(page, base, "taopu_p", "wrong-password")
    assert "账户已锁定" in page.locator("body").inner_text()
    _shot(page, "locked")
