"""The OpenAPI document matches the API (issue 19 §5): every operation declares 400, 401, 404 and
422 with the ``{"detail": …}`` body, and a walk over the document finds every actual response —
anonymous, with a valid token, with an unknown object, with malformed parameters — among the
responses that operation declares. Every 403 page is the Chinese one (CSRF failures too)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

REQUIRED = {"400", "401", "404", "422"}


@pytest.fixture
def api_world(world):
    from peiyu.accounts.actions import do_create_token

    world["token"] = do_create_token(None, world["admin"], label="schema", days=1)[1]
    return world


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "responses" in op
    ]


def _fill(path: str, op: dict, value: str) -> str:
    for p in op.get("parameters", []):
        if p.get("in") == "path":
            path = path.replace("{" + p["name"] + "}", value)
    return re.sub(r"\{[^}]+\}", value, path)


@pytest.mark.django_db
def test_every_operation_declares_the_error_responses(api_world, client):
    schema = client.get("/api/v1/openapi.json").json()
    ops = _operations(schema)
    assert ops
    missing = {f"{m.upper()} {p}": sorted(REQUIRED - set(op["responses"])) for p, m, op in ops}
    assert not {k: v for k, v in missing.items() if v}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


@pytest.mark.django_db
def test_actual_responses_are_declared(api_world):
    anon = Client()
    schema = anon.get("/api/v1/openapi.json").json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_world['token']}"}
    authed = Client()
    undeclared = []
    for path, method, op in _operations(schema):
        if method != "get":
            continue
        declared = set(op["responses"])
        tries = [
            ("anonymous", anon, _fill(path, op, "1"), {}),
            ("unknown object", authed, _fill(path, op, "999999999"), auth),
            ("unknown text id", authed, _fill(path, op, "无此对象"), auth),
        ]
        bad_query = [
            p["name"]
            for p in op.get("parameters", [])
            if p.get("in") == "query"
            and (p.get("schema") or {}).get("type") in ("integer", "number", "boolean")
        ]
        if bad_query:
            tries.append(
                ("malformed query", authed, _fill(path, op, "1") + f"?{bad_query[0]}=不是数字", auth)
            )
        for what, c, url, headers in tries:
            r = c.get("/api/v1" + url if not url.startswith("/api/") else url, **headers)
            if str(r.status_code) not in declared:
                undeclared.append(f"{what}: GET {url} → {r.status_code} (declared {sorted(declared)})")
            if r.status_code >= 400 and r.headers.get("Content-Type", "").startswith("application/json"):
                assert "detail" in r.json(), url
            assert r.status_code < 500, url
    assert not undeclared, "\n".join(undeclared[:30])


@pytest.mark.django_db
def test_every_403_page_is_chinese(world):
    from django.urls import reverse

    c = Client(enforce_csrf_checks=True)
    c.force_login(world["industry_officer"])
    r = c.post(reverse("accounts:password_change"), {"old_password": "x"})  # no CSRF token
    assert r.status_code == 403
    text = r.content.decode()
    assert (
        re.search(r"[\u4e00-\u9fff]", text)
        and "Forbidden" not in text
        and "CSRF verification failed" not in text
    )
    c2 = Client()
    c2.force_login(world["industry_officer"])
    r = c2.get("/accounts/users/")
    assert r.status_code in (403, 404)
    assert re.search(r"[\u4e00-\u9fff]{4}", r.content.decode())
