"""The registry pages in a real browser: the filter form, the home panel chart, the industry editor's
preview-then-save flow. No outside resources, no script errors."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


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
