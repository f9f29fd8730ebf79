"""Aggregates over a known library: totals per persona, 累计/同比/环比 math, decomposition, top-N,
composition, tracing to the batch and source row, and cheap-but-safe invalidation."""

from __future__ import annotations

import random
import re

import pytest

from peiyu.analytics import get_engine, queries, to_dialect, use_engine
from peiyu.analytics.sql import prepare
from peiyu.analytics.testing import RecordingEngine
from peiyu.core.money import growth_pct
from peiyu.taxes import analytics, rollups
from peiyu.taxes.tests.taxdata import UNMATCHED_ID, U, district, fill, total, unmatched

pytestmark = pytest.mark.django_db(transaction=True)

M = "2025-03"


def keys_total(keys, year, months=(1, 2, 3)):
    return sum(total(k, year, months) for k in keys)


def test_district_stats_for_admin_include_unmatched(world):
    fill(world)
    stats = analytics.industry_stats(world["admin"], M)
    everyone = ["soft_a1", "soft_a2", "health_a1", "health_a2", "other_a2"]
    d = stats["district"]
    assert stats["month"] == M
    assert d["ytd_total_fen"] == keys_total(everyone, 2025) + unmatched(2025)
    assert d["ytd_fen"] == district(keys_total(everyone, 2025) + unmatched(2025))
    assert d["prev_ytd_fen"] == district(keys_total(everyone, 2024) + unmatched(2024))
    assert d["month_fen"] == district(keys_total(everyone, 2025, (3,)) + unmatched(2025, (3,)))
    assert d["yoy_pct"] == growth_pct(d["ytd_fen"], d["prev_ytd_fen"])
    # taxpayers in March 2025: soft_a1, soft_a2, health_a2, other_a2, the unmatched taxpayer
    assert d["taxpayers"] == 5
    soft = next(i for i in stats["industries"] if i["name"] == "智能软件")
    assert soft["ytd_fen"] == district(keys_total(["soft_a1", "soft_a2"], 2025))
    assert soft["prev_ytd_fen"] == district(keys_total(["soft_a1", "soft_a2"], 2024))
    # (270 / 300 − 1) × 100 = −10.0
    assert soft["yoy_pct"] == -10.0
    assert soft["taxpayers"] == 2
    names = {o["name"] for o in stats["others"]}
    assert names == {analytics.NO_INDUSTRY, analytics.UNMATCHED}
    parts = sum(i["ytd_fen"] for i in stats["industries"]) + sum(o["ytd_fen"] for o in stats["others"])
    assert parts == d["ytd_fen"]


@pytest.mark.parametrize(
    "persona, keys, industries",
    [
        ("industry_officer", ["soft_a1", "soft_a2"], {"智能软件"}),
        ("area_officer", ["soft_a2", "health_a2", "other_a2"], {"智能软件", "生命健康"}),
        ("outsider", [], set()),
    ],
)
def test_stats_per_persona_see_only_their_scope(world, persona, keys, industries):
    fill(world)
    stats = analytics.industry_stats(world[persona], M)
    assert {i["name"] for i in stats["industries"]} == industries
    assert stats["district"]["ytd_fen"] == district(keys_total(keys, 2025))
    assert stats["district"]["ytd_total_fen"] == keys_total(keys, 2025)
    assert all(o["name"] != analytics.UNMATCHED for o in stats["others"])


def test_mom_and_month_yoy(world):
    fill(world)
    jan = analytics.industry_stats(world["industry_officer"], "2025-01")
    soft = jan["industries"][0]
    # January 2025 against December 2024 (only soft_a1 paid 90 then)
    assert soft["prev_month_fen"] == district(90 * U)
    assert soft["month_fen"] == district(270 * U)
    assert soft["mom_pct"] == 200.0
    assert soft["month_last_year_fen"] == district(300 * U)
    assert soft["month_yoy_pct"] == -10.0
    # 累计 only counts January..month: the December payment is not in 2024's Jan–Jan window
    assert soft["prev_ytd_fen"] == district(300 * U)


def test_latest_month_is_default_and_bad_months_are_refused(world):
    fill(world)
    assert analytics.industry_stats(world["admin"])["month"] == "2025-03"
    with pytest.raises(analytics.AnalyticsError, match="格式不正确"):
        analytics.resolve_month("2025-13")
    with pytest.raises(analytics.MonthNotAvailable, match="没有 2030-01"):
        analytics.resolve_month("2030-01")


