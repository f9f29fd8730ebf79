"""Importing the target table (good file, synonyms, title rows, bad cells, all-or-nothing) and the CLI."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from peiyu.accounts.models import AuditLog, Department
from peiyu.targets.importer import import_file
from peiyu.targets.models import Target, TargetKind
from peiyu.targets.tests.helpers import WAN, fill


def xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def depts(db):
    for name, short in (
        ("区科委", "科委"),
        ("区金融办", "金融办"),
        ("区商务委", "商务委"),
        ("区投促办", "投促办"),
    ):
        Department.objects.get_or_create(name=name, defaults={"short_name": short})


GOOD = [
    ["普陀区2025年重点产业目标责任表"],
    ["（单位：万元）"],
    ["产业/指标", "年度", "区级税收目标（万元）", "增长目标(%)", "目标值", "责任部门", "单位", "备注"],
    ["智能软件", 2025, 1234.56, None, None, "科委", None, "两大千亿级集群"],
    ["生命健康", "2025年", None, "10%", None, "区科委、区卫健委X", None, None],
]


def test_good_file_with_title_rows(world, depts, tmp_path):
    rows = [r[:] for r in GOOD]
    rows[4][5] = "区科委"
    rows += [
        ["桃浦镇", 2025, 13, None, None, None, None, None],
        ["全区", 2025, None, 8.5, None, "科委;金融办", None, None],
        ["四大重点产业占区级税收比重", 2025, None, None, "+4", "科委、金融办、商务委", "个百分点", None],
        ["新增税收亿元楼", 2025, None, None, "3", "投促办", "幢", None],
        ["新增上市企业", 2025, None, None, "2家", "金融办", None, None],
        ["合计", None, None, None, None, None, None, None],
    ]
    result = import_file(xlsx(tmp_path / "t.xlsx", rows), "t.xlsx", user=world["admin"])
    assert result.status == "accepted", result.errors
    assert (result.rows, result.created) == (7, 7)
    soft = Target.objects.get(year=2025, name="智能软件")
    assert soft.kind == TargetKind.AMOUNT and soft.target_fen == 1_234_560_000  # 万元 → fen, exact
    assert soft.key_industry == world["industries"]["soft"] and soft.note == "两大千亿级集群"
    health = Target.objects.get(name="生命健康")
    assert health.kind == TargetKind.GROWTH and health.growth_pct == Decimal("10")
    assert Target.objects.get(name="桃浦镇").area == world["areas"]["a2"]
    district = Target.objects.get(name="全区")
    assert district.kind == TargetKind.GROWTH and district.key_industry is None and district.area is None
    assert sorted(district.departments.values_list("short_name", flat=True)) == ["科委", "金融办"]
    share = Target.objects.get(name="四大重点产业占区级税收比重")
    assert (
        share.kind == TargetKind.SHARE
        and share.target_value == Decimal("4")
        and share.departments.count() == 3
    )
    listed = Target.objects.get(name="新增上市企业")
    assert listed.kind == TargetKind.REPORTED and listed.target_value == Decimal("2") and listed.unit == "家"
    assert AuditLog.objects.filter(action="targets.target.create").count() == 7
    assert AuditLog.objects.filter(action="targets.targets.import").count() == 1
    # importing again with one change updates that target only
    rows[3][2] = 1300
    again = import_file(xlsx(tmp_path / "t2.xlsx", rows), "t2.xlsx", user=world["admin"])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 6)
    assert Target.objects.get(name="智能软件").target_fen == 1300 * WAN


def test_synonyms(world, depts, tmp_path):
    rows = [
        ["指标名称", "年份", "税收目标", "责任单位", "说明"],
        ["智能软件产业", 2025, "2,000", "科委/商务委", "x"],
    ]
    result = import_file(xlsx(tmp_path / "s.xlsx", rows), "s.xlsx", user=world["admin"])
    assert result.status == "accepted", result.errors
    t = Target.objects.get()
    assert (
        t.key_industry == world["industries"]["soft"]
        and t.target_fen == 2000 * WAN
        and t.departments.count() == 2
    )


def test_bad_cells_reported_and_nothing_stored(world, depts, tmp_path):
    rows = [r[:] for r in GOOD]  # row 5 names an unknown department
    rows += [
        ["智能软件", 2025, 99, None, None, None, None, None],  # row 6: duplicate of row 4
        ["不存在的产业", 2025, 10, None, None, None, None, None],  # row 7: tax target of nothing
        ["研发服务", "明年", "一百", None, None, None, None, None],  # row 8: bad year and amount
        ["空目标", 2025, None, None, None, None, None, None],  # row 9: no value
        ["全区", 2025, None, "12.345", None, None, None, None],  # row 10: too many decimals
    ]
    csv_path = tmp_path / "bad.csv"
    import csv

    with open(csv_path, "w", newline="", encoding="gbk") as fh:
        csv.writer(fh).writerows([[("" if c is None else c) for c in r] for r in rows])
    result = import_file(csv_path, "bad.csv", user=world["admin"])
    assert result.status == "rejected"
    assert Target.objects.count() == 0 and not AuditLog.objects.filter(action__startswith="target").exists()
    errors = {(e["row"], e["column"].split("（")[0]): e for e in result.errors}
    assert (
        errors[(5, "责任部门")]["value"] == "区科委、区卫健委X"
        and "区卫健委X" in errors[(5, "责任部门")]["message"]
    )
    assert errors[(5, "责任部门")]["column"] == "责任部门（F）"
    assert "第 4 行重复" in errors[(6, "产业/指标")]["message"]
    assert errors[(7, "产业/指标")]["value"] == "不存在的产业"
    assert errors[(8, "年度")]["value"] == "明年"
    assert errors[(8, "区级税收目标(万元)")]["value"] == "一百"
    assert (9, "区级税收目标(万元)") in errors
    assert errors[(10, "增长目标(%)")]["value"] == "12.345"
    assert all(set(e) == {"row", "column", "value", "message"} for e in result.errors)


def test_no_header_is_a_clear_message(db, tmp_path):
    result = import_file(xlsx(tmp_path / "x.xlsx", [["a", "b"], [1, 2]]), "x.xlsx")
    assert result.status == "rejected" and "表头" in result.message


def test_import_command_json(world, depts, tmp_path, capsys):
    path = xlsx(tmp_path / "t.xlsx", [GOOD[2], GOOD[3]])
    call_command("import_targets", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "accepted" and out["created"] == 1
    bad = xlsx(tmp_path / "b.xlsx", [GOOD[2], ["智能软件", 1999, 1, None, None, None, None, None]])
    with pytest.raises(CommandError) as refused:  # exit code 2: refused (issue 19, every importer)
        call_command("import_targets", str(bad), "--json")
    assert refused.value.returncode == 2
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected" and out["errors"][0]["row"] == 2


@pytest.mark.django_db(transaction=True)
def test_stats_targets_json_keys_and_rounding(world, capsys):
    from peiyu.targets.actions import do_save_target

    fill(world)
    do_save_target(
        world["admin"],
        Target(
            year=2025,
            name="生命健康",
            kind=TargetKind.GROWTH,
            key_industry=world["industries"]["health"],
            growth_pct=Decimal("10"),
        ),
    )
    do_save_target(
        world["admin"],
        Target(
            year=2025,
            name="新认定市级高新技术企业",
            kind=TargetKind.REPORTED,
            target_value=Decimal("30"),
            unit="家",
        ),
    )
    call_command("stats", "targets", "--month", "2025-02", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2025-02" and data["time_progress_pct"] == 16.7
    health, hi = data["targets"]
    for key in (
        "name",
        "kind",
        "year",
        "department",
        "target_fen",
        "actual_fen",
        "completion_pct",
        "seasonal_progress_pct",
        "gap_pp",
        "status",
        "projection_fen",
        "target_value",
        "actual_value",
    ):
        assert key in health and key in hi
    assert health["target_fen"] == 66 * WAN and health["actual_fen"] == 12 * WAN
    assert health["completion_pct"] == 18.2  # 12 / 66 = 18.18
    assert health["gap_pp"] == 1.5 and health["status"] == "green"
    assert health["seasonal_progress_pct"] == 16.7 and health["projection_fen"] == 72 * WAN
    assert (
        hi["kind"] == "reported"
        and hi["target_value"] == 30.0
        and hi["actual_value"] is None
        and hi["status"] == "none"
    )
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("stats", "targets", "--month", "2025-13")
    call_command("stats", "targets", "--month", "2025-02")
    out = capsys.readouterr().out
    assert "完成 18.2%，快于时间进度 1.5 个百分点" in out and "时间进度 16.7%" in out
    # scoped: the area officer has no target here
    call_command("stats", "targets", "--month", "2025-02", "--json", "--user", world["area_officer"].username)
    assert json.loads(capsys.readouterr().out)["targets"] == []
