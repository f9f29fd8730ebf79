"""Property-based fuzzing of the JSON API: schemathesis reads /api/v1/openapi.json from the Django
WSGI application and throws generated requests (valid and invalid parameters) at every operation,
authenticated with a bearer token of a scoped user. No request may end in a server error.

Bounded (a handful of examples per operation, no shrinking) so the whole module runs in seconds.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import path
from hypothesis import HealthCheck, Phase, given, settings
from ninja import NinjaAPI
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from peiyu.accounts.api_auth import BearerAuth
from peiyu.testing import walk as walkers

MAX_EXAMPLES = 8


@pytest.fixture
def fuzz_world(db):
    """A populated district and bearer tokens for a scoped persona and the administrator."""
    from peiyu.accounts.actions import do_create_token

    world = walkers.populated_world()
    world["tokens"] = {
        persona: do_create_token(None, world[persona], label="fuzz", days=1)[1]
        for persona in ("area_officer", "admin")
    }
    return world


@pytest.fixture
def api_schema(fuzz_world):
    from peiyu.wsgi import application

    # Like Django's test client: the request signals must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation, mode, tokens):
    """Run one operation under hypothesis; return the failures (as text) instead of stopping."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        for persona, secret in tokens.items():
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {secret}"}, checks=[not_a_server_error]
                )
            except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
                failures.append(
                    f"{operation.label} [{mode.value}, {persona}]: {type(exc).__name__}: {exc}"[:600]
                )
                return

    run()
    return failures


def test_api_has_no_server_errors(api_schema, fuzz_world):
    # (schemathesis.pytest.from_fixture does not work with pytest 9, so the operations are run here)
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(operation, mode, fuzz_world["tokens"])
    assert operations > 0
    assert not failures, "server errors:\n" + "\n".join(dict.fromkeys(failures))


def test_api_schema_is_served_and_bearer_protected(client, fuzz_world):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["paths"], "the API has no operations to fuzz"
    schemes = doc.get("components", {}).get("securitySchemes", {})
    assert any(s.get("scheme") == "bearer" for s in schemes.values()), schemes
    # every operation refuses an anonymous caller and a wrong token
    for url, ops in doc["paths"].items():
        if "get" not in ops or "{" in url:
            continue
        assert client.get(url).status_code == 401, url
        assert client.get(url, HTTP_AUTHORIZATION="Bearer pyu_not-a-token").status_code == 401, url


# The fuzzer must be able to fail: a planted endpoint that crashes on some inputs.
_planted = NinjaAPI(auth=[BearerAuth()], urls_namespace="fuzz_planted", docs_url=None)


@_planted.get("/divide")
def divide(request, n: int = 1):
    return {"value": 100 // (n if 0 < n < 1000 else 0)}  # ZeroDivisionError outside 1..999


urlpatterns = [path("planted/", _planted.urls)]


def test_fuzzer_reports_a_planted_server_error(settings, fuzz_world):
    from peiyu.wsgi import application

    settings.ROOT_URLCONF = __name__
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        planted = schemathesis.openapi.from_wsgi("/planted/openapi.json", application)
        operation = next(iter(planted.get_all_operations())).ok()
        failures = _fuzz(operation, GenerationMode.POSITIVE, fuzz_world["tokens"])
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert failures and "divide" in failures[0], failures
