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
    area officer, outsider (see peiyu.core.testing.make_world)."""
    from peiyu.core.testing import make_world

    return make_world()


@pytest.fixture
def login(client):
    """``login(user)`` logs the Django test client in as that user (axes needs the request)."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
