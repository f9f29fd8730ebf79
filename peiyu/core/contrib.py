"""Contributions are discovered, not listed.

An app contributes to the platform through conventionally named modules in its own package
(``nav``, ``panels``, ``profile``, ``api``, ``demo``, ``audit_actions``, ``urls``, ``cockpit``,
``reports``, ``tests.world``);
nothing central names it. :func:`modules` finds them over the installed Peiyu apps in
``INSTALLED_APPS`` order, so adding an app touches only its own folder and ``INSTALLED_APPS``.

The same idea as NetBox's registry: the framework asks every app, the app answers or stays silent.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps

#: Apps whose contributions are looked up: every installed app inside the ``peiyu`` package, plus any
#: other app that sets ``peiyu_app = True`` on its AppConfig (a third-party extension).
PACKAGE = "peiyu."


def peiyu_apps() -> list[AppConfig]:
    """The installed Peiyu apps, in ``INSTALLED_APPS`` order."""
    return [
        cfg
        for cfg in apps.get_app_configs()
        if cfg.name.startswith(PACKAGE) or getattr(cfg, "peiyu_app", False)
    ]


def _import_optional(name: str) -> ModuleType | None:
    """Import ``name`` or return None when that module (not one it imports) does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def modules(module_name: str) -> list[tuple[AppConfig, ModuleType]]:
    """``(app config, module)`` for every Peiyu app that has ``<app>.<module_name>``."""
    return list(_modules(module_name, _apps_key()))


def _apps_key() -> tuple[str, ...]:
    # The app registry can change in tests (override_settings(INSTALLED_APPS=…)): key the cache on it.
    return tuple(cfg.name for cfg in peiyu_apps())


@cache
def _modules(module_name: str, key: tuple[str, ...]) -> tuple[tuple[AppConfig, ModuleType], ...]:
    out = []
    for cfg in peiyu_apps():
        mod = _import_optional(f"{cfg.name}.{module_name}")
        if mod is not None:
            out.append((cfg, mod))
    return tuple(out)


def attributes(module_name: str, attribute: str) -> Iterator[tuple[AppConfig, Any]]:
    """``(app config, value)`` for every app whose ``<module_name>`` module defines ``attribute``."""
    for cfg, mod in modules(module_name):
        value = getattr(mod, attribute, None)
        if value is not None:
            yield cfg, value


def clear_cache() -> None:
    """Forget what was discovered (tests that install an app at run time call this)."""
    _modules.cache_clear()


def cockpit_tiles(request: Any) -> list[dict[str, Any]]:
    """The tiles the installed apps add to the leader cockpit (``cockpit_tile(request) -> dict | None``
    in their ``cockpit.py``), by ``order``. A tile is ``{"title", "value", "unit", "note", "url",
    "rows": [(label, value), …], "order"}`` (all optional but ``title``), in the reader's scope; a
    tile that fails is left out (logged), the screen stays up."""
    import logging

    tiles = []
    for cfg, make in attributes("cockpit", "cockpit_tile"):
        try:
            tile = make(request)
        except Exception:
            logging.getLogger(__name__).exception("驾驶舱：%s 的磁贴生成失败", cfg.label)
            continue
        if tile:
            tiles.append({"app": cfg.label, **tile})
    return sorted(tiles, key=lambda t: (t.get("order", 100), t["app"]))
