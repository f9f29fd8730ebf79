"""A real browser (Debian's Chromium driven by Playwright, no browser download): log in, see the
shell in Chinese, log out."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_login_shell_logout(live_server, page, world):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("h2").first.inner_text() == "账户登录"
    page.fill("#id_username", "taopu_p")
    page.fill("#id_password", "Test-Pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    shell = page.locator("#user-box").inner_text()
    assert "taopu_p" in shell and "桃浦镇" in shell
    assert page.locator("#main-nav").is_visible()
    assert "首页" in page.locator("#main-nav").inner_text()
    # the stylesheet from npm really loaded (Tabler sets the page font and layout)
    assert page.evaluate("getComputedStyle(document.querySelector('.page')).display") == "flex"
    page.click("#logout")
    page.wait_for_url("**/accounts/login/**")
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_chinese_error(live_server, page, world):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "taopu_p")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator("#login-error").inner_text()
