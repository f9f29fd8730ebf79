import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from peiyu.accounts.models import AuditLog
from peiyu.registry import importer
from peiyu.registry.importer import import_file, parse_date, parse_status
from peiyu.registry.models import Enterprise, EnterpriseEvent, RegistryImport
from peiyu.testing.factories import new_credit_code

from .files import write_csv, write_xls, write_xlsx

TODAY = dt.date(2026, 11, 29)


def good_rows():
    c = [new_credit_code() for _ in range(4)]
    return c, [
        [
            c[0],
            "上海长寿软件有限公司",
            "I6511",
            "长寿路街道",
            "存续（在营、开业、在册）",
            dt.date(2015, 3, 5),
        ],
        [c[1], "上海桃浦医药有限公司", "2710", "上海市普陀区桃浦镇", "在业", "2021/3/5"],
        [c[2], "上海真如贸易有限公司", "I 6520", "真如镇", "存续", "2021年3月5日"],
        [c[3], "上海长征金融信息服务有限公司", "6930", "长征", "开业", 44260],  # Excel serial of 2021-03-05
    ]


@pytest.mark.parametrize(
    ("header", "writer", "kwargs"),
    [
        (
            ["统一社会信用代码", "企业名称", "国民经济行业代码", "所属街道", "登记状态", "成立日期"],
            write_xlsx,
            {},
        ),
        (["社会信用代码", "名称", "行业代码", "街道", "经营状态", "成立日期"], write_xls, {}),
        (
            ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期"],
            write_csv,
            {"encoding": "utf-8-sig"},
        ),
        (
            ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期"],
            write_csv,
            {"encoding": "gbk"},
        ),
        (
            ["社会信用代码", "名称", "行业代码", "所属街道", "经营状态", "成立日期"],
            write_csv,
            {"encoding": "gb18030"},
        ),
    ],
)
def test_import_formats_title_rows_and_synonyms(putuo, tmp_path, header, writer, kwargs):
    codes, rows = good_rows()
    suffix = {write_xlsx: ".xlsx", write_xls: ".xls", write_csv: ".csv"}[writer]
    path = writer(
        tmp_path / f"名录{suffix}",
        header,
        rows,
        title_rows=["上海市普陀区市场主体名录", "导出日期：2026-11-28"],
        **kwargs,
    )
    r = import_file(path, today=TODAY)
    assert r.errors == [] and r.status == "accepted"
    assert (r.rows, r.accepted, r.created, r.updated, r.rejected) == (4, 4, 4, 0, 0)
    e = {x.credit_code: x for x in Enterprise.objects.select_related("area", "key_industry")}
    assert e[codes[0]].industry_code == "6511" and e[codes[0]].key_industry.name == "智能软件"
    assert e[codes[0]].established == dt.date(2015, 3, 5) and e[codes[0]].status == "存续"
    assert e[codes[1]].area.name == "桃浦镇" and e[codes[1]].key_industry.name == "生命健康"
    assert e[codes[1]].established == dt.date(2021, 3, 5) and e[codes[1]].status == "在业"
    assert e[codes[2]].area.name == "真如镇街道" and e[codes[2]].established == dt.date(2021, 3, 5)
    assert e[codes[3]].area.name == "长征镇" and e[codes[3]].key_industry.name == "科技金融"
    assert e[codes[3]].established == dt.date(2021, 3, 5)
    assert e[codes[0]].name_initials == "SHCSRJYXGS"
    assert r.by_key_industry == {"智能软件": 2, "研发服务": 0, "科技金融": 1, "生命健康": 1}
    assert EnterpriseEvent.objects.filter(kind="created").count() == 4


