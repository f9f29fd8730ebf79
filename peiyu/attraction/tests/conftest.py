"""The tax library's process cache of snapshots is keyed by a fingerprint of the database (which a
test's rollback can repeat exactly) and not by the library folder, so a later test could read the
previous test's rollups: start every test of this app with an empty cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_tax_snapshots():
    from peiyu.taxes import rollups

    rollups._snapshots.clear()
    yield
    rollups._snapshots.clear()
