"""The 租税联动 calculator (increment, caps per m² and per firm, qualification) and the incubator
evaluation (weighting, grading, support cap, 公示 before results are final)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peiyu.accounts.scope import EVERYTHING
from peiyu.carriers import actions, evaluation, rent
from peiyu.carriers.models import Indicator, Kind, RentRule, Scheme, Source, Status
from peiyu.carriers.tests.factories import building, tenant
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db


def _rule(**kw):
    RentRule.objects.all().delete()
    data = {
        "name": "规则",
        "base_year": 2024,
        "pct": Decimal(50),
        "cap_per_m2_yuan": Decimal(1000),
        "cap_per_firm_fen": 1_000_000_00,  # 100 万元
        "min_area_m2": Decimal(300),
        "key_industry_only": True,
    }
    data.update(kw)
    return RentRule.objects.create(**data)


def _months(world, year, district_by_key):
    for m in range(1, 4):
        put_month(
            f"{year}-{m:02d}",
            [
                (e.credit_code, e.name, "增值税", d * 2, d)
                for k, e in world["enterprises"].items()
                if (d := district_by_key.get(k, 0))
            ],
        )


@pytest.fixture
def leased(world):
    b = building("联动大厦", world["areas"]["a2"], gross=50000, leasable=40000)
    ents = world["enterprises"]
    tenant(b, ents["soft_a2"], "2023-01-01", area=1000)  # key industry, big lease
    tenant(b, ents["health_a2"], "2023-01-01", area=100)  # too small
    tenant(b, ents["other_a2"], "2023-01-01", area=2000)  # not a key industry
    # base year 2024: 10 万元 区级 a month; 2025: 50 万元 a month (increment 120 万元 over 3 months)
    _months(world, 2024, {"soft_a2": 10_000_000, "health_a2": 1_000_000, "other_a2": 1_000_000})
    _months(world, 2025, {"soft_a2": 50_000_000, "health_a2": 9_000_000, "other_a2": 9_000_000})
    return b


def _by_name(rows):
    return {r.enterprise.name: r for r in rows}


def test_rent_support_is_a_share_of_the_increment_with_caps(world, leased):
    rows = _by_name(rent.calculate(EVERYTHING, _rule(), 2025))
    soft = rows["上海桃浦软件有限公司"]
    assert soft.tax_fen == 150_000_000 and soft.base_fen == 30_000_000
    assert soft.increment_fen == 120_000_000
    # 50 % of 120 万元 = 60 万元; cap per m² 1000 元 × 1000 ㎡ = 100 万元; firm cap 100 万元 → 60 万元
    assert soft.qualifies and soft.support_fen == 60_000_000
    small = rows["上海桃浦医院管理有限公司"]
    assert not small.qualifies and small.support_fen == 0 and "低于" in "；".join(small.reasons)
    trade = rows["上海桃浦贸易有限公司"]
    assert not trade.qualifies and "非重点产业企业" in trade.reasons


def test_rent_caps_per_m2_and_per_firm(world, leased):
    rows = _by_name(rent.calculate(EVERYTHING, _rule(cap_per_m2_yuan=Decimal(400)), 2025))
    assert rows["上海桃浦软件有限公司"].support_fen == 400 * 1000 * 100  # 40 万元
    rows = _by_name(rent.calculate(EVERYTHING, _rule(cap_per_firm_fen=25_000_000), 2025))
    soft = rows["上海桃浦软件有限公司"]
    assert soft.support_fen == 25_000_000 and any("单个企业上限" in r for r in soft.reasons)


def test_rent_only_counts_tax_while_a_tenant_and_follows_the_scope(world, leased):
    t = leased.tenancies.get(enterprise=world["enterprises"]["soft_a2"])
    t.move_in = dt.date(2025, 2, 10)  # February and March of 2025 only
    t.save()
    rows = _by_name(rent.calculate(EVERYTHING, _rule(), 2025))
    assert rows["上海桃浦软件有限公司"].tax_fen == 100_000_000
    # an industry officer (智能软件) sees only software firms
    rows = _by_name(rent.calculate(world["industry_officer"], _rule(), 2025))
    assert set(rows) == {"上海桃浦软件有限公司"}


def _scheme(year=2024, **kw):
    scheme = Scheme.objects.create(year=year, **kw)
    Indicator.objects.bulk_create(evaluation.default_indicators(scheme))
    return scheme


def test_default_weights_add_up_to_100_in_four_groups():
    scheme = _scheme()
    inds = list(scheme.indicators.all())
    assert sum(i.weight for i in inds) == 100
    assert {i.group for i in inds} == {"capacity", "results", "sustain", "innovation"}


def test_score_is_weighted_and_capped_at_full_marks():
    scheme = _scheme()
    a, b = list(scheme.indicators.all())[:2]  # 10 and 8 points
    others = list(scheme.indicators.all())[2:]
    pairs = [(a, a.full_at * 2), (b, b.full_at / 2)] + [(i, None) for i in others]
    assert evaluation.score_of(pairs) == Decimal("14.00")  # 10 (capped) + 4
    # weights that do not add up to 100 are normalised
    x = Indicator(weight=Decimal(3), full_at=Decimal(10))
    y = Indicator(weight=Decimal(1), full_at=Decimal(10))
    assert evaluation.score_of([(x, Decimal(10)), (y, Decimal(0))]) == Decimal("75.00")


def test_grades_and_support_follow_editable_thresholds_and_cap():
    scheme = _scheme(support_a_fen=80_000_000, cap_fen=60_000_000)
    assert scheme.grade_for(Decimal("85")) == "A" and scheme.grade_for(Decimal("84.99")) == "B"
    assert scheme.grade_for(Decimal("70")) == "B" and scheme.grade_for(Decimal("69.99")) == "C"
    assert scheme.grade_for(Decimal("60")) == "C" and scheme.grade_for(Decimal("59.99")) == "D"
    assert scheme.support_for("A") == 60_000_000  # capped
    assert scheme.support_for("D") == 0
    scheme.grade_a = Decimal(90)
    assert scheme.grade_for(Decimal("85")) == "B"


@pytest.fixture
def incubator(world):
    from peiyu.carriers.models import Level

    inc = building("测试孵化器", world["areas"]["a1"], kind=Kind.INCUBATOR, level=Level.MUNICIPAL)
    ents = world["enterprises"]
    tenant(inc, ents["soft_a1"], "2023-05-01", area=50)
    tenant(inc, ents["health_a1"], "2022-01-01", "2024-06-30", area=50, graduated=True)
    for m in ("2023-03", "2024-03", "2024-09"):
        put_month(
            m,
            [
                (ents["soft_a1"].credit_code, "x", "增值税", 2_000_000, 1_000_000),
                (ents["health_a1"].credit_code, "y", "增值税", 2_000_000, 1_000_000),
            ],
        )
    return inc


def test_prefill_from_data_and_manual_values_need_evidence(world, incubator):
    admin = world["admin"]
    scheme = actions.do_create_scheme(admin, 2024)
    e = scheme.evaluations.get(incubator=incubator)
    n = actions.do_prefill_evaluation(admin, e)
    values = {v.indicator.source: v.value for v in e.values.select_related("indicator")}
    assert n >= 6
    assert values[Source.FIRMS] == 2 and values[Source.GRADUATES] == 1
    # 2024 while incubated: soft_a1 March + September, health_a1 March (left in June) = 3 × 1 万元
    assert values[Source.TAX] == Decimal("3.00") and values[Source.PAYING] == 2
    manual = scheme.indicators.filter(source=Source.MANUAL).first()
    with pytest.raises(actions.CarrierError, match="佐证"):
        actions.do_set_indicator_value(admin, e, manual, Decimal(5), evidence="")
    actions.do_set_indicator_value(admin, e, manual, Decimal(5), evidence="合同")
    result = actions.do_score_evaluation(admin, e)
    e.refresh_from_db()
    assert e.status == Status.SCORED and e.score == result.score and e.grade == result.grade


def test_publicity_comes_before_final(world, incubator):
    admin = world["admin"]
    scheme = actions.do_create_scheme(admin, 2024)
    e = scheme.evaluations.get(incubator=incubator)
    with pytest.raises(actions.CarrierError, match="须先公示"):
        actions.do_finalize_evaluation(admin, e)
    actions.do_score_evaluation(admin, e)
    monday = dt.date(2025, 3, 3)
    [moved] = actions.do_start_publicity(admin, scheme, today=monday)
    assert moved.publicity_end == dt.date(2025, 3, 10)  # five working days after Monday 3 March 2025
    e.refresh_from_db()
    assert e.status == Status.PUBLICITY
    with pytest.raises(actions.CarrierError):  # values are frozen while on display
        actions.do_score_evaluation(admin, e)
    with pytest.raises(actions.CarrierError, match="期满"):
        actions.do_finalize_evaluation(admin, e, today=dt.date(2025, 3, 10))
    actions.do_record_objection(admin, e, "异议：核实在孵企业")
    actions.do_finalize_evaluation(admin, e, today=dt.date(2025, 3, 11))
    e.refresh_from_db()
    assert e.status == Status.FINAL and "异议" in e.objection


def test_rent_export_has_the_ledger_sheet(world, leased, login):
    import io

    import openpyxl
    from django.urls import reverse

    rule = _rule()
    r = login(world["admin"]).get(reverse("carriers:rent"), {"year": 2025, "rule": rule.pk, "export": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["测算", "兑现台账"]
    ledger = [[c.value for c in row] for row in wb["兑现台账"].iter_rows()]
    header = next(row for row in ledger if row and row[0] == "统一社会信用代码")
    assert header[:5] == ["统一社会信用代码", "企业名称", "政策名称", "条款", "兑现金额（万元）"]
    codes = [row[0] for row in ledger]
    assert world["enterprises"]["soft_a2"].credit_code in codes
    assert world["enterprises"]["other_a2"].credit_code not in codes  # not qualified
