"""Building economy: tenancy months, tiers and candidates, tax per m², scope, the CLI interface."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from peiyu.accounts.scope import EVERYTHING
from peiyu.carriers import economy
from peiyu.carriers.models import CarrierSettings
from peiyu.carriers.tests.factories import building, tenant
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db

MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]


def _tax(world, per_month: dict[str, tuple[int, int]], months=MONTHS):
    """Every enterprise pays (total, district) fen per month as given by its key."""
    for m in months:
        rows = []
        for key, ent in world["enterprises"].items():
            total, district = per_month.get(key, (0, 0))
            if total:
                rows.append((ent.credit_code, ent.name, "增值税", total, district))
        put_month(m, rows)


def test_a_tenant_counts_from_its_move_in_month_to_the_month_before_move_out(world):
    b = building("测试大厦", world["areas"]["a2"])
    t = tenant(b, world["enterprises"]["soft_a2"], "2025-02-20", "2025-05-03")
    assert economy.tenancy_months(t, MONTHS) == ["2025-02", "2025-03", "2025-04"]
    open_ended = tenant(b, world["enterprises"]["health_a2"], "2024-11-01")
    assert economy.tenancy_months(open_ended, MONTHS) == MONTHS
    _tax(world, {"soft_a2": (1_000_00, 400_00), "health_a2": (2_000_00, 500_00)})
    [fig] = economy.figures(EVERYTHING, [b], 2025)
    assert fig.months == MONTHS
    # soft_a2: 3 months × 1000 元, health_a2: 6 months × 2000 元
    assert fig.total_fen == 3 * 1_000_00 + 6 * 2_000_00
    assert fig.district_fen == 3 * 400_00 + 6 * 500_00
    assert fig.paying_tenants == 2


def test_tiers_and_candidates_follow_the_thresholds():
    cfg = CarrierSettings()
    yi, qw = cfg.yi_fen, cfg.qianwan_fen
    assert yi == 100_000_000 * 100 and qw == 10_000_000 * 100
    assert economy.tier_for(yi, cfg) == "亿元楼"
    assert economy.tier_for(yi - 1, cfg) == "千万元楼"
    assert economy.tier_for(qw, cfg) == "千万元楼"
    assert economy.tier_for(qw - 1, cfg) is None
    # candidates: within 20 % below the next tier
    assert economy.candidate_for(yi * 80 // 100, cfg) == "亿元楼"
    assert economy.candidate_for(yi * 80 // 100 - 1, cfg) is None
    assert economy.candidate_for(qw * 85 // 100, cfg) == "千万元楼"
    assert economy.candidate_for(yi, cfg) is None
    cfg.candidate_pct = Decimal(10)
    assert economy.candidate_for(yi * 85 // 100, cfg) is None


def test_tax_per_m2_rounds_half_up():
    assert economy.per_m2_yuan(100_005, Decimal(1000)) == Decimal("1.00")  # 1.00005 元
    assert economy.per_m2_yuan(1_005, Decimal(1)) == Decimal("10.05")
    assert economy.per_m2_yuan(1_000_05, Decimal(200)) == Decimal("5.00")  # 5.00025
    assert economy.per_m2_yuan(12_345, Decimal(2)) == Decimal("61.73")  # 61.725 → 61.73
    assert economy.per_m2_yuan(10, Decimal(0)) is None


def test_basis_setting_switches_the_tier_figure(world):
    b = building("亿元大厦", world["areas"]["a2"], gross=20000)
    tenant(b, world["enterprises"]["soft_a2"], "2020-01-01")
    # 2 亿元 全口径 over the six months, 0.3 亿元 区级
    _tax(world, {"soft_a2": (20_000_000_000 // 6, 3_000_000_000 // 6)})
    [fig] = economy.figures(EVERYTHING, [b], 2025)
    assert fig.tier == "亿元楼"
    cfg = CarrierSettings.objects.create(basis="district")
    [fig] = economy.figures(EVERYTHING, [b], 2025, cfg=cfg)
    assert fig.tier == "千万元楼"


def test_cli_prints_the_interface(world):
    b = building("长寿大厦", world["areas"]["a1"], gross=3000)
    tenant(b, world["enterprises"]["soft_a1"], "2025-03-15")
    tenant(b, world["enterprises"]["health_a1"], "2023-01-01", "2025-02-01")
    building("空楼", world["areas"]["a1"], gross=0, leasable=0)
    _tax(world, {"soft_a1": (1_000_000_00, 300_000_00), "health_a1": (500_00, 100_00)})
    out = io.StringIO()
    call_command("carriers", "buildings", "--year", "2025", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2025 and data["basis"] == "全口径"
    rows = {r["name"]: r for r in data["buildings"]}
    first = data["buildings"][0]
    assert set(first) == {
        "name",
        "paying_tenants",
        "tax_fen",
        "district_tax_fen",
        "gross_area_m2",
        "tax_per_m2_yuan",
        "tier",
    }
    r = rows["长寿大厦"]
    # soft_a1 March–June (4 months), health_a1 January only
    assert r["tax_fen"] == 4 * 1_000_000_00 + 500_00
    assert r["district_tax_fen"] == 4 * 300_000_00 + 100_00
    assert r["paying_tenants"] == 2
    assert r["gross_area_m2"] == 3000
    assert r["tax_per_m2_yuan"] == 1333.50  # 4,000,500 元 / 3000 ㎡
    assert r["tier"] is None
    assert rows["空楼"]["tax_per_m2_yuan"] is None and rows["空楼"]["paying_tenants"] == 0


def test_an_area_officer_sees_its_buildings_and_in_scope_tenants_only(world, login):
    a2 = building("桃浦大厦", world["areas"]["a2"])
    a1 = building("长寿大厦", world["areas"]["a1"])
    tenant(a2, world["enterprises"]["soft_a2"], "2024-01-01")
    tenant(a2, world["enterprises"]["soft_a1"], "2024-01-01")  # registered in 长寿路 (out of scope)
    _tax(world, {"soft_a2": (100_00, 50_00), "soft_a1": (900_00, 300_00)})
    officer = world["area_officer"]
    visible = list(economy.visible_carriers(officer))
    assert visible == [a2]
    [fig] = economy.figures(officer, visible, 2025)
    assert fig.tax_fen == 6 * 100_00 and fig.hidden_tenants == 1
    client = login(officer)
    page = client.get(f"/carriers/{a2.pk}/").content.decode()
    assert "上海桃浦软件有限公司" in page and "上海长寿软件有限公司" not in page
    assert client.get(f"/carriers/{a1.pk}/").status_code == 404
