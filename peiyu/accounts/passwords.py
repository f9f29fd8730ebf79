from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Passwords must mix at least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码至少 8 位，并包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。"


PASSWORD_HISTORY = 5


class PasswordHistoryValidator:
    """A new password may not be any of the user's last ``remember`` passwords; each password set
    is remembered (``password_changed``, called by Django when a user with a new password is saved)."""

    def __init__(self, remember: int = PASSWORD_HISTORY) -> None:
        self.remember = remember

    def validate(self, password: str, user: Any = None) -> None:
        from django.contrib.auth.hashers import check_password

        if user is None or getattr(user, "pk", None) is None:
            return
        from peiyu.accounts.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.remember
            ]
        )
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(
                f"不能使用最近 {self.remember} 次用过的密码，请换一个新密码。", code="password_reused"
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None or not user.password:
            return
        from peiyu.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        old = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[self.remember :]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return f"不能与最近 {self.remember} 次用过的密码相同。"


def demo_marker() -> Path:
    """``demo.json`` in the data folder (beside the tax library), written by ``peiyu demo``."""
    from django.conf import settings

    return Path(settings.TAX_LIBRARY_DIR).parent / "demo.json"


def demo_mode() -> bool:
    """The demo district (``peiyu demo`` wrote :func:`demo_marker`), or PEIYU_DEMO=1."""
    from django.conf import settings

    return bool(getattr(settings, "PEIYU_DEMO", False)) or demo_marker().exists()


def is_demo_password(password: str) -> bool:
    from peiyu.demo import DEMO_ADMIN

    return password == DEMO_ADMIN[1]


class DemoPasswordValidator:
    """The demo password (printed by ``make demo`` and in the README) is refused outside the demo."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_demo_password(password) and not demo_mode():
            raise ValidationError(
                "不能使用演示区的公开密码，请换一个只有你知道的密码。", code="password_demo"
            )

    def get_help_text(self) -> str:
        return "不能使用演示区的公开密码。"
