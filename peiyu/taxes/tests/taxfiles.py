"""Realistic tax-bureau files for tests and benchmarks, in every layout, format and encoding.

    records = [Payer("91310107…", "上海某某有限公司", {"增值税": 123456, "企业所得税": -500}, district=45678)]
    write_wide(tmp_path / "2025年3月.xlsx", records, title="2025年3月重点企业税收明细", unit="万元")
    write_long(tmp_path / "x.csv", long_rows, encoding="gbk", two_level=True)

Amounts are given in fen and rendered the way exports show them: numbers (元 with two decimals, or
万元 with up to six), or text with thousands separators. ``.xlsx`` files are written with XlsxWriter
(merged title and header cells), ``.xls`` with xlwt, ``.csv`` in UTF-8 (BOM), GBK or GB18030.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Merge = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (0-based, inclusive)

UNIT_FEN = {"元": 100, "千元": 100_000, "万元": 1_000_000, "亿元": 10_000_000_000}


@dataclass
class Payer:
    """One taxpayer of a wide file: amounts per tax type (fen) and optionally the district share."""

    taxpayer_id: str
    name: str
    amounts: dict[str, int]
    district: int | None = None
    office: str = "国家税务总局上海市普陀区税务局第一税务所"
    reg_type: str = "有限责任公司"

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass
class Payment:
    """One row of a long file."""

    taxpayer_id: str
    name: str
    tax_type: str
    amount: int
    date: dt.date | str | None = None
    central: int | None = None
    city: int | None = None
    district: int | None = None
    period: str = ""


@dataclass
class Sheet:
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    name: str = "Sheet1"


def fen_text(fen: int, unit: str = "元", sep: bool = True) -> str:
    """Exact text of a fen amount in a unit: 123456 → "1,234.56" (元)."""
    per = UNIT_FEN[unit]
    digits = len(str(per)) - 1
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), per)
    frac = str(r).rjust(digits, "0").rstrip("0")
    whole = f"{q:,}" if sep else str(q)
    if unit == "元":
        frac = str(r).rjust(2, "0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def fen_number(fen: int, unit: str = "元") -> float | int:
    """The number a spreadsheet would hold (shortest float repr equals the exact decimal)."""
    text = fen_text(fen, unit, sep=False)
    return float(text) if "." in text else int(text)


def amount_cell(fen: int | None, unit: str, as_text: bool) -> Any:
    if fen is None:
        return ""
    return fen_text(fen, unit) if as_text else fen_number(fen, unit)


# ---------------------------------------------------------------------------------------------
# Layouts


def wide_sheet(
    payers: Sequence[Payer],
    *,
    tax_types: Sequence[str] | None = None,
    title: str | None = "2025年3月重点税源企业税收明细表",
    unit: str = "元",
    unit_line: bool = True,
    unit_in_header: bool = False,
    id_label: str = "纳税人识别号",
    name_label: str = "纳税人名称",
    total_label: str | None = "税收合计",
    district_label: str | None = "区级收入",
    seq: bool = True,
    extra_columns: bool = True,
    total_row: bool = True,
    total_override: dict[str, int] | None = None,
    blank_rows: bool = True,
    notes: bool = True,
    text_amounts: bool = False,
    level_header: bool = False,
) -> Sheet:
    """A wide file: 序号 | 纳税人识别号 | 纳税人名称 | 主管税务所 | 登记注册类型 | 税收合计 | 区级收入 | 增值税 | …

    ``level_header`` puts 区级收入 under a two-level header (税收合计 → 合计/其中区级) with merged cells.
    ``total_override`` replaces values in the 合计 row (label → fen) to make it disagree."""
    types = list(tax_types or dict.fromkeys(t for p in payers for t in p.amounts))
    suffix = f"({unit})" if unit_in_header else ""
    rows: list[list[Any]] = []
    merges: list[Merge] = []
    lead = (
        (["序号"] if seq else [])
        + [id_label, name_label]
        + (["主管税务所", "登记注册类型"] if extra_columns else [])
    )
    width = len(lead) + (1 if total_label else 0) + (1 if district_label else 0) + len(types)
    if title:
        rows.append([title] + [""] * (width - 1))
        merges.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    if unit_line and not unit_in_header:
        rows.append([""] * (width - 1) + [f"单位：{unit}"])
    amount_labels: list[str] = []
    if total_label:
        amount_labels.append(total_label + suffix)
    if district_label:
        amount_labels.append(district_label + suffix)
    amount_labels += [t + suffix for t in types]
    header_top = len(rows)
    if level_header and total_label and district_label:
        upper = lead + [total_label + suffix, ""] + [t + suffix for t in types]
        lower = [""] * len(lead) + ["合计", "其中：区级"] + [""] * len(types)
        rows += [upper, lower]
        for j in range(len(lead)):
            merges.append((header_top, j, header_top + 1, j))
        merges.append((header_top, len(lead), header_top, len(lead) + 1))
        for j in range(len(lead) + 2, width):
            merges.append((header_top, j, header_top + 1, j))
    else:
        rows.append(lead + amount_labels)
    sums = [0] * (width - len(lead))
    for k, p in enumerate(payers, start=1):
        vals: list[int | None] = []
        if total_label:
            vals.append(p.total)
        if district_label:
            vals.append(p.district if p.district is not None else 0)
        vals += [p.amounts.get(t) for t in types]
        for j, v in enumerate(vals):
            sums[j] += v or 0
        lead_vals = (
            ([k] if seq else []) + [p.taxpayer_id, p.name] + ([p.office, p.reg_type] if extra_columns else [])
        )
        rows.append(lead_vals + [amount_cell(v, unit, text_amounts) for v in vals])
        if blank_rows and k % 7 == 3:
            rows.append([""] * width)
    if total_row:
        labels = [total_label, district_label, *types]
        labels = [x for x in labels if x]
        cells = []
        for label, s in zip(labels, sums, strict=True):
            if total_override and label in total_override:
                s = total_override[label]
            cells.append(amount_cell(s, unit, text_amounts))
        marker = ["合计"] + [""] * (len(lead) - 1)
        rows.append(marker + cells)
    if notes:
        rows.append([""] * width)
        rows.append(["制表人：张三", "", "", "制表日期：2025年4月8日"] + [""] * (width - 4))
        rows.append(["注：本表数据来源于金税三期系统，税收合计含教育费附加。"] + [""] * (width - 1))
    return Sheet(rows, merges)


def long_sheet(
    payments: Sequence[Payment],
    *,
    title: str | None = "普陀区2025年3月企业分税种入库明细",
    unit: str = "元",
    unit_line: bool = True,
    unit_in_header: bool = False,
    two_level: bool = True,
    levels: Sequence[str] = ("中央级", "市级", "区级"),
    id_label: str = "社会信用代码",
    name_label: str = "企业名称",
    tax_label: str = "征收项目",
    amount_label: str = "实缴金额",
    date_label: str | None = "入库日期",
    seq: bool = True,
    period_column: bool = True,
    total_row: bool = True,
    total_override: dict[str, int] | None = None,
    merged_taxpayer: bool = False,
    text_amounts: bool = False,
    notes: bool = True,
) -> Sheet:
    """A long file: 序号 | 社会信用代码 | 企业名称 | 征收项目 | 税款所属期 | 入库日期 | 实缴金额 | 其中 中央级/市级/区级."""
    suffix = f"({unit})" if unit_in_header else ""
    lead = (
        (["序号"] if seq else [])
        + [id_label, name_label, tax_label]
        + (["税款所属期"] if period_column else [])
    )
    lead += [date_label] if date_label else []
    width = len(lead) + 1 + (len(levels) if two_level else 0)
    rows: list[list[Any]] = []
    merges: list[Merge] = []
    if title:
        rows.append([title] + [""] * (width - 1))
        merges.append((0, 0, 0, width - 1))
    if unit_line and not unit_in_header:
        rows.append([f"金额单位：{unit}"] + [""] * (width - 1))
    top = len(rows)
    if two_level:
        rows.append(lead + [amount_label + suffix, "其中"] + [""] * (len(levels) - 1))
        rows.append([""] * (len(lead) + 1) + list(levels))
        for j in range(len(lead) + 1):
            merges.append((top, j, top + 1, j))
        merges.append((top, len(lead) + 1, top, width - 1))
    else:
        rows.append(lead + [amount_label + suffix])
    sums = [0] * (width - len(lead))
    prev_id = None
    for k, p in enumerate(payments, start=1):
        same = merged_taxpayer and p.taxpayer_id == prev_id
        lead_vals: list[Any] = (
            ([k] if seq else []) + (["", ""] if same else [p.taxpayer_id, p.name]) + [p.tax_type]
        )
        lead_vals += [p.period] if period_column else []
        lead_vals += [p.date if p.date is not None else ""] if date_label else []
        vals: list[int | None] = [p.amount]
        if two_level:
            level_vals = {"中央级": p.central, "市级": p.city, "区级": p.district}
            vals += [level_vals.get(lv) for lv in levels]
        for j, v in enumerate(vals):
            sums[j] += v or 0
        rows.append(lead_vals + [amount_cell(v, unit, text_amounts) for v in vals])
        prev_id = p.taxpayer_id
    if total_row:
        labels = [amount_label, *(levels if two_level else [])]
        cells = []
        for label, s in zip(labels, sums, strict=True):
            if total_override and label in total_override:
                s = total_override[label]
            cells.append(amount_cell(s, unit, text_amounts))
        rows.append(["合计"] + [""] * (len(lead) - 1) + cells)
    if notes:
        rows.append(["制表单位：国家税务总局上海市普陀区税务局"] + [""] * (width - 1))
    return Sheet(rows, merges)


# ---------------------------------------------------------------------------------------------
# Writers


def write(
    path: str | Path, sheets: Sheet | Sequence[Sheet], *, encoding: str = "utf-8-sig", dates_as: str = "date"
) -> Path:
    """Write sheets to ``path`` by its suffix (.xlsx via XlsxWriter, .xls via xlwt, .csv); with
    ``encoding="html"`` an .xls is written as the GBK HTML table that many systems export."""
    path = Path(path)
    if isinstance(sheets, Sheet):
        sheets = [sheets]
    suffix = path.suffix.lower()
    if suffix in (".htm", ".html") or (suffix == ".xls" and encoding == "html"):
        path.write_bytes(html_table(sheets[0]).encode("gbk"))
    elif suffix == ".xlsx":
        _write_xlsx(path, sheets)
    elif suffix == ".xls":
        _write_xls(path, sheets)
    elif suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for row in sheets[0].rows:
            w.writerow(["" if c is None else (c.isoformat() if isinstance(c, dt.date) else c) for c in row])
        path.write_bytes(buf.getvalue().encode(encoding))
    else:
        raise ValueError(suffix)
    return path


def html_table(sheet: Sheet) -> str:
    """The sheet as the HTML table many systems save under an .xls name (GBK, merged cells as spans)."""
    from html import escape

    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in sheet.merges}
    covered = {
        (r, c) for r0, c0, r1, c1 in sheet.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
    } - set(spans)
    out = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><body><table border="1">'
    ]
    for i, row in enumerate(sheet.rows):
        out.append("<tr>")
        for j, v in enumerate(row):
            if (i, j) in covered:
                continue
            rs, cs = spans.get((i, j), (1, 1))
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            text = "" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))
            out.append(f"<td{attrs}>{escape(text)}</td>")
        out.append("</tr>")
    out.append("</table></body></html>")
    return "".join(out)


def _write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": False})
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        merged_cells = set()
        for r0, c0, r1, c1 in sh.merges:
            ws.merge_range(r0, c0, r1, c1, sh.rows[r0][c0] if c0 < len(sh.rows[r0]) else "", bold)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    merged_cells.add((r, c))
        for i, row in enumerate(sh.rows):
            for j, v in enumerate(row):
                if (i, j) in merged_cells or v == "" or v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, money)
                else:
                    ws.write_string(i, j, str(v))
    wb.close()


def _write_xls(path: Path, sheets: Sequence[Sheet]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sh in sheets:
        ws = wb.add_sheet(sh.name)
        merged_cells = set()
        for r0, c0, r1, c1 in sh.merges:
            ws.write_merge(r0, r1, c0, c1, sh.rows[r0][c0] if c0 < len(sh.rows[r0]) else "")
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    merged_cells.add((r, c))
        for i, row in enumerate(sh.rows):
            for j, v in enumerate(row):
                if (i, j) in merged_cells or v == "" or v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write(i, j, dt.datetime(v.year, v.month, v.day), date_style)
                else:
                    ws.write(i, j, v)
    wb.save(str(path))


def write_wide(path: str | Path, payers: Sequence[Payer], *, encoding: str = "utf-8-sig", **kw: Any) -> Path:
    return write(path, wide_sheet(payers, **kw), encoding=encoding)


def write_long(
    path: str | Path, payments: Sequence[Payment], *, encoding: str = "utf-8-sig", **kw: Any
) -> Path:
    return write(path, long_sheet(payments, **kw), encoding=encoding)


# ---------------------------------------------------------------------------------------------
# Sample data


LEGACY_IDS = ["310107132456789", "31010713245678901X", "310107132456789000"]  # 15 / 18-invalid / 18 digits


def sample_payers(codes: Iterable[tuple[str, str]], *, seed: int = 7) -> list[Payer]:
    """Payers for (credit code, name) pairs with varied amounts, including a refund."""
    import random

    rnd = random.Random(seed)
    out = []
    for k, (code, name) in enumerate(codes):
        vat = rnd.randrange(0, 5_000_000_00)
        cit = rnd.randrange(0, 2_000_000_00) if k % 3 else 0
        iit = rnd.randrange(0, 300_000_00)
        umct = vat * 7 // 100
        amounts = {"增值税": vat, "企业所得税": cit, "个人所得税": iit, "城市维护建设税": umct}
        if k == 1:
            amounts["增值税"] = -12_345_67  # a refund
        district = (
            amounts["增值税"] * 25 + amounts["企业所得税"] * 20 + amounts["个人所得税"] * 20
        ) // 100 + umct
        out.append(Payer(code, name, amounts, district))
    return out


def payments_from(
    payers: Sequence[Payer], date: dt.date | str | None = dt.date(2025, 3, 15)
) -> list[Payment]:
    """The long-layout rows for wide payers (one row per non-zero tax type; district on the first row)."""
    out = []
    for p in payers:
        first = True
        for t, v in p.amounts.items():
            if not v:
                continue
            district = (p.district or 0) if first else 0
            first = False
            out.append(
                Payment(
                    p.taxpayer_id,
                    p.name,
                    t,
                    v,
                    date,
                    central=v - district - 0,
                    city=0,
                    district=district,
                    period="2025-02",
                )
            )
    return out
