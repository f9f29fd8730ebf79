import pytest


@pytest.fixture(autouse=True)
def _fresh_tax_snapshot():
    """The tax library's snapshot cache is keyed by database state, which repeats between tests
    (rolled back ids) while each test has its own library folder: start every test without it."""
    from peiyu.taxes import rollups

    rollups._snapshots.clear()
    yield
    rollups._snapshots.clear()
