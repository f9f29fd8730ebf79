"""The enterprise profile (一企一档) is assembled from sections contributed by the modules.

A module adds ``profile_section(request, enterprise) -> dict | None`` in its ``profile.py``; the dict
has ``template`` and ``order`` plus whatever the template needs. The enterprise is already checked
against the user's scope; a section that shows tax figures records the view in the audit log.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = ("peiyu.taxes.profile", "peiyu.alerts.profile")


def sections(request: Any, enterprise: Any) -> list[dict[str, Any]]:
    out = []
    for name in MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        section = mod.profile_section(request, enterprise)
        if section:
            out.append(section)
    return sorted(out, key=lambda s: s.get("order", 100))
