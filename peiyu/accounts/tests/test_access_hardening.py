"""等保 2.0 level 3 (issue 19 §5): a password reset by an administrator, a password change and a role
or scope change end the user's other sessions and revoke their API tokens; no reuse of the last five
passwords; the public demo password refused outside the demo."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from peiyu.accounts import actions
from peiyu.accounts.models import ApiToken, User
from peiyu.demo import DEMO_ADMIN


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def is_logged_in(c: Client) -> bool:
    r = c.get(reverse("accounts:password_change"))
    return r.status_code == 200


@pytest.mark.django_db
def test_admin_password_reset_ends_sessions_and_revokes_tokens(world):
    user, admin = world["industry_officer"], world["admin"]
    session = logged_in(user)
    token, _secret = actions.do_create_token(admin, user)
    assert is_logged_in(session)
    actions.do_reset_password(admin, user)
    assert not is_logged_in(session)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.django_db
def test_own_password_change_keeps_this_session_ends_the_others(world):
    user = User.objects.get(pk=world["area_officer"].pk)
    user.set_password("Old-Secret-2026")
    user.save()
    here, elsewhere = logged_in(user), logged_in(user)
    token, _ = actions.do_create_token(user, user)
    r = here.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Old-Secret-2026",
            "new_password1": "New-Secret-2027",
            "new_password2": "New-Secret-2027",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert is_logged_in(here) and not is_logged_in(elsewhere)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.django_db
def test_role_or_scope_change_ends_sessions_and_revokes_tokens(world):
    user, admin = world["industry_officer"], world["admin"]
    session = logged_in(user)
    token, _ = actions.do_create_token(admin, user)
    actions.do_update_user(
        admin,
        user,
        display_name=user.display_name,
        role=user.role,
        key_industries=[],
        areas=list(user.areas.all()),
        departments=list(user.departments.all()),
    )
    assert not is_logged_in(session)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    # a change of the display name alone ends nothing
    session = logged_in(User.objects.get(pk=user.pk))
    actions.do_update_user(
        admin,
        User.objects.get(pk=user.pk),
        display_name="新名字",
        role=user.role,
        key_industries=[],
        areas=list(user.areas.all()),
        departments=list(user.departments.all()),
    )
    assert is_logged_in(session)


@pytest.mark.django_db
def test_the_last_five_passwords_cannot_be_reused(world):
    user = User.objects.get(pk=world["department"].pk)
    used = [f"Pass-word-{k}x" for k in range(6)]
    for pw in used:
        password_validation.validate_password(pw, user)
        user.set_password(pw)
        user.save()
    for pw in used[1:]:  # the current one and the four before it
        with pytest.raises(ValidationError, match="最近 5 次"):
            password_validation.validate_password(pw, user)
    password_validation.validate_password(used[0], user)  # six changes ago: allowed again
    assert user.password_history.count() == 5


@pytest.mark.django_db
def test_demo_password_refused_outside_demo_mode(world, settings, tmp_path):
    settings.PEIYU_DEMO = False
    with pytest.raises(ValidationError, match="演示区"):
        password_validation.validate_password(DEMO_ADMIN[1], world["admin"])
    settings.PEIYU_DEMO = True
    password_validation.validate_password(DEMO_ADMIN[1], None)


@pytest.mark.django_db
def test_logging_in_with_the_demo_password_outside_the_demo_forces_a_change(world, settings, client):
    settings.PEIYU_DEMO = False
    user = User.objects.get(pk=world["leader"].pk)
    user.set_password(DEMO_ADMIN[1])
    user.must_change_password = False
    user.save()
    r = client.post(reverse("accounts:login"), {"username": user.username, "password": DEMO_ADMIN[1]})
    assert r.status_code == 302
    assert User.objects.get(pk=user.pk).must_change_password
    assert client.get("/").url == reverse("accounts:password_change")
