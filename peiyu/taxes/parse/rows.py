"""Phase 3 of a sheet: which rows below the header are data rows (one taxpayer each), which are 合计
rows (checked later), 小计 / 本页合计 rows (skipped), notes and blank rows (skipped), and merged
taxpayer cells (the taxpayer of the row above). Works column-wise: the body is transposed once
and plain alphanumeric IDs are recognised in one vectorised pass; only odd cells are looked at
one by one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from peiyu.registry import uscc
from peiyu.taxes.parse.columns import ColumnPlan
from peiyu.taxes.parse.header import Layout
from peiyu.taxes.parse.result import ParsedFile
from peiyu.taxes.parse.vocabulary import (
    CJK,
    NOTE_PREFIXES,
    SUBTOTAL_WORDS,
    TOTAL_PREFIX,
    TOTAL_ROW_WORDS,
    norm,
)

ErrorSink = Callable[[int | None, str, Any, str], None]  # (row, column, value, message)

_FILL = object()  # marker: a merged taxpayer cell, the taxpayer of the data row above


@dataclass
class DataRows:
    columns: list[tuple[Any, ...]]  # the body below the header, transposed (one tuple per column)
    positions: list[int]  # the data rows, as positions in the body
    index: list[int]  # the data rows, as 0-based indexes into the sheet's rows
    ids: list[str]  # normalised taxpayer ID per data row
    names: list[str]  # taxpayer name per data row ("" when the file has none)
    total_rows: list[int]  # 0-based indexes of the 合计 rows
    contiguous: bool  # data rows without gaps (amount columns can be sliced, not copied)


def cell(row: list[Any], j: int) -> Any:
    return row[j] if j < len(row) else ""


def looks_like_money(value: Any) -> bool:
    """A cell that could carry an amount (a number, or text with digits and no Chinese words)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    text = str(value or "").strip()
    return bool(text) and text not in ("-", "—") and any(ch.isdigit() for ch in text) and not CJK.search(text)


def _transpose(rows: list[list[Any]], layout: Layout) -> tuple[list[list[Any]], int, list[Any]]:
    """(body rows padded to one width, the width, the body's columns)."""
    body = rows[layout.bottom + 1 :]
    lengths = set(map(len, body))
    width = max(max(lengths, default=0), max((c.index for c in layout.cols), default=0) + 1)
    if lengths - {width}:
        body = [list(r) + [""] * (width - len(r)) for r in body]
    columns = list(zip(*body, strict=True)) if body else [() for _ in range(width)]
    return body, width, columns


class _OddIdCells:
    """An ID cell that is not a plain alphanumeric string: 合计/小计 rows, notes, blanks, numbers.
    Returns the normalised ID, ``_FILL`` for a merged cell, or None (not a data row)."""

    def __init__(
        self, body: list[list[Any]], width: int, first: int, plan: ColumnPlan, err: ErrorSink
    ) -> None:
        self.body, self.width, self.first, self.plan, self.err = body, width, first, plan, err
        idc = plan.id_col.index
        self.marker_js = sorted(
            {0, 1, 2, idc, *(c.index for c in (plan.name_col, plan.tax_col) if c is not None)}
        )
        self.amount_js = [c.index for c in plan.amounts]
        self.total_rows: list[int] = []
        self.subtotal_rows = 0

    def __call__(self, k: int, v: Any) -> Any:
        r = self.body[k]
        if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 1e15:
            # an 18/20-digit code kept as a number: a float holds only ~15 digits, the rest is lost
            shown = f"{v:.0f}" if isinstance(v, float) else str(v)
            self.err(
                self.first + k + 1,
                self.plan.id_col.where,
                shown,
                f"纳税人识别号“{shown}”以数字而非文本存储，超过 15 位的数字已丢失精度（末几位不可信）；"
                "请将该列设为文本后重新导出，系统不会改动或猜测识别号",
            )
            return None
        raw = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        sv = raw.strip()
        if sv.startswith('="') and sv.endswith('"'):  # ="913101…" written by exports to keep text in Excel
            sv = sv[2:-1]
        sv = sv.strip("'\"` \t")
        markers = [norm(r[j]) for j in self.marker_js if j < self.width]
        if any(m in TOTAL_ROW_WORDS or TOTAL_PREFIX.match(m) for m in markers):
            self.total_rows.append(self.first + k)
            return None
        if any(m.startswith(SUBTOTAL_WORDS) for m in markers if m):
            self.subtotal_rows += 1
            return None
        has_amount = any(looks_like_money(r[j]) for j in self.amount_js)
        row, where = self.first + k + 1, self.plan.id_col.where
        if not sv:
            if not has_amount:
                return None  # blank row or a note beside the table
            name_col = self.plan.name_col
            nm = str(r[name_col.index] or "").strip() if name_col else ""
            if self.plan.kind == "long" and not nm:
                return _FILL
            self.err(row, where, "", "纳税人识别号为空，但该行有金额")
            return None
        if CJK.search(sv) or sv.startswith(NOTE_PREFIXES):
            if has_amount:
                self.err(row, where, sv, f"纳税人识别号“{sv}”无效（含汉字）")
            return None  # otherwise a note under the table (制表人：…, 注：…)
        if re.fullmatch(r"\d+(\.\d+)?[Ee]\+?\d+", sv):
            self.err(
                row,
                where,
                sv,
                f"纳税人识别号“{sv}”被显示为科学计数法，位数已丢失；请将该列设为文本后重新导出",
            )
            return None
        return uscc.normalize(sv) or None


