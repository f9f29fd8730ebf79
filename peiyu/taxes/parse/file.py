"""The whole file: read it, find the header of each sheet, parse each sheet, check the sheets
against one another, determine the month. Never raises for bad content: every problem is an
error row in the returned ParsedFile."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pyarrow.compute as pc

from peiyu.core.tabular import Sheet, TableError, Workbook
from peiyu.taxes.parse.amounts import yuan
from peiyu.taxes.parse.header import Layout, find_layout
from peiyu.taxes.parse.months import determine_month
from peiyu.taxes.parse.reading import read_tax_file
from peiyu.taxes.parse.result import ParsedFile, SheetResult
from peiyu.taxes.parse.sheet import parse_sheet

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None)


def parse_tax_file(
    path: str | Path,
    file_name: str | None = None,
    month: str | None = None,
    *,
    reading: Future[Workbook] | None = None,
    progress: Progress | None = None,
) -> ParsedFile:
    """Read and check a file. ``reading`` is a future already reading it (see
    :func:`peiyu.taxes.actions.do_import_tax_file`, which hashes the file meanwhile)."""
    file_name = file_name or Path(path).name
    try:
        book = reading.result() if reading is not None else read_tax_file(path, file_name)
    except TableError as exc:
        pf = ParsedFile()
        pf.error(None, "", "", str(exc))
        return pf
    if book.error_cells:
        pf = ParsedFile()
        pf.error(None, "", "", book.error_cells_message())
        for sheet, ref, value in book.error_cells[:50]:
            row = int(re.sub(r"^[A-Z]+", "", ref) or 0) or None
            pf.error(row, ref, value, f"工作表“{sheet}”单元格 {ref} 是 Excel 错误值 {value}", sheet)
        return pf
    pf = parse_tax_sheets(book.sheets, file_name, month, progress=progress)
    if book.hidden:
        pf.notes.insert(0, f"隐藏的工作表未读取：{'、'.join(book.hidden)}（只读取可见的工作表）")
        pf.hidden_sheets = list(book.hidden)
    return pf


def parse_tax_sheets(
    sheets: list[Sheet], file_name: str, month: str | None = None, *, progress: Progress | None = None
) -> ParsedFile:
    """The pure parser: sheets of cells in, facts and error rows out (no database, no files).
    ``progress("read", data rows so far, None)`` is called after each sheet."""
    pf = ParsedFile()
    found = [(sheet, layout) for sheet in sheets if (layout := find_layout(sheet.rows)) is not None]
    if not found:
        pf.error(
            None,
            "",
            "",
            "在前 40 行中找不到表头：需要“纳税人识别号”（或统一社会信用代码、社会信用代码、税号）列",
        )
        return pf
    results = _parse_sheets(found, pf, file_name, progress)
    if results is None:
        return pf
    _check_repeated_sheets(pf, results)
    _combine_sheets(pf, results)
    determine_month(pf, results, month, file_name)
    if pf.rows == 0 and not pf.errors:
        pf.error(None, "", "", "文件中没有数据行")
    _check_month_total(pf)
    return pf


def _check_month_total(pf: ParsedFile) -> None:
    """A month's receipts add up to more than nothing: a negative total is a refund list or
    flipped signs, never a month of tax."""
    if pf.errors or not pf.f_total:
        return
    total = sum(int(pc.sum(a).as_py() or 0) for a in pf.f_total)
    if total < 0:
        pf.error(
            None,
            "税收合计",
            yuan(total),
            f"本文件税收合计为负数（{yuan(total)} 元）：一个月的入库税收合计不应为负，"
            "可能是退税明细或正负号颠倒；文件未入库",
        )


def _parse_sheets(
    found: list[tuple[Sheet, Layout]], pf: ParsedFile, file_name: str, progress: Progress | None
) -> list[SheetResult] | None:
    """Each sheet with a header, in order; None when one cannot be read at all (the error is in pf)."""
    multi = len(found) > 1
    results = []
    for sheet, layout in found:
        try:
            results.append(parse_sheet(sheet, layout, pf, multi))
        except TableError as exc:
            pf.error(layout.bottom + 1, "", "", f"{sheet.name}：{exc}" if multi else str(exc))
            return None
        except (
            Exception
        ) as exc:  # an input this reader does not know yet: reject it, keep the trace in the log
            logger.exception("tax file %s: unexpected content in sheet %s", file_name, sheet.name)
            pf.error(
                None,
                "",
                "",
                f"工作表“{sheet.name}”的内容无法识别（{type(exc).__name__}），文件未入库；请将文件交系统管理员核查",
            )
            return None
        pf.sheets.append(sheet.name)
        if progress is not None:
            progress("read", pf.rows, None)
    return results


def _check_repeated_sheets(pf: ParsedFile, results: list[SheetResult]) -> None:
    """A summary or "key enterprises" sheet repeating the detail sheet would count taxpayers twice."""
    for a in range(len(results)):
        for b in range(a + 1, len(results)):
            ia, ib = results[a].ids, results[b].ids
            common = ia & ib
            if common and len(common) * 2 > min(len(ia), len(ib)):
                pf.error(
                    None,
                    "",
                    "",
                    f"工作表“{pf.sheets[a]}”与“{pf.sheets[b]}”有 {len(common)} 户纳税人重复，"
                    "可能是明细表与汇总/摘录表，无法判断是否重复计算；请只保留明细工作表后重新导入",
                )


def _combine_sheets(pf: ParsedFile, results: list[SheetResult]) -> None:
    """One layout, unit and district source for the file."""
    if len({r.layout for r in results}) > 1:
        pf.error(None, "", "", "各工作表的版式不一致（宽表与长表混用）")
    pf.layout = results[0].layout
    units = set().union(*(r.units_used for r in results))
    pf.unit = next(iter(units)) if len(units) == 1 else "、".join(sorted(units))
    if not any(r.unit_explicit for r in results):
        pf.notes.append("文件未注明金额单位，按“元”处理")
    from_file = {r.district_from_file for r in results}
    if len(from_file) > 1:
        pf.error(None, "", "", "各工作表区级口径不一致（部分有区级列，部分没有）")
    pf.district_source = "file" if all(from_file) else "ratio"
