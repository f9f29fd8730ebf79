"""Reading the family of files the tax bureau sends: layouts, formats, encodings, units, months,
合计 rows, bad cells. These tests only parse (no database)."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pytest

from peiyu.core.tabular import Sheet as TableSheet
from peiyu.registry.uscc import make_code
from peiyu.taxes.parse import (
    DISTRICT_ONLY_TAX_TYPE,
    classify_label,
    facts_table,
    month_of_date_cell,
    months_in_title,
    parse_amount_column,
    parse_tax_file,
    parse_tax_sheets,
    share_half_up,
)
from peiyu.taxes.tests import taxfiles as tf

CODES = [(make_code("91310107", f"MB{n:06d}"), f"上海读取测试{n}有限公司") for n in range(1, 9)]


def payers():
    ps = tf.sample_payers(CODES)
    ps.append(
        tf.Payer(
            "310107132456789", "上海老识别号商行", {"增值税": 1234_56, "个人所得税": 78_90}, district=300_00
        )
    )
    return ps


def grand_total(ps):
    return sum(p.total for p in ps)


def table_of(pf):
    from collections import defaultdict
    from decimal import Decimal

    return facts_table(pf, 1, defaultdict(lambda: Decimal(0)))  # district 0 where a ratio would be needed


def totals(pf):
    t = table_of(pf)
    return int(pc.sum(t["total_fen"]).as_py() or 0), int(pc.sum(t["district_fen"]).as_py() or 0)


@pytest.mark.parametrize(
    "suffix,encoding,kw",
    [
        (".xlsx", "utf-8-sig", {}),
        (".xlsx", "utf-8-sig", {"unit": "万元"}),
        (".xlsx", "utf-8-sig", {"level_header": True, "unit_in_header": True}),
        (".xls", "utf-8-sig", {}),
        (".xls", "utf-8-sig", {"unit": "万元", "text_amounts": True}),
        (".csv", "utf-8-sig", {}),
        (".csv", "gbk", {"text_amounts": True}),
        (".csv", "gb18030", {"unit": "万元", "text_amounts": True}),
        (".csv", "utf-8", {"title": None, "unit_line": False, "seq": False, "extra_columns": False}),
    ],
)
def test_wide_files_in_every_format_give_exact_totals(tmp_path, suffix, encoding, kw):
    ps = payers()
    path = tf.write_wide(tmp_path / f"f{suffix}", ps, encoding=encoding, **kw)
    pf = parse_tax_file(path, month="2025-03" if kw.get("title", "") is None else None)
    assert pf.errors == []
    assert pf.layout == "wide"
    assert pf.month == "2025-03"
    assert pf.unit == kw.get("unit", "元")
    assert pf.district_source == "file"
    assert pf.rows == len(ps)
    total, district = totals(pf)
    assert total == grand_total(ps)
    assert district == sum(p.district for p in ps)
    assert "序号" in pf.ignored_columns or not kw.get("seq", True) is not False


def test_wide_row_level_district_is_kept_as_its_own_fact(tmp_path):
    ps = payers()
    pf = parse_tax_file(tf.write_wide(tmp_path / "w.xlsx", ps))
    t = table_of(pf)
    only = t.filter(pc.equal(t["tax_type"], DISTRICT_ONLY_TAX_TYPE))
    assert int(pc.sum(only["total_fen"]).as_py()) == 0
    assert int(pc.sum(only["district_fen"]).as_py()) == sum(p.district for p in ps)
    vat = t.filter(pc.equal(t["tax_type"], "增值税"))
    assert int(pc.sum(vat["total_fen"]).as_py()) == sum(p.amounts["增值税"] for p in ps)


def test_every_fact_keeps_its_spreadsheet_row(tmp_path):
    ps = payers()
    path = tf.write_wide(tmp_path / "w.xlsx", ps)
    pf = parse_tax_file(path)
    t = table_of(pf)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    for tid, row in zip(t["taxpayer_id"].to_pylist(), t["source_row"].to_pylist(), strict=True):
        assert rows[row - 1][1] == tid  # column B of that spreadsheet row holds the taxpayer


@pytest.mark.parametrize(
    "suffix,encoding,kw",
    [
        (".xlsx", "utf-8-sig", {}),
        (".xlsx", "utf-8-sig", {"merged_taxpayer": True}),
        (".xlsx", "utf-8-sig", {"unit": "万元", "unit_in_header": True}),
        (".xls", "utf-8-sig", {"merged_taxpayer": True}),
        (".csv", "gbk", {"text_amounts": True}),
        (
            ".csv",
            "gb18030",
            {
                "text_amounts": True,
                "id_label": "纳税人识别号",
                "name_label": "纳税人名称",
                "tax_label": "税种",
                "amount_label": "实缴税额",
            },
        ),
    ],
)
def test_long_files_with_two_level_header(tmp_path, suffix, encoding, kw):
    ps = payers()
    pays = tf.payments_from(ps)
    path = tf.write_long(tmp_path / f"l{suffix}", pays, encoding=encoding, **kw)
    pf = parse_tax_file(path)
    assert pf.errors == []
    assert pf.layout == "long"
    assert pf.month == "2025-03"
    assert pf.month_sources.get("入库日期") == "2025-03"
    assert pf.district_source == "file"
    assert pf.rows == len(pays)
    total, district = totals(pf)
    assert total == grand_total(ps)
    assert district == sum(p.district for p in ps)
    assert len(pf.names) == len(ps)


def test_long_without_levels_needs_ratios(tmp_path):
    pays = tf.payments_from(payers())
    pf = parse_tax_file(tf.write_long(tmp_path / "l.xlsx", pays, two_level=False))
    assert pf.errors == []
    assert pf.district_source == "ratio"


def test_repeated_taxpayer_tax_type_rows_add_up(tmp_path):
    code = CODES[0][0]
    pays = [
        tf.Payment(code, "甲公司", "增值税", 100_00, dt.date(2025, 3, 5), 50_00, 25_00, 25_00),
        tf.Payment(code, "甲公司", "增值税", 250_50, dt.date(2025, 3, 20), 125_25, 62_63, 62_62),
        tf.Payment(code, "甲公司", "增值税", -30_00, dt.date(2025, 3, 28), -15_00, -7_50, -7_50),  # refund
    ]
    pf = parse_tax_file(tf.write_long(tmp_path / "l.xlsx", pays))
    assert pf.errors == []
    t = table_of(pf)
    assert t.num_rows == 3
    assert totals(pf) == (320_50, 80_12)


def test_units_line_in_wan_and_text_with_separators(tmp_path):
    ps = [
        tf.Payer(CODES[0][0], "甲", {"增值税": 123_456_789_01, "企业所得税": -1_00}, district=12_345_678_90)
    ]
    pf = parse_tax_file(tf.write_wide(tmp_path / "w.csv", ps, unit="万元", text_amounts=True, encoding="gbk"))
    assert pf.errors == []
    assert pf.unit == "万元"
    assert totals(pf) == (123_456_788_01, 12_345_678_90)


def test_amount_column_parsing_is_exact():
    values = [
        1234.56,
        "1,234.56",
        "（12.30）",
        "-5",
        "",
        None,
        0.1,
        0.07,
        1e9 + 0.01,
        "１２３．４５",
        "-",
        7,
        "1,234.50-",
    ]
    arr, errors = parse_amount_column(values, "元")
    assert errors == []
    assert arr.to_pylist() == [123456, 123456, -1230, -500, 0, 0, 10, 7, 100000000001, 12345, 0, 700, -123450]
    arr, errors = parse_amount_column([12.345678, "0.000001"], "万元")
    assert errors == [] and arr.to_pylist() == [12345678, 1]


def test_amount_column_reports_every_bad_cell():
    arr, errors = parse_amount_column(["12.3.4", 1.005, "abc", True, dt.date(2025, 1, 1), 5], "元")
    assert [e[0] for e in errors] == [1, 0, 2, 3, 4]
    assert all("金额无法识别" in e[2] for e in errors)
    assert arr.to_pylist()[5] == 500


def test_bad_amount_cells_are_listed_with_row_column_and_value(tmp_path):
    ps = payers()
    sheet = tf.wide_sheet(ps, total_row=False, blank_rows=False)
    header_row = 2  # title, units line, header (0-based index 2)
    vat_col = sheet.rows[header_row].index("增值税")
    sheet.rows[header_row + 2][vat_col] = "12,34x.00"
    sheet.rows[header_row + 4][vat_col + 1] = "一百元"
    pf = parse_tax_file(tf.write(tmp_path / "bad.xlsx", sheet))
    assert len(pf.errors) == 2, pf.errors
    e1, e2 = sorted(pf.errors, key=lambda e: e["row"])
    assert e1["row"] == header_row + 3 and e1["value"] == "12,34x.00"
    assert e1["column"] == "增值税（H列）"
    assert e2["row"] == header_row + 5 and e2["value"] == "一百元" and e2["column"] == "企业所得税（I列）"
    assert all("金额无法识别" in e["message"] for e in pf.errors)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_total_row_must_equal_the_sum_per_column(tmp_path, suffix):
    ps = payers()
    good = sum(p.amounts.get("企业所得税", 0) for p in ps)
    path = tf.write_wide(tmp_path / f"w{suffix}", ps, total_override={"企业所得税": good + 1})
    pf = parse_tax_file(path)
    assert len(pf.errors) == 1
    err = pf.errors[0]
    assert (
        err["column"].startswith("企业所得税（")
        and "合计行金额" in err["message"]
        and "差额 0.01 元" in err["message"]
    )
    assert isinstance(err["row"], int) and err["row"] > len(ps)


def test_wide_row_total_must_equal_sum_of_tax_types(tmp_path):
    ps = payers()
    sheet = tf.wide_sheet(ps, total_row=False, blank_rows=False)
    sheet.rows[3][5] = tf.fen_number(ps[0].total + 100)  # 税收合计 of the first taxpayer (F4)
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", sheet))
    assert [(e["row"], e["column"]) for e in pf.errors] == [(4, "税收合计（F列）")]
    assert "各税种之和" in pf.errors[0]["message"]


def test_header_synonyms_and_notes_under_the_table(tmp_path):
    ps = payers()
    path = tf.write_wide(
        tmp_path / "w.xlsx",
        ps,
        id_label="统一社会信用代码",
        name_label="企业名称",
        total_label="税收合计",
        district_label="区级税收",
    )
    pf = parse_tax_file(path)
    assert pf.errors == []
    assert totals(pf)[1] == sum(p.district for p in ps)


def test_subtotal_rows_are_skipped(tmp_path):
    ps = payers()
    sheet = tf.wide_sheet(ps, total_row=True, blank_rows=False)
    width = len(sheet.rows[2])
    sheet.rows.insert(6, ["", "小计", ""] + [""] * (width - 3))
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", sheet))
    assert pf.errors == []
    assert any("小计" in n for n in pf.notes)


def test_legacy_and_odd_ids_are_kept(tmp_path):
    ps = [
        tf.Payer("310107132456789", "十五位", {"增值税": 100}),
        tf.Payer("31010713245678901234", "二十位", {"增值税": 200}),
        tf.Payer(CODES[0][0][:-1] + ("0" if CODES[0][0][-1] != "0" else "1"), "校验位错误", {"增值税": 300}),
    ]
    pf = parse_tax_file(tf.write_wide(tmp_path / "w.xlsx", ps, district_label=None))
    assert pf.errors == []
    assert set(pf.names) == {p.taxpayer_id for p in ps}


def test_scientific_notation_id_is_rejected(tmp_path):
    sheet = tf.wide_sheet([tf.Payer("3.10107E+14", "被科学计数法的识别号", {"增值税": 100})], total_row=False)
    pf = parse_tax_file(tf.write(tmp_path / "w.csv", sheet))
    assert len(pf.errors) == 1 and "科学计数法" in pf.errors[0]["message"]


def test_blank_id_with_money_is_rejected(tmp_path):
    sheet = tf.wide_sheet(payers()[:2], total_row=False, blank_rows=False)
    sheet.rows[3][1] = ""
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", sheet))
    assert [(e["row"], e["message"]) for e in pf.errors] == [(4, "纳税人识别号为空，但该行有金额")]


# ---- months


def test_month_from_title_variants():
    assert months_in_title("2025年3月重点企业税收") == ({"2025-03"}, None)
    assert months_in_title("普陀区 2025 年 03 月 入库税收（所属期2025年2月）") == ({"2025-03"}, None)
    assert months_in_title("2025.03 税收明细  制表日期：2025年4月8日") == ({"2025-03"}, None)
    assert months_in_title("2025年1-3月税收")[1] == "2025年1-3月"
    assert months_in_title("2025年1月至3月")[1] is not None
    assert months_in_title("2025年一季度税收")[1] is not None
    assert months_in_title("税收明细") == (set(), None)
    assert months_in_title("二〇二五年三月企业税收") == ({"2025-03"}, None)
    assert months_in_title("2025年十二月税收") == ({"2025-12"}, None)


def test_month_of_date_cells():
    assert month_of_date_cell(dt.date(2025, 3, 31)) == "2025-03"
    assert month_of_date_cell(dt.datetime(2025, 3, 1, 10, 0)) == "2025-03"
    for text in (
        "2025-03-15",
        "2025/3/15",
        "2025.03.15",
        "20250315",
        "2025年3月15日",
        "2025-03",
        "202503",
        "2025-03-15 00:00:00",
    ):
        assert month_of_date_cell(text) == "2025-03", text
    assert month_of_date_cell(45731.0) == "2025-03"  # Excel serial for 2025-03-15
    assert month_of_date_cell("三月") is None


def test_multi_month_title_is_rejected(tmp_path):
    pf = parse_tax_file(tf.write_wide(tmp_path / "w.xlsx", payers(), title="2025年1-3月重点企业税收"))
    assert any("多个月份" in e["message"] for e in pf.errors)
    pf = parse_tax_file(
        tf.write_wide(tmp_path / "w.xlsx", payers(), title="2025年1-3月重点企业税收"), month="2025-03"
    )
    assert pf.errors, "a cumulative file must not be imported as one month"


def test_month_sources_must_agree(tmp_path):
    path = tf.write_wide(tmp_path / "w.xlsx", payers(), title="2025年3月税收")
    pf = parse_tax_file(path, month="2025-04")
    assert len(pf.errors) == 1 and "月份来源不一致" in pf.errors[0]["message"]
    assert parse_tax_file(path, month="2025-03").errors == []


def test_dates_in_several_months_are_rejected(tmp_path):
    pays = tf.payments_from(payers())
    pays[3].date = dt.date(2025, 4, 1)
    pf = parse_tax_file(tf.write_long(tmp_path / "l.xlsx", pays, title="入库明细"))
    assert len(pf.errors) == 1
    assert "2025-04" in pf.errors[0]["message"] and pf.errors[0]["row"] is not None


def test_date_column_disagreeing_with_title(tmp_path):
    pays = tf.payments_from(payers(), date=dt.date(2025, 4, 2))
    pf = parse_tax_file(tf.write_long(tmp_path / "l.xlsx", pays, title="2025年3月入库明细"))
    assert "月份来源不一致" in pf.errors[0]["message"]


def test_no_month_anywhere_asks_for_month(tmp_path):
    path = tf.write_wide(tmp_path / "w.xlsx", payers(), title="重点企业税收明细")
    pf = parse_tax_file(path)
    assert "--month" in pf.errors[0]["message"]
    assert parse_tax_file(path, month="2025-03").errors == []
    named = tf.write_wide(tmp_path / "2025年3月税收.xlsx", payers(), title="重点企业税收明细")
    pf = parse_tax_file(named)
    assert pf.errors == [] and pf.month_sources == {"文件名": "2025-03"}


# ---- headers and ratios


def test_classify_labels():
    assert classify_label("纳税人识别号").role == "id"
    assert classify_label("社会信用代码(纳税人识别号)").role == "id"
    assert classify_label("纳税人名称").role == "name"
    assert classify_label("征收项目").role == "tax_type"
    c = classify_label("实缴金额(万元)")
    assert (c.role, c.level, c.unit) == ("amount", "total", "万元")
    assert classify_label("其中/区级").level == "district"
    assert classify_label("税收合计/其中区级").level == "district"
    assert classify_label("地方级").level == "local"
    c = classify_label("增值税/区级")
    assert (c.tax, c.level) == ("增值税", "district")
    assert classify_label("城建税").tax == "城市维护建设税"
    for ignored in ("序号", "主管税务所", "税款所属期", "登记注册类型", "上年同期", "同比增减%", "本年累计"):
        assert classify_label(ignored).role == "ignored", ignored


def test_share_half_up_is_exact_and_rounds_away_from_zero():
    from decimal import Decimal

    assert share_half_up(1001, Decimal("50")) == 501  # 500.5 → 501
    assert share_half_up(-1001, Decimal("50")) == -501
    assert share_half_up(999, Decimal("33.3333")) == 333
    assert share_half_up(10**15 + 1, Decimal("12.5")) == 125000000000000  # 125000000000000.125 → down
    assert share_half_up(3, Decimal("50")) == 2


def test_unreadable_file_is_an_error_not_a_crash(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04not really a zip")
    pf = parse_tax_file(p)
    assert pf.errors and "Excel" in pf.errors[0]["message"]
    p = tmp_path / "y.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    pf = parse_tax_file(p)
    assert "表头" in pf.errors[0]["message"]


def test_two_id_columns_credit_code_first_old_id_fills_blanks(tmp_path):
    code = CODES[0][0]
    rows = [
        ["2025年3月税收"],
        ["纳税人识别号", "统一社会信用代码", "纳税人名称", "增值税"],
        ["310107999999999", code, "甲", 100],
        ["310107132456789", "", "乙", 200],
        ['="310107132456780"', None, "丙", "1,000.00"],
        ["合  计（共3户）", "", "", "1,300.00"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "w.csv", tf.Sheet(rows)))
    assert pf.errors == []
    assert list(pf.names) == [code, "310107132456789", "310107132456780"]
    assert pf.file_totals == {"增值税": 1300_00}
    assert totals(pf)[0] == 100_00 + 200_00 + 1000_00


def test_total_row_placeholder_is_not_a_number(tmp_path):
    rows = [
        ["2025年3月税收"],
        ["纳税人识别号", "纳税人名称", "增值税", "区级收入"],
        [CODES[0][0], "甲", 100, 25],
        ["合计", "", 100, "—"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", tf.Sheet(rows)))
    assert pf.errors == []


def test_long_file_with_one_row_per_budget_level(tmp_path):
    code = CODES[0][0]
    rows = [
        ["普陀区2025年3月税收入库明细（按预算级次）"],
        ["单位：元"],
        ["纳税人识别号", "纳税人名称", "征收项目", "预算级次", "入库日期", "收款国库", "实缴金额"],
        [code, "甲", "增值税", "中央级", "2025-03-10", "国家金库上海市普陀区支库", "500.00"],
        [code, "甲", "增值税", "市级", "2025-03-10", "国家金库上海市普陀区支库", "250.00"],
        [code, "甲", "增值税", "区级", "2025-03-10", "国家金库上海市普陀区支库", "250.00"],
        [code, "甲", "企业所得税", "区县级", "2025-03-11", "国家金库上海市普陀区支库", "-40.00"],
        ["合计", "", "", "", "", "", "960.00"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "l.csv", tf.Sheet(rows), encoding="gbk"))
    assert pf.errors == []
    assert pf.district_source == "file" and pf.month == "2025-03"
    assert totals(pf) == (960_00, 210_00)
    rows[4][3] = "共享"
    pf = parse_tax_file(tf.write(tmp_path / "l2.csv", tf.Sheet(rows), encoding="gbk"))
    assert [(e["row"], e["column"], e["value"]) for e in pf.errors] == [(5, "预算级次（D列）", "共享")]


def test_columns_of_the_same_tax_type_add_up(tmp_path):
    rows = [
        ["2025年3月税收"],
        [
            "纳税人识别号",
            "纳税人名称",
            "税收合计",
            "国内增值税",
            "改征增值税",
            "内资企业所得税",
            "外资企业所得税",
        ],
        [CODES[0][0], "甲", 1000, 100, 200, 300, 400],
        ["合计", "", 1000, 100, 200, 300, 400],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", tf.Sheet(rows)), month="2025-03")
    assert pf.errors == []
    t = table_of(pf)
    assert dict(zip(t["tax_type"].to_pylist(), t["total_fen"].to_pylist(), strict=True)) == {
        "增值税": 300_00,
        "企业所得税": 700_00,
    }


def test_tax_columns_under_qizhong_are_part_of_the_total(tmp_path):
    rows = [
        ["2025年3月重点企业税收（单位：人民币元）"],
        ["纳税人识别号", "纳税人名称", "税收合计", "其中", "", ""],
        ["", "", "", "增值税", "企业所得税", "个人所得税"],
        [CODES[0][0], "甲", 1000, 100, 200, 300],
        [CODES[1][0], "乙", 50, 60, 0, 0],
        ["合计", "", 1050, 160, 200, 300],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "w.xlsx", tf.Sheet(rows, merges=[(1, 3, 1, 5)])), month="2025-03")
    assert pf.errors == []
    t = table_of(pf)
    got = {
        (i, x): v
        for i, x, v in zip(
            t["taxpayer_id"].to_pylist(), t["tax_type"].to_pylist(), t["total_fen"].to_pylist(), strict=True
        )
    }
    assert got[(CODES[0][0], "其他税收（未列明）")] == 400_00
    assert got[(CODES[1][0], "其他税收（未列明）")] == -10_00
    assert totals(pf)[0] == 1050_00


def test_unit_stated_in_a_note_under_the_table(tmp_path):
    rows = [
        ["2025年3月税收"],
        ["纳税人识别号", "纳税人名称", "增值税"],
        [CODES[0][0], "甲", 1.5],
        ["注：金额单位为万元"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "w.csv", tf.Sheet(rows)))
    assert pf.errors == [] and pf.unit == "万元" and totals(pf)[0] == 1_500_000


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_html_saved_as_xls_is_read_with_its_merged_cells(tmp_path, layout):
    ps = payers()
    if layout == "wide":
        sheet = tf.wide_sheet(ps, level_header=True, text_amounts=True)
    else:
        sheet = tf.long_sheet(tf.payments_from(ps), merged_taxpayer=True)
    path = tf.write(tmp_path / "金三导出.xls", sheet, encoding="html")
    assert path.read_bytes().startswith(b"<html")
    pf = parse_tax_file(path)
    assert pf.errors == []
    assert pf.layout == layout and pf.month == "2025-03"
    assert totals(pf) == (grand_total(ps), sum(p.district for p in ps))


def test_text_saved_as_xls_is_read_as_text(tmp_path):
    ps = payers()
    csv_path = tf.write_wide(tmp_path / "w.csv", ps, encoding="gbk")
    fake = tmp_path / "w.xls"
    fake.write_bytes(csv_path.read_bytes())
    pf = parse_tax_file(fake)
    assert pf.errors == [] and totals(pf)[0] == grand_total(ps)


def test_month_argument_forms():
    from peiyu.taxes.parse import normalize_month

    for text in ("2025-03", "2025-3", "2025/03", "202503", "2025年3月", "２０２５-０３"):
        assert normalize_month(text) == "2025-03", text
    for text in ("2025-13", "2025", "三月", ""):
        assert normalize_month(text) is None, text


def test_any_cell_content_is_either_read_exactly_or_reported(tmp_path):
    """Property: whatever lands in the amount cells, parsing never crashes; a file without errors
    stores exactly the sum of its cells."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    cell = st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12).map(lambda f: tf.fen_text(f)),
        st.integers(min_value=-(10**12), max_value=10**12).map(lambda f: tf.fen_text(f, sep=False)),
        st.sampled_from(["", "-", "—", "(12.30)", "1,2,3", "12.345", "abc", "１２．５", "1e3", "NaN", " 7 "]),
        st.text(max_size=6),
    )
    counter = iter(range(10**6))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(cell, cell), min_size=1, max_size=6))
    def check(cells):
        rows = [["2025年3月税收"], ["纳税人识别号", "纳税人名称", "增值税", "企业所得税"]]
        rows += [[f"{CODES[k % len(CODES)][0]}", f"户{k}", a, b] for k, (a, b) in enumerate(cells)]
        path = tf.write(tmp_path / f"p{next(counter)}.csv", tf.Sheet(rows))
        pf = parse_tax_file(path)
        for e in pf.errors:
            assert set(e) >= {"row", "column", "value", "message"} and e["message"]
        if not pf.errors:
            import unicodedata

            from peiyu.core.money import parse_amount_fen

            def fen(v):
                t = unicodedata.normalize("NFKC", v).strip()
                if t.endswith("-") and t[:-1].replace(",", "").replace(".", "", 1).isdigit():
                    t = "-" + t[:-1]
                return parse_amount_fen(t)

            expected = sum(fen(v) for a, b in cells for v in (a, b))
            assert totals(pf)[0] == expected

    check()


