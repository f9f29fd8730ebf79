"""The warning loop in a real browser (Debian Chromium through Playwright): the explanation chart
renders under the CSP, and acknowledge → follow-up → resolve work through htmx without a reload."""

from __future__ import annotations

import pytest

from peiyu.alerts import rules
from peiyu.alerts.models import Rule, Status, Warning
from peiyu.alerts.tests.helpers import WAN, load, months
from peiyu.testing.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_detail_chart_and_htmx_loop(live_server, page, world):
    ent = world["enterprises"]["soft_a2"]
    load({ent: {m: (30 * WAN if m >= "2025-04" else 100 * WAN) for m in months("2025-06", 18)}})
    rules.compute_month("2025-06")
    w = Warning.objects.get(enterprise=ent, rule=Rule.YOY_DROP)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", world["area_officer"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(f"{live_server.url}/alerts/warnings/{w.pk}/")
    page.wait_for_selector("[data-chart='warning-series'][data-chart-ready='1']")
    assert page.locator("[data-chart='warning-series'] canvas").count() == 1
    page.evaluate("window.__noReload = true")
    page.fill("#ack-note", "已知悉")
    page.click("#form-acknowledge button")
    page.wait_for_selector("#warning-status[data-status='acknowledged']")
    page.fill("#form-followup textarea[name=note]", "走访财务总监：大客户订单转移")
    page.click("#form-followup button")
    page.wait_for_selector("#warning-status[data-status='following']")
    assert "大客户订单转移" in page.inner_text("#followups")
    page.fill("#resolve-reason", "已协调新订单，下月回升")
    page.click("#form-resolve button")
    page.wait_for_selector("#warning-status[data-status='resolved']")
    assert page.evaluate("window.__noReload") is True  # every step was an htmx swap
    w.refresh_from_db()
    assert w.status == Status.RESOLVED and w.resolution == "已协调新订单，下月回升"
    assert not errors, errors
