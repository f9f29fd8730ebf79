"""The reports pages: generate (own scope; the district report for administrators), preview, edit
the suggestions, download; scoped readers never open the district report; the cockpit and the
leader's home panel."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from peiyu.accounts.models import AuditLog
from peiyu.reports import actions
from peiyu.reports.models import Report
from peiyu.taxes.tests.taxdata import fill

MONTH = "2025-03"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>")


@pytest.mark.django_db
def test_a_scoped_user_generates_their_own_report_and_cannot_open_the_district_one(world, login):
    fill(world)
    district = actions.do_generate_report(world["admin"], MONTH)
    client = login(world["industry_officer"])
    res = client.post(reverse("reports:generate"), {"month": MONTH, "district": "1"})
    own = Report.objects.get(reader=world["industry_officer"])
    assert res.status_code == 302 and res["Location"] == reverse("reports:detail", args=[own.pk])
    page = client.get(reverse("reports:detail", args=[own.pk])).content.decode()
    assert "智能软件" in page and world["enterprises"]["health_a1"].name not in page
    assert INLINE_SCRIPT.search(page) is None
    assert client.get(reverse("reports:detail", args=[district.pk])).status_code == 404
    assert client.get(reverse("reports:docx", args=[district.pk])).status_code == 404
    index = client.get(reverse("reports:index")).content.decode()
    assert own.title in index and f'data-report="{district.pk}"' not in index
    docx = client.get(reverse("reports:docx", args=[own.pk]))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "本范围实现区级税收" in text
    assert AuditLog.objects.filter(action="reports.report.download", user=world["industry_officer"]).exists()


@pytest.mark.django_db
def test_leader_reads_every_report_and_edits_only_their_own(world, login):
    fill(world)
    district = actions.do_generate_report(world["admin"], MONTH)
    client = login(world["leader"])
    assert client.get(reverse("reports:detail", args=[district.pk])).status_code == 200
    res = client.post(reverse("reports:edit", args=[district.pk]), {"suggestions": "改一下"})
    assert res.status_code == 403 and Report.objects.count() == 1
    client.post(reverse("reports:generate"), {"month": MONTH})
    mine = Report.objects.get(reader=world["leader"])
    res = client.post(
        reverse("reports:edit", args=[mine.pk]), {"suggestions": "1. 研究生命健康产业扶持政策。"}
    )
    new = Report.objects.get(reader=world["leader"], version=2)
    assert res["Location"] == reverse("reports:detail", args=[new.pk])
    assert "研究生命健康产业扶持政策" in client.get(res["Location"]).content.decode()


@pytest.mark.django_db
def test_admin_generates_the_district_report_from_the_page(world, login):
    fill(world)
    client = login(world["admin"])
    client.post(reverse("reports:generate"), {"month": MONTH, "district": "1"})
    report = Report.objects.get()
    assert report.reader is None and report.scope_label == "全区"
    bad = client.post(reverse("reports:generate"), {"month": "2019-01", "district": "1"}, follow=True)
    assert "税收库中没有 2019-01 的数据" in bad.content.decode()


@pytest.mark.django_db
def test_cockpit_is_a_dark_big_screen_that_refreshes_itself(world, login):
    fill(world)
    client = login(world["leader"])
    page = client.get(reverse("reports:cockpit")).content.decode()
    assert INLINE_SCRIPT.search(page) is None and "http://" not in page and "https://" not in page
    assert 'hx-trigger="every 300s"' in page and "cockpit.css" in page
    for tile in ("ck-kpis", "ck-industries", "ck-map", "ck-decisions", "ck-movers"):
        assert f'id="{tile}"' in page
    assert "长寿路街道" in page and "桃浦镇" in page  # the schematic map
    assert reverse("taxes:dashboard") in page  # tiles link to their pages
    tiles = client.get(reverse("reports:cockpit_tiles")).content.decode()
    assert "<html" not in tiles and 'id="ck-kpis"' in tiles
    scoped = login(world["industry_officer"]).get(reverse("reports:cockpit")).content.decode()
    assert "本范围" in scoped and world["enterprises"]["health_a1"].name not in scoped


@pytest.mark.django_db
def test_leader_home_says_what_needs_a_decision_this_week(world, login):
    from peiyu.work import actions as work_actions

    ent = world["enterprises"]["soft_a1"]
    leader = world["leader"]
    item = work_actions.do_open_item(
        world["admin"], ent, kind="work.task", title="审定长寿软件扩产用地方案", owner=leader,
        due=timezone.now() + dt.timedelta(hours=20),
    )  # fmt: skip
    home = login(leader).get(reverse("web:home")).content.decode()
    assert 'id="panel-decisions"' in home and "审定长寿软件扩产用地方案" in home
    assert home.index('id="panel-decisions"') < home.index("</main>" if "</main>" in home else "footer")
    item.refresh_from_db()
    other = login(world["area_officer"]).get(reverse("web:home")).content.decode()
    assert "审定长寿软件扩产用地方案" not in other


@pytest.mark.django_db
def test_api_lists_and_returns_reports_in_scope(world, login):
    fill(world)
    district = actions.do_generate_report(world["admin"], MONTH)
    own = actions.do_generate_report(world["area_officer"], MONTH, reader=world["area_officer"])
    client = login(world["area_officer"])
    listed = client.get("/api/v1/reports", {"month": MONTH}).json()
    assert [r["id"] for r in listed["reports"]] == [own.pk]
    assert client.get(f"/api/v1/reports/{district.pk}").status_code == 404
    got = client.get(f"/api/v1/reports/{own.pk}").json()
    assert got["scope"] == "桃浦镇" and got["data"]["features"][0]["key"] == "taxes.features"
    assert client.get(f"/api/v1/reports/{own.pk}/docx")["Content-Type"].startswith("application/vnd.openxml")
    leader = login(world["leader"]).get("/api/v1/reports").json()
    assert {r["id"] for r in leader["reports"]} == {district.pk, own.pk}


@pytest.mark.django_db
def test_cockpit_draws_real_boundaries_when_loaded(world, login, settings, tmp_path):
    import json

    fill(world)
    a1, a2 = world["areas"]["a1"], world["areas"]["a2"]
    square = lambda x: [[[x, 31.2], [x + 0.02, 31.2], [x + 0.02, 31.22], [x, 31.22], [x, 31.2]]]  # noqa: E731
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": a1.code}, "geometry": {"type": "Polygon", "coordinates": square(121.40)}},
            {"type": "Feature", "properties": {"name": a2.name}, "geometry": {"type": "MultiPolygon", "coordinates": [square(121.43)]}},
        ],
    }  # fmt: skip
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(geo), encoding="utf-8")
    settings.PEIYU_AREA_MAP = str(path)
    page = login(world["leader"]).get(reverse("reports:cockpit")).content.decode()
    assert 'data-map="boundaries"' in page and page.count('<path d="M ') == 2
    assert "（示意图）" not in page and a1.name in page and a2.name in page
    settings.PEIYU_AREA_MAP = str(tmp_path / "missing.geojson")
    assert 'data-map="schematic"' in login(world["leader"]).get(reverse("reports:cockpit")).content.decode()
