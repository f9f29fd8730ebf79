"""Importing into the library: exact totals, whole-file rejection, versions and atomic swap,
duplicates, sharing ratios, the 待匹配 queue, signals and audit rows; the ``import-tax`` command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from peiyu.accounts.models import AuditLog
from peiyu.core.signals import dimension_changed, tax_library_changed
from peiyu.taxes import actions, library
from peiyu.taxes.actions import do_import_tax_file
from peiyu.taxes.models import SharingRatio, TaxBatch, TaxpayerLink
from peiyu.taxes.tests import taxfiles as tf

LEGACY = "310107132456789"


def world_payers(world, extra_vat: int = 0):
    ents = world["enterprises"]
    ps = tf.sample_payers([(e.credit_code, e.name) for e in ents.values()])
    ps[0].amounts["增值税"] += extra_vat
    ps.append(tf.Payer(LEGACY, "上海老识别号商行", {"增值税": 1234_56, "个人所得税": 78_90}, district=300_00))
    return ps


def stored(batch: TaxBatch):
    assert batch.version is not None
    t = pq.read_table(library.fact_path(batch.month, batch.version))
    return t, int(pc.sum(t["total_fen"]).as_py()), int(pc.sum(t["district_fen"]).as_py())


def run_cli(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("import_tax", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    except CommandError as exc:  # refused / held (2), internal error (1): the kit's exit codes
        code = exc.returncode
    return code, out.getvalue()


@pytest.mark.django_db
def test_accepted_import_stores_exactly_the_files_total(world, tmp_path, django_capture_on_commit_callbacks):
    ps = world_payers(world)
    path = tf.write_wide(tmp_path / "2025年3月.xlsx", ps)
    seen = []

    def listener(sender, months, **kw):
        seen.append(months)

    tax_library_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = do_import_tax_file(world["admin"], path)
    finally:
        tax_library_changed.disconnect(listener)
    assert report["status"] == "accepted" and report["errors"] == []
    assert seen == [["2025-03"]]
    batch = TaxBatch.objects.get(pk=report["batch_id"])
    assert batch.is_active and batch.version == 1 and batch.uploaded_by == world["admin"]
    table, total, district = stored(batch)
    file_total = sum(p.total for p in ps)
    assert total == file_total == report["total_fen"] == batch.total_fen
    assert district == sum(p.district for p in ps) == report["district_fen"]
    assert report["district_source"] == "file" and batch.district_source == "file"
    assert set(table["batch_id"].to_pylist()) == {batch.pk}
    assert min(table["source_row"].to_pylist()) >= 4
    assert report["rows"] == len(ps) and report["taxpayers"] == len(ps)
    assert report["matched_enterprises"] == 5 and report["unmatched_taxpayers"] == 1
    assert report["unmatched"][0]["taxpayer_id"] == LEGACY
    assert report["unmatched"][0]["total_fen"] == 1234_56 + 78_90
    link = TaxpayerLink.objects.get(taxpayer_id=LEGACY)
    assert link.status == "pending" and link.first_month == link.last_month == "2025-03"
    assert AuditLog.objects.filter(action="taxes.import.accept", object_id=str(batch.pk)).exists()
    assert Path(report["stored_copy"]).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_rejected_file_stores_nothing_and_keeps_the_previous_version(world, tmp_path):
    ps = world_payers(world)
    good = do_import_tax_file(world["admin"], tf.write_wide(tmp_path / "a.xlsx", ps))
    v1 = TaxBatch.objects.get(pk=good["batch_id"])
    sheet = tf.wide_sheet(world_payers(world, extra_vat=100), total_override={"企业所得税": 1})
    sheet.rows[4][7] = "12.3.4"
    bad = do_import_tax_file(world["admin"], tf.write(tmp_path / "b.xlsx", sheet))
    assert bad["status"] == "rejected" and bad["version"] is None
    assert len(bad["errors"]) == 2
    assert {(e["row"], e["column"], e["value"]) for e in bad["errors"]} >= {(5, "增值税（H列）", "12.3.4")}
    assert {e["column"] for e in bad["errors"]} == {"增值税（H列）", "企业所得税（I列）"}
    rejected = TaxBatch.objects.get(pk=bad["batch_id"])
    assert rejected.status == "rejected" and not rejected.is_active and len(rejected.errors) == 2
    assert rejected.sha256 == bad["sha256"] and rejected.file_name == "b.xlsx"
    v1.refresh_from_db()
    assert v1.is_active
    assert TaxBatch.objects.filter(month="2025-03", status="accepted").count() == 1
    assert sorted(p.name for p in (library.root() / "facts" / "month=2025-03").iterdir()) == ["version=1"]
    assert AuditLog.objects.filter(action="taxes.import.reject").count() == 1


@pytest.mark.django_db
def test_reimport_is_a_new_version_swapped_in_and_rollback_is_audited(
    world, tmp_path, django_capture_on_commit_callbacks
):
    r1 = do_import_tax_file(world["admin"], tf.write_wide(tmp_path / "a.xlsx", world_payers(world)))
    r2 = do_import_tax_file(
        world["admin"], tf.write_wide(tmp_path / "b.xlsx", world_payers(world, extra_vat=500_00))
    )
    assert (r1["version"], r2["version"]) == (1, 2)
    assert r2["replaced_version"] == 1
    assert r2["total_fen"] - r1["total_fen"] == 500_00
    active = TaxBatch.objects.get(month="2025-03", is_active=True)
    assert active.version == 2
    assert library.fact_path("2025-03", 1).exists() and library.fact_path("2025-03", 2).exists()
    cmp = library.compare_versions("2025-03", 1, 2)
    assert cmp["b_total_fen"] - cmp["a_total_fen"] == 500_00
    vat = next(r for r in cmp["by_tax_type"] if r["tax_type"] == "增值税")
    assert vat["delta_total_fen"] == 500_00
    assert cmp["top_changes"][0]["delta_total_fen"] == 500_00 and cmp["changed_taxpayers"] == 1

    months = []
    tax_library_changed.connect(
        lambda sender, months_=None, **kw: months.append(kw.get("months")), weak=False
    )
    v1 = TaxBatch.objects.get(month="2025-03", version=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_rollback(world["admin"], v1, "第二版数据有误")
    assert TaxBatch.objects.get(month="2025-03", is_active=True).version == 1
    log = AuditLog.objects.get(action="taxes.version.rollback")
    assert (
        log.before == {"active_version": 2}
        and log.after == {"active_version": 1}
        and log.reason == "第二版数据有误"
    )
    assert ["2025-03"] in months
    with pytest.raises(actions.ActionError):
        actions.do_rollback(world["admin"], v1)


@pytest.mark.django_db
def test_identical_file_is_not_imported_twice_unless_forced(world, tmp_path):
    path = tf.write_wide(tmp_path / "a.xlsx", world_payers(world))
    first = do_import_tax_file(world["admin"], path)
    again = do_import_tax_file(world["admin"], path)
    assert again["duplicate"] is True and again["version"] == 1 and again["batch_id"] == first["batch_id"]
    assert TaxBatch.objects.count() == 1
    forced = do_import_tax_file(world["admin"], path, force=True)
    assert forced["version"] == 2 and TaxBatch.objects.filter(status="accepted").count() == 2


@pytest.mark.django_db
def test_district_from_sharing_ratios_half_up_per_row(world, tmp_path):
    code = world["enterprises"]["soft_a1"].credit_code
    pays = [
        tf.Payment(code, "甲", "增值税", 1001, "2025-03-05"),  # 50% → 500.5 → 501
        tf.Payment(code, "甲", "增值税", -1001, "2025-03-06"),  # refund → -501
        tf.Payment(code, "甲", "企业所得税", 333, "2025-03-07"),  # 40% → 133.2 → 133
        tf.Payment(code, "甲", "城建税", 101, "2025-03-08"),  # alias of 城市维护建设税, 100%
    ]
    path = tf.write_long(tmp_path / "l.csv", pays, two_level=False, encoding="gbk")
    missing = do_import_tax_file(world["admin"], path)
    assert missing["status"] == "rejected"
    msg = missing["errors"][0]["message"]
    assert "增值税" in msg and "企业所得税" in msg and "城市维护建设税" in msg
    actions.do_save_ratio(world["admin"], "增值税", "2024-01", "50")
    actions.do_save_ratio(world["admin"], "增值税", "2025-04", "10")  # later: not valid for March
    actions.do_save_ratio(world["admin"], "企业所得税", "2020-01", "40")
    actions.do_save_ratio(world["admin"], "城市维护建设税", "2020-01", "100")
    ok = do_import_tax_file(world["admin"], path)
    assert ok["status"] == "accepted" and ok["district_source"] == "ratio"
    t, total, district = stored(TaxBatch.objects.get(pk=ok["batch_id"]))
    assert t["district_fen"].to_pylist() == [501, -501, 133, 101]
    assert total == 1001 - 1001 + 333 + 101 and district == 234
    assert AuditLog.objects.filter(action="taxes.ratio.save").count() == 4


def test_ratio_validation_messages_are_chinese():
    for args, text in [
        (("", "2025-01", "10"), "税种"),
        (("增值税", "2025-13", "10"), "YYYY-MM"),
        (("增值税", "2025-01", "abc"), "不是数字"),
        (("增值税", "2025-01", "120"), "0 到 100"),
        (("增值税", "2025-01", "12.34567"), "四位小数"),
    ]:
        with pytest.raises(actions.ActionError, match=text):
            actions.clean_ratio(*args)
    assert actions.clean_ratio(" 城建税 ", "2025-1", "7%") == ("城市维护建设税", "2025-01", Decimal("7.0000"))


@pytest.mark.django_db
def test_ratio_edit_and_delete_are_audited(world):
    r = actions.do_save_ratio(world["admin"], "增值税", "2025-01", "50", "沪府发")
    actions.do_save_ratio(world["admin"], "增值税", "2025-01", "45")
    assert SharingRatio.objects.get(pk=r.pk).district_pct == Decimal("45.0000")
    edit = AuditLog.objects.filter(action="taxes.ratio.save").order_by("id").last()
    assert edit.before["district_pct"] == "50.0000" and edit.after["district_pct"] == "45.0000"
    actions.do_delete_ratio(world["admin"], SharingRatio.objects.get(pk=r.pk), "作废")
    assert not SharingRatio.objects.exists()
    assert AuditLog.objects.filter(action="taxes.ratio.delete", reason="作废").exists()


# ---- the command line


@pytest.mark.django_db
def test_cli_json_accepted_and_rejected(world, tmp_path):
    path = tf.write_wide(tmp_path / "w.xlsx", world_payers(world), title="重点税源企业税收")
    code, out = run_cli(str(path), "--month", "2025-03", "--json")
    assert code == 0
    report = json.loads(out)
    for key in (
        "status", "month", "version", "rows", "taxpayers", "total_fen", "district_fen", "matched_enterprises",
        "unmatched_taxpayers", "errors", "district_source", "unit", "layout", "batch_id", "sha256", "file",
    ):  # fmt: skip
        assert key in report, key
    assert report["status"] == "accepted" and report["month"] == "2025-03" and report["version"] == 1
    assert report["unit"] == "元" and report["layout"] == "wide"

    bad = tf.wide_sheet(world_payers(world), title="2025年3月税收", total_override={"税收合计": 5})
    code, out = run_cli(str(tf.write(tmp_path / "bad.xlsx", bad)), "--json")
    assert code == 2
    report = json.loads(out)
    assert report["status"] == "rejected" and report["version"] is None
    (err,) = report["errors"]
    assert set(err) >= {"row", "column", "value", "message"} and err["column"] == "税收合计（F列）"
    assert TaxBatch.objects.get(month="2025-03", is_active=True).version == 1

    code, out = run_cli(str(tmp_path / "missing.xlsx"), "--json")
    assert code == 2 and "文件不存在" in json.loads(out)["errors"][0]["message"]


@pytest.mark.django_db
def test_cli_text_output_is_chinese(world, tmp_path):
    path = tf.write_wide(tmp_path / "w.xlsx", world_payers(world))
    code, out = run_cli(str(path))
    assert code == 0 and "已入库" in out and "待匹配" in out
    code, out = run_cli(str(path))
    assert code == 0 and "未重复入库" in out


@pytest.mark.django_db
def test_tax_versions_command(world, tmp_path):
    do_import_tax_file(None, tf.write_wide(tmp_path / "a.xlsx", world_payers(world)))
    do_import_tax_file(None, tf.write_wide(tmp_path / "b.xlsx", world_payers(world, extra_vat=1)))
    out = io.StringIO()
    call_command("tax_versions", "--json", stdout=out)
    versions = json.loads(out.getvalue())["versions"]
    assert [(v["version"], v["active"]) for v in versions] == [(2, True), (1, False)]
    out = io.StringIO()
    call_command("tax_versions", "--month", "2025-03", "--compare", "1", "2", "--json", stdout=out)
    assert json.loads(out.getvalue())["b_total_fen"] - json.loads(out.getvalue())["a_total_fen"] == 1
    call_command(
        "tax_versions", "--month", "2025-03", "--rollback", "1", "--reason", "测试", stdout=io.StringIO()
    )
    assert TaxBatch.objects.get(is_active=True).version == 1


# ---- the 待匹配 queue


@pytest.mark.django_db
def test_linking_a_taxpayer_is_audited_and_announced(world, tmp_path, django_capture_on_commit_callbacks):
    do_import_tax_file(None, tf.write_wide(tmp_path / "a.xlsx", world_payers(world)))
    link = TaxpayerLink.objects.get(taxpayer_id=LEGACY)
    fired = []
    dimension_changed.connect(lambda sender, **kw: fired.append(sender), weak=False)
    target = world["enterprises"]["other_a2"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_link_taxpayer(world["admin"], link, target, "旧识别号")
    link.refresh_from_db()
    assert link.status == "linked" and link.enterprise == target
    assert fired, "dimension_changed must be sent on commit"
    log = AuditLog.objects.get(action="taxes.taxpayer.link")
    assert log.before["status"] == "pending" and log.after == {
        "status": "linked",
        "enterprise": target.credit_code,
    }
    # a later import of the same taxpayer counts it as matched, without touching the link
    r = do_import_tax_file(None, tf.write_wide(tmp_path / "b.xlsx", world_payers(world, extra_vat=1)))
    assert r["unmatched_taxpayers"] == 0 and r["matched_enterprises"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_mark_outside(world["admin"], link, "区外企业")
    link.refresh_from_db()
    assert link.status == "outside" and link.enterprise is None
    actions.do_reset_link(world["admin"], link)
    assert TaxpayerLink.objects.get(pk=link.pk).status == "pending"


@pytest.mark.django_db
def test_unmatched_months_move_forward_and_back(world, tmp_path):
    ps = world_payers(world)
    do_import_tax_file(None, tf.write_wide(tmp_path / "a.xlsx", ps, title="2025年3月税收"))
    do_import_tax_file(None, tf.write_wide(tmp_path / "b.xlsx", ps, title="2025年5月税收"))
    do_import_tax_file(None, tf.write_wide(tmp_path / "c.xlsx", ps, title="2025年1月税收"))
    link = TaxpayerLink.objects.get(taxpayer_id=LEGACY)
    assert (link.first_month, link.last_month) == ("2025-01", "2025-05")
    assert TaxpayerLink.objects.count() == 1


# ---- the real entry point (``peiyu import-tax`` with a hyphen, as officials type it)


@pytest.mark.django_db(transaction=True)  # run_from_argv closes the connection when it ends
def test_peiyu_entry_point_exit_codes(tmp_path, capsys):
    from peiyu import cli

    ps = tf.sample_payers([(tf.LEGACY_IDS[0], "甲")])
    ok = tf.write_wide(tmp_path / "ok.xlsx", ps)
    with pytest.raises(SystemExit) as exc:
        cli.main(["import-tax", str(ok), "--json"])
        raise SystemExit(0)  # accepted: the command returns normally
    assert exc.value.code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "accepted" and report["unmatched_taxpayers"] == 1
    bad = tf.write_wide(tmp_path / "bad.csv", ps, total_override={"增值税": 1}, encoding="gbk")
    with pytest.raises(SystemExit) as exc:
        cli.main(["import-tax", str(bad), "--json"])
    assert exc.value.code == 2
    out = capsys.readouterr().out
    assert out.count("\n") <= 1 and json.loads(out)["status"] == "rejected"


@pytest.mark.django_db
def test_a_file_left_by_a_crashed_import_is_never_overwritten(world, tmp_path):
    stray = library.fact_path("2025-03", 1)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    report = do_import_tax_file(None, tf.write_wide(tmp_path / "a.xlsx", world_payers(world)))
    assert report["version"] == 2 and stray.read_bytes() == b"left over"


@pytest.mark.django_db
def test_failure_while_storing_leaves_nothing_behind(world, tmp_path, monkeypatch):
    first = do_import_tax_file(None, tf.write_wide(tmp_path / "a.xlsx", world_payers(world)))

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.audit, "record", boom)  # fails after the facts file is written
    with pytest.raises(RuntimeError):
        do_import_tax_file(None, tf.write_wide(tmp_path / "b.xlsx", world_payers(world, extra_vat=1)))
    assert TaxBatch.objects.get(is_active=True).pk == first["batch_id"]
    assert TaxBatch.objects.filter(status="accepted").count() == 1
    assert not library.fact_path("2025-03", 2).exists()
