"""Pages: every carriers page renders for each persona; scope on the building page; exports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from peiyu.carriers.models import Carrier, Evaluation
from peiyu.carriers.tests.world import populate_world
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(world):
    for m in ("2024-03", "2025-01", "2025-02"):
        put_month(
            m,
            [
                (e.credit_code, e.name, "增值税", 5_000_000_00, 2_000_000_00)
                for e in world["enterprises"].values()
            ],
        )
    populate_world(world)
    return world


PAGES = ["index", "parks", "incubators", "incubator_list", "platforms", "match", "map", "rent"]


@pytest.mark.parametrize(
    "persona", ["admin", "leader", "area_officer", "industry_officer", "department", "outsider"]
)
def test_every_page_renders(full, login, persona):
    client = login(full[persona])
    for name in PAGES:
        r = client.get(reverse(f"carriers:{name}"), {"year": 2025, "area_m2": "500"})
        assert r.status_code == 200, (name, r.status_code)
    e = Evaluation.objects.get()
    status = client.get(reverse("carriers:evaluation", args=[e.pk])).status_code
    assert status == (200 if persona in ("admin", "leader", "department") else 404)


def test_area_officer_building_page_hides_out_of_scope_tenants(full, login):
    client = login(full["area_officer"])
    own = Carrier.objects.get(name="走查桃浦大厦")
    other = Carrier.objects.get(name="走查长寿大厦")
    page = client.get(reverse("carriers:detail", args=[own.pk]), {"year": 2025}).content.decode()
    assert "上海桃浦软件有限公司" in page
    assert "上海长寿医药有限公司" not in page  # a tenant registered in 长寿路街道
    assert 'id="hidden-tenants"' in page
    assert client.get(reverse("carriers:detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("carriers:index"), {"year": 2025}).content.decode()
    assert "走查桃浦大厦" in listing and "走查长寿大厦" not in listing


def test_building_list_exports_excel(full, login):
    client = login(full["admin"])
    r = client.get(reverse("carriers:index"), {"year": 2025, "export": "xlsx"})
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "走查长寿大厦" in text and "每平方米税收（元）" in text


def test_admin_adds_and_ends_a_tenancy(full, login):
    admin = full["admin"]
    client = login(admin)
    b = Carrier.objects.get(name="走查桃浦大厦")
    ent = full["enterprises"]["other_a2"]
    r = client.post(
        reverse("carriers:tenant_add", args=[b.pk]),
        {"credit_code": ent.credit_code, "area_m2": "300", "move_in": "2025-01-10"},
    )
    assert r.status_code == 302
    t = b.tenancies.get(enterprise=ent)
    r = client.post(reverse("carriers:tenant_end", args=[t.pk]), {"move_out": "2025-02-15"})
    t.refresh_from_db()
    assert str(t.move_out) == "2025-02-15"


def test_leader_changes_nothing(full, login):
    client = login(full["leader"])
    b = Carrier.objects.get(name="走查桃浦大厦")
    ent = full["enterprises"]["other_a2"]
    before = b.tenancies.count()
    r = client.post(
        reverse("carriers:tenant_add", args=[b.pk]),
        {"credit_code": ent.credit_code, "area_m2": "300", "move_in": "2025-01-10"},
    )
    assert r.status_code == 403
    assert b.tenancies.count() == before


def test_match_page_lists_carriers_with_vacancy(full, login):
    client = login(full["outsider"])
    page = client.get(
        reverse("carriers:match"), {"area_m2": "10000", "area": full["areas"]["a2"].pk}
    ).content.decode()
    assert "走查桃浦大厦" in page
    page = client.get(reverse("carriers:match"), {"area_m2": "999999"}).content.decode()
    assert "没有空置面积满足需求的载体" in page


def test_map_is_offline_svg(full, login):
    client = login(full["admin"])
    page = client.get(reverse("carriers:map")).content.decode()
    assert "<svg" in page and "桃浦镇" in page and "走查桃浦大厦" in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_evaluation_word_report(full, login):
    client = login(full["department"])
    e = Evaluation.objects.get()
    r = client.get(reverse("carriers:evaluation_docx", args=[e.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_month_to_date(full, login):
    client = login(full["admin"])
    page = client.get(reverse("carriers:index"), {"year": 2025, "through": "2025-01"}).content.decode()
    assert "2025-01 至 2025-01" in page
    page = client.get(reverse("carriers:index"), {"year": 2025, "through": "2031-01"}).content.decode()
    assert "2025-01 至 2025-02" in page  # an unknown month falls back to every month of the year


def test_spaces_are_added_by_who_may_change_the_carrier(full, login):
    b = Carrier.objects.get(name="走查桃浦大厦")
    r = login(full["area_officer"]).post(
        reverse("carriers:space_add", args=[b.pk]),
        {"floor": "12F", "unit": "01", "area_m2": "600", "offered": "1"},
    )
    assert r.status_code == 302 and b.spaces.filter(floor="12F", area_m2=600).exists()
    other = Carrier.objects.get(name="走查长寿大厦")
    assert (
        login(full["area_officer"])
        .post(reverse("carriers:space_add", args=[other.pk]), {"area_m2": "1"})
        .status_code
        == 404
    )