def test_area_drill_down_adds_up(world):
    fill(world)
    soft = world["industries"]["soft"].id
    rows = analytics.area_stats(world["admin"], M, industry_id=soft)
    assert [r["name"] for r in rows] == ["长寿路街道", "桃浦镇"]
    assert sum(r["ytd_fen"] for r in rows) == district(keys_total(["soft_a1", "soft_a2"], 2025))
    # the area officer drilling into the same industry sees only their area
    rows = analytics.area_stats(world["area_officer"], M, industry_id=soft)
    assert [r["name"] for r in rows] == ["桃浦镇"]
    by_ind = analytics.industry_breakdown(world["admin"], M, area_id=world["areas"]["a2"].id)
    assert {r["name"] for r in by_ind} == {"智能软件", "生命健康", analytics.NO_INDUSTRY}


def test_decomposition_parts_are_exact(world):
    fill(world)
    dec = analytics.decomposition(world["admin"], M, top=5)
    parts = {p["key"]: p for p in dec["parts"]}
    assert parts["new"]["fen"] == district(total("health_a2", 2025))
    assert parts["new"]["enterprises"] == 1
    assert parts["lost"]["fen"] == -district(total("health_a1", 2024))
    assert parts["up"]["fen"] == district(150 * U + 0 + 6 * U)  # soft_a1, other_a2 (unchanged), unmatched
    assert parts["up"]["enterprises"] == 3
    assert parts["down"]["fen"] == -district(240 * U)
    assert sum(p["fen"] for p in dec["parts"]) == dec["change_fen"] == dec["ytd_fen"] - dec["prev_ytd_fen"]
    stats = analytics.industry_stats(world["admin"], M)["district"]
    assert (dec["ytd_fen"], dec["prev_ytd_fen"]) == (stats["ytd_fen"], stats["prev_ytd_fen"])
    assert [t["name"] for t in parts["down"]["top"]] == [world["enterprises"]["soft_a2"].name]
    # scoped: the industry officer's decomposition is soft only, and still adds up
    dec = analytics.decomposition(world["industry_officer"], M)
    assert {p["key"]: p["fen"] for p in dec["parts"]} == {
        "new": 0,
        "lost": 0,
        "up": district(150 * U),
        "down": -district(240 * U),
    }