def test_invalid_rows_reported_with_row_column_value_and_not_stored(putuo, tmp_path):
    c = [new_credit_code() for _ in range(3)]
    bad_code = c[0][:-1] + ("0" if c[0][-1] != "0" else "1")
    rows = [
        [c[0], "上海好企业有限公司", "6511", "长寿路街道", "存续", "2020-01-01"],
        [bad_code, "上海坏代码有限公司", "6511", "长寿路街道", "存续", "2020-01-01"],
        [c[1], "上海坏行业有限公司", "J6511", "长寿路街道", "存续", "2020-01-01"],
        [c[2], "上海外区企业有限公司", "6511", "静安寺街道", "存续", "2020-01-01"],
        [new_credit_code(), "上海坏状态有限公司", "6511", "长寿路街道", "歇业了吧", "2020-01-01"],
        [new_credit_code(), "上海坏日期有限公司", "6511", "长寿路街道", "存续", "2021-02-30"],
        [c[0], "上海重复企业有限公司", "6511", "长寿路街道", "存续", "2020-01-01"],
        [new_credit_code(), "", "6511", "长寿路街道", "存续", "2020-01-01"],
    ]
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态", "成立日期"],
        rows,
        ["名录"],
    )
    r = import_file(path, today=TODAY)
    assert r.status == "partial" and r.accepted == 1 and r.rejected == 7
    by_row = {e["row"]: e for e in r.errors}
    assert set(by_row) == {4, 5, 6, 7, 8, 9, 10}  # title row 1, header row 2, data from row 3
    assert by_row[4]["column"].startswith("统一社会信用代码") and by_row[4]["value"] == bad_code
    assert "校验码错误" in by_row[4]["message"]
    assert "门类字母“J”与大类“65”不符" in by_row[5]["message"] and by_row[5]["value"] == "J6511"
    assert "静安寺街道" in by_row[6]["message"] and "不在本区" in by_row[6]["message"]
    assert "无法识别登记状态" in by_row[7]["message"]
    assert "不存在" in by_row[8]["message"] and by_row[8]["column"].startswith("成立日期")
    assert "与第 3 行" in by_row[9]["message"] and "重复" in by_row[9]["message"]
    assert "企业名称为空" in by_row[10]["message"]
    assert Enterprise.objects.count() == 1
    batch = RegistryImport.objects.get(pk=r.batch_id)
    assert batch.rejected == 7 and len(batch.errors) == 7


def test_strict_mode_rejects_whole_file(putuo, tmp_path):
    codes, rows = good_rows()
    rows.append(["123", "上海坏企业有限公司", "6511", "长寿路街道", "存续", "2020-01-01"])
    path = write_xlsx(
        tmp_path / "strict.xlsx",
        ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态", "成立日期"],
        rows,
    )
    r = import_file(path, strict=True, today=TODAY)
    assert r.rejected_whole and r.accepted == 0 and r.created == 0
    assert r.errors[0]["row"] == 6 and "长度应为 18 位" in r.errors[0]["message"]
    assert Enterprise.objects.count() == 0
    assert AuditLog.objects.filter(action="registry.enterprises.import", detail__status="rejected").exists()


def test_upsert_records_dated_events(putuo, tmp_path):
    codes, rows = good_rows()
    header = ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态", "成立日期"]
    import_file(write_xlsx(tmp_path / "a.xlsx", header, rows), today=TODAY)
    rows[0][1] = "上海长寿智能软件有限公司"  # renamed
    rows[0][3] = "桃浦镇"  # moved within the district
    rows[1][4] = "迁出"
    rows[2][2] = "7320"  # new industry code → 研发服务
    header2 = [*header, "迁出日期"]
    rows2 = [[*row, None] for row in rows]
    rows2[1][-1] = "2025-06-30"
    r = import_file(write_xlsx(tmp_path / "b.xlsx", header2, rows2), today=TODAY)
    assert (r.created, r.updated, r.unchanged) == (0, 3, 1)
    e0 = Enterprise.objects.get(credit_code=codes[0])
    assert e0.name == "上海长寿智能软件有限公司" and e0.former_names == ["上海长寿软件有限公司"]
    assert e0.area.name == "桃浦镇"
    ev = {(x.enterprise.credit_code, x.kind): x for x in EnterpriseEvent.objects.select_related("enterprise")}
    assert ev[(codes[0], "name")].before == "上海长寿软件有限公司"
    assert ev[(codes[0], "area")].before == "长寿路街道" and ev[(codes[0], "area")].after == "桃浦镇"
    moved = ev[(codes[1], "status")]
    assert moved.after == "迁出" and moved.date == dt.date(2025, 6, 30)
    assert ev[(codes[2], "industry_code")].after == "7320"
    e2 = Enterprise.objects.get(credit_code=codes[2])
    assert e2.key_industry.name == "研发服务"
    assert ev[(codes[2], "key_industry")].before == "智能软件"
    # 迁出 without a date column is dated on the import day
    rows[3][4] = "迁出"
    import_file(write_xlsx(tmp_path / "c.xlsx", header, rows), today=TODAY)
    assert EnterpriseEvent.objects.get(enterprise__credit_code=codes[3], kind="status").date == TODAY


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty
        "完全不是名录\n随便写的,内容\n".encode(),  # no header
        b"PK\x03\x04garbage-not-a-zip",  # corrupt xlsx
    ],
)
def test_structurally_unusable_file_is_rejected_whole(putuo, tmp_path, content):
    path = tmp_path / "broken.xlsx" if content.startswith(b"PK") else tmp_path / "broken.csv"
    path.write_bytes(content)
    r = import_file(path)
    assert r.rejected_whole and r.message.startswith("文件无法使用")
    assert Enterprise.objects.count() == 0


