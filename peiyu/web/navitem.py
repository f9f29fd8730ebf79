"""A navigation entry an app contributes from its own ``nav.py`` (``NAV = [NavItem(...), ...]``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: object  # a (lazy) translation string
    url_name: str
    icon: str = ""  # a short text glyph; no icon font is loaded from outside
    order: int = 100  # position among the top-level entries (home is 0)
    #: the permission that shows the entry (``peiyu.accounts.scope.has_permission``); None = every user
    permission: str | None = None
    children: tuple[NavItem, ...] = ()
