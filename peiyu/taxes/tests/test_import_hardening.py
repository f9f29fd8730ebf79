"""Hardening of the tax import (issue 19): implausible months held as 待确认, confirmed and
withdrawn; files refused only for missing sharing ratios completed on their report page; an import
of a month another import changed meanwhile is held; the header vocabulary extended as data; the
real export family (金三 payment history, pinyin headings, 预算级次 rows, XML Spreadsheet 2003,
UTF-16 text, semicolon CSV) read to the fen."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.urls import reverse

from peiyu.taxes import actions, library
from peiyu.taxes.actions import do_import_tax_file
from peiyu.taxes.models import HeadingWord, SharingRatio, TaxBatch
from peiyu.taxes.parse import parse_tax_file
from peiyu.taxes.tests import taxfiles as tf


def payers(n: int = 30, scale: int = 1) -> list[tf.Payer]:
    return [
        tf.Payer(
            f"91310107MA1G{k:06d}",
            f"上海测试{k}有限公司",
            {"增值税": (100_000_00 + k * 1_00) * scale},
            district=0,
        )
        for k in range(n)
    ]


def month_file(tmp_path, month: str, ps, **kw):
    y, m = month.split("-")
    kw.setdefault("title", f"{y}年{int(m)}月重点企业税收明细")
    return tf.write_wide(
        tmp_path / f"{month}-{len(ps)}-{kw.get('unit', '元')}.xlsx", ps, district_label=None, **kw
    )


def served(month: str) -> TaxBatch | None:
    return TaxBatch.objects.filter(month=month, is_active=True).first()


@pytest.fixture
def history(world, tmp_path):
    for t in ("增值税",):
        SharingRatio.objects.create(tax_type=t, valid_from="2020-01", district_pct=Decimal("25"))
    for month in ("2025-01", "2025-02", "2025-03"):
        r = do_import_tax_file(world["admin"], month_file(tmp_path, month, payers()))
        assert r["status"] == "accepted", r["errors"]
    return world


@pytest.mark.django_db
def test_a_month_in_the_wrong_unit_is_held_not_served_then_confirmed_and_withdrawn(history, tmp_path):
    admin = history["admin"]
    # 元 figures under a 单位：万元 line: 10,000× the usual month
    bad = month_file(
        tmp_path, "2025-04", payers(), unit_line=False, title="2025年4月重点企业税收明细（单位：万元）"
    )
    r = do_import_tax_file(admin, bad)
    assert r["status"] == "held" and "待确认" in r["message"] and "倍" in r["doubts"][0]
    held = TaxBatch.objects.get(pk=r["batch_id"])
    assert held.status == TaxBatch.Status.HELD and served("2025-04") is None
    assert not library.versions_on_disk("2025-04")
    # shown as 待确认 with a confirm button
    from django.test import Client

    c = Client()
    c.force_login(admin)
    page = c.get(reverse("taxes:batch", args=[held.pk])).content.decode()
    assert "待确认" in page and "确认入库" in page
    assert c.post(reverse("taxes:batch_confirm", args=[held.pk]), {"reason": ""}).status_code == 302
    assert TaxBatch.objects.get(pk=held.pk).status == TaxBatch.Status.HELD  # no reason, no confirmation
    c.post(reverse("taxes:batch_confirm", args=[held.pk]), {"reason": "已与税务局核对"})
    held.refresh_from_db()
    assert held.status == TaxBatch.Status.ACCEPTED and held.is_active and held.version == 1
    # withdrawn: the month goes back to its previous state (no data at all)
    c.post(reverse("taxes:batch_withdraw", args=[held.pk]), {"reason": "单位写错"})
    held.refresh_from_db()
    assert held.status == TaxBatch.Status.WITHDRAWN and not held.is_active and served("2025-04") is None


@pytest.mark.django_db
def test_withdrawing_returns_to_the_version_before(history, tmp_path):
    admin = history["admin"]
    before = served("2025-03")
    assert before is not None
    few = month_file(tmp_path, "2025-03", payers(3))  # 3 taxpayers where there are usually 30
    r = do_import_tax_file(admin, few)
    assert r["status"] == "held" and "户纳税人" in r["doubts"][-1]
    assert served("2025-03").pk == before.pk
    r = actions.do_confirm_tax_batch(admin, TaxBatch.objects.get(pk=r["batch_id"]), "确认")
    assert r["status"] == "accepted" and served("2025-03").pk == r["batch_id"]
    with pytest.raises(actions.ActionError):
        actions.do_withdraw_tax_version(admin, served("2025-03"), "")
    previous = actions.do_withdraw_tax_version(admin, served("2025-03"), "只导出了一部分")
    assert previous is not None and previous.pk == before.pk and served("2025-03").pk == before.pk
    # the withdrawn version's number is never reused
    again = do_import_tax_file(admin, month_file(tmp_path, "2025-03", payers(31)))
    assert again["status"] == "accepted" and again["version"] == 3


@pytest.mark.django_db
def test_cli_holds_with_exit_code_2_and_confirm_accepts(history, tmp_path):
    from peiyu.taxes.tests.test_import_store import run_cli

    bad = month_file(tmp_path, "2025-05", payers(scale=1000))
    code, out = run_cli(str(bad))
    assert code == 2 and "待确认" in out
    code, out = run_cli(str(bad), "--confirm")
    assert code == 0 and "已入库" in out


@pytest.mark.django_db
def test_an_import_of_a_month_changed_meanwhile_is_held(world, tmp_path):
    admin = world["admin"]
    SharingRatio.objects.create(tax_type="增值税", valid_from="2020-01", district_pct=Decimal("25"))
    first = month_file(tmp_path, "2025-06", payers(5))
    second = month_file(tmp_path, "2025-06", payers(6))
    landed = {}

    def meanwhile(phase, done, total):
        if phase == "read" and not landed:  # another user's import of the month lands now
            landed["r"] = do_import_tax_file(admin, first)

    r = do_import_tax_file(admin, second, progress=meanwhile)
    assert landed["r"]["status"] == "accepted"
    assert r["status"] == "held" and "本次导入进行期间" in r["message"]
    assert served("2025-06").pk == landed["r"]["batch_id"]


@pytest.mark.django_db
def test_a_file_refused_only_for_missing_ratios_is_completed_on_its_page(world, tmp_path):
    admin = world["admin"]
    ps = payers(4)
    path = month_file(tmp_path, "2025-03", ps)
    r = do_import_tax_file(admin, path)
    assert r["status"] == "rejected" and r["missing_ratio_types"] == ["增值税"]
    assert "无需重新上传" in r["errors"][0]["message"]
    batch = TaxBatch.objects.get(pk=r["batch_id"])
    from django.test import Client

    c = Client()
    c.force_login(admin)
    page = c.get(reverse("taxes:batch", args=[batch.pk])).content.decode()
    assert "保存比例并入库" in page and "ratio:增值税" in page
    resp = c.post(reverse("taxes:batch_ratios", args=[batch.pk]), {"ratio:增值税": "40"})
    assert resp.status_code == 302
    b = served("2025-03")
    assert b is not None and b.total_fen == sum(p.total for p in ps)
    assert b.district_fen == sum(p.total * 40 // 100 for p in ps)
    assert SharingRatio.objects.get(tax_type="增值税").valid_from == "2025-03"


@pytest.mark.django_db
def test_header_vocabulary_is_data_an_administrator_extends(world, tmp_path):
    rows = [
        ["2025年3月税收明细"],
        ["纳税主体编号", "纳税人名称", "增值税", "区财力"],
        ["91310107MA1G000001", "甲公司", 100.5, 30.25],
        ["91310107MA1G000002", "乙公司", 200, 50],
    ]
    path = tf.write(tmp_path / "新表头.csv", tf.Sheet(rows))
    assert do_import_tax_file(world["admin"], path)["status"] == "rejected"
    out = io.StringIO()
    call_command("tax_headings", "add", "纳税主体编号", "id", stdout=out)
    call_command("tax_headings", "add", "区 财力", "district", stdout=out)
    assert "已增加" in out.getvalue() and HeadingWord.objects.count() == 2
    r = do_import_tax_file(world["admin"], path, force=True)
    assert r["status"] == "accepted" and r["total_fen"] == 300_50 and r["district_fen"] == 80_25
    call_command("tax_headings", "list", stdout=out)
    assert "纳税主体编号" in out.getvalue()


@pytest.mark.django_db
def test_a_new_tax_type_is_refused_until_registered(world, tmp_path):
    rows = [
        ["纳税人识别号", "纳税人名称", "征收项目", "入库日期", "实缴金额", "区级"],
        ["91310107MA1G000001", "甲公司", "增值税", "2025-03-05", 100, 25],
        ["91310107MA1G000001", "甲公司", "工会经费", "2025-03-09", 10, 10],
    ]
    path = tf.write(tmp_path / "long.csv", tf.Sheet(rows))
    r = do_import_tax_file(world["admin"], path)
    assert (
        r["status"] == "rejected"
        and "不在税种表中" in r["errors"][0]["message"]
        and r["errors"][0]["row"] == 3
    )
    actions.do_add_heading_word(world["admin"], "工会经费", "tax", "工会经费")
    r = do_import_tax_file(world["admin"], path, force=True)
    assert r["status"] == "accepted" and r["total_fen"] == 110_00


# ---------------------------------------------------------------------------------------------
# The real export family, read to the fen (pure parser)


def test_jinsan_payment_history_month_follows_the_receipt_date(tmp_path):
    rows = [
        ["税款缴纳历史查询"],
        ["纳税人识别号", "纳税人名称", "征收项目", "征收品目", "税款所属期起", "税款所属期止", "计税依据", "税率",
         "应纳税额", "减免税额", "已缴税额", "应补(退)税额", "申报日期", "入库日期", "区级分成"],
        ["91310107MA1G000001", "甲", "增值税", "货物", "2025-02-01", "2025-02-28", 10000, 0.13, 1300, 0, 0, 1300,
         "2025-03-10", "2025-03-15", 650],
        ["91310107MA1G000001", "甲", "城市维护建设税", "市区", "2025-02-01", "2025-02-28", 1300, 0.07, 91, 0, 0, 91,
         "2025-03-10", "2025-03-15", 91],
    ]  # fmt: skip
    pf = parse_tax_file(tf.write(tmp_path / "jinsan.xlsx", tf.Sheet(rows)))
    assert pf.ok, pf.errors
    assert pf.month == "2025-03" and pf.month_sources == {"入库日期": "2025-03"}
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_total) == 1391_00
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_district) == 741_00


def test_pinyin_initial_headings(tmp_path):
    rows = [
        ["NSRSBH", "NSRMC", "ZSXM", "SJJE", "QXJ", "RKRQ", "JDXZ"],
        ["91310107MA1G000001", "甲", "增值税", "1,000.10", "250.03", "20250312", "长寿路街道"],
        ["91310107MA1G000002", "乙", "企业所得税", "500", "100", "20250320", "石泉路街道"],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "py.csv", tf.Sheet(rows)))
    assert pf.ok, pf.errors
    assert pf.month == "2025-03" and pf.layout == "long"
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_total) == 1500_10
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_district) == 350_03


def test_budget_level_rows(tmp_path):
    rows = [
        ["纳税人识别号", "纳税人名称", "征收项目", "预算级次", "入库日期", "实缴金额"],
        ["91310107MA1G000001", "甲", "增值税", "中央级", "2025-03-05", 500],
        ["91310107MA1G000001", "甲", "增值税", "市级", "2025-03-05", 250],
        ["91310107MA1G000001", "甲", "增值税", "区级", "2025-03-05", 250],
    ]
    pf = parse_tax_file(tf.write(tmp_path / "levels.csv", tf.Sheet(rows)))
    assert pf.ok, pf.errors
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_total) == 1000_00
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_district) == 250_00


def xml_2003(rows, hidden_rows=None) -> bytes:
    from xml.sax.saxutils import escape

    def sheet(name, rs, hidden=False):
        out = [f'<Worksheet ss:Name="{name}"><Table>']
        for r in rs:
            out.append("<Row>")
            for v in r:
                t = "Number" if isinstance(v, (int, float)) else "String"
                out.append(f'<Cell><Data ss:Type="{t}">{escape(str(v))}</Data></Cell>')
            out.append("</Row>")
        out.append("</Table>")
        if hidden:
            out.append(
                '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>'
            )
        out.append("</Worksheet>")
        return "".join(out)

    body = sheet("明细", rows) + (sheet("隐藏", hidden_rows, True) if hidden_rows else "")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">' + body + "</Workbook>"
    ).encode()


WIDE = [
    ["2025年3月重点企业税收"],
    ["纳税人识别号", "纳税人名称", "增值税", "企业所得税", "区级收入"],
    ["91310107MA1G000001", "甲", 1000.01, 200, 300],
    ["91310107MA1G000002", "乙", 50, 0, 10],
    ["合计", "", 1050.01, 200, 310],
]


def test_xml_spreadsheet_2003_xls_hidden_sheet_skipped(tmp_path):
    path = tmp_path / "2003.xls"
    path.write_bytes(xml_2003(WIDE, hidden_rows=[WIDE[1], ["91310107MA1G000009", "藏", 999999, 0, 0]]))
    pf = parse_tax_file(path)
    assert pf.ok, pf.errors
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_total) == 1250_01 and pf.hidden_sheets == ["隐藏"]
    assert any("隐藏的工作表未读取" in n for n in pf.notes)


@pytest.mark.parametrize("encoding,delimiter", [("utf-16", "\t"), ("utf-8-sig", ";"), ("gb18030", ";")])
def test_unicode_text_and_semicolon_csv(tmp_path, encoding, delimiter):
    text = "\r\n".join(delimiter.join(str(c) for c in r) for r in WIDE)
    path = tmp_path / ("unicode.txt" if encoding == "utf-16" else "semi.csv")
    path.write_bytes(text.encode(encoding))
    pf = parse_tax_file(path)
    assert pf.ok, pf.errors
    assert sum(int(pc.sum(a).as_py()) for a in pf.f_total) == 1250_01
    assert sum(int(pc.sum(a).as_py() or 0) for a in pf.f_district if a is not None) == 310_00


@pytest.mark.django_db
def test_the_first_upload_without_a_district_column_says_what_to_do(world, tmp_path):
    r = do_import_tax_file(world["admin"], month_file(tmp_path, "2025-03", payers(2)))
    msg = r["errors"][0]["message"]
    assert "没有区级列" in msg and "区级比例" in msg and "无需重新上传" in msg


def test_future_month_refused(tmp_path):
    nxt = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    rows = [["纳税人识别号", "纳税人名称", "增值税"], ["91310107MA1G000001", "甲", 100]]
    pf = parse_tax_file(tf.write(tmp_path / f"{nxt.year}年{nxt.month}月.csv", tf.Sheet(rows)))
    assert not pf.ok and "晚于当前月份" in pf.errors[0]["message"]


@pytest.mark.django_db
def test_stored_version_matches_the_file(history):
    b = served("2025-01")
    t = pq.read_table(library.fact_path(b.month, b.version))
    assert int(pc.sum(t["total_fen"]).as_py()) == sum(p.total for p in payers())
