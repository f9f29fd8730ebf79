"""Importing the annual responsibility-target table (年度目标责任表) from Excel or CSV.

Columns (found below title rows, with synonyms): 产业/指标, 年度, 区级税收目标（万元） or 增长目标(%) or
目标值, 责任部门 (several separated by 、 , ; ，；), 单位, 备注, optionally 类型. A row whose 产业/指标
names a key industry is that industry's target, one naming a street/town is that area's target, any
other row is a general indicator. The kind follows from the filled column: 万元 → amount, % → growth,
目标值 → share when the unit (or the name) says 百分点/比重/占比, otherwise a department-reported count.

All or nothing: every bad cell is reported as ``{row, column, value, message}`` and then nothing is
stored. Existing targets (same year and name) are updated; every change is audited. Built on the
import kit (:mod:`peiyu.core.imports`): saved upload, batch record, report and exit codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from peiyu.accounts import departments
from peiyu.core.imports import Field, Importer, ImportReport, Refused, Row, cells, error_row
from peiyu.core.tabular import Header, Sheet, TableError, clean_text
from peiyu.targets import audit_actions as A

SYNONYMS: dict[str, list[str]] = {
    "name": [
        "产业/指标",
        "产业／指标",
        "产业或指标",
        "指标名称",
        "指标",
        "产业",
        "重点产业",
        "项目",
        "目标名称",
        "产业名称",
        "指标项目",
    ],
    "year": ["年度", "年份", "年", "目标年度", "考核年度"],
    "amount": [
        "区级税收目标",
        "区级税收目标（万元）",
        "税收目标",
        "区级税收",
        "目标金额",
        "年度税收目标",
        "税收目标（万元）",
    ],
    "growth": [
        "增长目标",
        "增长目标(%)",
        "增长率",
        "增长率目标",
        "增速",
        "增速目标",
        "同比增长目标",
        "区级税收增长目标",
    ],
    "value": ["目标值", "指标值", "目标数", "年度目标值", "目标数值"],
    "departments": ["责任部门", "责任单位", "牵头部门", "主管部门", "责任主体", "牵头单位"],
    "unit": ["单位", "计量单位"],
    "note": ["备注", "说明"],
    "kind": ["类型", "指标类型", "目标类型"],
}
REQUIRED = ("name", "year")
VALUE_COLUMNS = ("amount", "growth", "value")

SPLIT = re.compile(r"[、,，;；/／\s]+")
SKIP_NAMES = {"合计", "总计", "小计"}
DISTRICT_NAMES = {"全区", "全区区级税收", "区级税收", "全区税收", "区级税收收入", "全区区级税收收入"}
KIND_WORDS = {
    "amount": ("金额", "税收金额", "税收", "区级税收"),
    "growth": ("增长", "增长率", "增速"),
    "share": ("占比", "比重", "百分点"),
    "reported": ("报送", "部门报送", "数量", "个数", "计数"),
}


@dataclass
class ImportResult(ImportReport):
    """The report of one target table (the ``--json`` object adds these keys to the common ones)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    targets: list[dict[str, Any]] = field(default_factory=list)

    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "updated", "unchanged", "targets")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增", "updated": "更新", "unchanged": "未变"}

    @property
    def file_name(self) -> str:
        return self.file


@dataclass
class _Row:
    row: int
    year: int
    name: str
    kind: str
    key_industry: Any = None
    area: Any = None
    target_fen: int | None = None
    growth_pct: Decimal | None = None
    target_value: Decimal | None = None
    unit: str = ""
    departments: list[Any] = field(default_factory=list)
    note: str = ""


class Resolver:
    """Names in the file → key industries, areas and departments."""

    def __init__(self) -> None:
        from peiyu.accounts.models import Department
        from peiyu.registry.models import Area, KeyIndustry

        self.industries: dict[str, Any] = {}
        for ind in KeyIndustry.objects.all():
            for n in (
                ind.name,
                f"{ind.name}产业",
                f"{ind.name}产业区级税收",
                f"{ind.name}区级税收",
                ind.slug,
            ):
                self.industries[n] = ind
        self.areas: dict[str, Any] = {}
        for area in Area.objects.all():
            for n in (area.name, f"{area.name}区级税收"):
                self.areas[n] = area
        self.departments = departments.Resolver(Department.objects.all())

    def subject(self, name: str) -> tuple[Any, Any]:
        return self.industries.get(name), self.areas.get(name)

    def department(self, name: str) -> Any:
        return self.departments.resolve(name)


