"""Pages, exports and the walk as the attraction team member."""

from __future__ import annotations

import pytest

from peiyu.attraction.models import Project, Stage
from peiyu.testing import walk as walkers


@pytest.fixture
def walked(db):
    """The personas' world with three months of tax and this app's walk objects (not the whole
    populated world: other apps' objects are their own walk's business)."""
    from peiyu.attraction.tests.world import populate_world
    from peiyu.testing.factories import make_world
    from peiyu.testing.taxlib import put_month

    world = make_world()
    world["months"] = ["2025-01", "2025-02", "2025-03"]
    for m in world["months"]:
        put_month(
            m,
            [(e.credit_code, e.name, "增值税", 2_000_000, 1_000_000) for e in world["enterprises"].values()],
        )
    populate_world(world)
    return world


def test_team_member_walk_shows_nothing_outside_the_team(client, walked):
    member = walked["attraction_member"]

    def relogin():
        client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")

    relogin()
    routes = [r for r in walkers.iter_routes() if r.name.startswith("attraction:") or "attraction" in r.label]
    report = walkers.walk(client, walked, "attraction_member", routes=routes, relogin=relogin, values={})
    problems = [str(f) for f in report.findings]
    assert not problems, "\n".join(problems[:30])
    assert report.statuses.get(200, 0) >= 8
    posts = walkers.walk_posts(client, walked, "attraction_member", routes=routes, relogin=relogin, values={})
    problems = [str(f) for f in posts.findings]
    assert not problems, "\n".join(problems[:30])


def test_pages_show_scope_and_404_outside(client, walked):
    mine, theirs = walked["attraction_projects"]["mine"], walked["attraction_projects"]["theirs"]
    client.force_login(walked["attraction_member"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/attraction/").content.decode()
    assert mine.name in page and theirs.name not in page
    assert client.get(f"/attraction/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/attraction/projects/{theirs.pk}/").status_code == 404
    # the area officer (桃浦镇) sees the project landing in 桃浦镇 only
    client.force_login(walked["area_officer"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/attraction/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/attraction/projects/{theirs.pk}/").status_code == 404
    # the team member may not confirm a landing; the office may
    client.force_login(walked["attraction_member"], backend="django.contrib.auth.backends.ModelBackend")
    p = Project.objects.create(team=mine.team, name="待落地", stage=Stage.SIGNED)
    assert client.post(f"/attraction/projects/{p.pk}/land/", {"credit_code": ""}).status_code == 403
    assert client.post(f"/attraction/projects/{p.pk}/stage/", {"to": "taxpaying"}).status_code == 403


def test_every_list_exports_to_excel(client, walked):
    client.force_login(walked["office_user"], backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        "/attraction/?format=xlsx",
        "/attraction/league/?year=2025&format=xlsx",
        "/attraction/duplicates/?format=xlsx",
        "/attraction/funds/?format=xlsx",
        "/attraction/events/?format=xlsx",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats"), url
    text = walkers.spreadsheet_text(walkers.body_bytes(client.get("/attraction/?format=xlsx")), "x.xlsx")
    assert walked["attraction_projects"]["theirs"].name in text
    mine = walked["attraction_projects"]["mine"]
    mine.refresh_from_db()
    assert mine.stage == Stage.TAXPAYING and mine.first_tax_month == "2025-01"
    dup = client.get("/attraction/duplicates/").content.decode()
    assert walked["attraction_projects"]["dup"].name in dup


def test_chain_map_and_profile(client, walked):
    client.force_login(walked["admin"], backend="django.contrib.auth.backends.ModelBackend")
    soft = walked["industries"]["soft"]
    r = client.get(f"/attraction/chain/?industry={soft.pk}")
    names = {n["name"] for n in r.context["option"]["series"][0]["data"]}
    assert "走查链主集团" in names and walked["enterprises"]["soft_a2"].name in names
    assert 'data-chart="chain-chart"' in r.content.decode()
    ent = walked["enterprises"]["soft_a2"]
    from django.test import RequestFactory

    from peiyu.attraction.profile import profile_section

    req = RequestFactory().get("/")
    req.user = walked["admin"]
    section = profile_section(req, ent)
    assert section is not None and {r["p"].name for r in section["rows"]} == {
        walked["attraction_projects"]["mine"].name,
        walked["attraction_projects"]["dup"].name,
    }
