"""Pages, exports, API and CLI: scope (outside → 404, lists and exports scoped), htmx transitions,
audit of views, the explanation of a warning, the home panel and the profile section."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from peiyu.accounts.models import AuditLog
from peiyu.alerts import rules
from peiyu.alerts.models import Rule, Status, Warning
from peiyu.alerts.tests.helpers import WAN, load, months

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def warned(world):
    """soft_a2 (桃浦镇, software) and health_a1 (长寿路, health) drop sharply in 2025-04..06;
    the others stay flat. Warnings computed for 2025-06."""
    e = world["enterprises"]
    span = months("2025-06", 18)
    series = {}
    for key in ("soft_a1", "soft_a2", "health_a1", "health_a2"):
        series[e[key]] = {
            m: (40 * WAN if key in ("soft_a2", "health_a1") and m >= "2025-04" else 100 * WAN) for m in span
        }
    load(series)
    rules.compute_month("2025-06")
    return {
        "soft": Warning.objects.get(enterprise=e["soft_a2"], rule=Rule.YOY_DROP),
        "health": Warning.objects.get(enterprise=e["health_a1"], rule=Rule.YOY_DROP),
    }


def test_area_officer_sees_only_their_area_and_outside_is_404(world, warned, login):
    c = login(world["area_officer"])
    page = c.get(reverse("alerts:list")).content.decode()
    assert world["enterprises"]["soft_a2"].name in page
    assert world["enterprises"]["health_a1"].name not in page
    assert c.get(reverse("alerts:detail", args=[warned["soft"].pk])).status_code == 200
    assert c.get(reverse("alerts:detail", args=[warned["health"].pk])).status_code == 404
    r = c.post(reverse("alerts:transition", args=[warned["health"].pk, "acknowledge"]))
    assert r.status_code == 404
    assert Warning.objects.get(pk=warned["health"].pk).status == Status.NEW
    assert login(world["outsider"]).get(reverse("alerts:detail", args=[warned["soft"].pk])).status_code == 404


def test_exports_are_scoped_and_audited(world, warned, login):
    def names(resp):
        wb = openpyxl.load_workbook(io.BytesIO(resp.content))
        return {row[0] for row in wb.active.iter_rows(min_row=4, values_only=True) if row[0]}

    c = login(world["area_officer"])
    resp = c.get(reverse("alerts:list") + "?format=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert names(resp) == {world["enterprises"]["soft_a2"].name}
    assert AuditLog.objects.filter(action="alerts.warnings.export", username="taopu_p").exists()
    admin_names = names(login(world["admin"]).get(reverse("alerts:list") + "?format=xlsx"))
    assert {world["enterprises"]["soft_a2"].name, world["enterprises"]["health_a1"].name} <= admin_names
    inbox = login(world["area_officer"]).get(reverse("alerts:inbox") + "?format=xlsx")
    assert names(inbox) == {world["enterprises"]["soft_a2"].name}


def test_detail_explains_with_series_and_industry_context(world, warned, login):
    c = login(world["admin"])
    resp = c.get(reverse("alerts:detail", args=[warned["soft"].pk]))
    html = resp.content.decode()
    assert 'data-chart="warning-series"' in html and 'id="warning-series"' in html
    why = resp.context["why"]
    own, industry = why["context"][0], why["context"][1]
    assert own["change_pct"] == -60.0
    # software = soft_a1 (flat) + soft_a2 (-60%): the industry fell 30%, the firm 60%
    assert industry["name"] == "智能软件" and industry["change_pct"] == -30.0
    assert why["table"][-1]["fen"] == 40 * WAN and why["table"][-1]["prev_fen"] == 100 * WAN
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert AuditLog.objects.filter(action="alerts.warning.view", username="admin_p").exists()


def test_htmx_transitions_swap_the_loop_card(world, warned, login):
    c = login(world["area_officer"])
    w = warned["soft"]
    url = reverse("alerts:transition", args=[w.pk, "acknowledge"])
    resp = c.post(url, {"note": "已知悉"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and 'id="warning-loop"' in resp.content.decode()
    assert "已确认" in resp.content.decode()
    resp = c.post(
        reverse("alerts:transition", args=[w.pk, "resolve"]), {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert "理由必填" in resp.content.decode()
    resp = c.post(
        reverse("alerts:transition", args=[w.pk, "followup"]),
        {"kind": "visit", "date": "2025-07-01", "note": "走访企业", "contact": "李经理"},
        HTTP_HX_REQUEST="true",
    )
    assert "走访企业" in resp.content.decode()
    resp = c.post(reverse("alerts:transition", args=[w.pk, "dismiss"]), {"reason": "集团内部结算调整"})
    assert resp.status_code == 302
    w.refresh_from_db()
    assert w.status == Status.DISMISSED and w.resolution == "集团内部结算调整"
    assert c.get(reverse("alerts:detail", args=[w.pk])).status_code == 200


def test_inbox_panel_and_profile_section(world, warned, login, rf):
    from peiyu.alerts.panels import home_panel
    from peiyu.alerts.profile import profile_section

    c = login(world["area_officer"])
    html = c.get(reverse("alerts:inbox")).content.decode()
    assert world["enterprises"]["soft_a2"].name in html and world["enterprises"]["health_a1"].name not in html
    req = rf.get("/")
    req.user = world["area_officer"]
    panel = home_panel(req)
    assert panel["counts"]["open"] >= 1 and all(
        w.enterprise.area_id == world["areas"]["a2"].id for w in panel["newest"]
    )
    req.user = world["outsider"]
    assert home_panel(req) is None
    req.user = world["admin"]
    section = profile_section(req, world["enterprises"]["soft_a2"])
    assert [w.rule for w in section["warnings"]].count(Rule.YOY_DROP) == 1
    assert login(world["admin"]).get(reverse("web:home")).status_code == 200


def test_key_enterprise_pages_and_export_scoped(world, warned, login):
    c = login(world["area_officer"])
    resp = c.get(reverse("alerts:key_enterprises") + "?month=2025-06&by=area")
    rows = [r for g in resp.context["groups"] for r in g["rows"]]
    assert {r["name"] for r in rows} == {
        world["enterprises"]["soft_a2"].name,
        world["enterprises"]["health_a2"].name,
    }
    # shares within the officer's area: soft_a2 and health_a2 paid 1200 万 each in 2024-06..2025-05 (soft_a2 less)
    total = sum(r["sum_fen"] for r in rows)
    assert sum(r["area_share"] for r in rows) == pytest.approx(100.0, abs=0.1) and total > 0
    x = c.get(reverse("alerts:key_enterprises") + "?month=2025-06&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["按产业", "按街道镇"]
    assert AuditLog.objects.filter(action="alerts.key_enterprises.export", username="taopu_p").exists()
    resp = c.post(
        reverse("alerts:key_override"),
        {"credit_code": world["enterprises"]["soft_a2"].credit_code, "kind": "remove", "reason": "x"},
    )
    assert resp.status_code == 302  # refused with a message: area officers may not edit the list
    assert not world["enterprises"]["soft_a2"].key_overrides.exists()
    a = login(world["admin"])
    a.post(
        reverse("alerts:key_override"),
        {"credit_code": world["enterprises"]["soft_a2"].credit_code, "kind": "remove", "reason": "总部结算"},
    )
    assert world["enterprises"]["soft_a2"].key_overrides.get().reason == "总部结算"


def test_rules_page_admin_only_and_edits_thresholds(world, login):
    assert login(world["area_officer"]).get(reverse("alerts:rules")).status_code == 403
    c = login(world["admin"])
    assert c.get(reverse("alerts:rules")).status_code == 200
    from peiyu.alerts.forms import SettingsForm
    from peiyu.alerts.models import AlertSettings

    data = {k: v for k, v in SettingsForm(instance=AlertSettings.current()).initial.items() if v is not False}
    data.update({"key_threshold_wan": "200", "series_min_wan": "10", "yoy_drop_pct": "25", "reason": "调整"})
    resp = c.post(reverse("alerts:rules"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    cfg = AlertSettings.current()
    assert cfg.key_threshold_fen == 200 * WAN and cfg.yoy_drop_pct == 25


def test_api_warnings_scoped(world, warned, login):
    c = login(world["area_officer"])
    data = c.get("/api/v1/warnings?month=2025-06&status=open").json()
    assert {w["credit_code"] for w in data["warnings"]} == {world["enterprises"]["soft_a2"].credit_code}
    assert c.get(f"/api/v1/warnings/{warned['health'].pk}").status_code == 404
    one = c.get(f"/api/v1/warnings/{warned['soft'].pk}").json()
    assert one["rule"] == "yoy_drop" and one["evidence"]["prev_sum_fen"] == 300 * WAN
    assert AuditLog.objects.filter(action="alerts.warnings.api", username="taopu_p").exists()
    keys = c.get("/api/v1/key-enterprises?month=2025-06").json()
    assert world["enterprises"]["health_a1"].credit_code not in {
        r["credit_code"] for r in keys["enterprises"]
    }


def test_cli_json(world, warned):
    out = io.StringIO()
    call_command("warnings", "--month", "2025-06", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["month"] == "2025-06" and data["computed"]["created"] == 0  # already computed: no duplicates
    got = {(w["credit_code"], w["rule"]) for w in data["warnings"]}
    assert (world["enterprises"]["soft_a2"].credit_code, "yoy_drop") in got
    w = next(
        w
        for w in data["warnings"]
        if w["rule"] == "yoy_drop" and w["credit_code"] == world["enterprises"]["soft_a2"].credit_code
    )
    assert set(w) >= {"credit_code", "name", "rule", "severity", "key_industry", "area", "evidence", "status"}
    assert (
        w["key_industry"] == "智能软件"
        and w["area"] == "桃浦镇"
        and w["status"] == "new"
        and w["severity"] == "high"
    )
    assert Warning.objects.filter(rule="yoy_drop").count() == 2
    with pytest.raises(Exception, match="没有"):
        call_command("warnings", "--month", "2031-01", "--json", stdout=io.StringIO())


def test_inbox_is_paginated_and_its_export_has_every_row(world, warned, login, monkeypatch):
    from peiyu.alerts import views

    monkeypatch.setattr(views, "INBOX_PAGE", 1)
    for w in warned.values():  # both in one inbox
        w.item.owner = world["admin"]
        w.item.save(update_fields=["owner"])
    c = login(world["admin"])
    names = {world["enterprises"]["soft_a2"].name, world["enterprises"]["health_a1"].name}
    first = c.get(reverse("alerts:inbox")).content.decode()
    second = c.get(reverse("alerts:inbox") + "?page=2").content.decode()
    assert "待处理（2）" in first and "第 1/2 页" in first and "第 2/2 页" in second
    shown = [{n for n in names if n in html} for html in (first, second)]
    assert all(len(s) == 1 for s in shown) and shown[0] | shown[1] == names
    wb = openpyxl.load_workbook(io.BytesIO(c.get(reverse("alerts:inbox") + "?format=xlsx").content))
    assert names <= {row[0] for row in wb.active.iter_rows(min_row=4, values_only=True)}
