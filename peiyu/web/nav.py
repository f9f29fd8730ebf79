"""The left navigation, assembled from the entries each installed app contributes in its
``nav.py`` (``NAV``: a list of :class:`~peiyu.web.navitem.NavItem`). An entry appears once its URL
exists and the user holds the permission that shows it (decided by :mod:`peiyu.accounts.scope`)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from peiyu.core import contrib
from peiyu.web.navitem import NavItem

__all__ = ["NAV", "NavItem", "build_nav", "entries"]

NAV = [NavItem(_("首页"), "web:home", "⌂", order=0)]  # the web app's own contribution


def entries() -> list[NavItem]:
    """Every contributed top-level entry, by ``order`` (then INSTALLED_APPS order)."""
    items: list[NavItem] = []
    for _cfg, nav in contrib.attributes("nav", "NAV"):
        items.extend(nav)
    return sorted(items, key=lambda item: item.order)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _allowed(user: Any, item: NavItem) -> bool:
    from peiyu.accounts import scope

    return item.permission is None or scope.has_permission(user, item.permission)


def build_nav(user: Any, current_path: str) -> list[dict]:
    out = []
    for item in entries():
        if not _allowed(user, item):
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        children = []
        for child in item.children:
            if not _allowed(user, child):
                continue
            curl = _url(child.url_name)
            if curl:
                children.append({"label": str(child.label), "url": curl, "active": current_path == curl})
        section = "/" + url.strip("/").split("/")[0] + "/" if url.strip("/") else None
        active = (
            current_path == url
            or any(c["active"] for c in children)
            or (section is not None and current_path.startswith(section))
        )
        out.append(
            {"label": str(item.label), "url": url, "icon": item.icon, "children": children, "active": active}
        )
    return out
