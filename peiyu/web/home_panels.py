"""The home page is a set of panels contributed by the modules (each returns a template and context).

A module adds a function ``home_panel(request) -> dict | None`` in its ``panels.py``; the dict has
``template`` and ``order`` plus whatever the template needs. Panels see only the user's scope.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = (
    "peiyu.work.panels",
    "peiyu.taxes.panels",
    "peiyu.targets.panels",
    "peiyu.alerts.panels",
    "peiyu.registry.panels",
)


def collect(request: Any) -> list[dict[str, Any]]:
    panels = []
    for name in MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        panel = mod.home_panel(request)
        if panel:
            panels.append(panel)
    return sorted(panels, key=lambda p: p.get("order", 100))
