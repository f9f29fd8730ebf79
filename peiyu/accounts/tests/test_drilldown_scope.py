"""Who may open an industry or area drill-down page (the figures on it are scoped anyway)."""

from peiyu.accounts import scope


def test_industry_and_area_pages(world):
    soft, health = world["industries"]["soft"], world["industries"]["health"]
    a1, a2 = world["areas"]["a1"], world["areas"]["a2"]
    officer, area_officer, outsider = world["industry_officer"], world["area_officer"], world["outsider"]
    assert scope.can_open_industry_page(world["admin"], health.id)
    assert scope.can_open_industry_page(officer, soft.id)
    assert not scope.can_open_industry_page(officer, health.id)  # industry-only scope
    assert scope.can_open_area_page(officer, a1.id)  # their industry within any area
    assert scope.can_open_area_page(area_officer, a2.id)
    assert not scope.can_open_area_page(area_officer, a1.id)  # area-only scope
    assert scope.can_open_industry_page(area_officer, health.id)  # any industry within their area
    assert not scope.can_open_industry_page(outsider, soft.id)
    assert not scope.can_open_area_page(outsider, a2.id)


def test_pages_answer_404_outside(world, login):
    from django.urls import reverse

    client = login(world["industry_officer"])
    assert client.get(reverse("taxes:industry", args=[world["industries"]["health"].id])).status_code == 404
    client = login(world["area_officer"])
    assert client.get(reverse("taxes:area", args=[world["areas"]["a1"].id])).status_code == 404
