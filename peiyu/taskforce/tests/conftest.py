import pytest


@pytest.fixture(autouse=True)
def _fresh_rollup_snapshots():
    """The tax rollups cache snapshots per process by a fingerprint of ids and versions, which can
    repeat across tests (each with its own library folder): start every test without them."""
    from peiyu.taxes import rollups

    rollups._snapshots.clear()
    yield
    rollups._snapshots.clear()
