"""Imports (Chinese row/column/value errors, all or nothing, the commands) and space matching."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from peiyu.carriers import matching
from peiyu.carriers.importer import BuildingImporter, TenantImporter
from peiyu.carriers.models import Carrier, Kind, Tenancy
from peiyu.carriers.tests.factories import building, tenant

pytestmark = pytest.mark.django_db


def _xlsx(tmp_path, name, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


BUILDING_HEADER = ["楼宇名称", "地址", "所属街道", "建筑面积（㎡）", "可租面积（㎡）", "业主", "物业"]


def test_import_buildings_creates_and_updates(world, tmp_path):
    path = _xlsx(
        tmp_path,
        "楼宇.xlsx",
        [
            ["2025年重点楼宇名录"],
            BUILDING_HEADER,
            ["长寿大厦", "长寿路1号", "长寿路街道", 30000, 25000, "业主甲", "物业乙"],
            ["桃浦中心", "", "桃浦", "12000", "", "", ""],
        ],
    )
    report = BuildingImporter().run(path, user=None)
    assert report.status == "accepted", report.errors
    b = Carrier.objects.get(name="长寿大厦")
    assert b.area == world["areas"]["a1"] and b.gross_area_m2 == 30000 and b.kind == Kind.BUILDING
    assert Carrier.objects.get(name="桃浦中心").leasable_area_m2 == 12000
    report = BuildingImporter().run(path, user=None)
    assert report.updated == 2 and report.created == 0


def test_import_buildings_errors_name_row_column_value(world, tmp_path):
    path = _xlsx(
        tmp_path,
        "楼宇.xlsx",
        [
            BUILDING_HEADER,
            ["甲楼", "", "长寿路街道", 1000, 2000, "", ""],
            ["乙楼", "", "不存在街道", "一千", "", "", ""],
        ],
    )
    report = BuildingImporter().run(path, user=None)
    assert report.status == "rejected" and not Carrier.objects.exists()
    errors = {(e["row"], e["column"].split("（")[0].split("(")[0]): e for e in report.as_dict()["errors"]}
    assert "大于建筑面积" in errors[(2, "可租面积")]["message"]
    assert errors[(3, "所属街道")]["value"] == "不存在街道"
    assert "不是数字" in errors[(3, "建筑面积")]["message"]


def test_import_tenants_command(world, tmp_path):
    building("长寿大厦", world["areas"]["a1"])
    ent = world["enterprises"]["soft_a1"]
    path = _xlsx(
        tmp_path,
        "入驻.xlsx",
        [
            ["楼宇名称", "统一社会信用代码", "企业名称", "租用面积（㎡）", "入驻日期", "迁出日期"],
            ["长寿大厦", ent.credit_code, ent.name, 500, "2023-03-01", ""],
            ["长寿大厦", ent.credit_code, ent.name, 200, "2021/1/5", "2022年12月31日"],
        ],
    )
    out = io.StringIO()
    call_command("import_tenants", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "accepted" and data["created"] == 2
    assert Tenancy.objects.filter(enterprise=ent).count() == 2
    bad = _xlsx(
        tmp_path,
        "坏.xlsx",
        [
            ["楼宇名称", "统一社会信用代码", "入驻日期", "迁出日期"],
            ["长寿大楼", "91310107MA0000000X", "2023-13-01", "2022-01-01"],
        ],
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_tenants", str(bad), "--json", stdout=io.StringIO())
    assert exc.value.returncode == 2
    report = TenantImporter().run(bad, user=None)
    messages = " ".join(e["message"] for e in report.as_dict()["errors"])
    assert "您是否指“长寿大厦”" in messages and "统一社会信用代码" in messages


def test_spaces_for_ranks_by_area_and_industry(world):
    a1, a2 = world["areas"]["a1"], world["areas"]["a2"]
    soft = world["industries"]["soft"]
    small = building("小楼", a2, gross=1000, leasable=800)
    tenant(small, world["enterprises"]["soft_a2"], "2024-01-01", area=500)  # 300 ㎡ left
    far = building("远楼", a1, gross=5000, leasable=4000)
    park = building("软件园", a2, gross=9000, leasable=6000, kind=Kind.PARK, focus_industry=soft)
    plain = building("近楼", a2, gross=9000, leasable=6000)
    got = matching.spaces_for({"area_m2": "1000", "industry": "software", "area": a2.name})
    assert [m.carrier for m in got] == [park, plain, far]
    assert got[0].same_area and got[0].same_industry and "主导产业相符" in got[0].reasons
    got = matching.spaces_for(matching.SpaceNeed(area_m2=Decimal(250), area_id=a2.pk))
    assert small in [m.carrier for m in got]
    assert "area_m2=1000" in matching.match_url({"area_m2": 1000})


def test_a_project_space_need_text_is_understood(world):
    from types import SimpleNamespace

    a2 = world["areas"]["a2"]
    project = SimpleNamespace(space_need="写字楼 2000 平方米", industry=world["industries"]["soft"], area=a2)
    need = matching.SpaceNeed.of(project)
    assert (
        need.area_m2 == 2000 and need.area_id == a2.pk and need.industry_id == world["industries"]["soft"].pk
    )
    assert matching.SpaceNeed.of({"space_need": "约1.5万平方米"}).area_m2 == 15000
    assert matching.SpaceNeed.of({"space_need": "面议"}).area_m2 == 0