def test_per_taxpayer_subtotal_rows_in_long_files_are_not_counted(tmp_path):
    a, b = CODES[0][0], CODES[1][0]
    rows = [
        ["2025年3月分税种入库明细"],
        ["序号", "纳税人识别号", "纳税人名称", "征收项目", "实缴金额"],
        [1, a, "甲", "增值税", "100.00"],
        [2, a, "甲", "企业所得税", "50.00"],
        ["", a, "甲", "小计", "150.00"],
        [3, b, "乙", "增值税", "7.00"],
        ["", "", "", "小计", "7.00"],
        ["", "", "", "合计", "157.00"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "l.xlsx", tf.Sheet(rows)), month="2025-03")
    assert pf.errors == []
    assert pf.rows == 3 and totals(pf)[0] == 157_00
    assert pf.file_totals == {"实缴金额": 157_00}


def test_workbook_split_over_sheets_adds_up_but_a_repeated_sheet_is_refused(tmp_path):
    ps = payers()
    first, second = tf.wide_sheet(ps[:4], blank_rows=False), tf.wide_sheet(ps[4:], blank_rows=False)
    first.name, second.name = "明细1", "明细2"
    pf = parse_tax_file(tf.write(tmp_path / "split.xlsx", [first, second]))
    assert pf.errors == [] and pf.sheets == ["明细1", "明细2"]
    assert totals(pf)[0] == grand_total(ps)
    again = tf.wide_sheet(ps[:3], blank_rows=False)
    again.name = "重点企业"
    pf = parse_tax_file(tf.write(tmp_path / "dup.xlsx", [first, again]))
    assert len(pf.errors) == 1 and "重复" in pf.errors[0]["message"]


def test_the_parser_reads_sheets_without_a_file_or_the_database():
    sheet = TableSheet(
        "税收",
        [
            ["2025年3月重点企业税收"],
            ["纳税人识别号", "纳税人名称", "增值税", "区级收入"],
            ["91310107MA1FL0001X", "上海甲有限公司", 1234.56, 300],
            ["合计", "", 1234.56, 300],
        ],
    )
    pf = parse_tax_sheets([sheet], "x.xlsx")
    assert (
        pf.ok
        and pf.month == "2025-03"
        and pf.layout == "wide"
        and pf.file_totals == {"增值税": 123456, "区级收入": 30000}
    )
    bad = TableSheet("税收", [*sheet.rows[:3], ["合计", "", 1000, 300]])
    (err,) = parse_tax_sheets([bad], "x.xlsx").errors
    assert (err["row"], err["column"], err["value"]) == (4, "增值税（C列）", "1000")
    assert "不符" in err["message"]
