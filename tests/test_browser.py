"""A real browser (Debian's Chromium driven by Playwright, no browser download): log in, see the
shell in Chinese, log out."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian chromium not installed (.ci/run installs it)",
    ),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    external: list[str] = []
    page = context.new_page()

    def on_request(request):
        if not request.url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:")):
            external.append(request.url)

    page.on("request", on_request)
    yield page
    context.close()
    assert not external, f"the page requested outside resources: {external}"


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
