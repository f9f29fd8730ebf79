"""Reference data of accounts loaded by ``peiyu init``: the district's departments."""

from __future__ import annotations


def load_all() -> dict[str, int]:
    from peiyu.accounts.departments import load_departments

    return {"departments": load_departments()}
