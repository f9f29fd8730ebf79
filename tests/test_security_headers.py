"""Account and transport security: headers on every page, HSTS only over https, lock-out after five
failed logins, idle timeout, forced password change, CSRF on every form, API tokens (expiring,
revocable, stored hashed)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from ninja import NinjaAPI

from peiyu.accounts.api_auth import BearerAuth
from peiyu.accounts.models import ApiToken, AuditLog
from peiyu.testing import walk as walkers
from peiyu.testing.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"

# --------------------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------------------


def _csp(resp) -> dict[str, list[str]]:
    header = resp.get("Content-Security-Policy", "")
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(resp, where: str) -> None:
    csp = _csp(resp)
    assert csp, f"{where}: no Content-Security-Policy"
    assert csp.get("default-src") == ["'self'"], (where, csp)
    assert csp.get("frame-ancestors") == ["'none'"], (where, csp)
    assert csp.get("object-src") == ["'none'"], (where, csp)
    script = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, script)
    for directive, sources in csp.items():
        for src in sources:
            assert src.startswith("'") or src in ("data:", "blob:"), f"{where}: {directive} allows {src}"
    assert resp.get("X-Frame-Options") == "DENY", where
    assert resp.get("Referrer-Policy") == "same-origin", where
    assert resp.get("X-Content-Type-Options") == "nosniff", where


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
EXTERNAL_REF = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_login_page_headers(client, db):
    resp = client.get(LOGIN)
    assert resp.status_code == 200
    assert_security_headers(resp, LOGIN)
    assert "Strict-Transport-Security" not in resp


def test_every_page_has_the_headers_and_no_inline_script_or_outside_reference(client, db):
    world = walkers.populated_world()
    client.force_login(world["admin"], backend="django.contrib.auth.backends.ModelBackend")
    source = walkers.ValueSource(world, {"action": ["link"]})
    checked = 0
    problems = []
    for route in walkers.iter_routes():
        if route.name == "accounts:logout":
            continue
        for url in walkers.fill(route, source)[:2]:
            try:
                resp = client.get(url)
            except Exception:  # noqa: S112 - crashes are reported by the scope walk
                continue
            if resp.status_code != 200:
                continue
            if "text/html" in resp.get("Content-Type", ""):
                assert_security_headers(resp, url)
                html = resp.content.decode("utf-8", errors="replace")
                problems += [f"{url}: inline script {m}" for m in INLINE_SCRIPT.findall(html)]
                problems += [f"{url}: inline event handler {m[:60]}" for m in EVENT_HANDLER.findall(html)]
                problems += [f"{url}: outside reference {m}" for m in EXTERNAL_REF.findall(html)]
                checked += 1
            else:
                assert resp.get("X-Content-Type-Options") == "nosniff", url
    assert checked >= 5
    assert not problems, "\n".join(problems)


def test_hsts_only_when_served_over_https(client, db, settings):
    # not configured for https: no HSTS even on a secure request
    assert client.get(LOGIN, secure=True).get("Strict-Transport-Security") is None
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    https = Client()
    resp = https.get(LOGIN, HTTP_X_FORWARDED_PROTO="https")
    assert resp["Strict-Transport-Security"].startswith("max-age=31536000")
    assert https.get(LOGIN).get("Strict-Transport-Security") is None  # plain http never carries it


@pytest.mark.parametrize("https", ["1", "0"])
def test_peiyu_https_switches_hsts_and_secure_cookies(https, tmp_path):
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "bool(s.SECURE_PROXY_SSL_HEADER)]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(PEIYU_HTTPS=https, PEIYU_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="peiyu.settings")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    hsts, session_secure, csrf_secure, proxy = __import__("json").loads(out.strip().splitlines()[-1])
    if https == "1":
        assert hsts >= 31536000 and session_secure and csrf_secure and proxy
    else:
        assert hsts == 0 and not session_secure and not csrf_secure


# --------------------------------------------------------------------------------------------------
# lock-out after five failed logins (django-axes through the real login view)
# --------------------------------------------------------------------------------------------------


def _post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_five_failures_lock_the_account_for_fifteen_minutes(client, world, settings):
    name = world["area_officer"].username
    for i in range(4):
        resp = _post_login(client, name, f"wrong-{i}")
        assert resp.status_code == 200 and "用户名或密码错误" in resp.content.decode()
    resp = _post_login(client, name, "wrong-5")
    body = resp.content.decode()
    assert resp.status_code == 429 and "账户已锁定" in body and "15 分钟" in body
    assert_security_headers(resp, "locked page")
    # the right password no longer helps while locked
    resp = _post_login(client, name, PASSWORD)
    assert resp.status_code == 429 and "账户已锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    # other accounts are not affected
    assert _post_login(Client(), world["industry_officer"].username, PASSWORD).status_code == 302
    # recorded
    assert AuditLog.objects.filter(action="accounts.session.login_failed", username=name).count() >= 5
    assert AuditLog.objects.filter(action="accounts.user.lock", username=name).count() == 1
    # fifteen minutes later the lock has expired
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=name).update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    resp = _post_login(client, name, PASSWORD)
    assert resp.status_code == 302 and client.session.get("_auth_user_id") == str(world["area_officer"].pk)
    assert AuditLog.objects.filter(action="accounts.session.login", username=name).exists()


def test_four_failures_then_success_resets_the_counter(client, world):
    name = world["outsider"].username
    for _ in range(4):
        _post_login(client, name, "nope")
    assert _post_login(client, name, PASSWORD).status_code == 302
    c2 = Client()
    for _ in range(4):
        assert _post_login(c2, name, "nope").status_code == 200
    assert _post_login(c2, name, PASSWORD).status_code == 302


def test_admin_can_unlock(client, world, login):
    name = world["area_officer"].username
    anon = Client()
    for _ in range(5):
        _post_login(anon, name, "wrong")
    assert _post_login(anon, name, PASSWORD).status_code == 429
    admin = login(world["admin"])
    page = admin.get(reverse("accounts:users") + "?status=locked").content.decode()
    assert name in page and "已锁定" in page
    assert admin.post(reverse("accounts:user_unlock", args=[world["area_officer"].pk])).status_code == 302
    assert _post_login(anon, name, PASSWORD).status_code == 302
    row = AuditLog.objects.get(action="accounts.user.unlock")
    assert row.username == world["admin"].username and row.before == {"locked": True}


# --------------------------------------------------------------------------------------------------
# idle timeout and forced password change
# --------------------------------------------------------------------------------------------------


def _age_session(client, seconds):
    session = client.session
    session["last_seen"] = int(time.time()) - seconds
    session.save()


def test_idle_session_times_out(login, world, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    client = login(world["area_officer"])
    assert client.get("/").status_code == 200
    _age_session(client, 29 * 60)
    assert client.get("/").status_code == 200  # still within 30 minutes (and the clock restarts)
    _age_session(client, 31 * 60)
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN) and "timeout=1" in resp["Location"]
    assert "_auth_user_id" not in client.session
    page = client.get(resp["Location"]).content.decode()
    assert "长时间未操作" in page
    assert client.get("/").status_code == 302
    row = AuditLog.objects.get(action="accounts.session.logout", username=world["area_officer"].username)
    assert row.detail["reason"] == "idle_timeout"


def test_idle_timeout_is_configurable(login, world, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = login(world["area_officer"])
    client.get("/")
    _age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


def test_first_login_forces_a_password_change(client, world):
    user = world["industry_officer"]
    user.must_change_password = True
    user.save()
    resp = _post_login(client, user.username, PASSWORD)
    assert resp.status_code == 302
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_change")
    assert client.get("/api/v1/openapi.json").status_code in (200, 403)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "首次登录" in page
    # too simple: refused in Chinese
    resp = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"},
    )
    assert resp.status_code == 200 and "3 类" in resp.content.decode()
    # the same password again: refused
    resp = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert resp.status_code == 200 and "不能与当前密码相同" in resp.content.decode()
    new = "Xin-Mima-2026!"
    resp = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert resp.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.password_changed_at is not None and user.check_password(new)
    assert client.get("/").status_code == 200  # still logged in, no more redirect
    assert AuditLog.objects.filter(action="accounts.password.change", username=user.username).exists()


def test_password_rules(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for bad in ("Ab1!", "abcdefgh1", "ABCDEFGH!", "12345678"):
        with pytest.raises(ValidationError):
            validate_password(bad)
    for good in ("Qwpzmx7k", "hbvqzt7k!", "Putuo#2026"):
        validate_password(good)


# --------------------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------------------


def test_login_form_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    resp = client.post(LOGIN, {"username": world["admin"].username, "password": PASSWORD})
    assert resp.status_code == 403 and "安全校验" in resp.content.decode()
    page = client.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    resp = client.post(
        LOGIN, {"username": world["admin"].username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert resp.status_code == 302


def test_every_form_rejects_a_post_without_csrf_token(world):
    """No page view is csrf_exempt: a POST without the token is refused everywhere (the JSON API is
    read-only and authenticates by bearer token or session cookie, never by form)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["admin"], backend="django.contrib.auth.backends.ModelBackend")
    source = walkers.ValueSource(world, {"action": ["link"]})
    unprotected = []
    count = 0
    for route in walkers.iter_routes():
        if route.is_api:
            continue
        for url in walkers.fill(route, source)[:1]:
            count += 1
            resp = client.post(url, {"x": "1"})
            if resp.status_code != 403:
                unprotected.append(f"{url} -> {resp.status_code}")
    assert count >= 10
    assert not unprotected, "POST without CSRF token accepted:\n" + "\n".join(unprotected)


