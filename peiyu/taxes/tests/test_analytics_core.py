"""The scoped runner: aggregates per persona, reclassification applies to history, unmatched money."""

import pytest

from peiyu.analytics import to_dialect
from peiyu.taxes import analytics
from peiyu.taxes.models import TaxpayerLink
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db(transaction=True)


def fill(world):
    e = world["enterprises"]
    rows = []
    for i, key in enumerate(["soft_a1", "soft_a2", "health_a1", "health_a2", "other_a2"], start=1):
        rows.append((e[key].credit_code, e[key].name, "增值税", i * 100_00, i * 30_00))
        rows.append((e[key].credit_code, e[key].name, "企业所得税", i * 50_00, i * 20_00))
    rows.append(("310107123456789", "未登记纳税人", "增值税", 7_00, 3_00))
    put_month("2024-03", [(c, n, t, a // 2, d // 2) for c, n, t, a, d in rows])
    put_month("2025-03", rows)
    return rows


def test_district_totals_include_unmatched_and_equal_facts(world):
    rows = fill(world)
    totals = analytics.monthly_totals(world["admin"], ["2025-03"])
    assert totals[None]["2025-03"]["district_fen"] == sum(r[4] for r in rows)
    assert totals[None]["2025-03"]["total_fen"] == sum(r[3] for r in rows)
    assert totals[None]["2025-03"]["taxpayers"] == 6


def test_scoped_totals(world):
    fill(world)
    soft = world["industries"]["soft"].id
    by_ind = analytics.monthly_totals(world["industry_officer"], ["2025-03"], by="industry")
    assert set(by_ind) == {soft}
    # soft_a1 (1) and soft_a2 (2): district 30+20 per unit
    assert by_ind[soft]["2025-03"]["district_fen"] == (1 + 2) * 50_00
    area = analytics.monthly_totals(world["area_officer"], ["2025-03"], by="area")
    assert set(area) == {world["areas"]["a2"].id}
    assert area[world["areas"]["a2"].id]["2025-03"]["district_fen"] == (2 + 4 + 5) * 50_00
    assert analytics.monthly_totals(world["outsider"], ["2025-03"]) == {}


def test_reclassification_applies_to_history(world):
    fill(world)
    soft, health = world["industries"]["soft"], world["industries"]["health"]
    ent = world["enterprises"]["other_a2"]
    before = analytics.monthly_totals(world["admin"], ["2024-03"], by="industry")
    ent.key_industry = health
    ent.save()
    after = analytics.monthly_totals(world["admin"], ["2024-03"], by="industry")
    assert (
        after[health.id]["2024-03"]["district_fen"]
        == before[health.id]["2024-03"]["district_fen"] + 5 * 50_00 // 2
    )
    assert after[soft.id] == before[soft.id]


def test_linking_an_unmatched_taxpayer_moves_its_money_without_reimport(world):
    fill(world)
    ent = world["enterprises"]["soft_a1"]
    series_before = analytics.enterprise_series(world["admin"], ["2025-03"], [ent.id])
    TaxpayerLink.objects.create(taxpayer_id="310107123456789", status="linked", enterprise=ent)
    series_after = analytics.enterprise_series(world["admin"], ["2025-03"], [ent.id])
    assert (
        series_after[ent.id]["2025-03"]["district_fen"]
        == series_before[ent.id]["2025-03"]["district_fen"] + 3_00
    )


def test_service_staff_sees_only_assigned_enterprises(world):
    from peiyu.testing.factories import UserFactory

    fill(world)
    staff = UserFactory(username="svc", role="service")
    ent = world["enterprises"]["health_a2"]
    ent.liaison = staff
    ent.save()
    series = analytics.enterprise_series(staff, ["2025-03"])
    assert set(series) == {ent.id}
    totals = analytics.monthly_totals(staff, ["2025-03"])
    assert totals[None]["2025-03"]["district_fen"] == 4 * 50_00


def test_queries_cannot_reach_unscoped_tables(world):
    fill(world)
    runner = analytics.Runner(world["outsider"])
    sql, params = runner.sql("SELECT sum(district_fen) FROM {em}")
    assert "FALSE" in sql
    assert runner.rows("SELECT count(*) FROM {r2}") == [(0,)]


def test_sql_transpiles_to_spark(world):
    fill(world)
    sql, _ = analytics.Runner(world["admin"]).sql(
        "SELECT month, sum(district_fen)::BIGINT FROM {r2} GROUP BY month"
    )
    spark = to_dialect(sql, "spark")
    assert "CAST(SUM(DISTRICT_FEN) AS BIGINT)" in spark.upper()
    assert "::" not in spark
