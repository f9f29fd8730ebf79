"""The district's departments: loaded by ``peiyu init``, matched by short, full and other names."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from peiyu.accounts.departments import Resolver, load_departments, normalize
from peiyu.accounts.models import Department


@pytest.mark.django_db
def test_init_loads_the_districts_departments_once_and_keeps_edits():
    out = io.StringIO()
    call_command("init", "--json", stdout=out)
    loaded = json.loads(out.getvalue())["loaded"]
    assert loaded["departments"] >= 15
    names = set(Department.objects.values_list("name", flat=True))
    assert {
        "区发改委",
        "区科委",
        "区金融办",
        "区商务委",
        "区投促办",
        "区卫健委",
        "区财政局",
        "区税务局",
        "区市场监管局",
    } <= names
    kewei = Department.objects.get(name="区科委")
    kewei.short_name = "科技委"
    kewei.save()
    assert load_departments() == 0
    kewei.refresh_from_db()
    assert kewei.short_name == "科技委" and kewei.full_name == "上海市普陀区科学技术委员会"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "written",
    ["区科委", "科委", "普陀区科学技术委员会", "上海市普陀区科学技术委员会", " 区 科委 ", "普陀区科委"],
)
def test_short_and_full_names_match_the_same_department(written):
    load_departments()
    assert Resolver().resolve(written) == Department.objects.get(name="区科委")


@pytest.mark.django_db
def test_an_unknown_department_gets_a_did_you_mean_suggestion():
    load_departments()
    resolver = Resolver()
    assert resolver.resolve("普陀区科技委员会") is None
    assert resolver.suggest("普陀区科技委员会")[0] == "区科委"
    assert resolver.unknown_message("普陀区科技委员会").startswith(
        "找不到部门“普陀区科技委员会”，您是否指：区科委"
    )
    assert "请先在系统管理中添加该部门" in resolver.unknown_message("区气象局")
    assert "区金融办" in resolver.suggest("金融服务办")
    assert "区市场监管局" in resolver.suggest("区市场监督局")


def test_normalize_drops_city_and_district_prefixes():
    assert normalize("上海市普陀区商务委员会") == "商务委员会"
    assert normalize("区商务委") == "商务委"
    assert normalize("区") == "区"


@pytest.mark.django_db
def test_a_targets_file_naming_departments_imports_on_a_fresh_install(tmp_path):
    from openpyxl import Workbook

    from peiyu.targets.models import Target

    call_command("init", "--json", stdout=io.StringIO())  # nothing created by hand
    wb = Workbook()
    ws = wb.active
    for row in (
        ["产业/指标", "年度", "区级税收目标（万元）", "增长目标(%)", "目标值", "责任部门"],
        ["智能软件", 2025, 1000, None, None, "区科委"],
        ["科技金融", 2025, None, 8, None, "普陀区金融服务办公室"],
        ["新增税收亿元楼", 2025, None, None, 3, "投促办"],
    ):
        ws.append(row)
    wb.save(tmp_path / "targets.xlsx")
    out = io.StringIO()
    call_command("import_targets", str(tmp_path / "targets.xlsx"), "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "accepted"
    depts = {t.name: [d.name for d in t.departments.all()] for t in Target.objects.all()}
    assert depts == {"智能软件": ["区科委"], "科技金融": ["区金融办"], "新增税收亿元楼": ["区投促办"]}


@pytest.mark.django_db
def test_a_misspelt_department_in_a_targets_file_names_the_likely_one(tmp_path):
    from openpyxl import Workbook

    from peiyu.targets.importer import import_file

    call_command("init", "--json", stdout=io.StringIO())
    wb = Workbook()
    ws = wb.active
    ws.append(["产业/指标", "年度", "区级税收目标（万元）", "责任部门"])
    ws.append(["智能软件", 2025, 1000, "区科技委员会"])
    wb.save(tmp_path / "bad.xlsx")
    result = import_file(tmp_path / "bad.xlsx", "bad.xlsx", user=None)
    assert result.status == "rejected"
    (err,) = result.errors
    assert err["row"] == 2 and err["value"] == "区科技委员会" and "您是否指：区科委" in err["message"]