def _id_values(columns: list[Any], plan: ColumnPlan) -> tuple[Any, ...]:
    """The ID column, its blanks filled from the other ID columns."""
    id_values = columns[plan.id_col.index]
    for extra in plan.id_cols[1:]:
        other = columns[extra.index]
        id_values = tuple(
            v if (v is not None and str(v).strip()) else o for v, o in zip(id_values, other, strict=True)
        )
    return id_values


def _scan_ids(id_values: tuple[Any, ...], odd: _OddIdCells) -> tuple[list[int], list[str], dict[int, Any]]:
    """(positions of plain IDs, those IDs upper-cased, {position: result of the odd-cell reader})."""
    found: dict[int, Any] = {}
    if set(map(type, id_values)) <= {str}:  # vectorised: plain IDs in one pass, the rest one by one
        arr = pa.array(id_values, pa.string())
        plain = pc.match_substring_regex(arr, r"^[0-9A-Za-z]+$")
        fast_pos = pc.indices_nonzero(plain).to_pylist()
        fast_ids = pc.ascii_upper(arr.filter(plain)).to_pylist()
        for k in pc.indices_nonzero(pc.invert(plain)).to_pylist():
            res = odd(k, id_values[k])
            if res is not None:
                found[k] = res
    else:
        fast_pos, fast_ids = [], []
        for k, v in enumerate(id_values):
            if v.__class__ is str and v.isalnum() and v.isascii():
                fast_pos.append(k)
                fast_ids.append(v.upper())
            else:
                res = odd(k, v)
                if res is not None:
                    found[k] = res
    return fast_pos, fast_ids, found


def _merge_found(
    fast_pos: list[int], fast_ids: list[str], found: dict[int, Any], odd: _OddIdCells
) -> tuple[list[int], list[str], set[int]]:
    """(data positions, IDs, indexes of merged-cell rows): merged cells take the taxpayer above."""
    if not found:
        return fast_pos, fast_ids, set()
    id_of = dict(zip(fast_pos, fast_ids, strict=True))
    id_of.update(found)
    data_pos: list[int] = []
    ids: list[str] = []
    fills: set[int] = set()
    for k in sorted(id_of):
        v = id_of[k]
        if v is _FILL:
            if not ids:
                odd.err(odd.first + k + 1, odd.plan.id_col.where, "", "纳税人识别号为空，但该行有金额")
                continue
            fills.add(len(ids))
            v = ids[-1]
        data_pos.append(k)
        ids.append(v)
    return data_pos, ids, fills


