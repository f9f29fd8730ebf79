"""The JSON API, the monthly report section and the import page."""

from __future__ import annotations

import datetime as dt

import pytest

from peiyu.attraction import actions
from peiyu.attraction.models import Stage
from peiyu.attraction.reports import monthly_section
from peiyu.attraction.tests.factories import make_project, make_teams
from peiyu.testing.taxlib import put_month


@pytest.fixture
def aw(world):
    world = make_teams(world)
    ent = world["enterprises"]["soft_a2"]
    put_month("2025-04", [(ent.credit_code, ent.name, "增值税", 200_000, 100_000)])
    p = make_project(world["teams"]["one"], Stage.SIGNED, name="接口项目", signed_on=dt.date(2025, 3, 3))
    actions.do_confirm_landing(None, p, credit_code=ent.credit_code, registered_on=dt.date(2025, 3, 20))
    make_project(world["teams"]["two"], Stage.TALKS, name="二组在谈项目")
    world["api_project"] = p
    return world


def test_api_lists_only_the_scope(aw, client):
    client.force_login(aw["attraction_member"], backend="django.contrib.auth.backends.ModelBackend")
    data = client.get("/api/v1/attraction/projects").json()
    assert [i["name"] for i in data["items"]] == ["接口项目"]
    assert data["items"][0]["stage"] == "taxpaying" and data["items"][0]["tax12_fen"] == 100_000
    year = client.get("/api/v1/attraction/year/2025").json()
    assert [p["name"] for p in year["projects"]] == ["接口项目"]
    client.force_login(aw["outsider"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/attraction/projects").json()["count"] == 0


def test_monthly_section(aw):
    section = monthly_section(aw["office_user"], "2025-04")
    assert section is not None and section.key == "attraction.pipeline"
    assert "首次在区级产生税收" in section.paragraphs[0] and "1 个落地企业本月首次" in section.paragraphs[0]
    assert monthly_section(aw["outsider"], "2025-04") is None


def test_import_page_is_for_the_office(aw, client):
    client.force_login(aw["attraction_member"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/attraction/import/").status_code == 403
    client.force_login(aw["office_user"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/attraction/import/").status_code == 200
