"""Schemathesis against the tax endpoints with a populated library (the project-wide fuzz test
runs on an empty one): generated valid and invalid parameters never produce a server error."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from peiyu.accounts.models import ApiToken
from peiyu.taxes.tests.taxdata import fill

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = (
    "/api/v1/stats/industries",
    "/api/v1/tax/enterprises",
    "/api/v1/tax/months",
    "/api/v1/stats/decomposition",
)


def _fuzz(op, mode, secrets):
    failures: list[str] = []

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=12,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        for persona, secret in secrets.items():
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {secret}"}, checks=[not_a_server_error]
                )
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{op.label} [{mode.value}, {persona}]: {exc}"[:500])

    run()
    return failures


def test_tax_endpoints_never_fail_with_data(world):
    from peiyu.wsgi import application

    fill(world)
    secrets = {}
    for persona in ("admin", "area_officer"):
        secret = f"pyt_fuzz_{persona}_0123456789abcdef"
        ApiToken.objects.create(
            user=world[persona],
            prefix=secret[:12],
            key_hash=ApiToken.hash_key(secret),
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
        secrets[persona] = secret
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    failures: list[str] = []
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        ops = [r.ok() for r in schema.get_all_operations()]
        ops = [op for op in ops if op.path in {p.removeprefix("/api/v1") for p in PATHS} or op.path in PATHS]
        assert len(ops) == 4, [op.path for op in ops]
        for op in ops:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += _fuzz(op, mode, secrets)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, "\n".join(dict.fromkeys(failures))
