"""Test hook for the scope walk (``peiyu.testing.walk.populated_world``): a manual key-enterprise
decision for every enterprise, so the key-enterprise pages, exports and profiles carry alerts data for
the walker to check. (The walk then runs ``peiyu warnings`` for the warnings themselves.)"""

from __future__ import annotations

from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.alerts.actions import do_key_override

    for key, ent in world["enterprises"].items():
        do_key_override(world["admin"], ent, "add", f"走查：{key} 手工纳入重点企业")
