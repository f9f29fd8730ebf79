"""Phase 6 of a sheet: the facts — one per non-zero amount of a data row (a wide row gives one fact
per tax type) — with the row-level cross-checks (税收合计 = the sum of the tax types, 区级合计 = the
sum of their district shares); and, for the whole file, the facts as one Arrow table in
:data:`peiyu.taxes.library.FACT_SCHEMA`, district shares computed from sharing ratios where the file
has none (``round_half_up(total × pct / 100)`` per fact, exact integers)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from peiyu.taxes.parse.amounts import Amounts, nonzero, sum_fen, yuan
from peiyu.taxes.parse.columns import ColumnPlan
from peiyu.taxes.parse.header import Col
from peiyu.taxes.parse.result import ParsedFile
from peiyu.taxes.parse.rows import DataRows, ErrorSink, cell
from peiyu.taxes.parse.vocabulary import (
    DISTRICT_ONLY_TAX_TYPE,
    TOTAL_ONLY_TAX_TYPE,
    UNLISTED_TAX_TYPE,
    known_tax_types,
    norm,
    tax_alias,
)


class _Facts:
    """Appends facts column-wise to the ParsedFile: the data rows selected by a mask, with one tax
    type (or one per row), a total and a district share (None: computed later from ratios)."""

    def __init__(self, pf: ParsedFile, data: DataRows) -> None:
        self.pf = pf
        self.src_rows = pa.array([i + 1 for i in data.index], pa.int32())
        self.ids = pa.array(data.ids, pa.string())
        self.names = pa.array(data.names, pa.string())
        self.zero = pa.array([0] * len(data.index), pa.int64())

    def add(self, tax: str | pa.Array, total: pa.Array, district: pa.Array | None, mask: pa.Array) -> None:
        sel = pc.indices_nonzero(mask)
        if len(sel) == 0:
            return
        pf = self.pf
        pf.f_row.append(self.src_rows.take(sel))
        pf.f_id.append(self.ids.take(sel))
        pf.f_name.append(self.names.take(sel))
        pf.f_tax.append(pa.array([tax] * len(sel), pa.string()) if isinstance(tax, str) else tax.take(sel))
        pf.f_total.append(total.take(sel))
        pf.f_district.append(None if district is None else district.take(sel))


def _nz(total: pa.Array, district: pa.Array | None) -> pa.Array:
    return nonzero(total) if district is None else pc.or_(nonzero(total), nonzero(district))


def build_facts(
    rows: list[list[Any]], plan: ColumnPlan, data: DataRows, amounts: Amounts, pf: ParsedFile, err: ErrorSink
) -> bool:
    """Add the sheet's facts to ``pf``; returns whether the district shares come from the file."""
    facts = _Facts(pf, data)
    if plan.kind == "long":
        return _long_facts(rows, plan, data, amounts, facts, pf, err)
    return _wide_facts(rows, plan, data, amounts, facts, pf, err)


# ---------------------------------------------------------------------------------------------
# Long layout: one row per taxpayer × tax type × payment


def _long_facts(
    rows: list[list[Any]],
    plan: ColumnPlan,
    data: DataRows,
    amounts: Amounts,
    facts: _Facts,
    pf: ParsedFile,
    err: ErrorSink,
) -> bool:
    tax_col = plan.tax_col
    assert tax_col is not None  # "long" means there is a tax-type column
    taxes = []
    tcache: dict[Any, str] = {}
    for i in data.index:
        v = cell(rows[i], tax_col.index)
        if v not in tcache:
            t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v if v is not None else "")))
            tcache[v] = tax_alias(t)
        taxes.append(tcache[v])
    parsed = amounts.by_column
    if plan.row_total is not None:
        total = parsed[plan.row_total.index]
    else:
        total = facts.zero
        for level in ("central", "city", "district"):
            total = pc.add(total, parsed[plan.row_levels[level].index])
        pf.notes.append("文件没有实缴金额列，按中央级+市级+区级计算实缴金额")
    totals_py = total.to_pylist()
    known = known_tax_types()
    for k, t in enumerate(taxes):
        if not t and totals_py[k] != 0:
            err(data.index[k] + 1, tax_col.where, "", "征收项目为空，但该行有金额")
        elif t and t not in known:
            err(
                data.index[k] + 1,
                tax_col.where,
                t,
                f"征收项目“{t}”不在税种表中，无法确定它是否计入税收；请核对文件，"
                f"或由管理员用“peiyu tax-headings add {t} --tax 税种”登记后重新导入",
            )
    district = parsed[plan.row_levels["district"].index] if "district" in plan.row_levels else None
    if district is None and plan.level_col is not None:
        district = _district_by_level(rows, plan, data, total, totals_py, pf, err)
    facts.add(pa.array(taxes, pa.string()), total, district, _nz(total, district))
    return district is not None


