"""The demo district's tax data: exact totals, determinism, realism, and planted stories that
really satisfy the early-warning definitions (issue 6) on the stored district-level figures."""

from __future__ import annotations

import datetime as dt
import io
import json
import statistics
from pathlib import Path

import duckdb
import pytest
from django.conf import settings as dj_settings
from django.core.management import call_command

from peiyu.core.money import parse_amount_fen
from peiyu.demo import DemoContext
from peiyu.registry.models import Enterprise, EnterpriseEvent, EnterpriseStatus
from peiyu.registry.uscc import make_code
from peiyu.taxes import library
from peiyu.taxes.models import TaxBatch, TaxpayerLink
from peiyu.testing.factories import AreaFactory, EnterpriseFactory, KeyIndustryFactory

END = "2025-10"
KEY_FEN = 100_000_000  # 1,000,000 yuan of district-level tax in 12 months: a key enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    def use(name: str) -> Path:
        settings.DATA_DIR = tmp_path / name
        settings.TAX_LIBRARY_DIR = tmp_path / name / "taxlib"
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        return settings.DATA_DIR

    use("run1")
    return use


def make_registry(n: int) -> list[dict]:
    """A registry like the demo's registry step leaves it (ctx.data["enterprises"]): four key
    industries, two areas, mostly old firms, some established inside the window, some gone with
    a dated status event."""
    soft = KeyIndustryFactory(name="智能软件", slug="software", prefixes=["64", "65"])
    kinds = [
        (soft, "6511"),
        (KeyIndustryFactory(name="研发服务", slug="rnd", prefixes=["73"]), "7320"),
        (KeyIndustryFactory(name="科技金融", slug="fintech", prefixes=["66"]), "6621"),
        (KeyIndustryFactory(name="生命健康", slug="health", prefixes=["27"]), "2710"),
    ]
    areas = [
        AreaFactory(name="长寿路街道", code="310107015000"),
        AreaFactory(name="桃浦镇", code="310107103000"),
    ]
    objs = []
    for i in range(n):
        ki, code = kinds[i % 4] if i % 10 < 3 else (None, ("5137", "7010", "3311", "7212")[i % 4])
        established = dt.date(2001 + i % 17, 1 + i % 12, 1 + i % 28)
        if i % 23 == 5:
            established = dt.date(2024, 1 + i % 12, 10)  # arrivals inside the window
        status = EnterpriseStatus.CANCELLED if i % 19 == 7 else EnterpriseStatus.EXISTING
        objs.append(
            EnterpriseFactory.build(
                credit_code=make_code("91310107", f"MD{i:06d}"),
                name=f"上海演示{i:05d}有限公司",
                industry_code=code,
                area=areas[i % 2],
                key_industry=ki,
                status=status,
                established=established,
            )
        )
    Enterprise.objects.bulk_create(objs)
    ents = list(Enterprise.objects.order_by("id"))
    EnterpriseEvent.objects.bulk_create(
        EnterpriseEvent(
            enterprise=e,
            date=dt.date(2024, 6, 15),
            kind=EnterpriseEvent.Kind.STATUS,
            before="存续",
            after=e.status,
        )
        for e in ents
        if e.status == EnterpriseStatus.CANCELLED
    )
    return [
        {
            "id": e.id,
            "credit_code": e.credit_code,
            "name": e.name,
            "industry_code": e.industry_code,
            "area_id": e.area_id,
            "key_industry_id": e.key_industry_id,
            "status": e.status,
            "established": e.established,
        }
        for e in ents
    ]


def run_taxes(n: int = 300, years: int = 2, seed: int = 2021) -> DemoContext:
    from peiyu.taxes import demo as taxes

    ctx = DemoContext(enterprises=n, years=years, seed=seed, quiet=True, end_month=END)
    ctx.data["enterprises"] = make_registry(n)
    taxes.generate(ctx)
    return ctx


def facts() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    paths = library.active_fact_paths()
    con.read_parquet(paths).create_view("f")
    return con


def monthly_district(con, taxpayer_id: str, months: list[str]) -> list[int]:
    got = dict(
        con.execute(
            "SELECT month, sum(district_fen)::BIGINT FROM f WHERE taxpayer_id = ? GROUP BY 1", [taxpayer_id]
        ).fetchall()
    )
    return [int(got.get(m, 0)) for m in months]


def wipe() -> None:
    TaxBatch.objects.all().delete()
    TaxpayerLink.objects.all().delete()
    Enterprise.objects.all().delete()


