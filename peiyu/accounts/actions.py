"""Account changes: every one is a small ``do_*`` function, atomic, writing an audit row with before/after.

Views, the API and the CLI call these; none of them changes a user, a scope or a token directly.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit_actions as A
from peiyu.accounts.audit import record
from peiyu.accounts.models import ApiToken, Role, User

MAX_TOKEN_DAYS = 366
TOKEN_PREFIX = "pyu_"  # noqa: S105 - a marker, not a secret


class ActionError(Exception):
    """A refused change; the message is Chinese and meant for the user."""


# --- helpers ---------------------------------------------------------------------------------------


def end_access(user: User, *, keep_request: Any = None) -> int:
    """End the user's access everywhere: revoke every API token and log out every session (the
    session hash includes ``access_epoch``), except the session of ``keep_request`` when it is the
    user's own (a user changing their own password stays logged in there). Returns tokens revoked."""
    from django.db.models import F

    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    User.objects.filter(pk=user.pk).update(access_epoch=F("access_epoch") + 1)
    user.refresh_from_db(fields=["access_epoch"])
    own = getattr(getattr(keep_request, "user", None), "pk", None) == user.pk
    if keep_request is not None and own and hasattr(keep_request, "session"):
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(keep_request, user)
    return revoked


def user_snapshot(user: User) -> dict[str, Any]:
    """What an audit row records about a user (before/after a change)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "key_industries": sorted(user.key_industries.values_list("name", flat=True)),
        "areas": sorted(user.areas.values_list("name", flat=True)),
        "departments": sorted(user.departments.values_list("name", flat=True)),
    }


def token_snapshot(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.username,
        "prefix": token.prefix,
        "label": token.label,
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def generate_password(length: int = 12) -> str:
    """A random initial password that passes the password rules (four character classes)."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnpqrstuvwxyz"
    digits = "23456789"
    symbols = "-_!@#%+="
    rng = secrets.SystemRandom()
    while True:
        chars = [rng.choice(upper), rng.choice(lower), rng.choice(digits), rng.choice(symbols)]
        chars += [rng.choice(upper + lower + digits + symbols) for _ in range(length - 4)]
        rng.shuffle(chars)
        password = "".join(chars)
        try:
            password_validation.validate_password(password)
        except ValidationError:  # pragma: no cover - astronomically unlikely
            continue
        return password


def _check_admin_kept(
    by: Any, user: User, *, new_role: str | None = None, new_active: bool | None = None
) -> None:
    """Refuse changes that would lock the administrators out of their own system."""
    loses_admin = (new_role is not None and new_role != Role.ADMIN and user.is_admin) or (
        new_active is False and user.is_admin
    )
    if not loses_admin:
        return
    if getattr(by, "pk", None) == user.pk:
        raise ActionError("不能取消自己的管理员权限或停用自己的账户。")
    from django.db.models import Q

    others = (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
        .exclude(pk=user.pk)
        .exists()
    )
    if not others:
        raise ActionError("系统至少须保留一名启用的管理员。")


def _set_scopes(
    user: User, key_industries: Iterable[Any], areas: Iterable[Any], departments: Iterable[Any]
) -> None:
    user.key_industries.set(list(key_industries))
    user.areas.set(list(areas))
    user.departments.set(list(departments))


# --- users -----------------------------------------------------------------------------------------


def do_create_user(
    acting_user: Any,
    *,
    username: str,
    display_name: str = "",
    role: str = Role.AREA,
    key_industries: Iterable[Any] = (),
    areas: Iterable[Any] = (),
    departments: Iterable[Any] = (),
    password: str | None = None,
    request: Any = None,
    reason: str = "",
) -> tuple[User, str]:
    """Create a user with a random initial password (returned once); it must be changed at first login."""
    username = username.strip()
    if not username:
        raise ActionError("用户名不能为空。")
    if role not in Role.values:
        raise ActionError(f"未知角色：{role}")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ActionError(f"用户名“{username}”已存在。")
        password = password or generate_password()
        user = User(username=username, display_name=display_name.strip(), role=role)
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = None
        user.save()
        _set_scopes(user, key_industries, areas, departments)
        record(
            acting_user,
            A.USER_CREATE,
            user,
            object_id=user.username,
            after=user_snapshot(user),
            reason=reason,
            request=request,
        )
    return user, password


