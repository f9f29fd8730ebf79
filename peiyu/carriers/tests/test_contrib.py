"""The carriers' contributions: monthly report section (scoped), 一企一档 section, API, GeoJSON map
layer, and the demo step on a small district."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peiyu.carriers import actions, reports
from peiyu.carriers.models import Carrier, MapLayer
from peiyu.carriers.tests.world import populate_world
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(world):
    for m in ("2024-02", "2025-01", "2025-02"):
        put_month(
            m,
            [
                (e.credit_code, e.name, "增值税", 3_000_000_00, 1_000_000_00)
                for e in world["enterprises"].values()
            ],
        )
    populate_world(world)
    return world


def test_monthly_section_is_scoped(full):
    whole = reports.monthly_section(full["admin"], "2025-02")
    assert whole is not None and whole.key == "carriers.buildings"
    json.dumps(whole.as_dict())  # stored as a snapshot by the reports app
    names = [r[0] for r in whole.tables[0].rows]
    assert {"走查长寿大厦", "走查桃浦大厦"} <= set(names)
    mine = reports.monthly_section(full["area_officer"], "2025-02")
    assert mine is not None and [r[0] for r in mine.tables[0].rows] == ["走查桃浦大厦"]
    assert "占本范围" in mine.tables[0].note
    assert reports.monthly_section(full["outsider"], "2025-02") is None


def test_profile_shows_the_enterprise_carriers(full, login):
    ent = full["enterprises"]["soft_a2"]
    page = (
        login(full["area_officer"]).get(reverse("registry:detail", args=[ent.credit_code])).content.decode()
    )
    assert 'id="profile-carriers"' in page and "走查桃浦大厦" in page


def test_api_buildings_matches_the_cli(full, client):
    from peiyu.accounts.actions import do_create_token

    token = do_create_token(None, full["area_officer"], label="t", days=1)[1]
    r = client.get("/api/v1/carriers/buildings", {"year": 2025}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    data = r.json()
    assert [b["name"] for b in data["buildings"]] == ["走查桃浦大厦"]


def test_geojson_layer_replaces_the_schematic(full, login):
    client = login(full["admin"])
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "桃浦镇"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[121.35, 31.28], [121.40, 31.28], [121.40, 31.31], [121.35, 31.31], [121.35, 31.28]]
                    ],
                },
            },
        ],
    }
    upload = SimpleUploadedFile("putuo.geojson", json.dumps(geo).encode(), content_type="application/json")
    r = client.post(reverse("carriers:map_load"), {"name": "普陀边界", "file": upload})
    assert r.status_code == 302 and MapLayer.objects.filter(active=True).count() == 1
    page = client.get(reverse("carriers:map")).content.decode()
    assert "<path" in page and "普陀边界" in page and "走查桃浦大厦" in page
    with pytest.raises(actions.CarrierError):
        actions.do_load_map(
            full["admin"], "坏", {"type": "FeatureCollection", "features": [{"geometry": {"type": "Point"}}]}
        )
    assert login(full["area_officer"]).post(reverse("carriers:map_load"), {"name": "x"}).status_code == 403


def test_demo_step_on_a_small_district(world):
    from peiyu.carriers import demo
    from peiyu.demo import DemoContext

    for m in ("2024-06", "2025-01", "2025-06"):
        put_month(
            m,
            [
                (e.credit_code, e.name, "增值税", 9_000_000_00, 3_000_000_00)
                for e in world["enterprises"].values()
            ],
        )
    ctx = DemoContext(enterprises=5, years=2, end_month="2025-06")
    ctx.data["admin"] = world["admin"]
    demo.generate(ctx)
    assert Carrier.objects.filter(kind="incubator").count() == 21
    assert Carrier.objects.filter(kind="park").count() == 4
    assert ctx.summary["carriers"]["buildings"] >= 2