def _district_by_level(
    rows: list[list[Any]],
    plan: ColumnPlan,
    data: DataRows,
    total: pa.Array,
    totals_py: list[int],
    pf: ParsedFile,
    err: ErrorSink,
) -> pa.Array:
    """预算级次 column: one row per budget level; the district share is the rows of level 区级."""
    level_col = plan.level_col
    assert level_col is not None
    flags = []
    lcache: dict[Any, bool | None] = {}
    for k, i in enumerate(data.index):
        v = cell(rows[i], level_col.index)
        if v not in lcache:
            t = norm(v)
            lcache[v] = (
                True if "区" in t else False if any(w in t for w in ("中央", "市", "省", "地方")) else None
            )
        flag = lcache[v]
        if flag is None and totals_py[k] != 0:
            err(data.index[k] + 1, level_col.where, v, f"预算级次“{v}”无法识别（应为中央级、市级或区级）")
        flags.append(bool(flag))
    pf.notes.append(f"按“{level_col.where}”逐行区分级次，区级收入为级次为区级的行之和")
    return pc.if_else(pa.array(flags, pa.bool_()), total, 0)


# ---------------------------------------------------------------------------------------------
# Wide layout: one row per taxpayer, a column per tax type


def _wide_facts(
    rows: list[list[Any]],
    plan: ColumnPlan,
    data: DataRows,
    amounts: Amounts,
    facts: _Facts,
    pf: ParsedFile,
    err: ErrorSink,
) -> bool:
    any_type_district = any("district" in lv for lv in plan.tax_cols.values())
    # district share given per taxpayer only (one 区级收入 column next to the tax-type columns)
    row_district_only = "district" in plan.row_levels and not any_type_district
    district_in_file = any_type_district or row_district_only
    type_sum, have_types = _tax_type_facts(plan, amounts, facts, district_in_file)
    row_error = _row_errors(rows, data, amounts, err)
    district_from_file = False
    if plan.row_total is not None:
        district_from_file = _row_total_facts(
            plan, amounts, facts, pf, row_error, type_sum, have_types, district_in_file
        )
    if have_types and "district" in plan.row_levels:
        _row_district_facts(plan, amounts, facts, pf, row_error, any_type_district)
        return True
    return district_from_file or any_type_district


RowError = Callable[[int, Col, str], None]  # (data row position, column, message)


def _row_errors(rows: list[list[Any]], data: DataRows, amounts: Amounts, err: ErrorSink) -> RowError:
    """An error on a data row's cell; rows with an unreadable amount are not cross-checked."""

    def row_error(k: int, c: Col, message: str) -> None:
        if k not in amounts.bad_positions:
            err(data.index[k] + 1, c.where, cell(rows[data.index[k]], c.index), message)

    return row_error