def do_update_user(
    acting_user: Any,
    user: User,
    *,
    display_name: str,
    role: str,
    key_industries: Iterable[Any],
    areas: Iterable[Any],
    departments: Iterable[Any],
    request: Any = None,
    reason: str = "",
) -> User:
    """Change a user's name, role and scopes."""
    if role not in Role.values:
        raise ActionError(f"未知角色：{role}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_admin_kept(acting_user, user, new_role=role)
        before = user_snapshot(user)
        user.display_name = display_name.strip()
        user.role = role
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user.save(update_fields=["display_name", "role", "is_superuser", "is_staff"])
        _set_scopes(user, key_industries, areas, departments)
        after = user_snapshot(user)
        if after != before:
            access_changed = any(
                before[k] != after[k]
                for k in ("role", "is_superuser", "key_industries", "areas", "departments")
            )
            revoked = end_access(user, keep_request=request) if access_changed else 0
            record(
                acting_user,
                A.USER_UPDATE,
                user,
                object_id=user.username,
                before=before,
                after=after,
                detail={"sessions_ended": True, "tokens_revoked": revoked} if access_changed else None,
                reason=reason,
                request=request,
            )
    return user


def do_change_own_password(user: User, *, request: Any = None) -> int:
    """After a user changed their own password (the form saved it): every other session ends and
    every API token is revoked; this session stays. Audited; returns tokens revoked."""
    with transaction.atomic():
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        revoked = end_access(user, keep_request=request)
        record(
            user,
            A.PASSWORD_CHANGE,
            user,
            object_id=user.username,
            detail={"other_sessions_ended": True, "tokens_revoked": revoked},
            request=request,
        )
    return revoked


def do_set_active(
    acting_user: Any, user: User, active: bool, *, request: Any = None, reason: str = ""
) -> User:
    """Deactivate (or reactivate) a user. Deactivation also revokes their API tokens."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        if not active:
            _check_admin_kept(acting_user, user, new_active=False)
        before = user_snapshot(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        revoked = 0
        if not active:
            revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        record(
            acting_user,
            A.USER_ACTIVATE if active else A.USER_DEACTIVATE,
            user,
            object_id=user.username,
            before=before,
            after=user_snapshot(user),
            detail={"tokens_revoked": revoked} if revoked else None,
            reason=reason,
            request=request,
        )
    return user


def do_reset_password(acting_user: Any, user: User, *, request: Any = None, reason: str = "") -> str:
    """Give the user a new random password (returned once) that must be changed at next login.
    Their open sessions end and their API tokens are revoked."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        password = generate_password()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        revoked = end_access(user, keep_request=None)
        record(
            acting_user,
            A.PASSWORD_RESET,
            user,
            object_id=user.username,
            after={"must_change_password": True},
            detail={"sessions_ended": True, "tokens_revoked": revoked},
            reason=reason,
            request=request,
        )
    return password


def is_locked(user_or_name: Any) -> bool:
    """Whether django-axes currently locks this username out."""
    from axes.models import AccessAttempt

    username = getattr(user_or_name, "username", user_or_name)
    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


def locked_usernames() -> set[str]:
    from axes.models import AccessAttempt

    since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def do_unlock(acting_user: Any, user: User, *, request: Any = None, reason: str = "") -> int:
    """Clear the failed-login record of a user (ends an axes lock-out)."""
    from axes.utils import reset

    with transaction.atomic():
        was_locked = is_locked(user)
        removed = reset(username=user.username)
        record(
            acting_user,
            A.USER_UNLOCK,
            user,
            object_id=user.username,
            before={"locked": was_locked},
            after={"locked": False},
            detail={"attempts_cleared": removed},
            reason=reason,
            request=request,
        )
    return removed


# --- API tokens ------------------------------------------------------------------------------------


def do_create_token(
    acting_user: Any, user: User, *, label: str = "", days: int | None = None, request: Any = None
) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``; the secret is returned once and only its SHA-256 is stored."""
    days = settings.API_TOKEN_DAYS if days is None else int(days)
    if days < 1 or days > MAX_TOKEN_DAYS:
        raise ActionError(f"有效期须在 1 至 {MAX_TOKEN_DAYS} 天之间。")
    if not user.is_active:
        raise ActionError("该用户已停用，不能生成令牌。")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            prefix=secret[:12],
            key_hash=ApiToken.hash_key(secret),
            label=label.strip()[:100],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            acting_user,
            A.TOKEN_CREATE,
            token,
            object_id=str(token.pk),
            object_repr=f"{user.username} 的令牌 {token.prefix}…",
            after=token_snapshot(token),
            request=request,
        )
    return token, secret


def do_revoke_token(acting_user: Any, token: ApiToken, *, request: Any = None, reason: str = "") -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        before = token_snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            acting_user,
            A.TOKEN_REVOKE,
            token,
            object_id=str(token.pk),
            object_repr=f"{token.user.username} 的令牌 {token.prefix}…",
            before=before,
            after=token_snapshot(token),
            reason=reason,
            request=request,
        )
    return token
