"""Who sees which requests: the service officer their assigned enterprises and what they handle, a
sub-district its area, a department what is routed to it; out of scope is a 404."""

import pytest

from peiyu.services import queries
from peiyu.services.tests.helpers import make_request

pytestmark = pytest.mark.django_db


def refs(user):
    return set(queries.visible_requests(user).values_list("ref", flat=True))


def test_request_scope(world, client):
    ents = world["enterprises"]
    kewei = world["departments"]["kewei"]
    liaised = make_request(world, "health_a1")  # the service officer is its liaison
    handled = make_request(world, "soft_a1", handler=world["service_officer"])
    area_a2 = make_request(world, "other_a2")
    routed = make_request(world, "soft_a1", department=kewei)  # a software firm, routed to 区科委
    unrelated = make_request(world, "soft_a2")
    assert refs(world["service_officer"]) == {liaised.ref, handled.ref}
    assert {area_a2.ref, unrelated.ref} <= refs(world["area_officer"])
    assert routed.ref not in refs(world["area_officer"]) and liaised.ref not in refs(world["area_officer"])
    assert routed.ref in refs(world["department"]) and unrelated.ref not in refs(world["department"])
    assert refs(world["outsider"]) == set()
    assert len(refs(world["leader"])) == 5
    assert area_a2.area == ents["other_a2"].area  # default unit: the enterprise's sub-district

    client.force_login(world["service_officer"])
    assert client.get(f"/services/requests/{liaised.pk}/").status_code == 200
    assert client.get(f"/services/requests/{unrelated.pk}/").status_code == 404
    # the leader reads but cannot act
    client.force_login(world["leader"])
    assert client.get(f"/services/requests/{unrelated.pk}/").status_code == 200
    assert client.post(f"/services/requests/{unrelated.pk}/accept/").status_code in (403, 404)
    unrelated.refresh_from_db()
    assert unrelated.status == "received"
    client.force_login(world["area_officer"])
    assert client.post(f"/services/requests/{unrelated.pk}/accept/").status_code == 302
    unrelated.refresh_from_db()
    assert unrelated.status == "accepted"
    assert client.post(f"/services/requests/{routed.pk}/accept/").status_code == 404


def test_pages_render(world, client):
    make_request(world, "other_a2")
    client.force_login(world["area_officer"])
    for url in (
        "/services/",
        "/services/?status=all",
        "/services/visits/",
        "/services/visits/plan/",
        "/services/listing/",
        "/services/financing/",
        "/services/requests/new/",
        "/services/visits/new/",
    ):
        assert client.get(url).status_code == 200, url
    r = client.get("/services/?format=xlsx&status=all")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd")