def _row_total_facts(
    plan: ColumnPlan,
    amounts: Amounts,
    facts: _Facts,
    pf: ParsedFile,
    row_error: RowError,
    type_sum: pa.Array,
    have_types: bool,
    district_in_file: bool,
) -> bool:
    """The row's 税收合计: checked against the tax types, or the remainder of "其中" tax types, or
    (without tax-type columns) the fact itself. Returns whether a district share came with it."""
    rt_col = plan.row_total
    assert rt_col is not None
    rt = amounts.by_column[rt_col.index]
    if have_types and any(lv[x].partial for lv in plan.tax_cols.values() for x in lv):
        # 税收合计 with "其中：增值税 …": the listed taxes are part of the total; the rest is kept
        rest = pc.subtract(rt, type_sum)
        facts.add(UNLISTED_TAX_TYPE, rest, facts.zero if district_in_file else None, nonzero(rest))
        if sum_fen(pc.abs(rest)):
            pf.notes.append(f"税种列为“其中”项，{rt_col.label}与所列税种之差计为“{UNLISTED_TAX_TYPE}”")
        return False
    if have_types:
        for k in pc.indices_nonzero(pc.not_equal(rt, type_sum)).to_pylist():
            row_error(
                k,
                rt_col,
                f"{rt_col.label} {yuan(rt[k].as_py())} 元与各税种之和 {yuan(type_sum[k].as_py())} 元不符",
            )
        return False
    dcol = plan.row_levels.get("district")
    dis = amounts.by_column[dcol.index] if dcol is not None else None
    facts.add(TOTAL_ONLY_TAX_TYPE, rt, dis, _nz(rt, dis))
    return dis is not None


def _row_district_facts(
    plan: ColumnPlan,
    amounts: Amounts,
    facts: _Facts,
    pf: ParsedFile,
    row_error: RowError,
    any_type_district: bool,
) -> None:
    """The row's 区级收入 next to tax-type columns: a check of their district shares, or (when they
    have none) its own fact."""
    parsed = amounts.by_column
    dcol = plan.row_levels["district"]
    rd = parsed[dcol.index]
    if any_type_district:
        pf.notes.append(f"已使用各税种的区级列，“{dcol.where}”仅用于核对")
        per_type = facts.zero
        for lv in plan.tax_cols.values():
            if "district" in lv:
                per_type = pc.add(per_type, parsed[lv["district"].index])
        for k in pc.indices_nonzero(pc.not_equal(per_type, rd)).to_pylist():
            row_error(
                k,
                dcol,
                f"区级合计 {yuan(rd[k].as_py())} 元与各税种区级之和 {yuan(per_type[k].as_py())} 元不符",
            )
    else:
        # The file gives the district share per taxpayer, not per tax type: keep it as its own
        # fact (tax type DISTRICT_ONLY_TAX_TYPE, total 0) so no split by tax type is invented.
        facts.add(DISTRICT_ONLY_TAX_TYPE, facts.zero, rd, nonzero(rd))


def _tax_type_facts(
    plan: ColumnPlan, amounts: Amounts, facts: _Facts, district_in_file: bool
) -> tuple[pa.Array, bool]:
    """One fact per tax type and row; returns (the sum of the tax types per row, whether any tax
    type has a total). ``district_in_file``: the file gives district shares somewhere, so a tax
    type without its own district column has none (0), rather than one computed from ratios."""
    parsed = amounts.by_column
    type_sum = facts.zero
    have_types = False
    for t, lv in plan.tax_cols.items():
        if "total" in lv:
            tot = parsed[lv["total"].index]
        elif {"central", "city", "district"} <= set(lv):
            tot = pc.add(
                pc.add(parsed[lv["central"].index], parsed[lv["city"].index]), parsed[lv["district"].index]
            )
        elif "district" in lv:
            tot = None  # only the district share of this tax is given
        else:
            continue
        if "district" in lv:
            dis = parsed[lv["district"].index]
        elif district_in_file:
            dis = facts.zero
        else:
            dis = None  # computed from sharing ratios
        if tot is None:
            assert dis is not None
            facts.add(t, facts.zero, dis, nonzero(dis))
            continue
        have_types = True
        type_sum = pc.add(type_sum, tot)
        facts.add(t, tot, dis, _nz(tot, dis))
    return type_sum, have_types


# ---------------------------------------------------------------------------------------------
# The whole file's facts