def parse_year(raw: Any) -> int:
    return cells.parse_year(raw)


def parse_number(raw: Any, what: str) -> tuple[Decimal, str]:
    """A number with an optional unit after it ("3幢", "+4个百分点", "12.5%"); returns (number, unit)."""
    return cells.parse_number(raw, what)


def _kind_from_word(word: str) -> str | None:
    word = word.strip()
    for kind, words in KIND_WORDS.items():
        if word in words or word == kind:
            return kind
    return None


def parse_growth(raw: Any) -> Decimal:
    g, rest = parse_number(raw, "增长目标")
    if rest not in ("", "%", "％"):
        raise ValueError(f"增长目标“{clean_text(raw)}”应为百分数，如 10 或 10%")
    if g != g.quantize(Decimal("0.01")):
        raise ValueError(f"增长目标“{clean_text(raw)}”最多保留两位小数")
    if g <= -100:
        raise ValueError("增长目标不能低于 -100%")
    return g


def parse_value(raw: Any) -> tuple[Decimal, str]:
    v, rest = parse_number(raw, "目标值")
    if v != v.quantize(Decimal("0.01")):
        raise ValueError(f"目标值“{clean_text(raw)}”最多保留两位小数")
    if v == 0:
        raise ValueError("目标值不能为 0")
    return v, rest


def _labels(key: str) -> tuple[str, list[str]]:
    names = SYNONYMS[key]
    return names[0], names[1:]


def _field(key: str, **kwargs: Any) -> Field:
    label, synonyms = _labels(key)
    return Field(key, label, synonyms=synonyms, **kwargs)


