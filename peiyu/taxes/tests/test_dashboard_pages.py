"""Tax pages per persona: they render, show only in-scope enterprises, export to Excel, swap via
htmx, keep CSP (no inline script, nothing external) and write the audit log."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import RequestFactory

from peiyu.accounts.models import AuditLog
from peiyu.taxes.tests.taxdata import UNMATCHED_ID, fill

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAS = ("admin", "industry_officer", "area_officer", "outsider")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>")


def pages(world):
    soft, a2 = world["industries"]["soft"], world["areas"]["a2"]
    return [
        "/taxes/?month=2025-03",
        f"/taxes/industry/{soft.id}/?month=2025-03",
        f"/taxes/area/{a2.id}/?month=2025-03",
        "/taxes/enterprises/?month=2025-03",
        "/taxes/decomposition/?month=2025-03",
        "/taxes/top/?month=2025-03&n=50",
    ]


def check_clean(html: str) -> None:
    m = INLINE_SCRIPT.search(html)
    assert m is None, m.group(0)
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_render_and_hide_other_scopes(world, login, persona):
    fill(world)
    client = login(world[persona])
    ents = world["enterprises"]
    visible = world["visible"][persona]
    for url in pages(world):
        res = client.get(url)
        if persona == "outsider" and ("/industry/" in url or "/area/" in url):
            assert res.status_code == 404
            continue
        if persona == "industry_officer" and "/area/" in url:
            assert res.status_code == 200  # the area page shows the officer's industry within it
        assert res.status_code == 200, url
        html = res.content.decode()
        check_clean(html)
        for key, ent in ents.items():
            if key not in visible:
                assert ent.name not in html, (persona, url, ent.name)
                assert ent.credit_code not in html, (persona, url, ent.credit_code)
        if persona != "admin":
            assert UNMATCHED_ID not in html and "未登记纳税人" not in html
    listing = client.get("/taxes/enterprises/?month=2025-03").content.decode()
    for key in visible:
        assert ents[key].name in listing


def test_dashboard_content_for_admin(world, login):
    fill(world)
    html = login(world["admin"]).get("/taxes/").content.decode()
    assert "产业税收总览" in html and "智能软件" in html and "未匹配纳税人" in html
    assert 'data-chart="chart-monthly"' in html and 'id="chart-monthly"' in html
    assert "-10.0%" in html  # 智能软件 累计同比
    assert f'href="/taxes/area/{world["areas"]["a2"].id}/?month=2025-03"' in html  # drill into an area


def test_industry_officer_cannot_open_another_industry(world, login):
    fill(world)
    client = login(world["industry_officer"])
    assert client.get(f"/taxes/industry/{world['industries']['health'].id}/").status_code == 404
    assert client.get("/taxes/industry/999999/").status_code == 404


def test_htmx_request_gets_only_the_body(world, login):
    fill(world)
    res = login(world["admin"]).get("/taxes/?month=2025-02", HTTP_HX_REQUEST="true")
    html = res.content.decode()
    assert "<html" not in html and "2025年2月" in html and 'id="chart-monthly"' in html


def test_bad_parameters_fall_back_with_a_message(world, login):
    fill(world)
    client = login(world["admin"])
    res = client.get("/taxes/enterprises/?month=2025-99&industry=nope&page=x&sort=evil&area=%C2%B2")
    assert res.status_code == 200
    html = res.content.decode()
    assert "格式不正确" in html and "未找到所选产业" in html


def test_enterprise_list_paginates_and_searches(world, login, monkeypatch):
    from peiyu.taxes import views

    fill(world)
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client = login(world["admin"])
    html = client.get("/taxes/enterprises/?month=2025-03").content.decode()
    assert "第 1 / 2 页" in html and 'id="next-page"' in html
    html = client.get("/taxes/enterprises/?month=2025-03&q=长寿软件").content.decode()
    assert "上海长寿软件有限公司" in html and "上海桃浦软件有限公司" not in html


def test_excel_exports_open_and_hold_the_right_rows(world, login):
    fill(world)
    client = login(world["area_officer"])
    res = client.get("/taxes/enterprises/?month=2025-03&export=xlsx")
    assert res["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(res.content))
    ws = wb.active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row[0] == "统一社会信用代码")
    names = {row[1] for row in values[header + 1 :]}
    ents = world["enterprises"]
    assert names == {ents[k].name for k in world["visible"]["area_officer"]}
    row = next(r for r in values[header + 1 :] if r[1] == ents["soft_a2"].name)
    ytd_col = values[header].index("累计区级税收（万元）")
    assert row[ytd_col] == pytest.approx(3 * 120 * 100_00 * 2 / 5 / 1_000_000)
    assert ws.cell(row=header + 2, column=ytd_col + 1).number_format == "#,##0.00"
    assert AuditLog.objects.filter(action="taxes.enterprises.export", username="taopu_p").exists()
    for url in pages(world):
        if "/industry/" in url:
            continue  # the area officer's industries: by area only
        res = client.get(url + "&export=xlsx")
        assert res.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(res.content))
        assert book.sheetnames
        text = repr([list(s.iter_rows(values_only=True)) for s in book.worksheets])
        assert ents["soft_a1"].name not in text and UNMATCHED_ID not in text


def test_dashboard_export_totals(world, login):
    fill(world)
    res = login(world["admin"]).get("/taxes/?month=2025-03&export=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(res.content))["分产业"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "产业")
    names = [r[0] for r in rows[header + 1 :]]
    assert names == ["智能软件", "生命健康", "非重点产业企业", "未匹配纳税人", "全区"]


def test_enterprise_pages_are_audited(world, login):
    fill(world)
    client = login(world["industry_officer"])
    client.get("/taxes/enterprises/?month=2025-03")
    client.get("/taxes/decomposition/?month=2025-03")
    client.get("/taxes/top/?month=2025-03")
    actions = set(AuditLog.objects.filter(username="software_p").values_list("action", flat=True))
    assert {"taxes.enterprises.view", "taxes.decomposition.view", "taxes.top.view"} <= actions


def test_no_data_page(world, login):
    html = login(world["admin"]).get("/taxes/").content.decode()
    assert "税收库中尚无数据" in html


def test_home_panel_and_profile_section(world, login):
    from peiyu.taxes import panels, profile

    fill(world)
    html = login(world["industry_officer"]).get("/").content.decode()
    assert 'id="panel-taxes"' in html and "智能软件" in html and "生命健康" not in html
    request = RequestFactory().get("/registry/e/x/")
    request.user = world["admin"]
    ent = world["enterprises"]["soft_a2"]
    section = profile.profile_section(request, ent)
    assert section["series"]["rows"][0]["sources"][0]["file_name"] == "税收_2025-01.xlsx"
    from django.template.loader import render_to_string

    html = render_to_string(section["template"], {"section": section})
    assert "来源" in html and "税收_2025-03.xlsx · v1" in html
    assert AuditLog.objects.filter(action="taxes.enterprise.view", object_repr__contains=ent.name).exists()
    assert panels.home_panel(request)["district"]["month_fen"] > 0


def test_profile_table_exports_with_sources_and_scope(world, login):
    fill(world)
    ent = world["enterprises"]["health_a2"]
    res = login(world["area_officer"]).get(f"/taxes/enterprise/{ent.credit_code}/export/")
    ws = openpyxl.load_workbook(io.BytesIO(res.content)).active
    rows = list(ws.iter_rows(values_only=True))
    march = next(r for r in rows if r[0] == "2025-03")
    assert "税收_2025-03.xlsx v1" in march[-1]
    assert AuditLog.objects.filter(action="taxes.enterprise.export", username="taopu_p").exists()
    assert (
        login(world["industry_officer"]).get(f"/taxes/enterprise/{ent.credit_code}/export/").status_code
        == 404
    )
