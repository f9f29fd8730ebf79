"""Stage gates, who may move what, the automatic 纳税 stage, duplicate claims, credit rules and the
``peiyu attraction --year --json`` contract."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from peiyu.attraction import actions, queries, stages, taxlink
from peiyu.attraction.models import Project, Stage, StageLog, Status
from peiyu.attraction.tests.factories import make_project, make_teams
from peiyu.testing.taxlib import put_month


@pytest.fixture
def aw(world):
    return make_teams(world)


def test_gates_require_the_fields_of_each_stage(aw):
    one = aw["teams"]["one"]
    member = aw["attraction_member"]
    p = actions.do_create_project(member, one, name="某新能源总部项目")
    with pytest.raises(actions.ActionError, match="投资方"):
        actions.do_move_stage(member, p, Stage.CONTACT)
    p = actions.do_update_project(member, p, investor="某新能源集团")
    actions.do_move_stage(member, p, Stage.CONTACT)
    with pytest.raises(actions.ActionError) as exc:
        actions.do_move_stage(member, p, Stage.TALKS)
    assert "计划投资额" in str(exc.value) and "产业" in str(exc.value) and "空间需求" in str(exc.value)
    p = actions.do_update_project(
        member,
        p,
        invest_fen=50_000_000_00,
        industry=aw["industries"]["soft"],
        space_need="研发楼 5000 平方米",
    )
    actions.do_move_stage(member, p, Stage.TALKS)
    with pytest.raises(actions.ActionError, match="签约日期"):
        actions.do_move_stage(member, p, Stage.SIGNED)
    assert stages.missing_for(p, Stage.SIGNED) == ["signed_on", "agreement_terms", "promised_tax_fen"]
    assert stages.missing_for(p, Stage.LANDED)[-2:] == ["credit_code", "area"]
    # creating directly at a stage applies the same gates
    with pytest.raises(actions.ActionError, match="投资方"):
        actions.do_create_project(member, one, name="跳级项目", stage=Stage.TALKS)


def test_team_moves_up_to_signed_and_only_the_office_confirms_landing(aw):
    one = aw["teams"]["one"]
    member, other, office = aw["attraction_member"], aw["other_member"], aw["office_user"]
    ent = aw["enterprises"]["soft_a2"]
    p = make_project(one, Stage.TALKS)
    p.credit_code, p.area = ent.credit_code, ent.area
    p.signed_on, p.agreement_terms, p.promised_tax_fen = dt.date(2025, 4, 1), "三年内迁入总部", 3_000_000
    p.save()
    with pytest.raises(Http404):  # another team cannot even see it
        actions.do_move_stage(other, p, Stage.SIGNED)
    actions.do_move_stage(member, p, Stage.SIGNED, reason="签约仪式")
    with pytest.raises(PermissionDenied, match="投促办"):
        actions.do_move_stage(member, p, Stage.LANDED)
    with pytest.raises(PermissionDenied, match="投促办"):
        actions.do_confirm_landing(member, p)
    with pytest.raises(PermissionDenied, match="自动"):
        actions.do_move_stage(office, p, Stage.TAXPAYING)
    with pytest.raises(PermissionDenied):  # a leader reads everything and changes nothing
        actions.do_move_stage(aw["leader"], p, Stage.TALKS)
    actions.do_confirm_landing(office, p, registered_on=dt.date(2025, 5, 6))
    p.refresh_from_db()
    assert p.stage == Stage.LANDED and p.enterprise == ent
    with pytest.raises(PermissionDenied, match="投促办"):  # landed: only the office moves it back
        actions.do_move_stage(member, p, Stage.SIGNED)
    log = list(StageLog.objects.filter(project=p).values_list("from_stage", "to_stage", "by__username"))
    assert log == [("talks", "signed", "team1_p"), ("signed", "landed", "touchu_p")]


def test_status_needs_reasons_and_lost_names_where(aw):
    p = make_project(aw["teams"]["one"], Stage.TALKS)
    member = aw["attraction_member"]
    with pytest.raises(actions.ActionError, match="原因"):
        actions.do_set_status(member, p, Status.DELAYED)
    with pytest.raises(actions.ActionError, match="流失去向"):
        actions.do_set_status(member, p, Status.LOST, reason="对方选择了其他区")
    actions.do_set_status(member, p, Status.LOST, reason="对方选择了其他区", lost_to="静安区")
    p.refresh_from_db()
    assert (p.status, p.lost_to, p.stage) == (Status.LOST, "静安区", Stage.TALKS)  # status is not stage


def _tax_month(month, rows):
    put_month(month, [(code, name, "增值税", fen * 2, fen) for code, name, fen in rows])


def test_taxpaying_is_reached_automatically_after_a_tax_import(aw, django_capture_on_commit_callbacks):
    ent = aw["enterprises"]["soft_a2"]
    office = aw["office_user"]
    p = make_project(aw["teams"]["one"], Stage.SIGNED, signed_on=dt.date(2025, 2, 15))
    actions.do_confirm_landing(
        office, p, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 3, 1)
    )
    p.refresh_from_db()
    assert p.stage == Stage.LANDED and not p.first_tax_month
    with django_capture_on_commit_callbacks(execute=True):
        _tax_month("2025-01", [(ent.credit_code, ent.name, 70_000)])  # before signing: not counted
        _tax_month("2025-02", [(ent.credit_code, ent.name, 0)])
    p.refresh_from_db()
    assert p.stage == Stage.LANDED
    with django_capture_on_commit_callbacks(execute=True):
        _tax_month("2025-04", [(ent.credit_code, ent.name, 123_456)])
        _tax_month("2025-05", [(ent.credit_code, ent.name, 100_000)])
    p.refresh_from_db()
    assert p.stage == Stage.TAXPAYING
    assert p.first_tax_month == "2025-04" and p.tax12_fen == 223_456
    last = StageLog.objects.filter(project=p).last()
    assert last.automatic and last.by is None and last.to_stage == Stage.TAXPAYING
    # a year later the 12-month window stops at 2026-03
    with django_capture_on_commit_callbacks(execute=True):
        _tax_month("2026-03", [(ent.credit_code, ent.name, 1_000)])
        _tax_month("2026-04", [(ent.credit_code, ent.name, 5_000)])
    p.refresh_from_db()
    assert p.tax12_fen == 224_456 and p.tax_by_year == [224_456, 5_000]


def test_tax_before_landing_confirmation_gives_taxpaying_at_confirmation(aw):
    ent = aw["enterprises"]["health_a2"]
    _tax_month("2025-06", [(ent.credit_code, ent.name, 9_000)])
    p = make_project(aw["teams"]["two"], Stage.SIGNED, signed_on=dt.date(2025, 5, 1))
    p = actions.do_confirm_landing(aw["office_user"], p, credit_code=ent.credit_code, area=ent.area)
    assert p.stage == Stage.TAXPAYING and p.first_tax_month == "2025-06"


def test_duplicate_claims_first_entry_keeps_the_credit_and_office_settles(aw):
    ent = aw["enterprises"]["soft_a1"]
    one, two = aw["teams"]["one"], aw["teams"]["two"]
    first = actions.do_create_project(aw["attraction_member"], one, name="长寿软件总部", investor="长寿集团")
    actions.do_update_project(aw["attraction_member"], first, credit_code=ent.credit_code)
    second = actions.do_create_project(aw["other_member"], two, name="长寿软件研发中心", investor="长寿集团")
    second = actions.do_update_project(aw["other_member"], second, credit_code=ent.credit_code)
    first.refresh_from_db()
    assert first.duplicate_of is None and second.duplicate_of == first
    assert queries.credited_team(first) == "第一招商小组" and queries.credited_team(second) is None
    assert [p.pk for p in queries.duplicates(aw["office_user"])] == [second.pk]
    with pytest.raises(PermissionDenied):
        actions.do_settle_duplicate(aw["other_member"], second, reason="我们先谈的")
    actions.do_settle_duplicate(aw["office_user"], second, reason="二组先行接洽，有会议纪要为证")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.duplicate_of is None and first.duplicate_of == second


def test_capital_increase_counts_only_the_increase_and_moves_are_not_new(aw):
    one = aw["teams"]["one"]
    inc = make_project(
        one, Stage.SIGNED, is_capital_increase=True, invest_fen=900_000_000, increase_fen=200_000_000
    )
    move = make_project(one, Stage.SIGNED, is_relocation=True)
    row = next(r for r in queries.league(2025) if r["name"] == "第一招商小组")
    assert row["signed"] == 1 and row["signed_invest_fen"] == 200_000_000
    assert inc.is_credited and not move.is_credited


def test_cli_year_json_contract(aw):
    one, two = aw["teams"]["one"], aw["teams"]["two"]
    ent = aw["enterprises"]["soft_a2"]
    _tax_month("2025-04", [(ent.credit_code, ent.name, 300_000)])
    landed = make_project(one, Stage.SIGNED, name="桃浦软件项目", signed_on=dt.date(2025, 3, 1))
    actions.do_confirm_landing(
        None, landed, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 3, 20)
    )
    dup = make_project(two, Stage.TALKS, name="桃浦软件二期", credit_code=ent.credit_code)
    actions.recompute_duplicates(ent.credit_code)
    make_project(two, Stage.LEAD, name="明年的线索", entered_on=dt.date(2026, 2, 1))
    out = StringIO()
    call_command("attraction", "--year", "2025", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == 2025
    assert set(data) == {"year", "teams", "projects"}
    by_name = {p["name"]: p for p in data["projects"]}
    assert "明年的线索" not in by_name
    assert by_name["桃浦软件项目"] == {
        "name": "桃浦软件项目",
        "team": "第一招商小组",
        "credited_team": "第一招商小组",
        "stage": "纳税",
        "status": "正常",
        "credit_code": ent.credit_code,
        "first_tax_month": "2025-04",
        "district_tax_first_12m_fen": 300_000,
        "duplicate_of": None,
    }
    assert by_name["桃浦软件二期"]["credited_team"] is None
    assert by_name["桃浦软件二期"]["duplicate_of"] == "桃浦软件项目"
    assert dup.pk
    teams = {t["name"]: t for t in data["teams"]}
    assert teams["第一招商小组"] == {
        "name": "第一招商小组",
        "projects": 1,
        "signed": 1,
        "landed": 1,
        "credited_landed": 1,
    }
    assert teams["第二招商小组"]["projects"] == 1 and teams["第二招商小组"]["signed"] == 0
    # as of 2024 nothing had been entered yet
    out = StringIO()
    call_command("attraction", "--year", "2024", "--json", stdout=out)
    assert json.loads(out.getvalue())["projects"] == []


def test_helpers_for_other_apps(aw):
    ent = aw["enterprises"]["soft_a2"]
    p = make_project(aw["teams"]["one"], Stage.SIGNED, signed_on=dt.date(2025, 3, 1))
    actions.do_confirm_landing(
        None, p, credit_code=ent.credit_code, area=ent.area, registered_on=dt.date(2025, 3, 20)
    )
    assert queries.landed_enterprise_ids() == {ent.pk}
    assert queries.landed_enterprise_ids(2025) == {ent.pk} and queries.landed_enterprise_ids(2024) == set()
    assert [x.pk for x in queries.projects_for(ent)] == [p.pk]
    assert queries.projects_for(ent, aw["outsider"]) == []


def test_tax_figures_first_month_on_or_after_signing():
    series = {"2025-01": 5, "2025-03": 0, "2025-04": 7, "2025-09": 3, "2026-04": 100}
    assert taxlink.figures(series, "2025-02") == ("2025-04", 10, [10, 100])
    assert taxlink.figures(series, "2026-05") == (None, None, [])


def test_scope_team_member_sees_only_the_team_projects(aw, client):
    one, two = aw["teams"]["one"], aw["teams"]["two"]
    a2 = aw["areas"]["a2"]
    mine = make_project(one, Stage.LEAD, name="一组线索")
    theirs = make_project(two, Stage.LEAD, name="二组线索", area=a2)
    member = aw["attraction_member"]
    assert list(queries.visible(member)) == [mine]
    assert set(queries.visible(aw["office_user"])) == {mine, theirs}
    assert list(queries.visible(aw["area_officer"])) == [theirs]  # plans to land in 桃浦镇
    assert list(queries.visible(aw["outsider"])) == []
    assert Project.objects.count() == 2
