"""Contributions are discovered, not listed: a tiny app (tests/tinyapp) that contributes to every
seam — URLs, navigation (with the permission that shows it), a home panel, an enterprise-profile
section, an API router, a demo step, audit action labels, reference data, a CLI command with its
help line, a named permission, and a scope-walk world hook — appears everywhere once it is in
INSTALLED_APPS, without any central list naming it."""

from __future__ import annotations

import io
import json
import sys
import types

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches, reverse

TINY = "tests.tinyapp"


@pytest.fixture
def tiny(db):
    """INSTALLED_APPS plus the tiny app, and a URLconf assembled from the installed apps."""
    from peiyu.core import contrib
    from peiyu.urls import build_urlpatterns

    apps = [*settings.INSTALLED_APPS, TINY]
    with override_settings(INSTALLED_APPS=apps):
        conf = types.ModuleType("tiny_urlconf")
        conf.urlpatterns = build_urlpatterns()  # type: ignore[attr-defined]
        conf.handler403 = "peiyu.web.views.forbidden"  # type: ignore[attr-defined]
        sys.modules["tiny_urlconf"] = conf
        with override_settings(ROOT_URLCONF="tiny_urlconf"):
            clear_url_caches()
            yield
        clear_url_caches()
        sys.modules.pop("tiny_urlconf", None)
    contrib.clear_cache()


def test_without_the_app_nothing_knows_it(db):
    from peiyu.core import contrib

    assert TINY not in [cfg.name for cfg in contrib.peiyu_apps()]
    with pytest.raises(Exception):  # noqa: B017 (NoReverseMatch)
        reverse("tinyapp:index")


def test_the_tiny_app_appears_on_every_seam(tiny, world, login):
    from peiyu.accounts import audit, scope
    from peiyu.core import contrib
    from peiyu.demo import steps

    # URLs, navigation with its permission, home panel
    client = login(world["industry_officer"])
    assert client.get(reverse("tinyapp:index")).content.decode() == "小应用首页"
    home = client.get(reverse("web:home")).content.decode()
    assert "小应用" in home and 'id="tiny-panel"' in home and "小应用面板" in home
    outsider_home = login(world["outsider"]).get(reverse("web:home")).content.decode()
    assert 'href="/tinyapp/"' not in outsider_home  # the permission hides the entry
    assert scope.has_permission(world["industry_officer"], "tinyapp.use")
    assert not scope.has_permission(world["outsider"], "tinyapp.use")

    # enterprise-profile section (the enterprise is in the officer's scope)
    ent = world["enterprises"]["soft_a1"]
    client = login(world["industry_officer"])
    profile = client.get(reverse("registry:detail", args=[ent.credit_code])).content.decode()
    assert 'id="tiny-section"' in profile and f"小应用档案：{ent.name}" in profile

    # API router (and its OpenAPI entry)
    assert client.get("/api/v1/tiny/ping").json() == {"pong": "小应用"}
    assert "/api/v1/tiny/ping" in client.get("/api/v1/openapi.json").json()["paths"]

    # demo step, in ORDER
    names = [mod.__name__ for mod in steps()]
    assert "tests.tinyapp.demo" in names
    assert (
        names.index("peiyu.targets.demo")
        < names.index("tests.tinyapp.demo")
        < names.index("peiyu.alerts.demo")
    )

    # audit labels and readable detail keys
    from tests.tinyapp.audit_actions import POKE

    row = audit.record(world["admin"], POKE, world["enterprises"]["soft_a1"], detail={"pokes": 2})
    assert audit.action_label(row.action) == "戳一下小应用"
    assert ("戳的次数", "2") in audit.readable(row.detail)
    assert "tinyapp.thing.poke" in audit.actions()
    out = io.StringIO()
    call_command("audit", "--json", "--action", "tinyapp.thing.poke", stdout=out)
    (entry,) = json.loads(out.getvalue())["entries"]
    assert entry["action_label"] == "戳一下小应用"

    # reference data through peiyu init
    out = io.StringIO()
    call_command("init", "--json", stdout=out)
    assert json.loads(out.getvalue())["loaded"]["tiny_things"] == 3

    # the scope walk's world hook
    assert any(cfg.name == TINY for cfg, _hook in contrib.attributes("tests.world", "populate_world"))


def test_the_tiny_apps_command_is_in_peiyu_help(tiny, capsys):
    from peiyu import cli

    groups = dict(cli.command_lines())
    assert ("tiny-hello", "小应用问好（测试用）") in groups["小应用"]
    cli.print_help()
    assert "tiny-hello" in capsys.readouterr().out
    out = io.StringIO()
    call_command("tiny_hello", stdout=out)
    assert out.getvalue().strip() == "你好"