def test_batches_match_parquet_to_the_fen(data_dir):
    ctx = run_taxes()
    months = ctx.months()
    batches = list(TaxBatch.objects.order_by("month"))
    assert [b.month for b in batches] == months and len(months) == 24 and months[-1] == END
    con = duckdb.connect()
    for b in batches:
        assert (b.status, b.is_active, b.version, b.layout, b.unit, b.district_source) == (
            "accepted",
            True,
            1,
            "wide",
            "元",
            "file",
        )
        assert b.file_name == f"演示数据_{b.month}.xlsx" and len(b.sha256) == 64
        assert Path(b.path) == library.fact_path(b.month, 1)
        assert f"{b.created_at:%Y-%m}" > b.month  # imported the month after
        total, district, taxpayers, batch_ids, months_in, min_row, matched = con.execute(
            "SELECT sum(total_fen)::BIGINT, sum(district_fen)::BIGINT, count(DISTINCT taxpayer_id), "
            "list(DISTINCT batch_id), list(DISTINCT month), min(source_row), "
            "count(DISTINCT taxpayer_id) FILTER (WHERE taxpayer_id IN (SELECT unnest($codes))) FROM read_parquet($p)",
            {"p": b.path, "codes": [e["credit_code"] for e in ctx.data["enterprises"]]},
        ).fetchone()
        assert (b.total_fen, b.district_fen, b.taxpayers, b.rows) == (total, district, taxpayers, taxpayers)
        assert (b.matched_enterprises, b.unmatched_taxpayers) == (matched, taxpayers - matched)
        assert batch_ids == [b.pk] and months_in == [b.month] and min_row == 4
        assert 0 < district < total
    assert ctx.summary["taxes"]["fact_rows"] == facts().execute("SELECT count(*) FROM f").fetchone()[0]


def test_same_seed_same_data_other_seed_other_data(data_dir):
    def fingerprint():
        con = facts()
        rows = con.execute(
            "SELECT month, source_row, taxpayer_id, taxpayer_name, tax_type, total_fen, district_fen FROM f ORDER BY ALL"
        ).fetchall()
        stories = json.loads((Path(dj_settings.DATA_DIR) / "demo_stories.json").read_text(encoding="utf-8"))
        return (
            list(
                TaxBatch.objects.order_by("month").values_list(
                    "month", "total_fen", "district_fen", "taxpayers"
                )
            ),
            rows,
            stories,
        )

    run_taxes(seed=7)
    first = fingerprint()
    wipe()
    data_dir("run2")
    run_taxes(seed=7)
    second = fingerprint()
    assert first == second
    wipe()
    data_dir("run3")
    run_taxes(seed=8)
    third = fingerprint()
    assert third[0] != first[0]


def test_corporate_income_tax_settles_in_may(data_dir):
    ctx = run_taxes(n=3000)
    con = facts()
    cit = dict(
        con.execute(
            "SELECT month, sum(district_fen) FROM f WHERE tax_type = '企业所得税' AND month LIKE '2024-%' GROUP BY 1"
        ).fetchall()
    )
    quiet = [cit[f"2024-{m:02d}"] for m in (2, 3, 6, 8, 9, 11, 12)]
    assert cit["2024-05"] > 2 * max(quiet)
    months = dict(
        con.execute("SELECT month, sum(district_fen) FROM f WHERE month LIKE '2024-%' GROUP BY 1").fetchall()
    )
    assert months["2024-05"] > 1.3 * statistics.median(months.values())
    # refunds are legitimate negative amounts
    assert con.execute("SELECT count(*) FROM f WHERE total_fen < 0").fetchone()[0] > 0
    assert ctx.summary["taxes"]["district_year"] == "2024"