class TargetImporter(Importer):
    kind = "targets"
    title = "目标责任表"
    audit_action = A.TARGETS_IMPORT
    report_class = ImportResult
    no_rows_message = "文件中没有目标数据行"
    fields: ClassVar[list[Field]] = [
        _field("name", required=True, blank_message="产业/指标不能为空"),
        _field("year", required=True, parse=parse_year, cache=True),
        Field("amount", "区级税收目标", synonyms=SYNONYMS["amount"][1:], money="万元"),
        _field("growth", parse=parse_growth),
        _field("value", parse=parse_value),
        _field("departments"),
        _field("unit"),
        _field("note"),
        _field("kind"),
    ]

    def prepare(self) -> None:
        self.resolver = Resolver()
        self.seen: dict[tuple[int, str], int] = {}

    def accept_header(self, header: Header, sheet: Sheet) -> None:
        if not any(k in header.columns for k in VALUE_COLUMNS):
            raise TableError("表头中没有目标列：需要“区级税收目标（万元）”“增长目标(%)”或“目标值”之一")

    def skip_row(self, row: list[Any]) -> bool:
        assert self.header is not None
        cols = self.header.columns

        def text(key: str) -> str:
            j = cols.get(key)
            return clean_text(row[j]) if j is not None and j < len(row) else ""

        name = text("name")
        others = [text(k) for k in ("year", *VALUE_COLUMNS) if k in cols]
        return name in SKIP_NAMES or (name.startswith(("注", "说明", "备注")) and not any(others))

    def columns_report(self, header: Header) -> dict[str, str]:
        return {k: header.labels[j] for k, j in header.columns.items()}

    def rejected_message(self, report: ImportReport) -> str:
        return f"发现 {len(self.errors)} 处错误，整个文件未导入"

    def accepted_message(self, report: ImportReport) -> str:
        assert isinstance(report, ImportResult)
        return (
            f"已导入 {report.accepted} 个目标：新增 {report.created}，更新 {report.updated}，"
            f"未变 {report.unchanged}"
        )

    def clean(self, row: Row) -> _Row | None:
        name = row["name"] or ""
        industry, area = self.resolver.subject(name)
        parsed = _Row(
            row=row.number,
            year=row["year"] or 0,
            name=name,
            kind="",
            key_industry=industry,
            area=area,
            unit=row["unit"] or "",
            note=row["note"] or "",
        )
        filled = {k for k in VALUE_COLUMNS if row.filled(k)}
        kind = None
        if row["kind"]:
            kind = _kind_from_word(row["kind"])
            if kind is None:
                row.error("kind", "类型应为 金额、增长率、占比 或 部门报送")
        if row["amount"] is not None:
            parsed.target_fen = row["amount"]
            if parsed.target_fen <= 0:
                row.error("amount", "区级税收目标须大于 0")
        parsed.growth_pct = row["growth"]
        if row["value"] is not None:
            parsed.target_value, rest = row["value"]
            if rest and not parsed.unit:
                parsed.unit = rest
        if kind is None:
            if "amount" in filled:
                kind = "amount"
            elif "growth" in filled:
                kind = "growth"
            elif "value" in filled:
                share_words = ("百分点", "比重", "占比")
                kind = "share" if any(w in parsed.unit or w in name for w in share_words) else "reported"
        if kind is None:
            column = next((k for k in VALUE_COLUMNS if row.has(k)), "name")
            row.error(column, "须填写区级税收目标（万元）、增长目标(%)或目标值之一", "")
        else:
            need = {"amount": "amount", "growth": "growth", "share": "value", "reported": "value"}[kind]
            if need not in filled and row.ok:
                row.error(need if row.has(need) else "name", f"类型为{_KIND_LABEL[kind]}的目标须填写该列", "")
            parsed.kind = kind
        if (
            kind in ("amount", "growth")
            and name
            and industry is None
            and area is None
            and name not in DISTRICT_NAMES
        ):
            row.error(
                "name",
                "税收目标的产业/指标须是重点产业名称、街道镇名称或“全区”（找不到该产业或街道镇）",
                name,
            )
        if kind == "share" and parsed.unit == "":
            parsed.unit = "个百分点"
        if kind in ("amount", "growth") and not parsed.unit:
            parsed.unit = "万元" if kind == "amount" else "%"
        dept_raw = clean_text(row.raw("departments"))
        for part in (p for p in SPLIT.split(dept_raw) if p):
            dept = self.resolver.department(part)
            if dept is None:
                row.error("departments", self.resolver.departments.unknown_message(part), dept_raw)
            elif dept not in parsed.departments:
                parsed.departments.append(dept)
        if row["year"] and name:
            key = (row["year"], name)
            if key in self.seen:
                row.error("name", f"与第 {self.seen[key]} 行重复：同一年度同一指标只能出现一次", name)
            else:
                self.seen[key] = row.number
        return parsed

    def store(self, items: list[_Row], report: ImportReport) -> None:
        from peiyu.targets.actions import ActionError, do_save_target, target_snapshot
        from peiyu.targets.models import Target

        assert isinstance(report, ImportResult)
        for order, r in enumerate(items, start=1):
            target = Target.objects.filter(year=r.year, name=r.name).first()
            before = target_snapshot(target) if target else None
            if target is None:
                target = Target(year=r.year, name=r.name, order=order)
            target.kind = r.kind
            target.key_industry = r.key_industry
            target.area = r.area
            target.target_fen = r.target_fen
            target.growth_pct = r.growth_pct
            target.target_value = r.target_value
            target.unit = r.unit
            target.note = r.note
            try:
                do_save_target(
                    self.user, target, r.departments, reason=self.reason(r.row), request=self.request
                )
            except ActionError as exc:
                raise Refused(
                    f"第 {r.row} 行无法保存：{exc}，整个文件未导入",
                    [error_row(r.row, self.errors.column("name"), r.name, str(exc))],
                ) from None
            after = target_snapshot(target)
            if before is None:
                report.created += 1
            elif before != after:
                report.updated += 1
            else:
                report.unchanged += 1
            report.targets.append(
                {"row": r.row, "id": target.pk, "year": r.year, "name": r.name, "kind": r.kind}
            )

    def audit_detail(self, report: ImportReport) -> dict[str, Any]:
        assert isinstance(report, ImportResult)
        return {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "batch_id": report.batch_id,
        }

    def reason(self, row: int | None = None) -> str:
        return f"导入 {self.report.file} 第 {row} 行"


def import_file(
    path: str | Path,
    filename: str | None = None,
    *,
    user: Any = None,
    request: Any = None,
    upload: Any = None,
) -> ImportResult:
    """Validate the whole file, then store every row or none. Never raises for bad input."""
    report = TargetImporter().run(path, filename, user=user, request=request, upload=upload)
    assert isinstance(report, ImportResult)
    return report


_KIND_LABEL = {"amount": "税收金额", "growth": "增长率", "share": "占比", "reported": "部门报送"}
