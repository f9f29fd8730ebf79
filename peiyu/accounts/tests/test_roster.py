"""`peiyu import-users`: bulk roster import, all or nothing, initial passwords shown once."""

from __future__ import annotations

import json
from io import StringIO

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from peiyu.accounts.models import AuditLog, Department, Role, User
from peiyu.accounts.roster import parse_file


def write_xlsx(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("名册")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.write(i, j, value)
    wb.close()
    return path


@pytest.fixture
def depts(world):
    kewei = Department.objects.get_or_create(name="区科委", defaults={"short_name": "科委"})[0]
    kewei.key_industries.set([world["industries"]["soft"]])
    return {"kewei": kewei}


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_users", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_with_title_row_synonyms_and_every_separator(world, depts, tmp_path):
    path = write_xlsx(
        tmp_path / "名册.xlsx",
        [
            ["2026年 培育平台用户名册"],
            ["账号", "名称", "角色类型", "数据范围", "备注"],
            ["leader01", "区领导甲", "区领导", "", ""],
            ["zb_soft", "智能软件专班", "产业专班", "智能软件、生命健康", ""],
            ["kw01", "科委联络员", "产业主管部门", "区科委", ""],
            ["jd01", "桃浦镇经济办", "街道镇", "桃浦镇,长寿路街道", ""],
            ["jd02", "长寿路街道", "区域", "长寿路; 桃浦镇", ""],
            ["fw01", "金牌店小二", "企业服务专员", world["enterprises"]["other_a2"].credit_code, ""],
            ["adm2", "", "admin", "全区", ""],
            ["svc2", "", "service", "", ""],
            [],
        ],
    )
    out, _ = run(path, "--json")
    payload = json.loads(out)
    assert payload["ok"] and payload["created"] == 8
    users = {u["username"]: u for u in payload["users"]}
    assert users["zb_soft"]["role"] == Role.TASKFORCE and len(users["zb_soft"]["password"]) >= 12
    zb = User.objects.get(username="zb_soft")
    assert set(zb.key_industries.values_list("name", flat=True)) == {"智能软件", "生命健康"}
    assert zb.must_change_password and zb.check_password(users["zb_soft"]["password"])
    assert list(User.objects.get(username="kw01").departments.all()) == [depts["kewei"]]
    assert set(User.objects.get(username="jd01").areas.values_list("name", flat=True)) == {
        "桃浦镇",
        "长寿路街道",
    }
    assert set(User.objects.get(username="jd02").areas.values_list("name", flat=True)) == {
        "桃浦镇",
        "长寿路街道",
    }
    assert User.objects.get(username="leader01").role == Role.LEADER
    assert User.objects.get(username="adm2").is_admin
    fw = User.objects.get(username="fw01")
    world["enterprises"]["other_a2"].refresh_from_db()
    assert world["enterprises"]["other_a2"].liaison == fw
    from peiyu.accounts import scope

    assert list(scope.enterprises(fw)) == [world["enterprises"]["other_a2"]]
    assert AuditLog.objects.filter(action="accounts.user.create").count() == 8
    assert AuditLog.objects.filter(action="accounts.liaison.assign").count() == 1
    assert AuditLog.objects.filter(action="accounts.users.import", object_repr="名册.xlsx").exists()
    # passwords never land in the audit log nor in the import record
    from peiyu.core.models import ImportBatch

    batch = ImportBatch.objects.get(pk=payload["batch_id"])
    assert batch.kind == "users" and batch.status == "accepted" and batch.counts == {"created_count": 8}
    for u in payload["users"]:
        assert not AuditLog.objects.filter(after__icontains=u["password"]).exists()
        assert u["password"] not in json.dumps(batch.report, ensure_ascii=False)


def test_unknown_names_are_errors_and_nothing_is_created(world, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "用户名,姓名,角色,范围\n"
        "ok01,甲,产业专班,智能软件\n"
        "bad01,乙,产业专班,元宇宙\n"
        "bad02,丙,局长,桃浦镇\n"
        "ok01,丁,区领导,\n"
        "taopu_p,戊,街道镇,桃浦镇\n"
        "bad03,己,街道镇,\n",
        encoding="gbk",
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_users", str(path), "--json", stdout=out)
    errors = json.loads(out.getvalue())["errors"]
    by_row = {(e["row"], e["value"]): e for e in errors}
    assert by_row[(3, "元宇宙")]["column"].startswith("范围") and "元宇宙" in by_row[(3, "元宇宙")]["message"]
    assert "角色无法识别" in by_row[(4, "局长")]["message"]
    assert "第 2 行重复" in by_row[(5, "ok01")]["message"]
    assert "已存在" in by_row[(6, "taopu_p")]["message"]
    assert "须填写范围" in by_row[(7, "")]["message"]
    assert not User.objects.filter(username__in=["ok01", "bad01", "bad02", "bad03"]).exists()
    assert not AuditLog.objects.filter(action__in=["accounts.user.create", "accounts.users.import"]).exists()


def test_text_output_and_password_file(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["用户名", "姓名", "角色", "范围"], ["t1", "测试", "区领导", ""]])
    out, _ = run(path)
    assert "已导入 1 个用户" in out and "仅显示这一次" in out
    password = out.strip().splitlines()[-1].split("\t")[-1]
    assert User.objects.get(username="t1").check_password(password)

    path2 = write_xlsx(
        tmp_path / "r2.xlsx", [["用户名", "姓名", "角色", "范围"], ["t2", "测试二", "admin", ""]]
    )
    target = tmp_path / "out" / "passwords.xlsx"
    out, _ = run(path2, "--output", target, "--json")
    payload = json.loads(out)
    assert payload["ok"] and "password" not in payload["users"][0]
    assert (target.stat().st_mode & 0o077) == 0
    ws = openpyxl.load_workbook(target).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "用户名"))
    t2 = rows[header + 1]
    assert t2[0] == "t2" and User.objects.get(username="t2").check_password(t2[4])


def test_missing_header_and_missing_file(world, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [["姓名", "电话"], ["甲", "1"]])
    result = parse_file(path)
    assert not result.ok and "找不到表头" in result.errors[0]["message"]
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "none.xlsx")


def test_role_words():
    from peiyu.accounts.roster import parse_role

    assert parse_role("管理员") == Role.ADMIN
    assert parse_role(" 区领导 ") == Role.LEADER
    assert parse_role("产业专班") == Role.TASKFORCE
    assert parse_role("产业主管部门") == Role.DEPARTMENT
    assert parse_role("街道镇") == parse_role("区域") == Role.AREA
    assert parse_role("企业服务专员") == Role.SERVICE
    for code in ("admin", "leader", "taskforce", "department", "area", "service", "ADMIN"):
        assert parse_role(code) == code.lower()
    assert parse_role("局长") is None
