"""The import kit itself: an importer built in the test from the base (a small ledger of awards,
like the ones the new apps import), its error rows, units by header or unit line, reference objects
created and listed, all or nothing, the batch record and saved upload, and the exit codes through
``call_command`` and a real process."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError

from peiyu.accounts.models import AuditLog, Department
from peiyu.core.imports import cells
from peiyu.core.models import ImportBatch, Upload
from peiyu.core.tests.awards import HEADER, WAN, AwardCommand, AwardImporter, good_rows, xlsx
from peiyu.targets.models import Target
from peiyu.testing.factories import new_credit_code


def run_command(*args: str) -> tuple[dict[str, Any] | str, CommandError | None]:
    out = StringIO()
    cmd = AwardCommand(stdout=out, stderr=StringIO())
    parser = cmd.create_parser("peiyu", "import_awards")
    opts = parser.parse_args([str(a) for a in args])
    failure = None
    try:
        cmd.execute(**vars(opts))
    except CommandError as exc:
        failure = exc
    text = out.getvalue()
    return (json.loads(text) if "--json" in args else text), failure


# ---------------------------------------------------------------------------------------------


def test_a_good_ledger_with_title_rows_synonyms_and_units_in_the_header(db, tmp_path):
    path = xlsx(tmp_path / "台账.xlsx", good_rows())
    Department.objects.get_or_create(name="区科委")[0]
    report = AwardImporter().run(path)
    assert report.status == "accepted" and report.exit_code == 0, report.errors
    assert (report.rows, report.accepted, report.rejected, report.created) == (3, 3, 0, 3)
    by_name = {t.name: t for t in Target.objects.all()}
    assert by_name["研发补贴"].target_fen == 12_500_000  # 12.5 万元, exact fen
    assert by_name["租金支持"].target_fen == 1_000_010_000
    assert by_name["人才奖励"].target_fen == 3 * WAN
    # a department the ledger names that did not exist is created and listed
    assert report.references_created == [{"kind": "责任部门", "name": "区商务委", "row": 5}]
    assert Department.objects.filter(name="区商务委").exists()
    assert report.columns["兑现金额"] == "兑现金额(万元)（C）"
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.kind == "test.awards" and batch.status == "accepted" and batch.finished_at is not None
    assert batch.counts == {"created": 3, "departments_created": 1}
    assert batch.report["references_created"][0]["name"] == "区商务委" and "errors" not in batch.report
    upload = Upload.objects.get(pk=report.upload_id)
    assert upload.sha256 == report.sha256 == batch.sha256 and upload.size == path.stat().st_size
    assert upload.full_path.read_bytes() == path.read_bytes() and upload.file_name == "台账.xlsx"
    audit = AuditLog.objects.get(action="test.awards.import")
    assert audit.object_repr == "台账.xlsx" and audit.detail["created"] == 3


def test_unit_line_above_the_header_sets_the_unit_and_the_default_is_yuan(db, tmp_path):
    rows = [["单位：万元"], ["指标", "年度", "金额"], ["甲", 2025, 2]]
    assert AwardImporter().run(xlsx(tmp_path / "a.xlsx", rows)).ok
    assert Target.objects.get(name="甲").target_fen == 2 * WAN
    rows = [["指标", "年度", "金额"], ["乙", 2025, "2.50"]]
    assert AwardImporter().run(xlsx(tmp_path / "b.xlsx", rows)).ok
    assert Target.objects.get(name="乙").target_fen == 250  # 元 by default


def test_bad_cells_are_named_by_row_column_and_value_and_nothing_is_stored(db, tmp_path):
    rows = good_rows()
    rows[3][1] = "明年"  # row 4: year
    rows[4][2] = "一千"  # row 5: amount
    rows[5][3] = "2026-02-30"  # row 6: date that does not exist
    rows.insert(6, ["研发补贴", 2025, 1, "2027-01-01", None, "91310107MA1234567X", "丙", "也许"])  # row 7
    rows.insert(7, ["", 2025, -1, None, None, None, None, None])  # row 8: blank name, negative amount
    report = AwardImporter().run(xlsx(tmp_path / "bad.xlsx", rows))
    assert report.status == "rejected" and report.exit_code == 2 and report.accepted == 0
    assert Target.objects.count() == 0 and not Department.objects.exists()
    assert not AuditLog.objects.filter(action="test.awards.import").exists()
    found = {(e["row"], e["column"]): e for e in report.errors}
    assert found[(4, "年份（B）")]["value"] == "明年" and "四位年份" in found[(4, "年份（B）")]["message"]
    assert found[(5, "兑现金额(万元)（C）")]["value"] == "一千"
    assert "单位：万元" in found[(5, "兑现金额(万元)（C）")]["message"]
    assert "不存在" in found[(6, "兑现日期（D）")]["message"]
    assert "晚于今天" in found[(7, "兑现日期（D）")]["message"]
    assert "无效" in found[(7, "信用代码（F）")]["message"]
    assert (
        "应为 甲、乙 之一" in found[(7, "等级（G）")]["message"] and found[(7, "等级（G）")]["value"] == "丙"
    )
    assert "是 或 否" in found[(7, "重点（H）")]["message"]
    assert found[(8, "指标名称（A）")]["message"] == "指标不能为空"
    assert "须大于 0" in found[(8, "兑现金额(万元)（C）")]["message"]
    assert all(set(e) == {"row", "column", "value", "message"} for e in report.errors)
    assert report.rejected == 5 and report.rows == 5
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.status == "rejected" and len(batch.errors) == len(report.errors)


def test_a_file_without_the_header_or_rows_is_refused_with_a_clear_message(db, tmp_path):
    report = AwardImporter().run(xlsx(tmp_path / "x.xlsx", [["名称", "电话"], ["甲", 1]]))
    assert report.status == "rejected" and "找不到表头" in report.message
    assert report.errors[0]["row"] is None
    report = AwardImporter().run(xlsx(tmp_path / "y.xlsx", [HEADER, ["合计", None, 3]]))
    assert report.status == "rejected" and "没有数据行" in report.message
    empty = tmp_path / "z.csv"
    empty.write_bytes(b"")
    assert "文件是空的" in AwardImporter().run(empty).message


def test_refused_in_store_and_internal_error_roll_everything_back(db, tmp_path):
    rows = good_rows()
    rows[5][0] = "拒绝整表"
    report = AwardImporter().run(xlsx(tmp_path / "r.xlsx", rows))
    assert report.status == "rejected" and report.message == "该台账已被上级退回"
    assert Target.objects.count() == 0 and not Department.objects.filter(name="区商务委").exists()
    assert report.errors[-1]["message"] == "退回"

    failing = AwardImporter()
    failing.fail_in_store = True
    report = failing.run(xlsx(tmp_path / "f.xlsx", good_rows()))
    assert report.status == "failed" and report.exit_code == 1 and "磁盘已满" in report.message
    assert not Target.objects.filter(name="写了一半").exists()
    assert ImportBatch.objects.get(pk=report.batch_id).status == "failed"


def test_a_partial_importer_stores_the_good_rows_and_reports_the_bad(db, tmp_path):
    class PartialAwards(AwardImporter):
        partial = True

    rows = good_rows()
    rows[4][1] = "明年"
    report = PartialAwards().run(xlsx(tmp_path / "p.xlsx", rows))
    assert report.status == "partial" and report.exit_code == 0
    assert (report.accepted, report.rejected) == (2, 1)
    assert set(Target.objects.values_list("name", flat=True)) == {"研发补贴", "人才奖励"}


def test_check_is_a_dry_run(db, tmp_path):
    importer = AwardImporter()
    report = importer.check(xlsx(tmp_path / "c.xlsx", good_rows()))
    assert report.status == "checked" and len(importer.items) == 3
    assert not Target.objects.exists() and not ImportBatch.objects.exists() and not Upload.objects.exists()


def test_hostile_cells_are_shortened_in_error_rows(db, tmp_path):
    rows = [HEADER, ["甲", "x" * 100_000, 1]]
    report = AwardImporter().run(xlsx(tmp_path / "h.xlsx", rows))
    assert len(report.errors[0]["value"]) <= 201


def test_a_file_over_the_size_limit_is_refused_before_reading(db, tmp_path):
    class Small(AwardImporter):
        max_bytes = 100

    path = xlsx(tmp_path / "big.xlsx", good_rows())
    report = Small().run(path)
    assert report.status == "rejected" and "文件过大" in report.message
    assert not Upload.objects.exists()


def test_command_json_summary_and_exit_codes(db, tmp_path):
    good = xlsx(tmp_path / "good.xlsx", good_rows())
    payload, failure = run_command(good, "--json")
    assert failure is None and isinstance(payload, dict)
    for key in ("status", "message", "file", "rows", "accepted", "rejected", "errors", "batch_id", "created"):
        assert key in payload
    assert payload["status"] == "accepted" and payload["file"] == "good.xlsx" and payload["created"] == 3

    bad_rows = good_rows()
    bad_rows[3][1] = "明年"
    bad = xlsx(tmp_path / "bad.xlsx", bad_rows)
    payload, failure = run_command(bad, "--json")
    assert failure is not None and failure.returncode == 2
    assert isinstance(payload, dict) and payload["status"] == "rejected" and payload["errors"][0]["row"] == 4

    text, failure = run_command(bad)
    assert isinstance(text, str) and "第 4 行 年份（B）“明年”：" in text and "整个文件未导入" in text
    assert failure is not None and failure.returncode == 2

    payload, failure = run_command(tmp_path / "none.xlsx", "--json")
    assert failure is not None and failure.returncode == 2 and "文件不存在" in failure.args[0]
    assert isinstance(payload, dict) and payload["errors"][0]["message"] == "文件不存在"


def _child(mode: str, path: str, out: str, err: str) -> None:
    """Runs in a forked process: the command's real exit path (run_from_argv → sys.exit(code))."""
    from django.db import connection

    if connection.vendor != "sqlite":  # never use the parent's socket; keep it referenced, open our own
        _KEEP.append(connection.connection)
        connection.connection = None
    if mode == "fail":
        AwardImporter.fail_in_store = True
    with open(out, "w") as fo, open(err, "w") as fe:
        cmd = AwardCommand(stdout=fo, stderr=fe)
        sys.stderr = fe
        try:
            cmd.run_from_argv(["peiyu", "import_awards", path, "--json"])
        except SystemExit as exc:
            fo.flush()
            fe.flush()
            os._exit(int(exc.code or 0))
        fo.flush()
    os._exit(0)


