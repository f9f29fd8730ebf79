import pytest


@pytest.fixture
def gbt(db):
    """The GB/T 4754-2017 table and Putuo's ten sub-districts/towns in the database."""
    from peiyu.registry.reference import load_areas, load_industry_codes

    load_industry_codes()
    load_areas()


@pytest.fixture
def putuo(gbt):
    """Reference data plus the Putuo preset of four key industries."""
    from peiyu.registry.reference import load_key_industries

    load_key_industries()
    from peiyu.registry.models import KeyIndustry

    return {k.slug: k for k in KeyIndustry.objects.all()}
