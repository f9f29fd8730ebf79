"""The tax API: shape, pagination, scope, authentication (bearer and session), Chinese 400s, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from peiyu.accounts.models import ApiToken, AuditLog
from peiyu.taxes.tests.taxdata import UNMATCHED_ID, district, fill

pytestmark = pytest.mark.django_db(transaction=True)


def bearer(user, secret="pyt_secret_for_tests_0123456789"):  # noqa: S107
    ApiToken.objects.create(
        user=user,
        prefix=secret[:12],
        key_hash=ApiToken.hash_key(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_stats_industries_equals_the_cli_object(world, client):
    import io
    import json

    from django.core.management import call_command

    fill(world)
    res = client.get("/api/v1/stats/industries?month=2025-03", **bearer(world["admin"]))
    assert res.status_code == 200
    out = io.StringIO()
    call_command("stats", "industries", "--month", "2025-03", "--json", stdout=out)
    assert res.json() == json.loads(out.getvalue())
    assert (
        client.get(
            "/api/v1/stats/industries", **bearer(world["admin"], "pyt_other_secret_abcdefghijk")
        ).json()["month"]
        == "2025-03"
    )


def test_anonymous_is_401_and_session_works(world, client, login):
    fill(world)
    assert client.get("/api/v1/stats/industries").status_code == 401
    assert client.get("/api/v1/tax/enterprises", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    login(world["industry_officer"])
    data = client.get("/api/v1/stats/industries").json()
    assert [i["name"] for i in data["industries"]] == ["智能软件"]


def test_enterprises_pagination_and_shape(world, client):
    fill(world)
    auth = bearer(world["admin"])
    res = client.get("/api/v1/tax/enterprises?month=2025-03&page_size=4", **auth)
    data = res.json()
    assert data["count"] == 6 and len(data["results"]) == 4
    row = data["results"][0]
    assert {
        "credit_code",
        "name",
        "key_industry",
        "area",
        "month_fen",
        "ytd_fen",
        "prev_ytd_fen",
        "yoy_pct",
    } <= set(row)
    assert row["credit_code"] == world["enterprises"]["soft_a1"].credit_code
    assert data["next"].startswith("http://testserver/api/v1/tax/enterprises?") and "page=2" in data["next"]
    page2 = client.get(data["next"], **auth).json()
    assert len(page2["results"]) == 2 and page2["next"] is None and page2["previous"]
    codes = {r["credit_code"] for r in data["results"] + page2["results"]}
    assert len(codes) == 6 and UNMATCHED_ID in codes


def test_enterprise_rows_respect_scope(world, client):
    fill(world)
    ents = world["enterprises"]
    for persona in ("industry_officer", "area_officer", "outsider"):
        data = client.get(
            "/api/v1/tax/enterprises", **bearer(world[persona], f"pyt_{persona}_0123456789abc")
        ).json()
        got = {r["credit_code"] for r in data["results"]}
        assert got == {ents[k].credit_code for k in world["visible"][persona]}
        assert UNMATCHED_ID not in got
    # another industry by name: not an error, simply nothing the officer may see
    data = client.get(
        "/api/v1/tax/enterprises?industry=生命健康",
        **bearer(world["industry_officer"], "pyt_again_0123456789abcdef"),
    ).json()
    assert data["count"] == 0 and data["results"] == []
    # searching for an enterprise outside the scope by name or code finds nothing
    auth = bearer(world["area_officer"], "pyt_search_0123456789abcdef")
    for q in (ents["soft_a1"].name, ents["soft_a1"].credit_code):
        assert client.get("/api/v1/tax/enterprises", {"q": q}, **auth).json()["count"] == 0
    assert client.get("/api/v1/tax/enterprises", {"q": ents["soft_a2"].name}, **auth).json()["count"] == 1


def test_filters_accept_names_and_ids(world, client):
    fill(world)
    auth = bearer(world["admin"])
    soft, a2 = world["industries"]["soft"], world["areas"]["a2"]
    by_name = client.get("/api/v1/tax/enterprises?industry=智能软件&area=桃浦镇", **auth).json()
    by_id = client.get(f"/api/v1/tax/enterprises?industry={soft.id}&area={a2.id}", **auth).json()
    assert (
        [r["name"] for r in by_name["results"]]
        == [r["name"] for r in by_id["results"]]
        == ["上海桃浦软件有限公司"]
    )
    dec = client.get("/api/v1/stats/decomposition?month=2025-03&industry=智能软件", **auth).json()
    assert (
        sum(p["fen"] for p in dec["parts"])
        == dec["change_fen"]
        == district(3 * 270 * 100_00) - district(3 * 300 * 100_00)
    )


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/v1/stats/industries?month=2025-13", "格式不正确"),
        ("/api/v1/stats/industries?month=abc%00", ""),  # NUL: refused (by the middleware or by us)
        ("/api/v1/tax/enterprises?page=0", "页码"),
        ("/api/v1/tax/enterprises?page=x", "页码"),
        ("/api/v1/tax/enterprises?page=%C2%B2", "页码"),  # "²" is a Unicode digit, not a number
        ("/api/v1/tax/enterprises?industry=%C2%B2", "未知的产业"),
        ("/api/v1/tax/enterprises?page_size=100000", "每页条数"),
        ("/api/v1/tax/enterprises?industry=不存在的产业", "未知的产业"),
        ("/api/v1/tax/enterprises?area=99999", "未知的街道镇"),
        ("/api/v1/tax/enterprises?sort=drop%20table", "排序字段"),
        ("/api/v1/stats/decomposition?area=%00%00", ""),
    ],
)
def test_bad_parameters_are_400_in_chinese(world, client, url, message):
    fill(world)
    res = client.get(url, **bearer(world["admin"]))
    assert res.status_code == 400
    detail = res.json()["detail"]
    assert message in detail and re.search(r"[\u4e00-\u9fff]", detail)


def test_unknown_month_is_404_and_months_endpoint(world, client):
    fill(world)
    auth = bearer(world["admin"])
    res = client.get("/api/v1/stats/industries?month=2031-01", **auth)
    assert res.status_code == 404 and "2031-01" in res.json()["detail"]
    months = client.get("/api/v1/tax/months", **auth).json()
    assert months["latest"] == "2025-03" and months["months"][0] == "2024-01"


def test_enterprise_level_calls_are_audited(world, client):
    fill(world)
    auth = bearer(world["area_officer"])
    before = AuditLog.objects.filter(action="taxes.enterprises.api").count()
    client.get("/api/v1/tax/enterprises?q=桃浦", **auth)
    row = AuditLog.objects.filter(action="taxes.enterprises.api").order_by("-id").first()
    assert AuditLog.objects.filter(action="taxes.enterprises.api").count() == before + 1
    assert row.username == "taopu_p" and row.detail["q"] == "桃浦"


def test_openapi_lists_the_endpoints(world, client):
    doc = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/stats/industries",
        "/api/v1/tax/enterprises",
        "/api/v1/tax/months",
        "/api/v1/stats/decomposition",
    ):
        assert path in doc["paths"]