def test_excel_scientific_notation_credit_code_is_explained(putuo, tmp_path):
    rows = [[9.13101075665886e17, "上海数字代码有限公司", "6511", "长寿路街道", "存续", "2020-01-01"]]
    path = write_xlsx(
        tmp_path / "num.xlsx",
        ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态", "成立日期"],
        rows,
    )
    r = import_file(path, today=TODAY)
    assert r.rejected == 1 and "科学计数法" in r.errors[0]["message"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("存续（在营、开业、在册）", "存续"),
        ("存续(在营、开业、在册)", "存续"),
        ("在营（开业）企业", "存续"),
        ("开业", "存续"),
        ("在业", "在业"),
        ("迁出", "迁出"),
        ("已迁出", "迁出"),
        ("注销", "注销"),
        ("已注销", "注销"),
        ("吊销，未注销", "吊销"),
        ("吊销,已注销", "注销"),
        ("吊销", "吊销"),
    ],
)
def test_status_variants(raw, expected):
    assert parse_status(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        ("2021.3.5", dt.date(2021, 3, 5)),
        ("2021年3月5日", dt.date(2021, 3, 5)),
        ("20210305", dt.date(2021, 3, 5)),
        ("2021-03-05 00:00:00", dt.date(2021, 3, 5)),
        (44260, dt.date(2021, 3, 5)),
        (44260.0, dt.date(2021, 3, 5)),
        ("44260", dt.date(2021, 3, 5)),
        (dt.datetime(2021, 3, 5, 10, 0), dt.date(2021, 3, 5)),
        ("2021年3月", dt.date(2021, 3, 1)),
    ],
)
def test_date_forms(raw, expected):
    assert parse_date(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"), [("2027-01-01", "晚于今天"), ("2021-13-01", "不存在"), ("去年", "无法识别日期")]
)
def test_bad_dates(raw, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_date(raw, TODAY)


def test_area_resolver_forms(putuo):
    from peiyu.registry.models import Area

    res = importer.AreaResolver(list(Area.objects.all()))
    names = {a.pk: a.name for a in Area.objects.all()}
    for raw, want in [
        ("长寿路街道", "长寿路街道"),
        ("上海市普陀区长寿路街道", "长寿路街道"),
        ("普陀区长寿路", "长寿路街道"),
        ("长寿路街道办事处", "长寿路街道"),
        ("真如镇", "真如镇街道"),
        ("桃浦", "桃浦镇"),
        ("310107103000", "桃浦镇"),
    ]:
        assert names[res.resolve(raw)] == want, raw


def _cli_file(tmp_path, bad=False):
    codes, rows = good_rows()
    if bad:
        rows.append(["91310107XXXXXXXXXX", "上海坏企业有限公司", "6511", "长寿路街道", "存续", "2020-01-01"])
    return write_csv(
        tmp_path / "cli.csv",
        ["统一社会信用代码", "企业名称", "行业代码", "所属街道", "登记状态", "成立日期"],
        rows,
        encoding="gbk",
        title_rows=["普陀区企业名录"],
    )


def test_cli_json_keys(putuo, tmp_path, capsys):
    call_command("import_enterprises", str(_cli_file(tmp_path, bad=True)), "--json")
    out = json.loads(capsys.readouterr().out)
    assert {"rows", "accepted", "created", "updated", "rejected", "errors", "by_key_industry"} <= set(out)
    assert (out["rows"], out["accepted"], out["created"], out["rejected"]) == (5, 4, 4, 1)
    assert set(out["errors"][0]) >= {"row", "column", "value", "message"} and out["errors"][0]["row"] == 7
    assert out["by_key_industry"]["智能软件"] == 2


def test_cli_strict_exit_code_2(putuo, tmp_path, capsys):
    with pytest.raises(CommandError) as exc:
        call_command("import_enterprises", str(_cli_file(tmp_path, bad=True)), "--strict", "--json")
    assert exc.value.returncode == 2
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected" and out["accepted"] == 0 and out["rejected"] == 1
    assert Enterprise.objects.count() == 0


def test_cli_structural_rejection_exit_code_2(putuo, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("标题\n甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_enterprises", str(path), "--json")
    assert exc.value.returncode == 2 and "找不到表头" in json.loads(capsys.readouterr().out)["message"]


def test_cli_subprocess_exit_code(tmp_path):
    """The real entry point exits with status 2 and prints exactly one JSON object."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PEIYU_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-m", "peiyu.cli", "import-enterprises", str(tmp_path / "missing.xlsx"), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert out["status"] == "rejected" and "文件不存在" in out["message"]


def test_total_and_note_lines_are_skipped_and_section_names_refused(putuo, tmp_path):
    codes, rows = good_rows()
    rows[0][2] = "信息传输、软件和信息技术服务业"
    rows.append(["合计", None, None, None, None, None])
    rows.append(["注：本表由区市场监管局导出", None, None, None, None, None])
    header = ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期"]
    r = import_file(write_xlsx(tmp_path / "t.xlsx", header, rows), today=TODAY)
    assert r.rows == 4 and r.rejected == 1
    assert "门类名称" in r.errors[0]["message"] and r.errors[0]["row"] == 2


def test_district_only_area_is_explained(putuo, tmp_path):
    codes, rows = good_rows()
    rows[0][3] = "普陀区"
    header = ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期"]
    r = import_file(write_xlsx(tmp_path / "t.xlsx", header, rows), today=TODAY)
    assert "缺少街道镇" in r.errors[0]["message"]


def test_liaison_column_assigns_users(putuo, tmp_path):
    from peiyu.testing.factories import UserFactory

    svc = UserFactory(username="svc1", display_name="王专员")
    codes, rows = good_rows()
    for r, who in zip(rows, ["王专员", "svc1", "", "李不存在"], strict=True):
        r.append(who)
    header = ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期", "联络员"]
    r = import_file(write_xlsx(tmp_path / "l.xlsx", header, rows), today=TODAY)
    assert (
        r.accepted == 3
        and "李不存在" in r.errors[0]["message"]
        and r.errors[0]["column"].startswith("联络员")
    )
    assert set(Enterprise.objects.filter(liaison=svc).values_list("credit_code", flat=True)) == set(codes[:2])


def test_new_enterprise_already_moved_out_gets_dated_status_event(putuo, tmp_path):
    codes, rows = good_rows()
    rows[0][4] = "迁出"
    rows = [[*r, "2024-05-06" if i == 0 else None] for i, r in enumerate(rows)]
    header = ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期", "迁出日期"]
    import_file(write_xlsx(tmp_path / "m.xlsx", header, rows), today=TODAY)
    ev = EnterpriseEvent.objects.get(kind="status")
    assert ev.enterprise.credit_code == codes[0] and ev.after == "迁出" and ev.date == dt.date(2024, 5, 6)


def test_reclassify_command_json(putuo, capsys):
    from peiyu.testing.factories import EnterpriseFactory

    e = EnterpriseFactory(industry_code="6511", key_industry=None)
    call_command("reclassify", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == 1 and out["by_key_industry"]["智能软件"] == 1
    e.refresh_from_db()
    assert e.key_industry.name == "智能软件"
    assert AuditLog.objects.filter(action="registry.enterprises.reclassify").exists()
