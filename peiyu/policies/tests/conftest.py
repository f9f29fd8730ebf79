"""The tax library caches its snapshot per process by a fingerprint of (dimension, active versions);
two tests that build identical-looking libraries in different tmp folders would share it (the key
does not include the folder). Start each policy test from an empty cache."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_tax_snapshots():
    from peiyu.taxes import rollups

    rollups._snapshots.clear()
    yield
    rollups._snapshots.clear()
