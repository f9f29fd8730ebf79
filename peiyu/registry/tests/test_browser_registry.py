"""The registry pages in a real browser: the filter form, the home panel chart, the industry editor's
preview-then-save flow. No outside resources, no script errors."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian chromium not installed",
    ),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        external: list[str] = []
        errors: list[str] = []
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith(("http://localhost", "data:", "blob:")) else external.append(r.url)
            ),
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        context.close()
        browser.close()
        assert not external, external
        assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_registry_pages_in_browser(live_server, page, world):
    from peiyu.registry.models import IndustryDefinition

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "admin_p")
    page.fill("#id_password", "Test-Pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.wait_for_selector("#registry-panel [data-chart-ready]")

    page.goto(live_server.url + "/registry/")
    assert "共 5 家企业" in page.inner_text("#enterprise-table") or "共 5 家企业" in page.content()
    page.select_option("#area", label="桃浦镇")  # data-autosubmit submits the form
    page.wait_for_url("**area=*")
    rows = page.locator("#enterprise-table tbody tr")
    assert rows.count() == 3

    page.goto(live_server.url + "/registry/industries/")
    page.select_option("#ind-select", label="智能软件")
    page.fill("#prefixes", "64, 65, 5137")
    page.fill("#reason", "纳入贸易试点")
    page.click("#btn-preview")
    page.wait_for_selector("#preview")
    assert "上海桃浦贸易有限公司" in page.inner_text("#preview")
    n = IndustryDefinition.objects.count()
    page.click("#btn-save")
    page.wait_for_url("**/registry/industries/")
    assert IndustryDefinition.objects.count() == n + 1
    assert "已保存" in page.content()
