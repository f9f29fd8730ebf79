"""The scope walk over the carriers' own pages and API only (the full walk is tests/test_scope_walk.py):
as every persona, GET every carriers URL (no enterprise outside the scope in any page or export, no
crash) and POST to each (no row written outside the persona's CHANGE scope)."""

from __future__ import annotations

import pytest

from peiyu.testing import walk as walkers

PERSONAS = (
    "admin",
    "leader",
    "industry_officer",
    "area_officer",
    "department",
    "service_officer",
    "outsider",
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def walked(world):
    from peiyu.carriers.tests.world import populate_world
    from peiyu.testing.taxlib import put_month

    world["months"] = list(walkers.MONTHS)
    world["unmatched"] = {}
    for month in walkers.MONTHS:
        put_month(
            month,
            [
                (
                    e.credit_code,
                    e.name,
                    "增值税",
                    walkers._district_fen(k, month),
                    walkers._district_fen(k, month) // 2,
                )
                for k, e in world["enterprises"].items()
            ],
        )
    populate_world(world)
    return world


def _mine() -> list[walkers.Route]:
    return [
        r
        for r in walkers.iter_routes()
        if r.name.startswith("carriers:") or r.template.startswith("api/v1/carriers")
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_carriers_pages_stay_in_scope(client, walked, persona):
    routes = _mine()
    assert len(routes) > 20
    client.force_login(walked[persona], backend="django.contrib.auth.backends.ModelBackend")
    report = walkers.walk(client, walked, persona, routes=routes)
    problems = [str(f) for f in report.findings]
    assert not problems, "\n".join(problems[:40])
    report = walkers.walk_posts(client, walked, persona, routes=routes)
    problems = [str(f) for f in report.findings]
    assert not problems, "\n".join(problems[:40])