_KEEP: list[Any] = []


@pytest.mark.django_db(transaction=True)
def test_exit_codes_of_a_real_process(tmp_path):
    """0 accepted, 2 refused, 1 internal error — what a shell script sees. The command runs in a
    forked child process (this test's database, no interpreter start-up); the ``peiyu`` entry point
    itself is run as a new interpreter by the registry's CLI test."""
    import multiprocessing

    good = xlsx(tmp_path / "good.xlsx", good_rows())
    bad_rows = good_rows()
    bad_rows[4][2] = "abc"
    bad = xlsx(tmp_path / "bad.xlsx", bad_rows)
    ctx = multiprocessing.get_context("fork")

    def run(mode: str, path: Path) -> tuple[int, str, str]:
        out, err = tmp_path / f"{mode}-{path.stem}.out", tmp_path / f"{mode}-{path.stem}.err"
        proc = ctx.Process(target=_child, args=(mode, str(path), str(out), str(err)))
        proc.start()
        proc.join(120)
        return proc.exitcode or 0, out.read_text(), err.read_text()

    code, out, err = run("ok", good)
    assert code == 0, err
    assert json.loads(out)["status"] == "accepted"
    code, out, err = run("ok", bad)
    assert code == 2 and json.loads(out)["errors"][0]["value"] == "abc"
    code, out, err = run("fail", good)
    assert code == 1 and json.loads(out)["status"] == "failed"
    assert "RuntimeError: 磁盘已满" in err


