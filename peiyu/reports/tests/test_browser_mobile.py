"""Phones: at 390 px every page keeps to the screen width — the navigation folds behind the menu
button, wide tables scroll inside their card — and the monthly report reads on a phone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/taxes/?month=2025-03", "/reports/", "/targets/", "/alerts/warnings/", "/work/"]


@pytest.mark.django_db(transaction=True)
def test_pages_are_usable_at_390_px(live_server, browser, world):
    from peiyu.reports import actions
    from peiyu.taxes.tests.taxdata import fill

    fill(world)
    report = actions.do_generate_report(world["admin"], "2025-03")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "admin_p")
    page.fill("#id_password", "Test-Pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    for path in [*PAGES, f"/reports/{report.pk}/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (path, overflow)
        assert not page.locator("#main-nav").is_visible(), path  # folded behind the menu button
    page.click("#nav-toggle")
    assert page.locator("#main-nav").is_visible()
    assert page.locator("#nav-toggle").get_attribute("aria-expanded") == "true"
    # a wide table scrolls inside its container instead of widening the page
    page.goto(live_server.url + "/taxes/?month=2025-03")
    scrolls = page.evaluate(
        """() => [...document.querySelectorAll('table')].some(t => {
             const box = t.closest('.table-responsive') || t;
             return box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX !== 'visible'; })"""
    )
    assert scrolls
    context.close()
    assert not errors, errors
