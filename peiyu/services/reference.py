"""Reference data of enterprise services, loaded by ``peiyu init``: the request categories."""

from __future__ import annotations


def load_all() -> dict[str, int]:
    from peiyu.services.actions import ensure_categories

    return {"service_categories": ensure_categories()}
