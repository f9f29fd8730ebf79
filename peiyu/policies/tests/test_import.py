"""The disbursement-ledger import: 元 and 万元 by header or unit line, catalogue completed from the
ledger, Chinese row/column/value errors, all or nothing, re-import idempotent, and the command."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from peiyu.policies.importer import LedgerImporter
from peiyu.policies.models import Award, Clause, Policy
from peiyu.policies.tests.helpers import WAN, clause, policy, xlsx

HEAD = ["统一社会信用代码", "企业名称", "政策名称", "条款", "兑现金额", "兑现日期"]


def rows_for(world, amount_a=123456.78, amount_b=50000):
    e = world["enterprises"]
    return [
        [
            e["health_a1"].credit_code,
            e["health_a1"].name,
            "生命健康产业政策",
            "经营贡献奖励",
            amount_a,
            "2021-09-30",
        ],
        [
            e["soft_a1"].credit_code,
            e["soft_a1"].name,
            "软件和信息服务业政策",
            "房租补贴",
            amount_b,
            dt.date(2021, 6, 1),
        ],
    ]


def test_yuan_by_default_and_catalogue_completed(world, tmp_path):
    existing = policy(world, name="生命健康产业政策")
    clause(existing, "经营贡献奖励")
    path = xlsx(tmp_path / "ledger.xlsx", [["2021年政策兑现台账"], HEAD, *rows_for(world)])
    rep = LedgerImporter().run(path, user=world["admin"])
    assert rep.status == "accepted", rep.errors
    assert rep.created == 2 and rep.paid_fen == 12345678 + 5000000
    a = Award.objects.get(enterprise=world["enterprises"]["health_a1"])
    assert (a.amount_fen, a.year, a.status, a.origin) == (12345678, 2021, "paid", "ledger")
    soft = Policy.objects.get(name="软件和信息服务业政策")
    assert soft.from_ledger and Clause.objects.get(policy=soft).title == "房租补贴"
    kinds = {(r["kind"], r["name"]) for r in rep.references_created}
    assert kinds == {("政策", "软件和信息服务业政策"), ("政策条款", "软件和信息服务业政策：房租补贴")}
    # the same file again stores nothing twice
    rep2 = LedgerImporter().run(path, user=world["admin"])
    assert rep2.status == "accepted" and rep2.created == 0 and rep2.unchanged == 2
    assert Award.objects.count() == 2


def test_wan_from_the_header(world, tmp_path):
    head = [*HEAD[:4], "兑现金额（万元）", "兑现日期"]
    path = xlsx(tmp_path / "l.xlsx", [head, *rows_for(world, amount_a=12.5, amount_b="3.25")])
    rep = LedgerImporter().run(path)
    assert rep.status == "accepted", rep.errors
    got = sorted(Award.objects.values_list("amount_fen", flat=True))
    assert got == [325 * WAN // 100, 125 * WAN // 10]


def test_wan_from_a_unit_line(world, tmp_path):
    path = xlsx(
        tmp_path / "l.xlsx",
        [["政策兑现台账"], ["单位：万元"], HEAD, *rows_for(world, amount_a=2, amount_b=1.5)],
    )
    rep = LedgerImporter().run(path)
    assert rep.status == "accepted", rep.errors
    assert sorted(Award.objects.values_list("amount_fen", flat=True)) == [150 * WAN // 100, 2 * WAN]


def test_bad_rows_are_named_and_nothing_is_stored(world, tmp_path):
    good = rows_for(world)
    bad = [
        ["91310107MA1G00000X", "不存在公司", "政策甲", "条款甲", 100, "2021-01-01"],
        [good[0][0], "别的名字有限公司", "政策甲", "条款甲", 100, "2021-01-01"],
        [good[0][0], good[0][1], "政策甲", "条款甲", "一百元", "2021-01-01"],
        [good[0][0], good[0][1], "政策甲", "条款甲", -5, "2099-01-01"],
    ]
    path = xlsx(tmp_path / "bad.xlsx", [HEAD, *good, *bad])
    rep = LedgerImporter().run(path)
    assert rep.status == "rejected"
    assert Award.objects.count() == 0 and Policy.objects.count() == 0
    by_row = {(e["row"], e["column"].split("（")[0]) for e in rep.errors}
    assert (4, "统一社会信用代码") in by_row
    assert (5, "企业名称") in by_row
    assert (6, "兑现金额") in by_row
    assert (7, "兑现金额") in by_row and (7, "兑现日期") in by_row
    msgs = {e["row"]: e["message"] for e in rep.errors if e["column"].startswith("企业名称")}
    assert "名录中该代码为" in msgs[5]
    assert all(e["value"] != "" or e["message"] for e in rep.errors)


def test_command_json_and_refusal(world, tmp_path, capsys):
    path = xlsx(tmp_path / "l.xlsx", [HEAD, *rows_for(world)])
    call_command("import_disbursements", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "accepted" and out["created"] == 2 and out["policies_created"] == 2
    bad = xlsx(tmp_path / "b.xlsx", [HEAD, ["x", "y", "政策", "条款", 1, "2021-01-01"]])
    with pytest.raises(CommandError) as exc:
        call_command("import_disbursements", str(bad), "--json")
    assert exc.value.returncode == 2