def share_half_up(total_fen: int, pct: Decimal) -> int:
    """``total × pct / 100`` rounded half away from zero, in exact integer arithmetic."""
    micro = int((pct * 10_000).to_integral_value())  # pct in units of 1e-4 %, i.e. 1e-6 of the whole
    if micro * Decimal(1) != pct * 10_000:
        raise ValueError("分成比例最多四位小数")
    q, r = divmod(abs(total_fen) * micro, 1_000_000)
    if 2 * r >= 1_000_000:
        q += 1
    return -q if total_fen < 0 else q


def needed_ratio_types(pf: ParsedFile) -> list[str]:
    """The tax types whose district share must come from sharing ratios (the file has none)."""
    needed: set[str] = set()
    for d_arr, tax_arr in zip(pf.f_district, pf.f_tax, strict=True):
        if d_arr is None:
            needed.update(pc.unique(tax_arr).to_pylist())
    return sorted(needed)


def _concat(chunks: list[pa.Array], typ: pa.DataType) -> pa.ChunkedArray:
    return pa.chunked_array(chunks, typ)  # no copy


def facts_table(pf: ParsedFile, batch_id: int, ratios: Mapping[str, Decimal]) -> pa.Table:
    """The facts as an Arrow table in :data:`peiyu.taxes.library.FACT_SCHEMA`; district amounts
    missing from the file are computed per fact row from ``ratios`` (half-up, exact integers)."""
    from peiyu.taxes.library import FACT_SCHEMA

    chunks = []
    for t_arr, d_arr, tax_arr in zip(pf.f_total, pf.f_district, pf.f_tax, strict=True):
        if d_arr is not None:
            chunks.append(d_arr)
        else:
            chunks.append(
                pa.array(
                    [
                        share_half_up(v, ratios[t])
                        for v, t in zip(t_arr.to_pylist(), tax_arr.to_pylist(), strict=True)
                    ],
                    pa.int64(),
                )
            )
    total = _concat(pf.f_total, pa.int64())
    n = len(total)
    ids = _concat(pf.f_id, pa.string())
    names = _concat(pf.f_name, pa.string())
    blank = pc.equal(names, "")
    if (
        len(names) and pc.any(blank).as_py()
    ):  # a row without a name: the taxpayer's name elsewhere in the file
        merged = names.to_pylist()
        for p, tid in zip(
            pc.indices_nonzero(blank.combine_chunks()).to_pylist(), ids.filter(blank).to_pylist(), strict=True
        ):
            merged[p] = pf.names.get(tid) or ""
        names = pa.chunked_array([pa.array(merged, pa.string())])
    return pa.table(
        {
            "month": pa.array([pf.month] * n, pa.string()),
            "batch_id": pa.array([batch_id] * n, pa.int64()),
            "source_row": _concat(pf.f_row, pa.int32()),
            "taxpayer_id": ids,
            "taxpayer_name": names,
            "tax_type": _concat(pf.f_tax, pa.string()),
            "total_fen": total,
            "district_fen": _concat(chunks, pa.int64()),
        },
        schema=FACT_SCHEMA,
    )


def summarize(pf: ParsedFile, table: pa.Table) -> dict[str, Any]:
    """Per-tax-type totals of the facts (for the report)."""
    by_tax: dict[str, list[int]] = {}
    if table.num_rows:
        g = table.group_by("tax_type").aggregate(
            [("total_fen", "sum"), ("district_fen", "sum"), ("total_fen", "count")]
        )
        for t, tot, dis, cnt in zip(
            g["tax_type"].to_pylist(), g["total_fen_sum"].to_pylist(), g["district_fen_sum"].to_pylist(),
            g["total_fen_count"].to_pylist(), strict=True,
        ):  # fmt: skip
            by_tax[t] = [int(tot), int(dis), int(cnt)]
    repeated = pf.rows - len(pf.names)  # data rows beyond one per taxpayer (they add up)
    return {
        "by_tax_type": [
            {"tax_type": t, "total_fen": v[0], "district_fen": v[1], "rows": v[2]}
            for t, v in sorted(by_tax.items(), key=lambda kv: -abs(kv[1][0]))
        ],
        "rows_beyond_one_per_taxpayer": repeated,
    }
