"""Importing buildings, incubators and their tenants / incubated firms (built on peiyu.core.imports).

- 楼宇: 楼宇名称, 地址, 所属街道, 建筑面积（㎡）, 可租面积（㎡）, 业主, 物业 (optional 等级, 类型, 所属园区,
  主导产业, 级别, 运营机构, 经度, 纬度) — an existing carrier of the same name is updated;
- 入驻企业: 楼宇名称 (or 载体/孵化器名称), 统一社会信用代码, 企业名称, 租用面积（㎡）, 入驻日期 (入孵日期),
  迁出日期 (毕业日期), optional 是否毕业 — the same carrier, enterprise and move-in date updates the row.

All or nothing; every error names the row, the column and the value, in Chinese.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from peiyu.accounts import scope
from peiyu.carriers import actions
from peiyu.carriers import audit_actions as A
from peiyu.carriers.models import Carrier, Kind, Level, Tenancy
from peiyu.core.imports import Field, Importer, ImportReport, Row, cells

AREA_M2 = cells.decimal(label="面积", places=2, units=("", "㎡", "m2", "平方米", "平米"))
KINDS = {"楼宇": Kind.BUILDING, "园区": Kind.PARK, "孵化器": Kind.INCUBATOR, "科创平台": Kind.PLATFORM}
LEVELS = {"国家级": Level.NATIONAL, "市级": Level.MUNICIPAL, "区级": Level.DISTRICT}


def _suggest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return f"，您是否指“{close[0]}”" if close else ""


@dataclass
class CarrierReport(ImportReport):
    created: int = 0
    updated: int = 0
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "updated")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增", "updated": "更新"}


class BuildingImporter(Importer):
    kind = "carriers.buildings"
    title = "楼宇名录"
    audit_action = A.BUILDINGS_IMPORT
    report_class = CarrierReport
    default_kind: ClassVar[str] = Kind.BUILDING
    fields: ClassVar[list[Field]] = [
        Field(
            "name", "楼宇名称", synonyms=["载体名称", "名称", "楼宇", "孵化器名称", "园区名称"], required=True
        ),
        Field(
            "address",
            "地址",
            synonyms=["楼宇地址", "详细地址"],
            parse=cells.text(max_length=200, label="地址"),
        ),
        Field("area", "所属街道", synonyms=["街道", "街镇", "所属街镇", "所属街道镇"], required=True),
        Field("gross", "建筑面积（㎡）", synonyms=["建筑面积", "总建筑面积"], parse=AREA_M2),
        Field(
            "leasable",
            "可租面积（㎡）",
            synonyms=["可租面积", "可出租面积", "孵化面积", "场地面积"],
            parse=AREA_M2,
        ),
        Field(
            "owner", "业主", synonyms=["产权单位", "业主单位"], parse=cells.text(max_length=120, label="业主")
        ),
        Field(
            "manager",
            "物业",
            synonyms=["物业公司", "物业管理"],
            parse=cells.text(max_length=120, label="物业"),
        ),
        Field("grade", "等级", synonyms=["楼宇等级"], parse=cells.text(max_length=20, label="等级")),
        Field("kind", "类型", synonyms=["载体类型"], parse=cells.choice(KINDS, label="类型")),
        Field("park", "所属园区", synonyms=["园区"]),
        Field("focus", "主导产业", synonyms=["重点产业", "产业方向"]),
        Field("level", "级别", synonyms=["孵化器级别"], parse=cells.choice(LEVELS, label="级别")),
        Field(
            "operator",
            "运营机构",
            synonyms=["运营主体", "运营单位"],
            parse=cells.text(max_length=120, label="运营机构"),
        ),
        Field("lon", "经度", parse=cells.decimal(label="经度")),
        Field("lat", "纬度", parse=cells.decimal(label="纬度")),
    ]

    def prepare(self) -> None:
        from peiyu.registry.models import Area, KeyIndustry

        self.areas = {a.name: a for a in Area.objects.all()}
        self.industries = {i.name: i for i in KeyIndustry.objects.all()}
        self.carriers = {c.name: c for c in Carrier.objects.all()}
        self.changeable = (
            set(scope.restrict(self.user, Carrier.objects.all(), scope.CHANGE).values_list("pk", flat=True))
            if self.user
            else None
        )
        self.area_scope = scope.scope_for(self.user, scope.CHANGE) if self.user else scope.EVERYTHING

    def _area(self, row: Row) -> Any:
        name = (row["area"] or "").strip()
        area = self.areas.get(name) or next(
            (a for n, a in self.areas.items() if name and n.startswith(name)), None
        )
        if area is None:
            row.error("area", f"街道镇“{name}”不存在{_suggest(name, list(self.areas))}")
        return area

    def clean(self, row: Row) -> Any:
        area = self._area(row)
        name = (row["name"] or "").strip()
        if len(name) > 120:
            row.error("name", "名称不能超过 120 个字")
        existing = self.carriers.get(name)
        if self.user is not None:
            sc = self.area_scope
            if existing is not None and self.changeable is not None and existing.pk not in self.changeable:
                row.error("name", f"“{name}”不在您的办理范围内")
            elif existing is None and area is not None and not sc.everything and area.pk not in sc.area_ids:
                row.error("area", f"“{area.name}”不在您的办理范围内")
        gross, leasable = row["gross"], row["leasable"]
        if gross is not None and leasable is not None and leasable > gross:
            row.error(
                "leasable", f"可租面积 {leasable.normalize():f} ㎡ 大于建筑面积 {gross.normalize():f} ㎡"
            )
        focus = None
        if row["focus"]:
            focus = self.industries.get(row["focus"].strip())
            if focus is None:
                row.error(
                    "focus", f"重点产业“{row['focus']}”不存在{_suggest(row['focus'], list(self.industries))}"
                )
        return {"row": row.number, **row.values, "name": name, "area_obj": area, "focus_obj": focus}

    def store(self, items: list[Any], report: ImportReport) -> None:
        assert isinstance(report, CarrierReport)
        for item in items:
            existing = self.carriers.get(item["name"])
            data: dict[str, Any] = {"name": item["name"], "area": item["area_obj"]}
            for key, field in (
                ("address", "address"),
                ("owner", "owner"),
                ("manager", "manager"),
                ("grade", "grade"),
                ("operator", "operator"),
                ("lon", "lon"),
                ("lat", "lat"),
            ):
                if item.get(key) not in (None, ""):
                    data[field] = item[key]
            if item.get("gross") is not None:
                data["gross_area_m2"] = item["gross"]
            if item.get("leasable") is not None:
                data["leasable_area_m2"] = item["leasable"]
            elif existing is None and item.get("gross") is not None:
                data["leasable_area_m2"] = item["gross"]
            if item.get("kind"):
                data["kind"] = item["kind"]
            elif existing is None:
                data["kind"] = self.default_kind
            if item.get("level"):
                data["level"] = item["level"]
            if item["focus_obj"] is not None:
                data["focus_industry"] = item["focus_obj"]
            if item.get("park"):
                park = self.carriers.get(item["park"].strip())
                if park is not None:
                    data["park"] = park
            obj = actions.do_save_carrier(
                self.user, existing, data, reason=self.reason(item["row"]), request=self.request
            )
            self.carriers[obj.name] = obj
            if existing is None:
                report.created += 1
            else:
                report.updated += 1


class IncubatorImporter(BuildingImporter):
    kind = "carriers.incubators"
    title = "孵化器名录"
    audit_action = A.INCUBATORS_IMPORT
    default_kind = Kind.INCUBATOR


class TenantImporter(Importer):
    kind = "carriers.tenants"
    title = "入驻企业"
    audit_action = A.TENANTS_IMPORT
    report_class = CarrierReport
    fields: ClassVar[list[Field]] = [
        Field(
            "carrier",
            "楼宇名称",
            synonyms=["载体名称", "孵化器名称", "园区名称", "楼宇", "载体"],
            required=True,
        ),
        Field(
            "credit_code",
            "统一社会信用代码",
            synonyms=["信用代码", "社会信用代码"],
            required=True,
            parse=cells.credit_code,
        ),
        Field("name", "企业名称", synonyms=["企业", "名称"]),
        Field(
            "area_m2", "租用面积（㎡）", synonyms=["租用面积", "租赁面积", "使用面积", "面积"], parse=AREA_M2
        ),
        Field(
            "move_in",
            "入驻日期",
            synonyms=["入孵日期", "入驻时间", "入孵时间", "起租日期"],
            required=True,
            parse=cells.date(),
        ),
        Field(
            "move_out",
            "迁出日期",
            synonyms=["毕业日期", "出孵日期", "迁出时间", "退租日期"],
            parse=cells.date(),
        ),
        Field("graduated", "是否毕业", synonyms=["毕业"], parse=cells.boolean()),
    ]

    def prepare(self) -> None:
        from peiyu.registry.models import Enterprise

        self.carriers = {c.name: c for c in Carrier.objects.all()}
        self.changeable = (
            set(scope.restrict(self.user, Carrier.objects.all(), scope.CHANGE).values_list("pk", flat=True))
            if self.user
            else None
        )
        self.enterprise_qs = (
            scope.enterprises(self.user, action=scope.CHANGE) if self.user else Enterprise.objects.all()
        )

    def clean(self, row: Row) -> Any:
        name = (row["carrier"] or "").strip()
        carrier = self.carriers.get(name)
        if carrier is None and name:
            row.error(
                "carrier", f"载体“{name}”不存在，请先导入楼宇/孵化器{_suggest(name, list(self.carriers))}"
            )
        elif carrier is not None and self.changeable is not None and carrier.pk not in self.changeable:
            row.error("carrier", f"“{name}”不在您的办理范围内")
        ent = None
        if row["credit_code"]:
            ent = self.enterprise_qs.filter(credit_code=row["credit_code"]).first()
            if ent is None:
                row.error("credit_code", "企业名录中没有该统一社会信用代码（或不在您的办理范围内）")
        if row["move_in"] and row["move_out"] and row["move_out"] < row["move_in"]:
            row.error("move_out", f"迁出日期 {row['move_out']} 早于入驻日期 {row['move_in']}")
        if (
            row["area_m2"] is not None
            and carrier is not None
            and carrier.leasable_area_m2
            and row["area_m2"] > carrier.leasable_area_m2
        ):
            row.error("area_m2", f"租用面积大于“{name}”的可租面积 {carrier.leasable_area_m2} ㎡")
        return {"row": row.number, **row.values, "carrier_obj": carrier, "enterprise": ent}

    def store(self, items: list[Any], report: ImportReport) -> None:
        assert isinstance(report, CarrierReport)
        for item in items:
            carrier, ent = item["carrier_obj"], item["enterprise"]
            existing = Tenancy.objects.filter(
                carrier=carrier, enterprise=ent, move_in=item["move_in"]
            ).first()
            if existing is not None:
                if item["move_out"] and existing.move_out != item["move_out"]:
                    actions.do_end_tenancy(
                        self.user,
                        existing,
                        item["move_out"],
                        graduated=bool(item["graduated"]),
                        reason=self.reason(item["row"]),
                        request=self.request,
                    )
                report.updated += 1
                continue
            actions.do_add_tenancy(
                self.user,
                carrier,
                ent,
                area_m2=item["area_m2"] or Decimal(0),
                move_in=item["move_in"],
                move_out=item["move_out"],
                graduated=bool(item["graduated"]),
                reason=self.reason(item["row"]),
                request=self.request,
            )
            report.created += 1
