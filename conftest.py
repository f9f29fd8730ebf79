"""Shared pytest setup: every test gets its own data folder (tax library, uploads)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peiyu.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    settings.TAX_LIBRARY_DIR = tmp_path / "taxlib"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True


@pytest.fixture
def world(db):
    """Two industries × two areas, five enterprises, and the personas admin, industry officer,
    area officer, outsider (see peiyu.testing.factories.make_world)."""
    from peiyu.testing.factories import make_world

    return make_world()


@pytest.fixture
def login(client):
    """``login(user)`` logs the Django test client in as that user (axes needs the request)."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# ---- real-browser tests (Playwright driving Debian's Chromium; never a browser download) ----

CHROMIUM = os.environ.get("PEIYU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; .ci/run installs it, so under CI they never skip."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (.ci/run installs Debian's chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A Chinese-locale page that fails the test if the page requested anything outside the
    server or raised a script error."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    pg.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:"))
            else outside.append(r.url)
        ),
    )
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not outside, f"the page requested outside resources: {outside}"
    assert not errors, f"script errors: {errors}"
