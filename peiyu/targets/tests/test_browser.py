"""The target board in a real browser (Debian Chromium through Playwright): the bullet chart renders
under the CSP (no inline script), sorting by gap works, the detail page draws its path chart."""

from __future__ import annotations

import pytest

from peiyu.targets.actions import do_save_target
from peiyu.targets.models import Target, TargetKind
from peiyu.targets.tests.helpers import WAN, fill
from peiyu.testing.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_board_chart_and_sorting(live_server, page, world):
    fill(world)
    ind = world["industries"]
    soft = do_save_target(
        world["admin"],
        Target(
            year=2025, name="智能软件", kind=TargetKind.AMOUNT, key_industry=ind["soft"], target_fen=200 * WAN
        ),
    )
    do_save_target(
        world["admin"],
        Target(year=2025, name="生命健康", kind=TargetKind.GROWTH, key_industry=ind["health"], growth_pct=10),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", world["admin"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/targets/?year=2025&month=2025-03")
    page.wait_for_selector("#bullet-chart[data-chart-ready='1']")
    assert page.locator("#bullet-chart canvas").count() == 1
    rows = page.locator("#target-table tbody tr")
    assert rows.count() == 2
    page.click("#sort-gap")
    page.wait_for_url("**sort=gap**")
    first = page.locator("#target-table tbody tr").first.get_attribute("data-target")
    assert first == str(soft.pk)  # -7.0 before +2.3
    page.goto(f"{live_server.url}/targets/{soft.pk}/?month=2025-03")
    page.wait_for_selector("#path-chart[data-chart-ready='1']")
    assert page.locator("#progress-sentence").inner_text() == "完成 18.0%，慢于时间进度 7.0 个百分点"
    assert not errors, errors
