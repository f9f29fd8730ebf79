import pytest

PERSONAS = ("admin", "industry_officer", "area_officer", "outsider")


@pytest.mark.parametrize("who", PERSONAS)
def test_api_detail_404_outside_scope(world, login, who):
    client = login(world[who])
    for key, e in world["enterprises"].items():
        resp = client.get(f"/api/v1/enterprises/{e.credit_code}")
        if key in world["visible"][who]:
            assert resp.status_code == 200
            data = resp.json()
            assert data["credit_code"] == e.credit_code and data["name"] == e.name
            assert set(data) == {
                "credit_code",
                "name",
                "key_industry",
                "area",
                "status",
                "industry_code",
                "established",
                "is_key",
            }
        else:
            assert resp.status_code == 404


@pytest.mark.parametrize("who", PERSONAS)
def test_api_search_scoped(world, login, who):
    client = login(world[who])
    data = client.get("/api/v1/enterprises", {"q": "上海"}).json()
    expected = {world["enterprises"][k].credit_code for k in world["visible"][who]}
    assert {r["credit_code"] for r in data["results"]} == expected and data["count"] == len(expected)


def test_api_search_filters(world, login):
    client = login(world["admin"])
    soft = world["industries"]["soft"]
    data = client.get("/api/v1/enterprises", {"industry": soft.pk, "area": world["areas"]["a2"].pk}).json()
    assert [r["name"] for r in data["results"]] == ["上海桃浦软件有限公司"]
    assert data["results"][0]["key_industry"] == "智能软件"


def test_api_requires_auth(world, client):
    assert client.get("/api/v1/enterprises").status_code == 401


def test_api_industry_filter_accepts_slug(world, login):
    data = login(world["admin"]).get("/api/v1/enterprises", {"industry": "health"}).json()
    assert {r["name"] for r in data["results"]} == {"上海长寿医药有限公司", "上海桃浦医院管理有限公司"}
