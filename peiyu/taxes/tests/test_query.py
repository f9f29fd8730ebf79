"""One TaxQuery parsed from a request: the pages, the API and the CLI read month, industry and
area the same way and report the same Chinese problems (pages fall back, the API answers 400/404,
the CLI refuses)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from peiyu.analytics import MonthNotAvailable
from peiyu.taxes.query import TaxQuery
from peiyu.taxes.tests.taxdata import fill
from peiyu.taxes.tests.test_api_taxes import bearer

pytestmark = pytest.mark.django_db(transaction=True)


def test_values_are_read_by_id_name_or_slug_and_default_to_the_latest_month(world):
    fill(world)
    soft, a2 = world["industries"]["soft"], world["areas"]["a2"]
    q, problems = TaxQuery.from_params({})
    assert problems == [] and q.month == "2025-03" and q.industry is None and q.sort == "-ytd"
    assert q.months[-1] == "2025-03" and "2024-01" in q.months
    for industry in (str(soft.pk), "智能软件", "software", " software "):
        q, problems = TaxQuery.from_params(
            {"month": "2025-02", "industry": industry, "area": "桃浦镇", "q": " 软件\x00 ", "sort": "name"}
        )
        assert problems == []
        assert (q.month, q.industry_id, q.area_id, q.q, q.sort) == ("2025-02", soft.pk, a2.pk, "软件", "name")
    assert q.label() == "2025年2月 · 智能软件 · 桃浦镇"
    q, _ = TaxQuery.from_params({"industry": "nope"}, industry=soft)  # a drill-down page's own object
    assert q.industry_id == soft.pk


def test_bad_values_fall_back_and_are_reported_in_order(world):
    fill(world)
    q, problems = TaxQuery.from_params(
        {"month": "2025-99", "industry": "nope", "area": "99999", "sort": "evil", "q": "x" * 300}
    )
    assert (q.month, q.industry, q.area, q.sort, len(q.q)) == ("2025-03", None, None, "-ytd", 100)
    assert [p.field for p in problems] == ["month", "industry", "area", "sort"]
    month, industry, area, sort = problems
    assert "格式不正确" in month.message and month.notice.endswith("已显示最新月份 2025-03。")
    assert industry.message == "未知的产业“nope”" and industry.notice == "未找到所选产业，已显示全部产业。"
    assert area.message == "未知的街道镇“99999”"
    assert "排序字段" in sort.message and sort.notice == ""  # pages keep the default order silently
    assert {p.status for p in problems} == {400}
    _, (missing,) = TaxQuery.from_params({"month": "2031-01"})
    assert missing.status == 404 and missing.message == "税收库中没有 2031-01 的数据"


def test_an_empty_library_has_no_month_and_a_404_without_a_notice(world):
    q, (problem,) = TaxQuery.from_params({})
    assert q.month is None and problem.status == 404 and problem.notice == ""
    assert "尚无数据" in problem.message
    with pytest.raises(MonthNotAvailable, match="尚无数据"):
        q.require_month()


def test_pages_api_and_cli_report_the_same_problem(world, client, login):
    fill(world)
    _, (problem,) = TaxQuery.from_params({"month": "2031-01"})
    html = login(world["admin"]).get("/taxes/?month=2031-01").content.decode()
    assert problem.notice in html
    res = client.get("/api/v1/stats/industries?month=2031-01", **bearer(world["admin"]))
    assert res.status_code == 404 and res.json()["detail"] == problem.message
    with pytest.raises(CommandError) as exc:
        call_command("stats", "industries", "--month", "2031-01", "--json", stdout=io.StringIO())
    assert str(exc.value) == problem.message


def test_the_cli_accepts_an_engine_and_refuses_an_unknown_one(world):
    fill(world)

    def run(*args):
        out = io.StringIO()
        call_command("stats", "industries", "--month", "2025-03", "--json", *args, stdout=out)
        return json.loads(out.getvalue())

    assert run("--engine", "duckdb") == run()
    with pytest.raises(CommandError, match="未知的分析引擎“nosuch”"):
        run("--engine", "nosuch")