# ---------------------------------------------------------------------------------------------
# Cell parsers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        ("2021.3.5", dt.date(2021, 3, 5)),
        ("2021年3月5日", dt.date(2021, 3, 5)),
        ("2021年03月05日 10:30", dt.date(2021, 3, 5)),
        ("２０２１年３月５日", dt.date(2021, 3, 5)),
        ("20210305", dt.date(2021, 3, 5)),
        (20210305, dt.date(2021, 3, 5)),
        (44260, dt.date(2021, 3, 5)),
        ("44260", dt.date(2021, 3, 5)),
        (dt.datetime(2021, 3, 5, 9, 0), dt.date(2021, 3, 5)),
        ("二〇二一年三月五日", dt.date(2021, 3, 5)),
        ("二〇二一年十二月三十一日", dt.date(2021, 12, 31)),
        ("2021年3月", dt.date(2021, 3, 1)),
        ("二〇二一年三月", dt.date(2021, 3, 1)),
    ],
)
def test_dates_in_every_chinese_form(raw, expected):
    assert cells.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"), [("2021-02-30", "不存在"), ("去年", "无法识别日期"), ("2030-01-01", "晚于今天")]
)
def test_bad_dates(raw, fragment):
    with pytest.raises(cells.CellError, match=fragment):
        cells.parse_date(raw, dt.date(2026, 1, 1))


def test_months_years_and_numbers():
    assert (
        cells.parse_month("2025年3月")
        == cells.parse_month("2025-03")
        == cells.parse_month(202503)
        == "2025-03"
    )
    assert cells.parse_month(dt.date(2025, 3, 9)) == "2025-03"
    assert cells.parse_year("2025年度") == 2025
    with pytest.raises(cells.CellError, match="不在 2000–2100"):
        cells.parse_year(1999)
    assert cells.percent()("12.5%") == cells.percent()("１２.５％") == cells.percent()(12.5)
    with pytest.raises(cells.CellError, match="最多保留 2 位小数"):
        cells.percent()("1.234")
    assert cells.integer(label="人数")("1,200") == 1200
    with pytest.raises(cells.CellError, match="应为整数"):
        cells.integer(label="人数")("3.5")