def test_heavy_tail_and_key_industry_shares(data_dir):
    ctx = run_taxes(n=3000)
    con = facts()
    con.execute(
        "CREATE TABLE y AS SELECT taxpayer_id, sum(total_fen) AS tot, sum(district_fen) AS dis FROM f WHERE month LIKE '2024-%' GROUP BY 1"
    )
    n = len(ctx.data["enterprises"])
    top = con.execute(
        f"SELECT sum(tot) FROM (SELECT tot FROM y ORDER BY tot DESC LIMIT {n // 100})"
    ).fetchone()[0]
    all_tax = con.execute("SELECT sum(tot) FROM y").fetchone()[0]
    assert top > 0.5 * all_tax
    # most registered firms pay nothing in a given month
    payers = con.execute(f"SELECT count(DISTINCT taxpayer_id) FROM f WHERE month = '{END}'").fetchone()[0]
    assert payers < 0.5 * n
    # key industries: about a third of district tax, 智能软件 the largest
    industry = {e["credit_code"]: e["key_industry_id"] for e in ctx.data["enterprises"]}
    by_ind: dict = {}
    for tid, dis in con.execute("SELECT taxpayer_id, dis FROM y").fetchall():
        by_ind[industry.get(tid)] = by_ind.get(industry.get(tid), 0) + dis
    district = sum(by_ind.values())
    key = {k: v for k, v in by_ind.items() if k is not None}
    assert 0.25 < sum(key.values()) / district < 0.45
    from peiyu.registry.models import KeyIndustry

    assert KeyIndustry.objects.get(pk=max(key, key=key.get)).name == "智能软件"
    # the district is scaled: ~100 亿元 a year per 100,000 enterprises (stories add a little)
    yi = float(ctx.summary["taxes"]["district_yi"])
    assert 0.8 * n / 1000 < yi < 1.6 * n / 1000


def test_arrivals_departures_and_unmatched_taxpayers(data_dir):
    ctx = run_taxes()
    con = facts()
    ents = ctx.data["enterprises"]
    first = dict(con.execute("SELECT taxpayer_id, min(month) FROM f GROUP BY 1").fetchall())
    last = dict(con.execute("SELECT taxpayer_id, max(month) FROM f GROUP BY 1").fetchall())
    arrivals = [e for e in ents if e["established"] >= dt.date(2024, 1, 1) and e["credit_code"] in first]
    assert arrivals
    for e in arrivals:
        assert first[e["credit_code"]] > f"{e['established']:%Y-%m}"
    departed = [e for e in ents if e["status"] == EnterpriseStatus.CANCELLED and e["credit_code"] in last]
    assert departed
    for e in departed:
        assert last[e["credit_code"]] < "2024-06"
    # taxpayers outside the registry wait in the 待匹配 queue, with small amounts
    codes = {e["credit_code"] for e in ents}
    pending = list(TaxpayerLink.objects.filter(status=TaxpayerLink.Status.PENDING))
    assert len(pending) == ctx.summary["taxes"]["taxpayers_unmatched"] >= 3
    assert {len(p.taxpayer_id) for p in pending} >= {15, 18, 20}
    for p in pending:
        assert p.taxpayer_id not in codes and p.name
        assert (p.first_month, p.last_month) == (first[p.taxpayer_id], last[p.taxpayer_id])
    unmatched_tax = con.execute(
        "SELECT sum(total_fen) FROM f WHERE taxpayer_id IN (SELECT unnest($ids))",
        {"ids": [p.taxpayer_id for p in pending]},
    ).fetchone()[0]
    assert 0 < unmatched_tax < 0.05 * con.execute("SELECT sum(total_fen) FROM f").fetchone()[0]


def test_planted_stories_satisfy_their_definitions(data_dir):
    ctx = run_taxes()
    months = ctx.months()
    con = facts()
    truth = json.loads((Path(dj_settings.DATA_DIR) / "demo_stories.json").read_text(encoding="utf-8"))
    assert truth == ctx.data["stories"]
    planted = [s for s in truth if s["source"] == "planted"]
    assert {s["story"] for s in planted} == {
        "steady_growth",
        "sharp_decline",
        "stopped_paying",
        "moved_out",
        "spike",
    }
    for s in planted:
        x = monthly_district(con, s["credit_code"], months)
        assert Enterprise.objects.get(credit_code=s["credit_code"]).name == s["name"]
        assert sum(x[-13:-1]) >= KEY_FEN, s  # key-sized over the 12 months before the last
        a, b = x[-3:], x[-15:-12]
        median = statistics.median(x[-13:-1])
        if s["story"] == "steady_growth":
            assert s["month"] == END
            assert all(v > 0 for v in x)
            assert all(x[t] > x[t - 12] for t in range(12, len(x)))  # never below a year earlier
            assert sum(a) > 0.7 * sum(b) and x[-1] <= 5 * median
        elif s["story"] == "sharp_decline":
            assert s["month"] == END
            assert sum(a) <= 0.7 * sum(b)
            assert all(now < then for now, then in zip(a, b, strict=True))
        elif s["story"] == "stopped_paying":
            assert x[-2:] == [0, 0] and all(v > 0 for v in x[-8:-2])
            assert not con.execute(
                "SELECT count(*) FROM f WHERE taxpayer_id = ? AND month >= ?", [s["credit_code"], months[-2]]
            ).fetchone()[0]
        elif s["story"] == "moved_out":
            ent = Enterprise.objects.get(credit_code=s["credit_code"])
            assert ent.status == EnterpriseStatus.MOVED_OUT
            event = ent.events.get(kind=EnterpriseEvent.Kind.STATUS)
            assert (event.after, f"{event.date:%Y-%m}") == ("迁出", s["month"])
            assert x[-1] == 0 and x[-2] > 0
        elif s["story"] == "spike":
            assert x[-1] > 5 * median > 0
    # ground truth also lists the registry's own departures that still paid in the last 12 months
    for s in truth:
        if s["source"] == "registry":
            assert s["story"] == "moved_out"
            assert Enterprise.objects.get(credit_code=s["credit_code"]).status in ("迁出", "注销", "吊销")
            assert max(monthly_district(con, s["credit_code"], months)[-12:]) > 0


