"""Phase 2 of a sheet: from the recognised columns to a plan — which column is the taxpayer, which
amounts are used (and in which unit), whether the sheet is wide or long. Refuses (TableError) a
sheet without the amount columns its layout needs."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from peiyu.core.tabular import TableError
from peiyu.taxes.parse.header import Col, Layout
from peiyu.taxes.parse.result import ParsedFile
from peiyu.taxes.parse.vocabulary import UNIT_IN_TEXT


@dataclass
class ColumnPlan:
    kind: str  # wide (a column per tax type) | long (a 征收项目 column, one row per payment)
    title: str  # the text above the header
    unit: str  # the sheet's unit (元 when it names none)
    unit_explicit: bool
    units_used: set[str]
    id_cols: list[Col]  # the first is the taxpayer ID; the others fill its blanks
    name_col: Col | None
    tax_col: Col | None  # long layout: 征收项目
    date_col: Col | None  # 入库日期
    level_col: Col | None  # 预算级次 (one row per budget level)
    amounts: list[Col]  # every amount column used, each with its unit set
    same_tax: list[tuple[Col, Col]]  # two columns of one tax type (内资/外资企业所得税): added up
    row_total: Col | None  # the row's total (税收合计 / 实缴金额)
    row_levels: dict[str, Col]  # the row's district / city / central / local amounts
    tax_cols: dict[str, dict[str, Col]]  # wide layout: tax type → level → column

    @property
    def id_col(self) -> Col:
        return self.id_cols[0]


def unit_of_text(text: str) -> str | None:
    m = UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return m.group(1) if m else None


def title_of(rows: list[list[Any]], layout: Layout) -> str:
    """Text above the header (merged title cells arrive as the top-left value)."""
    return " ".join(str(c).strip() for r in rows[: layout.top] for c in r if str(c).strip())


def stated_unit(rows: list[list[Any]], layout: Layout, title: str) -> str | None:
    """The unit the sheet names: in the title, the header, a note under the table, or (when all
    amount headings agree) inside the headings, e.g. 实缴金额(万元) over 其中 中央级/市级/区级."""
    unit = unit_of_text(title) or unit_of_text(" ".join(c.label for c in layout.cols))
    if unit is None:  # "注：金额单位为万元" under the table
        tail = " ".join(c for r in rows[-12:] for c in r if isinstance(c, str) and "单位" in c)
        unit = unit_of_text(tail)
    header_units = {c.unit for c in layout.cols if c.role == "amount" and c.unit}
    if unit is None and len(header_units) == 1:
        unit = next(iter(header_units))
    return unit


def _used_amounts(amount_cols: list[Col], pf: ParsedFile) -> tuple[list[Col], list[tuple[Col, Col]]]:
    """The amount columns used; a repeated column is left out (a second column of the same tax type
    is added to the first), each decision noted."""
    seen: dict[tuple[str | None, str], Col] = {}
    used: list[Col] = []
    if any(c.fallback for c in amount_cols) and any(
        not c.fallback and c.tax is None and c.level == "total" for c in amount_cols
    ):
        for c in amount_cols:
            if c.fallback:
                pf.notes.append(f"文件已有实缴金额列，“{c.where}”未使用")
                c.role = "ignored"
        amount_cols = [c for c in amount_cols if not c.fallback]
    same_tax: list[tuple[Col, Col]] = []
    for c in amount_cols:
        key = (c.tax, c.level)
        if key in seen and c.label == seen[key].label:
            pf.error(
                None,
                c.where,
                c.label,
                f"“{c.label}”列出现两次（{seen[key].letter}列与{c.letter}列），无法判断应使用哪一列；"
                "请删去重复的列后重新导入",
            )
            c.role = "ignored"
            continue
        if key in seen and c.tax is not None:
            pf.notes.append(f"列“{c.where}”与“{seen[key].where}”同属{c.tax}，合并计算")
            same_tax.append((seen[key], c))
            used.append(c)
            continue
        if key in seen:
            pf.notes.append(f"列“{c.where}”与“{seen[key].where}”重复，未使用")
            c.role = "ignored"
            continue
        seen[key] = c
        if c.level == "local":
            pf.notes.append(f"列“{c.where}”为地方级（市级+区级），不作为区级收入使用")
        used.append(c)
    return used, same_tax


def _amount_roles(
    used: list[Col], kind: str, pf: ParsedFile
) -> tuple[Col | None, dict[str, Col], dict[str, dict[str, Col]]]:
    """(the row's total, the row's levels, wide: tax type → level → column). A long file's tax-type
    columns are not used (its tax type is in 征收项目)."""
    row_total = next((c for c in used if c.tax is None and c.level == "total"), None)
    row_levels = {c.level: c for c in used if c.tax is None and c.level != "total"}
    tax_cols: dict[str, dict[str, Col]] = defaultdict(dict)
    for c in used:
        if c.tax is not None and c.level not in tax_cols[c.tax]:
            tax_cols[c.tax][c.level] = c
    if kind == "long" and tax_cols:
        for lv in tax_cols.values():
            for c in lv.values():
                pf.notes.append(f"长表中的税种列“{c.where}”未使用")
                c.role = "ignored"
        tax_cols.clear()
    return row_total, row_levels, tax_cols


def _require_amounts(
    kind: str,
    tax_col: Col | None,
    row_total: Col | None,
    row_levels: dict[str, Col],
    tax_cols: dict[str, dict[str, Col]],
) -> None:
    """A sheet without the amounts its layout needs cannot be read (TableError)."""
    if kind == "long" and row_total is None and not {"central", "city", "district"} <= set(row_levels):
        assert tax_col is not None  # "long" means there is a tax-type column
        raise TableError(
            f"长表（含“{tax_col.label}”列）缺少实缴金额列（实缴金额 / 实缴税额 / 入库金额 / 税额）"
        )
    if kind == "wide" and row_total is None and not any("total" in lv for lv in tax_cols.values()):
        raise TableError(
            "找不到金额列：宽表需要各税种列（增值税、企业所得税……）或“税收合计”列；长表需要“征收项目”和“实缴金额”列"
        )


def plan_columns(rows: list[list[Any]], layout: Layout, pf: ParsedFile) -> ColumnPlan:
    title = title_of(rows, layout)
    unit = stated_unit(rows, layout, title)
    unit_explicit = unit is not None
    unit = unit or "元"

    cols = layout.cols
    id_cols = [c for c in cols if c.role == "id"]
    # 统一社会信用代码 first when a file has it next to an old 纳税人识别号 column; the other fills its blanks
    id_cols.sort(key=lambda c: 0 if "信用代码" in c.label else 1)
    for extra in id_cols[1:]:
        pf.notes.append(f"识别号以“{id_cols[0].where}”为准，为空时取“{extra.where}”")
    tax_col = layout.first("tax_type")
    used, same_tax = _used_amounts([c for c in cols if c.role == "amount"], pf)
    for c in cols:
        if c.role == "ignored" and c.label and c.label not in pf.ignored_columns:
            pf.ignored_columns.append(c.label)
    unit_explicit = unit_explicit or any(c.unit for c in used)
    for c in used:
        c.unit = c.unit or unit

    kind = "long" if tax_col is not None else "wide"
    row_total, row_levels, tax_cols = _amount_roles(used, kind, pf)
    _require_amounts(kind, tax_col, row_total, row_levels, tax_cols)
    return ColumnPlan(
        kind=kind,
        title=title,
        unit=unit,
        unit_explicit=unit_explicit,
        units_used={c.unit or unit for c in used},
        id_cols=id_cols,
        name_col=layout.first("name"),
        tax_col=tax_col,
        date_col=layout.first("date"),
        level_col=layout.first("level_column"),
        amounts=used,
        same_tax=same_tax,
        row_total=row_total,
        row_levels=row_levels,
        tax_cols=tax_cols,
    )