def test_amounts_with_units():
    wan = cells.amount(unit="万元")
    assert wan("12.5") == 12_500_000 and wan("12.5万元") == 12_500_000 and wan("（1.00）") == -WAN
    with pytest.raises(cells.CellError, match="与本列单位“万元”不符"):
        wan("3亿元")
    assert cells.amount()("¥1,234.56元") == 123_456
    with pytest.raises(cells.CellError, match="精度超过 1 分"):
        cells.amount()("0.001")
    with pytest.raises(cells.CellError, match="须大于 0"):
        cells.amount(positive=True)("0")
    assert cells.unit_from_header("计划投资额（万元）") == WAN and cells.unit_from_header("金额") is None
    assert cells.unit_from_lines([["标题"], ["", "金额单位：元"]]) == 100


def test_credit_codes_choices_and_booleans():
    code = new_credit_code()
    assert cells.credit_code(f" {code.lower()} ") == code
    with pytest.raises(cells.CellError, match="科学计数法"):
        cells.credit_code(9.13101075665886e17)
    stage = cells.choice({"线索": "lead", "在谈": "talks"}, synonyms={"洽谈中": "在谈"}, label="阶段")
    assert stage(" 洽谈中 ") == "talks" and stage("线索") == "lead"
    with pytest.raises(cells.CellError, match="阶段“签约”无法识别"):
        stage("签约")
    yes = cells.boolean(true_words=["重点"])
    assert (
        yes("是") and yes("√") and yes("Y") and yes("重点") and yes(True) and not yes("否") and not yes("×")
    )
    with pytest.raises(cells.CellError):
        yes("也许")
    assert cells.split_list("甲、乙;丙 ，丁") == ["甲", "乙", "丙", "丁"]


# ---------------------------------------------------------------------------------------------
# Pages


def test_upload_page_report_page_and_error_table(world, tmp_path):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from peiyu.core.imports import views

    def request(method: str, data: dict[str, Any] | None = None) -> Any:
        rf = RequestFactory()
        req = rf.post("/x/", data or {}) if method == "post" else rf.get("/x/", data or {})
        req.user = world["admin"]
        req.session = {}  # type: ignore[assignment]
        req._messages = FallbackStorage(req)  # type: ignore[attr-defined]
        return req

    bad_rows = good_rows()
    bad_rows[3][1] = "明年"
    content = xlsx(tmp_path / "b.xlsx", bad_rows).read_bytes()
    req = request("post", {"file": SimpleUploadedFile("台账.xlsx", content)})
    html = views.upload_page(req, AwardImporter, title="兑现台账导入").content.decode()
    assert 'id="import-errors"' in html and "明年" in html and "年份（B）" in html and "已拒绝" in html
    batch = ImportBatch.objects.get(kind="test.awards")
    assert (
        batch.user == world["admin"]
        and batch.upload is not None
        and batch.upload.uploaded_by == world["admin"]
    )

    good = xlsx(tmp_path / "g.xlsx", good_rows()).read_bytes()
    req = request("post", {"file": SimpleUploadedFile("台账2.xlsx", good)})
    resp = views.upload_page(req, AwardImporter, title="兑现台账导入", report_url=lambda pk: f"/r/{pk}/")
    assert resp.status_code == 302
    pk = int(resp["Location"].strip("/").split("/")[-1])
    page = views.report_page(
        request("get"), views.get_batch(AwardImporter, pk), AwardImporter
    ).content.decode()
    assert "已导入" in page and "新建部门" in page and "责任部门：区商务委（第 5 行）" in page

    wrong = request("post", {"file": SimpleUploadedFile("台账.docx", b"x")})
    assert views.upload_page(wrong, AwardImporter, title="x").status_code == 400

    sheet = openpyxl.load_workbook(io.BytesIO(views.errors_xlsx(request("get"), batch).content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["行号", "列", "原值", "问题"] in values
    assert any(r[0] == 4 and r[2] == "明年" for r in values)
    with pytest.raises(Exception, match="导入记录不存在"):
        views.get_batch("registry", batch.pk)


def test_a_csv_cell_over_the_field_limit_is_refused_not_a_crash(db, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("指标,年度,金额\n" + '"' + "x" * 300_000 + '",2025,1\n', encoding="utf-8")
    report = AwardImporter().run(path)
    assert report.status == "rejected" and report.exit_code == 2 and "CSV 文件无法读取" in report.message
