"""Importing the annual responsibility-target table (年度目标责任表) from Excel or CSV.

Columns (found below title rows, with synonyms): 产业/指标, 年度, 区级税收目标（万元） or 增长目标(%) or
目标值, 责任部门 (several separated by 、 , ; ，；), 单位, 备注, optionally 类型. A row whose 产业/指标
names a key industry is that industry's target, one naming a street/town is that area's target, any
other row is a general indicator. The kind follows from the filled column: 万元 → amount, % → growth,
目标值 → share when the unit (or the name) says 百分点/比重/占比, otherwise a department-reported count.

All or nothing: every bad cell is reported as ``{row, column, value, message}`` and then nothing is
stored. Existing targets (same year and name) are updated; every change is audited.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from peiyu.core.money import FEN_PER_WAN, AmountError, parse_amount_fen
from peiyu.core.tabular import TableError, clean_text, column_letter, find_header, is_blank_row, read_sheets
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
NUMBER = re.compile(r"^\s*([+\-＋－]?\d+(?:\.\d+)?)\s*(.*?)\s*$")
SKIP_NAMES = {"合计", "总计", "小计"}
DISTRICT_NAMES = {"全区", "全区区级税收", "区级税收", "全区税收", "区级税收收入", "全区区级税收收入"}
KIND_WORDS = {
    "amount": ("金额", "税收金额", "税收", "区级税收"),
    "growth": ("增长", "增长率", "增速"),
    "share": ("占比", "比重", "百分点"),
    "reported": ("报送", "部门报送", "数量", "个数", "计数"),
}


@dataclass
class ImportResult:
    file_name: str
    status: str = "accepted"  # accepted | rejected
    message: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "file": self.file_name,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "columns": self.columns,
            "targets": self.targets,
            "seconds": round(self.seconds, 2),
        }


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
        self.departments: dict[str, Any] = {}
        for d in Department.objects.all():
            names = {
                d.name,
                d.short_name,
                d.name.removeprefix("区"),
                f"区{d.short_name}" if d.short_name else "",
            }
            for n in names:
                if n:
                    self.departments.setdefault(n, d)

    def subject(self, name: str) -> tuple[Any, Any]:
        return self.industries.get(name), self.areas.get(name)

    def department(self, name: str) -> Any:
        return self.departments.get(name) or self.departments.get(name.removeprefix("区"))


def _pick_sheet(sheets: list[Any]) -> tuple[Any, Any]:
    first_error: TableError | None = None
    for sheet in sheets:
        try:
            header = find_header(sheet.rows, SYNONYMS, REQUIRED)
        except TableError as exc:
            first_error = first_error or exc
            continue
        if any(k in header.columns for k in VALUE_COLUMNS):
            return sheet, header
        first_error = first_error or TableError(
            "表头中没有目标列：需要“区级税收目标（万元）”“增长目标(%)”或“目标值”之一"
        )
    raise first_error or TableError("文件中没有工作表")


def parse_year(raw: Any) -> int:
    text = clean_text(raw).removesuffix("年度").removesuffix("年")
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"年度“{clean_text(raw)}”应为四位年份，如 2025")
    year = int(text)
    if not 2000 <= year <= 2100:
        raise ValueError(f"年度“{year}”不在 2000–2100 之间")
    return year


def parse_number(raw: Any, what: str) -> tuple[Decimal, str]:
    """A number with an optional unit after it ("3幢", "+4个百分点", "12.5%"); returns (number, unit)."""
    if isinstance(raw, bool):
        raise ValueError(f"{what}“{raw}”不是数字")
    if isinstance(raw, int | float):
        if raw != raw:
            raise ValueError(f"{what}不是数字")
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), ""
    text = clean_text(raw).replace(",", "").replace("，", "")
    m = NUMBER.match(text.replace("＋", "+").replace("－", "-"))
    if not m:
        raise ValueError(f"{what}“{clean_text(raw)}”不是数字")
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:
        raise ValueError(f"{what}“{clean_text(raw)}”不是数字") from None
    return value, m.group(2)


def _kind_from_word(word: str) -> str | None:
    word = word.strip()
    for kind, words in KIND_WORDS.items():
        if word in words or word == kind:
            return kind
    return None


def import_file(
    path: str | Path, filename: str | None = None, *, user: Any = None, request: Any = None
) -> ImportResult:
    """Validate the whole file, then store every row or none. Never raises for bad input."""
    started = time.monotonic()
    result = ImportResult(file_name=filename or Path(path).name)
    try:
        sheets = read_sheets(path, filename)
        sheet, header = _pick_sheet(sheets)
    except TableError as exc:
        result.status, result.message = "rejected", str(exc)
        result.seconds = time.monotonic() - started
        return result
    result.columns = {k: header.labels[j] for k, j in header.columns.items()}
    rows = _validate(sheet.rows, header, result)
    if result.errors:
        result.status = "rejected"
        result.message = f"发现 {len(result.errors)} 处错误，整个文件未导入"
    elif not rows:
        result.status, result.message = "rejected", "文件中没有目标数据行"
    else:
        _store(rows, result, user, request)
        result.message = f"已导入 {len(rows)} 个目标：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
    result.seconds = time.monotonic() - started
    return result


def _validate(grid: list[list[Any]], header: Any, result: ImportResult) -> list[_Row]:
    cols = header.columns
    labels = {k: f"{header.labels[j]}（{column_letter(j)}）" for k, j in cols.items()}
    resolver = Resolver()
    errors = result.errors
    seen: dict[tuple[int, str], int] = {}
    out: list[_Row] = []

    def cell(row: list[Any], key: str) -> Any:
        j = cols.get(key)
        return row[j] if j is not None and j < len(row) else None

    def err(rownum: int, key: str, value: Any, message: str) -> None:
        errors.append(
            {"row": rownum, "column": labels.get(key, key), "value": clean_text(value), "message": message}
        )

    for i in range(header.first_data_row, len(grid)):
        row = grid[i]
        rownum = i + 1
        if is_blank_row(row):
            continue
        name = clean_text(cell(row, "name"))
        others = [clean_text(cell(row, k)) for k in ("year", *VALUE_COLUMNS) if k in cols]
        if name in SKIP_NAMES or (name.startswith(("注", "说明", "备注")) and not any(others)):
            continue
        result.rows += 1
        n_errors = len(errors)
        if not name:
            err(rownum, "name", "", "产业/指标不能为空")
        year = None
        try:
            year = parse_year(cell(row, "year"))
        except ValueError as exc:
            err(rownum, "year", cell(row, "year"), str(exc))
        unit = clean_text(cell(row, "unit"))
        note = clean_text(cell(row, "note"))
        filled = {k: cell(row, k) for k in VALUE_COLUMNS if k in cols and clean_text(cell(row, k)) != ""}
        kind = None
        if "kind" in cols and clean_text(cell(row, "kind")):
            kind = _kind_from_word(clean_text(cell(row, "kind")))
            if kind is None:
                err(rownum, "kind", cell(row, "kind"), "类型应为 金额、增长率、占比 或 部门报送")
        industry, area = resolver.subject(name)
        parsed = _Row(
            row=rownum,
            year=year or 0,
            name=name,
            kind="",
            key_industry=industry,
            area=area,
            unit=unit,
            note=note,
        )
        if "amount" in filled:
            try:
                parsed.target_fen = parse_amount_fen(filled["amount"], FEN_PER_WAN)
                if parsed.target_fen <= 0:
                    err(rownum, "amount", filled["amount"], "区级税收目标须大于 0")
            except AmountError as exc:
                err(rownum, "amount", filled["amount"], f"{exc}（单位：万元）")
        if "growth" in filled:
            try:
                g, rest = parse_number(filled["growth"], "增长目标")
                if rest not in ("", "%", "％"):
                    raise ValueError(f"增长目标“{clean_text(filled['growth'])}”应为百分数，如 10 或 10%")
                if g != g.quantize(Decimal("0.01")):
                    raise ValueError(f"增长目标“{clean_text(filled['growth'])}”最多保留两位小数")
                if g <= -100:
                    raise ValueError("增长目标不能低于 -100%")
                parsed.growth_pct = g
            except ValueError as exc:
                err(rownum, "growth", filled["growth"], str(exc))
        if "value" in filled:
            try:
                v, rest = parse_number(filled["value"], "目标值")
                if v != v.quantize(Decimal("0.01")):
                    raise ValueError(f"目标值“{clean_text(filled['value'])}”最多保留两位小数")
                if v == 0:
                    raise ValueError("目标值不能为 0")
                parsed.target_value = v
                if rest and not parsed.unit:
                    parsed.unit = rest
            except ValueError as exc:
                err(rownum, "value", filled["value"], str(exc))
        if kind is None:
            if "amount" in filled:
                kind = "amount"
            elif "growth" in filled:
                kind = "growth"
            elif "value" in filled:
                share_words = ("百分点", "比重", "占比")
                kind = "share" if any(w in parsed.unit or w in name for w in share_words) else "reported"
        if kind is None:
            column = next((k for k in VALUE_COLUMNS if k in cols), "name")
            err(rownum, column, "", "须填写区级税收目标（万元）、增长目标(%)或目标值之一")
        else:
            need = {"amount": "amount", "growth": "growth", "share": "value", "reported": "value"}[kind]
            if need not in filled and len(errors) == n_errors:
                err(
                    rownum, need if need in cols else "name", "", f"类型为{_KIND_LABEL[kind]}的目标须填写该列"
                )
            parsed.kind = kind
        if (
            kind in ("amount", "growth")
            and name
            and industry is None
            and area is None
            and name not in DISTRICT_NAMES
        ):
            err(
                rownum,
                "name",
                name,
                "税收目标的产业/指标须是重点产业名称、街道镇名称或“全区”（找不到该产业或街道镇）",
            )
        if kind == "share" and parsed.unit == "":
            parsed.unit = "个百分点"
        if kind in ("amount", "growth") and not parsed.unit:
            parsed.unit = "万元" if kind == "amount" else "%"
        dept_raw = clean_text(cell(row, "departments"))
        for part in (p for p in SPLIT.split(dept_raw) if p):
            dept = resolver.department(part)
            if dept is None:
                err(rownum, "departments", dept_raw, f"找不到责任部门“{part}”（请先在系统中建立该部门）")
            elif dept not in parsed.departments:
                parsed.departments.append(dept)
        if year and name:
            key = (year, name)
            if key in seen:
                err(rownum, "name", name, f"与第 {seen[key]} 行重复：同一年度同一指标只能出现一次")
            else:
                seen[key] = rownum
        if len(errors) == n_errors:
            out.append(parsed)
    return out


_KIND_LABEL = {"amount": "税收金额", "growth": "增长率", "share": "占比", "reported": "部门报送"}


def _store(rows: list[_Row], result: ImportResult, user: Any, request: Any) -> None:
    from peiyu.accounts.audit import record
    from peiyu.targets.actions import do_save_target, target_snapshot
    from peiyu.targets.models import Target

    with transaction.atomic():
        for order, r in enumerate(rows, start=1):
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
            do_save_target(
                user, target, r.departments, reason=f"导入 {result.file_name} 第 {r.row} 行", request=request
            )
            after = target_snapshot(target)
            if before is None:
                result.created += 1
            elif before != after:
                result.updated += 1
            else:
                result.unchanged += 1
            result.targets.append(
                {"row": r.row, "id": target.pk, "year": r.year, "name": r.name, "kind": r.kind}
            )
        record(
            user,
            A.TARGETS_IMPORT,
            object_type="targets.import",
            object_repr=result.file_name,
            detail={
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            request=request,
        )