def test_sample_file_of_the_last_month_totals_to_the_stored_month(data_dir):
    import openpyxl

    ctx = run_taxes()
    path = Path(ctx.summary["taxes"]["sample_file"])
    assert path.parent == Path(dj_settings.DATA_DIR) / "demo-files" and path.exists()
    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2025年10月 普陀区重点产业企业税收明细" and rows[1][0] == "单位：元"
    header = list(rows[2])
    assert header[1:3] == ["纳税人识别号", "纳税人名称"] and header[-2:] == ["税收合计", "区级收入"]
    body, total_row = rows[3:-1], rows[-1]
    assert total_row[0] == "合计"
    batch = TaxBatch.objects.get(month=END)
    assert len(body) == batch.taxpayers
    assert sum(parse_amount_fen(r[-2]) for r in body) == parse_amount_fen(total_row[-2]) == batch.total_fen
    assert sum(parse_amount_fen(r[-1]) for r in body) == parse_amount_fen(total_row[-1]) == batch.district_fen
    # every stored fact points at its taxpayer's row in the file
    where = {r[1]: i + 4 for i, r in enumerate(body)}
    con = duckdb.connect()
    for tid, row in con.execute(
        "SELECT DISTINCT taxpayer_id, source_row FROM read_parquet(?)", [batch.path]
    ).fetchall():
        assert where[tid] == row


def test_library_changed_signal_sent_once_with_every_month(data_dir):
    from peiyu.core.signals import tax_library_changed

    calls = []

    def receiver(sender, months, **kwargs):
        calls.append(list(months))

    tax_library_changed.connect(receiver)
    try:
        ctx = run_taxes()
    finally:
        tax_library_changed.disconnect(receiver)
    assert calls == [ctx.months()]


def test_full_demo_command(data_dir):
    out = io.StringIO()
    call_command("demo", "--enterprises", "300", "--years", "2", "--end-month", END, "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "ok"
    taxes = summary["taxes"]
    assert (taxes["months"], taxes["last_month"]) == (24, END)
    assert TaxBatch.objects.filter(is_active=True).count() == 24
    con = facts()
    assert con.execute("SELECT count(*) FROM f").fetchone()[0] == taxes["fact_rows"]
    assert (
        sum(TaxBatch.objects.values_list("district_fen", flat=True))
        == con.execute("SELECT sum(district_fen) FROM f").fetchone()[0]
    )
    stories = json.loads((Path(dj_settings.DATA_DIR) / "demo_stories.json").read_text(encoding="utf-8"))
    assert sum(taxes["stories"].values()) == sum(1 for s in stories if s["source"] == "planted") >= 5
    payers = [r[0] for r in con.execute("SELECT DISTINCT taxpayer_id FROM f").fetchall()]
    assert Enterprise.objects.filter(credit_code__in=payers).count() > 50


def test_sample_file_skipped_for_a_month_with_too_many_taxpayers(data_dir, monkeypatch):
    from peiyu.taxes import demo as taxes

    monkeypatch.setattr(taxes, "EXCEL_MAX_TAXPAYERS", 10)
    ctx = run_taxes()
    note = ctx.summary["taxes"]["sample_file"]
    assert note.startswith("未生成") and str(TaxBatch.objects.get(month=END).taxpayers) in note
    assert not list((Path(dj_settings.DATA_DIR) / "demo-files").glob("*.xlsx"))
