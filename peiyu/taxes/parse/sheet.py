"""One sheet, phase by phase::

    plan_columns      which column is what, the unit, wide or long        (columns.py)
    classify_rows     data rows, 合计 rows, 小计 / notes / blanks skipped   (rows.py)
    parse_amounts     every used amount column to exact fen              (here)
    reconcile_totals  each 合计 row equals the sum of the data rows, to the fen   (here)
    month_of_dates    the 入库日期 cells name one month                    (here)
    build_facts       the facts (one per non-zero amount) and row-level cross-checks (facts.py)

Errors are collected in the ParsedFile (row, column, value, Chinese message); a sheet that cannot be
read at all raises TableError."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pyarrow.compute as pc

from peiyu.core.tabular import Sheet
from peiyu.taxes.parse.amounts import Amounts, parse_amount_column, sum_fen, yuan
from peiyu.taxes.parse.columns import ColumnPlan, plan_columns
from peiyu.taxes.parse.facts import build_facts
from peiyu.taxes.parse.header import Layout
from peiyu.taxes.parse.months import month_of_date_cell
from peiyu.taxes.parse.result import ParsedFile, SheetResult
from peiyu.taxes.parse.rows import DataRows, ErrorSink, cell, classify_rows

_BLANK_TOTALS = ("", "-", "—", "－", "/", "／")


def parse_sheet(sheet: Sheet, layout: Layout, pf: ParsedFile, multi_sheet: bool) -> SheetResult:
    rows = sheet.rows
    sheet_name = sheet.name if multi_sheet else None

    def err(row: int | None, column: str, value: Any, message: str) -> None:
        pf.error(row, column, value, message, sheet_name)

    plan = plan_columns(rows, layout, pf)
    data = classify_rows(rows, layout, plan, pf, err)
    if plan.kind == "wide":
        check_repeated_taxpayers(plan, data, err)
    amounts = parse_amounts(plan, data, err)
    reconcile_totals(rows, plan, data, amounts, pf, err)
    for head, extra in plan.same_tax:  # after the 合计 check, which is per column
        amounts.by_column[head.index] = pc.add(amounts.by_column[head.index], amounts.by_column[extra.index])
    date_month = month_of_dates(rows, plan, data, err)
    district_from_file = build_facts(rows, plan, data, amounts, pf, err)
    return SheetResult(
        layout=plan.kind,
        unit_explicit=plan.unit_explicit,
        units_used=plan.units_used,
        title=plan.title,
        date_month=date_month,
        district_from_file=district_from_file,
        ids=set(data.ids) if multi_sheet else set(),
    )


def check_repeated_taxpayers(plan: ColumnPlan, data: DataRows, err: ErrorSink) -> None:
    """A wide file has one row per taxpayer: a taxpayer on two rows is counted twice (a pasted
    block, an export run twice). Refused unless the file has a 入库日期 column (one row per payment)."""
    if len(set(data.ids)) == len(data.ids):
        return
    first: dict[str, int] = {}
    repeated = 0
    for i, tid in zip(data.index, data.ids, strict=True):
        if tid not in first:
            first[tid] = i + 1
            continue
        repeated += 1
        if plan.date_col is not None:
            continue
        if repeated <= 200:
            err(
                i + 1,
                plan.id_col.where,
                tid,
                f"纳税人 {tid} 在第 {first[tid]} 行已出现：宽表每户一行，重复的行会被重复计算；"
                "请删去重复行（或按入库日期逐笔列出）后重新导入",
            )
    if repeated > 200 and plan.date_col is None:
        err(None, plan.id_col.where, "", f"共有 {repeated} 行纳税人重复（只列出前 200 行）")


def parse_amounts(plan: ColumnPlan, data: DataRows, err: ErrorSink) -> Amounts:
    """Each used amount column of the data rows, column-wise (a tuple slice when the data rows are
    contiguous: no copy)."""
    out = Amounts({}, set(), set())
    pos = data.positions
    for c in plan.amounts:
        col_values = data.columns[c.index]
        values: Sequence[Any] = (
            col_values[pos[0] : pos[-1] + 1] if data.contiguous else list(map(col_values.__getitem__, pos))
        )
        arr, bad = parse_amount_column(values, c.unit or plan.unit)
        out.by_column[c.index] = arr
        for p, val, msg in bad:
            err(data.index[p] + 1, c.where, val, msg)
            out.bad_positions.add(p)
            out.bad_columns.add(c.index)
    return out


def reconcile_totals(
    rows: list[list[Any]], plan: ColumnPlan, data: DataRows, amounts: Amounts, pf: ParsedFile, err: ErrorSink
) -> None:
    """Every 合计 row: each amount column must equal the sum of the data rows, to the fen. The stated
    totals are kept in ``pf.file_totals`` for the report."""
    for ti in data.total_rows:
        r = rows[ti]
        for c in plan.amounts:
            raw = cell(r, c.index)
            if raw is None or str(raw).strip() in _BLANK_TOTALS or c.index in amounts.bad_columns:
                continue
            arr, bad = parse_amount_column([raw], c.unit or plan.unit)
            if bad:
                err(ti + 1, c.where, raw, f"合计行{bad[0][2]}")
                continue
            stated, actual = int(arr[0].as_py()), sum_fen(amounts.by_column[c.index])
            pf.file_totals[f"{c.label}"] = stated
            if stated != actual:
                err(
                    ti + 1,
                    c.where,
                    raw,
                    f"合计行金额 {yuan(stated)} 元与明细行之和 {yuan(actual)} 元不符（差额 {yuan(stated - actual)} 元）",
                )


def month_of_dates(rows: list[list[Any]], plan: ColumnPlan, data: DataRows, err: ErrorSink) -> str | None:
    """The one month of the 入库日期 column; rows of other months (and unreadable dates) are errors."""
    date_col = plan.date_col
    if date_col is None:
        return None
    by_month: dict[str, list[int]] = defaultdict(list)
    cache: dict[Any, str | None] = {}
    for i in data.index:
        v = cell(rows[i], date_col.index)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        cache_key = (type(v), v)
        if cache_key not in cache:
            cache[cache_key] = month_of_date_cell(v)
        ym = cache[cache_key]
        if ym is None:
            err(i + 1, date_col.where, v, f"入库日期“{v}”无法识别")
        else:
            by_month[ym].append(i + 1)
    if len(by_month) == 1:
        return next(iter(by_month))
    if len(by_month) > 1:
        main = max(by_month, key=lambda k: len(by_month[k]))
        desc = "、".join(f"{k}（{len(v)} 行）" for k, v in sorted(by_month.items()))
        for ym, rws in sorted(by_month.items()):
            if ym == main:
                continue
            for rr in rws:
                err(
                    rr,
                    date_col.where,
                    cell(rows[rr - 1], date_col.index),
                    f"入库日期属于 {ym}，与本文件其他行（{main}）不在同一月份；本文件含多个月份：{desc}",
                )
    return None
