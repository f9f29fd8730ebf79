"""Test helpers of enterprise services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peiyu.services import actions
from peiyu.services.models import Category


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


def category(code: str = "space") -> Category:
    actions.ensure_categories()
    return Category.objects.get(code=code)


def make_request(world: dict[str, Any], key: str = "health_a1", *, by: str = "admin", **kw: Any) -> Any:
    kw.setdefault("category", category(kw.pop("code", "space")))
    kw.setdefault("content", "企业扩产需要 2000 平方米研发用房")
    kw.setdefault("green", False)
    return actions.do_create_request(world[by], world["enterprises"][key], **kw)