def test_every_page_form_carries_a_csrf_token(world, login):
    client = login(world["admin"])
    for url in (reverse("accounts:users"), reverse("accounts:user_create"), reverse("accounts:tokens")):
        html = client.get(url).content.decode()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S | re.I):
            assert "csrfmiddlewaretoken" in form, (url, form[:200])


# --------------------------------------------------------------------------------------------------
# API tokens: a tiny API guarded by the project's BearerAuth
# --------------------------------------------------------------------------------------------------

_api = NinjaAPI(auth=[BearerAuth()], urls_namespace="token_probe", docs_url=None)


@_api.get("/whoami")
def whoami(request):
    return {"username": request.auth.username}


urlpatterns = [path("probe/", _api.urls)]


@pytest.fixture
def probe(settings):
    settings.ROOT_URLCONF = __name__

    def call(secret):
        return Client().get("/probe/whoami", HTTP_AUTHORIZATION=f"Bearer {secret}")

    return call


def test_tokens_work_expire_are_revocable_and_stored_hashed(world, probe):
    from peiyu.accounts.actions import do_create_token, do_revoke_token, do_set_active

    user = world["area_officer"]
    token, secret = do_create_token(user, user, label="脚本", days=30)
    resp = probe(secret)
    assert resp.status_code == 200 and resp.json() == {"username": user.username}
    # stored hashed: the secret is nowhere in the table
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == ApiToken.hash_key(secret) and row.key_hash != secret
    for value in ApiToken.objects.values_list().get(pk=token.pk):
        assert secret not in str(value)
    assert secret.startswith(row.prefix) and len(row.prefix) < len(secret) // 3
    assert row.last_used_at is not None
    # wrong or missing token
    assert probe(secret + "x").status_code == 401
    assert Client().get("/probe/whoami").status_code == 401
    # expired
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert probe(secret).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert probe(secret).status_code == 200
    # revoked
    do_revoke_token(user, token)
    assert probe(secret).status_code == 401
    # a deactivated user's tokens die with the account
    token2, secret2 = do_create_token(user, user, days=1)
    assert probe(secret2).status_code == 200
    do_set_active(world["admin"], user, False)
    assert probe(secret2).status_code == 401
    assert ApiToken.objects.get(pk=token2.pk).revoked_at is not None
    actions = list(AuditLog.objects.filter(object_type="accounts.apitoken").values_list("action", flat=True))
    assert actions.count("accounts.token.create") == 2 and actions.count("accounts.token.revoke") == 1


def test_token_lifetime_is_bounded(world):
    from peiyu.accounts.actions import ActionError, do_create_token

    token, _ = do_create_token(None, world["admin"])
    days = (token.expires_at - timezone.now()).days
    assert 88 <= days <= 90  # PEIYU_API_TOKEN_DAYS default
    for bad in (0, -1, 10_000):
        with pytest.raises(ActionError):
            do_create_token(None, world["admin"], days=bad)


def test_token_command_prints_the_token_alone_on_the_last_line(world, probe):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command(
        "token", world["industry_officer"].username, "--days", "7", "--label", "月报", stdout=out, stderr=err
    )
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"pyu_[A-Za-z0-9_-]{40,}", last)
    assert probe(last).json() == {"username": world["industry_officer"].username}
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(last))
    assert token.label == "月报" and 6 <= (token.expires_at - timezone.now()).days <= 7
    row = AuditLog.objects.get(action="accounts.token.create")
    assert row.username == "命令行" and row.after["user"] == world["industry_officer"].username
