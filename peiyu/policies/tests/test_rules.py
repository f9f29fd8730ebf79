"""Eligibility rules as data: each field and operator, missing figures, the firm's status, and the
eligible list decided over the registry and the tax library."""

import datetime as dt

import pytest

from peiyu.accounts import scope
from peiyu.policies import actions, rules
from peiyu.policies.tests.helpers import WAN, clause, policy, tax_year


def facts(**kw):
    base = {
        "enterprise_id": 1,
        "status": "存续",
        "key_industry": "health",
        "area": "桃浦镇",
        "industry_code": "2710",
        "established": dt.date(2015, 7, 1),
        "is_key": False,
        "tax_last_year": 120 * WAN,
        "tax_year_before": 100 * WAN,
        "year": 2021,
    }
    base.update(kw)
    return rules.Facts(**base)


def test_every_condition_holds():
    conds = rules.validate(
        [
            {"field": "key_industry", "op": "in", "value": ["health"]},
            {"field": "area", "op": "in", "value": ["桃浦镇"]},
            {"field": "industry_code", "op": "prefix", "value": ["27"]},
            {"field": "tax_last_year", "op": ">=", "value": 100 * WAN},
            {"field": "tax_growth", "op": ">=", "value": 20},
            {"field": "age", "op": ">=", "value": 5},
            {"field": "is_key", "op": "is", "value": False},
        ]
    )
    d = rules.decide(conds, facts())
    assert d.eligible, d.failed
    assert d.basis["上年区级税收"] == "120.00 万元"
    assert d.basis["上年区级税收增长（%）"] == "20.0"
    assert d.basis["成立年限（年）"] == "5"


@pytest.mark.parametrize(
    ("cond", "kw"),
    [
        ({"field": "tax_last_year", "op": ">=", "value": 100 * WAN}, {"tax_last_year": 100 * WAN - 1}),
        ({"field": "tax_last_year", "op": ">=", "value": 100 * WAN}, {"tax_last_year": None}),
        ({"field": "tax_growth", "op": ">", "value": 20}, {}),
        ({"field": "tax_growth", "op": ">=", "value": 0}, {"tax_year_before": 0}),
        ({"field": "age", "op": "<=", "value": 4}, {}),
        ({"field": "key_industry", "op": "in", "value": ["software"]}, {}),
        ({"field": "key_industry", "op": "any"}, {"key_industry": None}),
        ({"field": "industry_code", "op": "prefix", "value": ["65"]}, {}),
        ({"field": "area", "op": "in", "value": ["长寿路街道"]}, {}),
        ({"field": "is_key", "op": "is", "value": True}, {}),
    ],
)
def test_a_failed_condition_is_explained(cond, kw):
    d = rules.decide(rules.validate([cond]), facts(**kw))
    assert not d.eligible
    assert d.failed[0].startswith("不满足：")


def test_a_firm_gone_from_the_district_is_never_eligible():
    d = rules.decide([], facts(status="迁出"))
    assert not d.eligible and "迁出" in d.failed[0]


def test_age_counts_whole_years_to_the_end_of_last_year():
    assert facts(established=dt.date(2016, 1, 1)).age == 4
    assert facts(established=dt.date(2015, 12, 31)).age == 5


@pytest.mark.parametrize(
    "bad",
    [
        [{"field": "revenue", "op": ">=", "value": 1}],
        [{"field": "tax_last_year", "op": "in", "value": [1]}],
        [{"field": "tax_last_year", "op": ">=", "value": "很多"}],
        [{"field": "area", "op": "in", "value": "桃浦镇"}],
        {"field": "age"},
    ],
)
def test_undecidable_conditions_are_refused(bad):
    with pytest.raises(rules.RuleError):
        rules.validate(bad)


def test_eligible_list_from_the_tax_library(world):
    e = world["enterprises"]
    tax_year(2019, {e["health_a1"]: 80 * WAN, e["health_a2"]: 100 * WAN, e["soft_a1"]: 500 * WAN})
    tax_year(2020, {e["health_a1"]: 130 * WAN, e["health_a2"]: 105 * WAN, e["soft_a1"]: 900 * WAN})
    c = clause(
        policy(world),
        conditions=rules.validate(
            [
                {"field": "key_industry", "op": "in", "value": ["health"]},
                {"field": "tax_last_year", "op": ">=", "value": 100 * WAN},
                {"field": "tax_growth", "op": ">=", "value": 10},
            ]
        ),
        rate_pct=10,
        cap_fen=10 * WAN,
        auto=True,
    )
    rows = actions.eligible_rows(scope.EVERYTHING, c, 2021)
    assert [r["enterprise"].pk for r in rows] == [e["health_a1"].pk]  # a2 grew 5%, soft is not health
    assert rows[0]["amount_fen"] == 10 * WAN  # 10% of 130 万 = 13 万, capped at 10 万
    assert rows[0]["basis"]["上年区级税收增长（%）"] == "62.5"
    # scoped: the industry officer (software) sees nobody on this list
    assert actions.eligible_rows(world["industry_officer"], c, 2021) == []


