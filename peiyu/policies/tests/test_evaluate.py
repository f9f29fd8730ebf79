"""The yearly evaluation on a generated world with a planted effect: recipients grow 30%, matched
non-recipients 10% (same industry and size band), while firms of another size band and of another
industry — and a firm supported in another year — grow differently and must not move the comparison."""

import json
import random

import pytest
from django.core.management import call_command

from peiyu.accounts import scope
from peiyu.policies import evaluate
from peiyu.policies.tests.helpers import WAN, clause, paid, policy, tax_year
from peiyu.testing.factories import EnterpriseFactory, KeyIndustryFactory


@pytest.fixture
def planted(world):
    health = world["industries"]["health"]
    retail = KeyIndustryFactory(name="商贸服务", slug="trade")
    area = world["areas"]["a2"]
    rng = random.Random(7)

    def firms(n, industry, prefix):
        return [
            EnterpriseFactory(name=f"上海{prefix}{i:03d}有限公司", key_industry=industry, area=area)
            for i in range(n)
        ]

    recipients = firms(10, health, "受益医药")
    peers = firms(40, health, "同业医药")
    big = firms(10, health, "大型医药")
    other = firms(20, retail, "商贸")
    helped_before = firms(1, health, "往年受益")[0]
    before, after = {}, {}
    for i, f in enumerate(recipients):
        before[f] = (80 + i) * WAN  # 80–89 万: band 50–200 万
        after[f] = before[f] * 13 // 10
    for i, f in enumerate(peers):
        before[f] = (60 + i * 3) * WAN
        after[f] = before[f] * 11 // 10
    for f in big:
        before[f] = 5000 * WAN
        after[f] = before[f] * 8 // 10  # big firms shrink 20%
    for f in other:
        before[f] = (60 + rng.randint(0, 100)) * WAN
        after[f] = before[f] * 2  # another industry doubles
    before[helped_before], after[helped_before] = 100 * WAN, 300 * WAN
    tax_year(2020, before)
    tax_year(2022, after)
    p = policy(world, name="生命健康产业专项政策")
    c = clause(p)
    for f in recipients:
        paid(c, f, 2021, 20 * WAN)
    paid(clause(policy(world, name="往年政策"), "开办补贴"), helped_before, 2019, 5 * WAN)
    return {"policy": p, "recipients": recipients, "before": before, "after": after}


def test_planted_effect_is_recovered(planted):
    ev = evaluate.evaluate(scope.EVERYTHING, 2021)
    (row,) = [p for p in ev.policies if p.name == "生命健康产业专项政策"]
    assert row.recipients == 10 and row.paid_fen == 200 * WAN
    assert row.tax_before_fen == sum(planted["before"][f] for f in planted["recipients"])
    assert row.tax_after_fen == sum(planted["after"][f] for f in planted["recipients"])
    assert row.recipients_growth_pct == 30.0
    assert row.comparison_growth_pct == 10.0
    assert row.effect_pp == 20.0
    assert row.comparison_firms == 40
    # extra tax: 20% of 845 万 = 169 万 on 200 万 paid
    assert row.extra_tax_fen == 169 * WAN and row.return_per_yuan == 0.85
    assert row.effect_low_pp is not None and row.effect_low_pp <= 20.0 <= row.effect_high_pp


def test_noisy_effect_within_its_interval(world):
    health = world["industries"]["health"]
    rng = random.Random(11)
    area = world["areas"]["a1"]
    before, after = {}, {}
    rec = []
    for i in range(60):
        f = EnterpriseFactory(name=f"上海噪声受益{i:03d}有限公司", key_industry=health, area=area)
        before[f] = rng.randint(60, 190) * WAN
        after[f] = int(before[f] * (1.25 + rng.uniform(-0.15, 0.15)))
        rec.append(f)
    for i in range(200):
        f = EnterpriseFactory(name=f"上海噪声同业{i:03d}有限公司", key_industry=health, area=area)
        before[f] = rng.randint(60, 190) * WAN
        after[f] = int(before[f] * (1.05 + rng.uniform(-0.15, 0.15)))
    tax_year(2020, before)
    tax_year(2022, after)
    c = clause(policy(world))
    for f in rec:
        paid(c, f, 2021, 10 * WAN)
    (row,) = evaluate.evaluate(scope.EVERYTHING, 2021).policies
    assert 17 <= row.effect_pp <= 23  # planted: 20 pp
    assert row.effect_low_pp < row.effect_pp < row.effect_high_pp
    assert row.effect_high_pp - row.effect_low_pp < 10


def test_command_prints_the_interface(planted, capsys):
    call_command("policies", "evaluate", "--year", "2021", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2021
    row = next(p for p in out["policies"] if p["name"] == "生命健康产业专项政策")
    for key in (
        "name",
        "recipients",
        "paid_fen",
        "tax_before_fen",
        "tax_after_fen",
        "recipients_growth_pct",
        "comparison_growth_pct",
        "effect_pp",
    ):
        assert key in row
    assert (row["recipients"], row["paid_fen"], row["effect_pp"]) == (10, 200 * WAN, 20.0)
    assert isinstance(row["paid_fen"], int)
    call_command("policies", "evaluate", "--year", "2021")
    assert "成效估计 +20.0 个百分点" in capsys.readouterr().out


def test_evaluation_is_scoped(planted, world):
    # the software officer sees none of the health recipients
    assert evaluate.evaluate(world["industry_officer"], 2021).policies == []
    (row,) = [p for p in evaluate.evaluate(world["department"], 2021).policies if p.recipients]
    assert row.recipients == 10
