"""Passwords are stored as Argon2id (OWASP's baseline parameters); a PBKDF2 hash of an older
installation still logs in and is rewritten as Argon2id."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from peiyu.testing.factories import UserFactory

PROJECT_HASHERS = importlib.import_module("peiyu.settings").PASSWORD_HASHERS


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = PROJECT_HASHERS  # the test settings use MD5 for speed


def test_new_passwords_are_argon2id_at_owasp_baseline(real_hashers):
    encoded = make_password("Kx7#qv2Lm9")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Kx7#qv2Lm9", encoded) and not check_password("Kx7#qv2Lm8", encoded)


@pytest.mark.django_db
def test_pbkdf2_hash_logs_in_and_is_upgraded(real_hashers, client):
    user = UserFactory(username="old_hash_p")
    user.password = PBKDF2PasswordHasher().encode("Kx7#qv2Lm9", PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    resp = client.post("/accounts/login/", {"username": "old_hash_p", "password": "Kx7#qv2Lm9"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