def test_listing_free_of_application_and_confirming(world):
    e = world["enterprises"]
    tax_year(2020, {e["health_a1"]: 130 * WAN, e["health_a2"]: 50 * WAN})
    c = clause(
        policy(world),
        conditions=[{"field": "tax_last_year", "op": ">=", "value": 100 * WAN}],
        fixed_fen=20 * WAN,
        auto=True,
        commitment_years=5,
    )
    res = actions.do_list_eligible(world["admin"], c, 2021)
    assert (res.eligible, res.listed) == (1, 1)
    again = actions.do_list_eligible(world["admin"], c, 2021)
    assert (again.listed, again.already) == (0, 1)
    award = c.awards.get()
    assert award.status == "eligible" and award.item.kind == "policies.award"
    dept = world["department"]
    award = actions.do_advance_award(dept, award, "publicity", on=dt.date(2021, 3, 1))
    assert award.status == "publicity" and award.publicity_end == dt.date(2021, 3, 8)
    with pytest.raises(actions.ActionError, match="公示期"):
        actions.do_advance_award(dept, award, "approved", on=dt.date(2021, 3, 5))
    award = actions.do_advance_award(dept, award, "approved", on=dt.date(2021, 3, 8))
    award = actions.do_advance_award(dept, award, "paid", on=dt.date(2021, 4, 2))
    award.refresh_from_db()
    assert award.status == "paid" and award.paid_on == dt.date(2021, 4, 2) and not award.item.is_open
    # the leader reads it and may do nothing
    other = actions.do_apply_award(dept, c, e["health_a2"], year=2021, amount_fen=5 * WAN)
    with pytest.raises(actions.ActionError):
        actions.do_advance_award(world["leader"], other, "publicity")


def test_auto_clause_needs_decidable_conditions(world):
    p = policy(world)
    with pytest.raises(actions.ActionError, match="免申即享"):
        actions.do_save_clause(
            world["admin"],
            p,
            None,
            {"title": "人才奖励", "auto": True, "other_requirements": "经认定的高层次人才"},
        )


def test_a_department_lists_within_its_change_scope(world):
    e = world["enterprises"]
    tax_year(2020, dict.fromkeys(e.values(), 200 * WAN))
    c = clause(policy(world, kind="general", key_industry=None), fixed_fen=WAN, auto=True,
               conditions=[{"field": "tax_last_year", "op": ">=", "value": 100 * WAN}])  # fmt: skip
    res = actions.do_list_eligible(world["department"], c, 2021)
    assert res.listed == 2
    assert set(c.awards.values_list("enterprise__key_industry__slug", flat=True)) == {"health"}
    assert actions.do_list_eligible(world["admin"], c, 2021).listed == 3  # the other three firms
    with pytest.raises(actions.ActionError):
        actions.do_list_eligible(world["industry_officer"], c, 2021)  # not the issuing department


def test_monthly_section_and_panel(world, rf):
    import datetime as dt

    from peiyu.policies import panels, reports
    from peiyu.policies.tests.helpers import paid

    e = world["enterprises"]
    c = clause(policy(world))
    paid(c, e["health_a1"], 2025, 12 * WAN, paid_on=dt.date(2025, 3, 5))
    paid(c, e["soft_a1"], 2025, 30 * WAN, paid_on=dt.date(2025, 2, 5))
    sec = reports.monthly_section(world["department"], "2025-03")
    assert sec is not None and "累计兑现产业政策资金 12.00 万元" in sec.paragraphs[0]
    assert sec.tables[0].rows == [["普陀区促进生命健康产业发展若干政策", 12 * WAN, 1]]
    assert "42.00 万元" in reports.monthly_section(world["admin"], "2025-03").paragraphs[0]
    assert reports.monthly_section(world["outsider"], "2025-03") is None
    req = rf.get("/")
    req.user = world["department"]
    assert panels.home_panel(req) is None or panels.home_panel(req)["template"] == "policies/panel.html"
