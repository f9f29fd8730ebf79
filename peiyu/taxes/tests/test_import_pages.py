"""The import / versions / 待匹配 / ratios pages as the four personas, and what the admin does on them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peiyu.accounts.models import AuditLog
from peiyu.taxes.actions import do_import_tax_file
from peiyu.taxes.models import SharingRatio, TaxBatch, TaxpayerLink
from peiyu.taxes.tests import taxfiles as tf

LEGACY = "310107132456789"

pytestmark = pytest.mark.django_db


def payers(world, extra_vat=0):
    ps = tf.sample_payers([(e.credit_code, e.name) for e in world["enterprises"].values()])
    ps[0].amounts["增值税"] += extra_vat
    ps.append(tf.Payer(LEGACY, "上海老识别号商行", {"增值税": 1234_56}, district=300_00))
    return ps


def two_versions(world, tmp_path):
    do_import_tax_file(world["admin"], tf.write_wide(tmp_path / "a.xlsx", payers(world)))
    do_import_tax_file(
        world["admin"], tf.write_wide(tmp_path / "b.xlsx", payers(world, extra_vat=777_000_00))
    )


def admin_urls():
    return [
        reverse("taxes:import"),
        reverse("taxes:versions"),
        reverse("taxes:versions_month", args=["2025-03"]),
        reverse("taxes:unmatched"),
        reverse("taxes:unmatched_search") + "?term=上海",
        reverse("taxes:ratios"),
    ]


@pytest.mark.parametrize("persona", ["industry_officer", "area_officer", "outsider"])
def test_pages_are_admin_only(world, login, client, tmp_path, persona):
    two_versions(world, tmp_path)
    batch = TaxBatch.objects.first()
    c = login(world[persona])
    for url in [*admin_urls(), reverse("taxes:batch", args=[batch.pk])]:
        assert c.get(url).status_code == 403, url
    link = TaxpayerLink.objects.get(taxpayer_id=LEGACY)
    posts = [
        (reverse("taxes:rollback", args=[batch.pk]), {"reason": "x"}),
        (reverse("taxes:unmatched_action", args=[link.pk, "outside"]), {}),
        (reverse("taxes:ratios"), {"tax_type": "增值税", "valid_from": "2025-01", "district_pct": "50"}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 403, url
    c.post(reverse("taxes:import"), {"file": SimpleUploadedFile("a.csv", b"x")})
    assert TaxpayerLink.objects.get(pk=link.pk).status == "pending"
    assert not SharingRatio.objects.exists()
    assert TaxBatch.objects.get(is_active=True).version == 2
    assert TaxBatch.objects.count() == 2


def test_anonymous_is_sent_to_login(client):
    for url in admin_urls():
        res = client.get(url)
        assert res.status_code == 302 and reverse("accounts:login") in res["Location"], url


def test_admin_sees_every_page_without_inline_scripts_or_external_urls(world, login, tmp_path):
    two_versions(world, tmp_path)
    c = login(world["admin"])
    for url in [*admin_urls(), reverse("taxes:batch", args=[TaxBatch.objects.first().pk])]:
        res = c.get(url)
        assert res.status_code == 200, url
        html = res.content.decode()
        assert not re.search(r"(src|href|action)=\"https?://", html), url
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_upload_with_htmx_shows_the_report(world, login, tmp_path):
    c = login(world["admin"])
    path = tf.write_wide(tmp_path / "2025年3月.csv", payers(world), encoding="gbk")
    res = c.post(
        reverse("taxes:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "month": ""},
        HTTP_HX_REQUEST="true",
    )
    html = res.content.decode()
    assert res.status_code == 200
    assert 'data-status="accepted"' in html and "已入库" in html
    batch = TaxBatch.objects.get(is_active=True)
    assert batch.uploaded_by == world["admin"] and batch.file_name == "2025年3月.csv"
    assert f"v{batch.version}" in html and LEGACY in html  # the unmatched taxpayer is listed
    assert "文件中的区级列" in html
    assert AuditLog.objects.filter(action="taxes.import.accept", user=world["admin"]).exists()
    assert AuditLog.objects.filter(action="taxes.import_report.view", user=world["admin"]).exists()
    assert not list((tmp_path / "uploads" / "tmp").glob("*")), "temporary upload is removed"


def test_rejected_upload_lists_every_bad_cell(world, login, tmp_path):
    c = login(world["admin"])
    sheet = tf.wide_sheet(payers(world), total_override={"增值税": 1})
    sheet.rows[5][8] = "壹佰元"
    path = tf.write(tmp_path / "bad.xlsx", sheet)
    res = c.post(
        reverse("taxes:import"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        HTTP_HX_REQUEST="true",
    )
    html = res.content.decode()
    assert 'data-status="rejected"' in html
    assert "壹佰元" in html and "企业所得税（I列）" in html and "合计行金额" in html
    assert TaxBatch.objects.get().status == "rejected"


def test_plain_form_upload_redirects_to_the_batch_report(world, login, tmp_path):
    c = login(world["admin"])
    path = tf.write_wide(tmp_path / "w.xlsx", payers(world))
    res = c.post(reverse("taxes:import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    batch = TaxBatch.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("taxes:batch", args=[batch.pk])
    page = c.get(res["Location"]).content.decode()
    assert "w.xlsx" in page and "增值税" in page


def test_upload_problems_are_explained(world, login, tmp_path):
    c = login(world["admin"])
    res = c.post(
        reverse("taxes:import"), {"file": SimpleUploadedFile("a.pdf", b"%PDF")}, HTTP_HX_REQUEST="true"
    )
    assert res.status_code == 400 and "不支持的文件类型" in res.content.decode()
    res = c.post(reverse("taxes:import"), {}, HTTP_HX_REQUEST="true")
    assert res.status_code == 400 and "请选择" in res.content.decode()
    res = c.post(
        reverse("taxes:import"),
        {"file": SimpleUploadedFile("a.csv", b"a"), "month": "2025-13"},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 400 and "YYYY-MM" in res.content.decode()
    assert not TaxBatch.objects.exists()


def test_versions_compare_and_rollback(world, login, tmp_path):
    two_versions(world, tmp_path)
    c = login(world["admin"])
    page = c.get(reverse("taxes:versions")).content.decode()
    assert "2025-03" in page and "b.xlsx" in page
    res = c.get(reverse("taxes:versions_month", args=["2025-03"]), {"a": "1", "b": "2"})
    html = res.content.decode()
    assert 'id="compare-top"' in html
    top = html.split('id="compare-top"')[1]
    assert "77.70" in top.split("</tr>")[1]  # 777,000.00 元 = 77.70 万元, the largest change
    assert AuditLog.objects.filter(action="taxes.versions.compare").exists()
    v1 = TaxBatch.objects.get(version=1)
    res = c.post(reverse("taxes:rollback", args=[v1.pk]), {"reason": ""})
    assert TaxBatch.objects.get(is_active=True).version == 2  # a reason is required
    res = c.post(reverse("taxes:rollback", args=[v1.pk]), {"reason": "第二版有误"})
    assert res.status_code == 302
    assert TaxBatch.objects.get(is_active=True).version == 1
    assert AuditLog.objects.filter(
        action="taxes.version.rollback", reason="第二版有误", user=world["admin"]
    ).exists()
    assert c.get(reverse("taxes:versions_month", args=["2031-01"])).status_code == 404
    assert c.get(reverse("taxes:versions_month", args=["xx"])).status_code == 404


def test_unmatched_queue_link_outside_and_reset(world, login, tmp_path):
    do_import_tax_file(world["admin"], tf.write_wide(tmp_path / "a.xlsx", payers(world)))
    c = login(world["admin"])
    html = c.get(reverse("taxes:unmatched")).content.decode()
    assert LEGACY in html and "上海老识别号商行" in html
    for e in world["enterprises"].values():
        assert e.credit_code not in html  # registered taxpayers are not in the queue
    options = c.get(reverse("taxes:unmatched_search"), {"term": "桃浦"}).content.decode()
    assert world["enterprises"]["other_a2"].credit_code in options
    assert world["enterprises"]["soft_a1"].credit_code not in options
    link = TaxpayerLink.objects.get(taxpayer_id=LEGACY)
    target = world["enterprises"]["other_a2"]
    url = reverse("taxes:unmatched_action", args=[link.pk, "link"])
    c.post(url, {"credit_code": "NOSUCHCODE"})
    assert TaxpayerLink.objects.get(pk=link.pk).status == "pending"
    res = c.post(
        url,
        {"credit_code": target.credit_code, "reason": "同一企业旧识别号", "next": "https://evil.example/"},
    )
    assert res.status_code == 302 and res["Location"] == reverse("taxes:unmatched")
    link.refresh_from_db()
    assert link.status == "linked" and link.enterprise == target
    assert f'id="link-{link.pk}"' not in c.get(reverse("taxes:unmatched")).content.decode()
    assert f'id="link-{link.pk}"' in c.get(reverse("taxes:unmatched"), {"status": "linked"}).content.decode()
    c.post(reverse("taxes:unmatched_action", args=[link.pk, "outside"]), {"reason": "区外"})
    assert TaxpayerLink.objects.get(pk=link.pk).status == "outside"
    c.post(reverse("taxes:unmatched_action", args=[link.pk, "reset"]))
    assert TaxpayerLink.objects.get(pk=link.pk).status == "pending"
    assert AuditLog.objects.filter(action__startswith="taxes.taxpayer.").count() == 3
    assert AuditLog.objects.filter(action="taxes.unmatched.view").exists()


def test_ratios_page_add_edit_delete(world, login):
    c = login(world["admin"])
    res = c.post(
        reverse("taxes:ratios"),
        {"tax_type": "增值税", "valid_from": "2025-01", "district_pct": "50", "note": "测试"},
    )
    assert res.status_code == 302
    assert SharingRatio.objects.get().district_pct == 50
    res = c.post(
        reverse("taxes:ratios"), {"tax_type": "增值税", "valid_from": "2025-01", "district_pct": "45.5"}
    )
    assert SharingRatio.objects.get().district_pct == 45.5
    res = c.post(
        reverse("taxes:ratios"), {"tax_type": "增值税", "valid_from": "2025-1x", "district_pct": "45"}
    )
    assert res.status_code == 400 and "起始月份" in res.content.decode()
    html = c.get(reverse("taxes:ratios")).content.decode()
    assert "45.5" in html
    c.post(reverse("taxes:ratio_delete", args=[SharingRatio.objects.get().pk]))
    assert not SharingRatio.objects.exists()
    assert AuditLog.objects.filter(action__startswith="taxes.ratio.").count() == 3
