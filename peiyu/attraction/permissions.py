"""Named permissions of the attraction app."""

from __future__ import annotations

from typing import Any


def _manage(user: Any) -> bool:
    from peiyu.attraction.stages import is_office

    return is_office(user)


PERMISSIONS = {"attraction.manage": _manage}
