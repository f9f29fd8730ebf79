"""``peiyu import-projects``: the team's old ledger, with its title rows, synonyms and gaps."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from peiyu.attraction.importer import ProjectImporter
from peiyu.attraction.models import AnchorFirm, Fund, Project, Stage, Team
from peiyu.attraction.tests.factories import make_teams
from peiyu.testing.taxlib import put_month

HEADER = [
    "序号",
    "项目名称",
    "责任小组",
    "项目阶段",
    "状态",
    "所属产业",
    "投资方",
    "计划投资额（万元）",
    "签约日期",
    "统一社会信用代码",
    "承诺年税收（万元）",
    "招商渠道",
    "链主企业",
    "基金",
    "拟落地街道",
    "登记日期",
]


def ledger(tmp_path, rows, name="台账.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年普陀区招商项目台账"])
    ws.append(["填报单位：区投促办"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.fixture
def aw(world):
    return make_teams(world)


def test_ledger_creates_references_keeps_gaps_and_confirms_tax(aw, tmp_path):
    ent = aw["enterprises"]["soft_a2"]
    put_month("2025-05", [(ent.credit_code, ent.name, "增值税", 80_000, 40_000)])
    rows = [
        [
            1,
            "云智算力中心",
            "第一招商小组",
            "洽谈",
            "正常",
            "智能软件",
            "某云计算公司",
            "50000",
            None,
            None,
            None,
            "人脉",
            None,
            None,
            "桃浦镇",
            "2025-01-08",
        ],
        [
            2,
            "桃浦软件区域总部",
            "第八招商小组",
            "签约",
            "正常",
            "智能软件",
            "桃浦软件集团",
            "12000",
            "2025-03-18",
            None,
            "800",
            "产业链",
            "阿里巴巴",
            None,
            "桃浦镇",
            "2025-02-01",
        ],
        [
            3,
            "桃浦软件二期",
            "第八招商小组",
            "已纳税",
            "正常",
            "智能软件",
            "桃浦软件集团",
            "3000",
            "2025-04-01",
            ent.credit_code,
            "300",
            "基金",
            None,
            "长三角协同优势产业基金",
            "桃浦镇",
            "2025-02-10",
        ],
        [None, "合计", None, None, None, None, None, "65000"],
    ]
    report = ProjectImporter().run(ledger(tmp_path, rows))
    assert report.status == "accepted", report.errors
    assert report.created == 3
    assert {(r["kind"], r["name"]) for r in report.references_created} == {
        ("招商小组", "第八招商小组"),
        ("链主企业", "阿里巴巴"),
        ("基金", "长三角协同优势产业基金"),
    }
    assert Team.objects.filter(name="第八招商小组").exists()
    assert AnchorFirm.objects.get(name="阿里巴巴").industry == aw["industries"]["soft"]
    assert Fund.objects.filter(name="长三角协同优势产业基金").exists()
    talks = Project.objects.get(name="云智算力中心")
    assert (
        talks.stage == Stage.TALKS
        and talks.invest_fen == 50_000 * 1_000_000
        and talks.entered_on == dt.date(2025, 1, 8)
    )
    assert "space_need" in talks.missing_fields
    signed = Project.objects.get(name="桃浦软件区域总部")
    assert signed.stage == Stage.SIGNED and signed.missing_fields == ["space_need", "agreement_terms"]
    todo = {t["name"]: t for t in report.to_complete}
    assert todo["桃浦软件区域总部"]["missing"] == ["空间需求", "协议主要条款"]
    assert todo["桃浦软件区域总部"]["row"] == 5
    paying = Project.objects.get(name="桃浦软件二期")
    assert (
        paying.stage == Stage.TAXPAYING and paying.first_tax_month == "2025-05" and paying.enterprise == ent
    )
    assert paying.fund.name == "长三角协同优势产业基金"
    # importing the same ledger again updates, never duplicates
    again = ProjectImporter().run(ledger(tmp_path, rows, "台账2.xlsx"))
    assert again.status == "accepted" and again.created == 0 and again.updated == 3
    assert Project.objects.count() == 3


def test_bad_cells_refuse_the_file_with_row_column_value(aw, tmp_path):
    rows = [
        [
            1,
            "好项目",
            "第一招商小组",
            "在谈",
            "正常",
            "智能软件",
            "甲",
            "100",
            None,
            None,
            None,
            None,
            None,
            None,
            "桃浦镇",
        ],
        [
            2,
            "坏项目",
            "第一招商小组",
            "谈恋爱",
            "正常",
            "航天",
            "乙",
            "一百",
            "2025-13-40",
            "91310107XXXX",
            None,
            None,
            None,
            None,
            "火星街道",
        ],
    ]
    report = ProjectImporter().run(ledger(tmp_path, rows))
    assert report.status == "rejected"
    by_col = {re.split(r"[（(]", e["column"])[0]: e for e in report.errors}
    assert by_col["项目阶段"]["row"] == 5 and by_col["项目阶段"]["value"] == "谈恋爱"
    assert "重点产业" in by_col["所属产业"]["message"]
    assert "火星街道" in by_col["拟落地街道"]["message"]
    assert {"计划投资额", "签约日期", "统一社会信用代码"} <= set(by_col)
    assert Project.objects.count() == 0


def test_command_json_and_exit_codes(aw, tmp_path):
    good = ledger(
        tmp_path,
        [
            [
                1,
                "命令行项目",
                "第二招商小组",
                "线索",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            ]
        ],
    )
    out = StringIO()
    call_command("import_projects", str(good), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "accepted" and data["created"] == 1 and data["to_complete"] == []
    bad = ledger(tmp_path, [[1, "坏", "第二招商小组", "不知道"]], "bad.xlsx")
    with pytest.raises(CommandError) as exc:
        call_command("import_projects", str(bad), "--json", stdout=StringIO())
    assert exc.value.returncode == 2