def _drop_marker_rows(
    plan: ColumnPlan,
    columns: list[Any],
    data_pos: list[int],
    ids: list[str],
    fills: set[int],
    odd: _OddIdCells,
) -> tuple[list[int], list[str], set[int]]:
    """Long files: 小计/合计 rows that carry a taxpayer ID (per-taxpayer subtotals, 征收项目 = 小计)."""
    if plan.kind != "long":
        return data_pos, ids, fills
    for mcol in (plan.tax_col, plan.name_col):
        if mcol is None or not data_pos:
            continue
        mvalues = columns[mcol.index]
        kinds: dict[Any, str | None] = {}
        for v in set(map(mvalues.__getitem__, data_pos)):
            if not (v.__class__ is str and ("计" in v or "其中" in v)):  # cheap test first: ~10⁵ names
                kinds[v] = None
                continue
            m = norm(v)
            kinds[v] = (
                "total"
                if (m in TOTAL_ROW_WORDS or TOTAL_PREFIX.match(m))
                else ("sub" if m.startswith(SUBTOTAL_WORDS) else None)
            )
        if any(kinds.values()):
            keep_pos: list[int] = []
            keep_ids: list[str] = []
            keep_fills: set[int] = set()
            for j, (k, tid) in enumerate(zip(data_pos, ids, strict=True)):
                kind = kinds[mvalues[k]]
                if kind == "total":
                    odd.total_rows.append(odd.first + k)
                elif kind == "sub":
                    odd.subtotal_rows += 1
                else:
                    if j in fills:
                        keep_fills.add(len(keep_pos))
                    keep_pos.append(k)
                    keep_ids.append(tid)
            data_pos, ids, fills = keep_pos, keep_ids, keep_fills
            odd.total_rows.sort()
    return data_pos, ids, fills


def _names(plan: ColumnPlan, columns: list[Any], data_pos: list[int], fills: set[int]) -> list[str]:
    if plan.name_col is None:
        return [""] * len(data_pos)
    picked = list(map(columns[plan.name_col.index].__getitem__, data_pos))
    if set(map(type, picked)) <= {str}:
        names = list(map(str.strip, picked))
    else:
        names = [x.strip() if x.__class__ is str else ("" if x is None else str(x).strip()) for x in picked]
    for j in sorted(fills):  # merged cells: the name of the row above
        names[j] = names[j - 1] if j else ""
    return names


def _remember_names(pf: ParsedFile, ids: list[str], names: list[str]) -> None:
    """The file's name of each taxpayer: its first non-empty name, across rows and sheets."""
    first_names = dict(zip(ids, names, strict=True))  # file order; the name of the last row …
    if len(first_names) < len(ids):  # … so where a taxpayer has several rows, take its first non-empty name
        seen_first: dict[str, str] = {}
        for tid, nm in zip(ids, names, strict=True):
            if nm and tid not in seen_first:
                seen_first[tid] = nm
        first_names.update(seen_first)
    if not pf.names:
        pf.names = first_names
    else:
        for tid, nm in first_names.items():
            if not pf.names.get(tid):
                pf.names[tid] = nm


def classify_rows(
    rows: list[list[Any]], layout: Layout, plan: ColumnPlan, pf: ParsedFile, err: ErrorSink
) -> DataRows:
    body, width, columns = _transpose(rows, layout)
    start = layout.bottom + 1  # the rows index of body[0]
    odd = _OddIdCells(body, width, start, plan, err)
    fast_pos, fast_ids, found = _scan_ids(_id_values(columns, plan), odd)
    data_pos, ids, fills = _merge_found(fast_pos, fast_ids, found, odd)
    fill_rows = len(fills)
    data_pos, ids, fills = _drop_marker_rows(plan, columns, data_pos, ids, fills, odd)
    names = _names(plan, columns, data_pos, fills)
    if odd.subtotal_rows:
        pf.notes.append(f"跳过小计/本页合计行 {odd.subtotal_rows} 行")
    if fill_rows:
        pf.notes.append(f"{fill_rows} 行纳税人识别号为空（合并单元格），沿用上一行纳税人")
    pf.rows += len(data_pos)
    _remember_names(pf, ids, names)
    return DataRows(
        columns=columns,
        positions=data_pos,
        index=[start + k for k in data_pos],
        ids=ids,
        names=names,
        total_rows=odd.total_rows,
        contiguous=bool(data_pos) and data_pos[-1] - data_pos[0] == len(data_pos) - 1,
    )