def test_decomposition_adds_up_on_random_data(world):
    from peiyu.testing.taxlib import put_month

    rng = random.Random(7)
    ents = list(world["enterprises"].values())
    for month in ("2024-01", "2024-02", "2025-01", "2025-02"):
        rows = []
        for e in ents + [None, None]:
            if rng.random() < 0.35:
                continue
            code = e.credit_code if e else f"LEGACY{rng.randint(1, 4)}"
            amount = rng.randint(-50_000, 9_000_000)
            rows.append(
                (code, e.name if e else "旧识别号", rng.choice(["增值税", "印花税"]), amount, amount * 3 // 7)
            )
        put_month(month, rows)
    for who in ("admin", "industry_officer", "area_officer"):
        dec = analytics.decomposition(world[who], "2025-02")
        assert sum(p["fen"] for p in dec["parts"]) == dec["ytd_fen"] - dec["prev_ytd_fen"]
        stats = analytics.industry_stats(world[who], "2025-02")["district"]
        assert dec["ytd_fen"] == stats["ytd_fen"] and dec["prev_ytd_fen"] == stats["prev_ytd_fen"]


def test_enterprise_rows_scope_sort_paging_search(world):
    fill(world)
    res = analytics.enterprise_rows(world["admin"], M)
    codes = [r["credit_code"] for r in res["rows"]]
    assert res["count"] == 6 and UNMATCHED_ID in codes
    assert [r["ytd_fen"] for r in res["rows"]] == sorted((r["ytd_fen"] for r in res["rows"]), reverse=True)
    first = res["rows"][0]
    assert first["credit_code"] == world["enterprises"]["soft_a1"].credit_code
    assert first["key_industry"] == "智能软件" and first["area"] == "长寿路街道"
    assert first["yoy_pct"] == 50.0
    assert res["sums"]["ytd_fen"] == analytics.industry_stats(world["admin"], M)["district"]["ytd_fen"]
    page2 = analytics.enterprise_rows(world["admin"], M, limit=4, offset=4)
    assert page2["count"] == 6 and [r["credit_code"] for r in page2["rows"]] == codes[4:]
    mine = analytics.enterprise_rows(world["industry_officer"], M)
    assert {r["credit_code"] for r in mine["rows"]} == {
        world["enterprises"]["soft_a1"].credit_code,
        world["enterprises"]["soft_a2"].credit_code,
    }
    found = analytics.enterprise_rows(world["admin"], M, q="桃浦医院")
    assert [r["name"] for r in found["rows"]] == ["上海桃浦医院管理有限公司"]
    assert analytics.enterprise_rows(world["admin"], M, q="%")["count"] == 0  # LIKE wildcards are literal
    by_name = analytics.enterprise_rows(world["admin"], M, sort="name")
    assert [r["name"] for r in by_name["rows"]] == sorted(r["name"] for r in by_name["rows"])
    assert analytics.enterprise_rows(world["outsider"], M)["count"] == 0


def test_top_and_concentration(world):
    fill(world)
    top = analytics.top_enterprises(world["admin"], M, n=2)
    assert [r["name"] for r in top["rows"]] == ["上海长寿软件有限公司", "上海桃浦软件有限公司"]
    # six taxpayers in all, so the top ten are everyone: 100 %
    assert top["top10_share_pct"] == 100.0
    top1 = analytics.top_enterprises(world["admin"], M, n=1, industry_id=world["industries"]["soft"].id)
    assert top1["rows"][0]["share_pct"] == round(450 / 810 * 100, 1)


def test_tax_type_composition_adds_up(world):
    fill(world)
    rows = analytics.tax_types(world["admin"], M)
    assert {r["tax_type"] for r in rows} == {"增值税", "企业所得税"}
    assert (
        sum(r["ytd_fen"] for r in rows) == analytics.industry_stats(world["admin"], M)["district"]["ytd_fen"]
    )
    soft_rows = analytics.tax_types(world["industry_officer"], M)
    assert sum(r["ytd_total_fen"] for r in soft_rows) == keys_total(["soft_a1", "soft_a2"], 2025)


def test_monthly_compare(world):
    fill(world)
    cmp = analytics.monthly_compare(world["industry_officer"], M)
    assert cmp["this_year"][:3] == [district(270 * U)] * 3 and cmp["this_year"][3] is None
    assert cmp["last_year"][11] == district(90 * U)


def test_enterprise_monthly_traces_to_batches(world):
    from peiyu.taxes.models import TaxBatch

    fill(world)
    ent = world["enterprises"]["health_a2"]
    series = analytics.enterprise_monthly(world["admin"], ent.id, M)
    march = series["rows"][2]
    assert march["district_fen"] == district(80 * U // 2) + 2 * district(80 * U // 4) + district(-10 * U)
    batch = TaxBatch.objects.get(month=M, is_active=True)
    assert march["sources"] == [
        {
            "batch_id": batch.pk,
            "file_name": "税收_2025-03.xlsx",
            "version": 1,
            "rows": 4,
            "first_row": march["sources"][0]["first_row"],
            "last_row": march["sources"][0]["last_row"],
        }
    ]
    assert series["rows"][3]["district_fen"] is None  # April 2025 is not in the library yet
    assert series["ytd_fen"] == sum(r["district_fen"] or 0 for r in series["rows"])
    # outside the scope: nothing at all
    assert all(
        not r["sources"] for r in analytics.enterprise_monthly(world["industry_officer"], ent.id, M)["rows"]
    )


def test_every_registered_query_runs_and_its_sql_transpiles_to_spark(world, settings):
    """Run every registered analytics query with its sample parameters, as a district-wide user
    and as an area officer, recording every statement the queries and the rollup builder send to
    the engine; each query sends at least one, and every statement transpiles to Spark SQL."""
    settings.PEIYU_DATA_CACHE = False  # every call must reach the engine, not the result cache
    fill(world)
    registered = queries()
    assert {"taxes.industry_stats", "taxes.decomposition", "alerts.window_sums"} <= set(registered)
    rec = RecordingEngine(get_engine("duckdb"))
    with use_engine(rec):
        for name, q in registered.items():
            samples = q.sample_params()
            assert samples, f"{name} has no sample parameters on the test library"
            for params in samples:
                for who in (world["admin"], world["area_officer"]):
                    before = len(rec.statements)
                    q(who, **params)
                    assert len(rec.statements) > before, f"{name}{params} sent no SQL"
    assert any(method == "copy_to_parquet" for method, _, _ in rec.statements)  # the rollups too
    assert all("{" not in sql for sql in rec.sql)
    for sql in rec.sql:
        spark = to_dialect(sql, "spark")
        assert "::" not in spark and re.search(r"\bSELECT\b", spark.upper())


def test_invalidation_is_cheap_and_safe(world):
    from peiyu.core.signals import dimension_changed
    from peiyu.registry.models import Enterprise
    from peiyu.testing.factories import EnterpriseFactory

    fill(world)
    key0 = rollups.current().key
    assert rollups.current().key == key0  # nothing changed, nothing rebuilt
    ent = world["enterprises"]["other_a2"]
    ent.key_industry = world["industries"]["soft"]
    ent.save()  # post_save bumps the generation
    key1 = rollups.current().key
    assert key1 != key0
    soft = analytics.industry_stats(world["admin"], M)["industries"][0]
    assert soft["ytd_fen"] == district(keys_total(["soft_a1", "soft_a2", "other_a2"], 2025))
    # bulk paths: queryset.update() sends no post_save; the contract is dimension_changed on commit
    Enterprise.objects.filter(pk=ent.pk).update(key_industry=None)
    dimension_changed.send(sender=Enterprise)
    key2 = rollups.current().key
    assert key2 != key1
    # bulk_create sends nothing at all: MAX(id) and COUNT(*) catch it
    Enterprise.objects.bulk_create([EnterpriseFactory.build(area=world["areas"]["a1"])])
    assert rollups.current().key != key2


def test_engine_inlines_only_plainly_safe_parameters(world):
    sql, bound = prepare(
        "SELECT $m, $n, $ids, $q, $flag, $m",
        {"m": "2025-03", "n": 7, "ids": [1, 2], "q": "x' OR 1=1 --", "flag": True},
    )
    assert sql == "SELECT '2025-03', 7, [1, 2], $q, TRUE, '2025-03'"
    assert bound == {"q": "x' OR 1=1 --"}
    assert get_engine().rows(sql, bound) == [("2025-03", 7, [1, 2], "x' OR 1=1 --", True, "2025-03")]
    fill(world)
    assert analytics.enterprise_rows(world["admin"], M, q="' OR 1=1 --")["count"] == 0


def test_rollups_are_incremental_and_content_addressed(world):
    import os

    from peiyu.testing.taxlib import put_month

    fill(world)
    snap = rollups.current()
    part_dir = os.path.join(os.path.dirname(snap.dim_path), "part")
    before = {name: os.stat(os.path.join(part_dir, name)).st_ino for name in os.listdir(part_dir)}
    e = world["enterprises"]["soft_a1"]
    put_month("2025-04", [(e.credit_code, e.name, "增值税", 1000, 400)])
    snap2 = rollups.current()
    after = {name: os.stat(os.path.join(part_dir, name)).st_ino for name in os.listdir(part_dir)}
    assert set(after) - set(before) == {"r1-2025-04-v1.parquet", "r2-2025-04-v1.parquet"}
    assert all(after[name] == ino for name, ino in before.items())  # earlier months not rebuilt
    assert snap2.dim_path == snap.dim_path
    # an edit that does not touch the dimension: new key, same content, same rollups
    e.address = "上海市普陀区某路 1 号"
    e.save()
    snap3 = rollups.current()
    assert snap3.key != snap2.key and snap3.r2_path == snap2.r2_path
    # an edit that does: new content
    e.key_industry = world["industries"]["health"]
    e.save()
    snap4 = rollups.current()
    assert snap4.dim_path != snap3.dim_path
    assert analytics.industry_stats(world["admin"], "2025-04")["industries"][1]["month_fen"] == 400


def test_industry_stats_read_only_the_rollup(world):
    """The API's hot query must not touch the facts or the enterprise-month files (district-wide,
    industry and area scopes alike): it reads the r2 rollup, a few rows per month."""
    fill(world)
    analytics.industry_stats(world["admin"], M)  # build everything first
    rec = RecordingEngine(get_engine())
    with use_engine(rec):
        for who in ("admin", "industry_officer", "area_officer"):
            analytics.industry_stats(world[who], M)
    seen = rec.sql
    assert len(seen) == 3
    for sql in seen:
        assert "r2.parquet" in sql and "/facts/" not in sql and "/em/" not in sql


def test_deleting_an_enterprise_invalidates(world):
    fill(world)
    key = rollups.current().key
    world["enterprises"]["other_a2"].delete()
    assert rollups.current().key != key
    stats = analytics.industry_stats(world["admin"], M)
    # its tax is still real money, now counted as an unmatched taxpayer
    unmatched = next(o for o in stats["others"] if o["name"] == analytics.UNMATCHED)
    assert unmatched["ytd_total_fen"] == 7 * 3 * 100_00 + 10 * 3 * 100_00
