"""The upload page in a real browser: htmx posts the file, the progress bar shows, the report
replaces it; no outside resources, no script errors (CSP forbids inline scripts)."""

from __future__ import annotations

import os

import pytest

from peiyu.taxes.tests import taxfiles as tf

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture
def page(page):
    """The shared page (no outside requests, no script errors) plus: no console errors."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_upload_shows_progress_then_report(live_server, page, world, tmp_path):
    from peiyu.taxes.models import TaxBatch

    ents = world["enterprises"].values()
    payers = tf.sample_payers([(e.credit_code, e.name) for e in ents])
    payers.append(tf.Payer("310107132456789", "上海老识别号商行", {"增值税": 1234_56}, district=300_00))
    good = tf.write_wide(tmp_path / "2025年3月税收.xlsx", payers)
    bad = tf.write_wide(tmp_path / "坏文件.csv", payers, total_override={"增值税": 1}, encoding="gbk")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "admin_p")
    page.fill("#id_password", "Test-Pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/taxes/import/")
    page.set_input_files("#id_file", str(good))
    page.click("#import-submit")
    page.wait_for_selector('#report[data-status="accepted"]')
    assert "已入库" in page.inner_text("#report")
    assert "310107132456789" in page.inner_text("#report-unmatched")
    assert page.is_hidden("#upload-progress")
    assert TaxBatch.objects.get(is_active=True).file_name == "2025年3月税收.xlsx"

    page.set_input_files("#id_file", str(bad))
    page.click("#import-submit")
    page.wait_for_selector('#report[data-status="rejected"]')
    assert "合计行金额" in page.inner_text("#report-errors")
    assert TaxBatch.objects.filter(status="rejected").count() == 1
