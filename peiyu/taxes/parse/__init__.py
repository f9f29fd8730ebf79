"""The tax file parser: what the tax bureau really sends, turned into facts — pure (no database,
no file written; it only reads the file it is given).

    pf = parse_tax_file(path, file_name, month=None)        # read + parse; never raises for bad content
    pf = parse_tax_sheets(sheets, file_name, month=None)    # the same from sheets already read
    table = facts_table(pf, batch_id, ratios)               # the facts in library.FACT_SCHEMA

:class:`ParsedFile` carries the facts as Arrow columns, the month and where it came from, the unit,
the layout, the notes and every bad cell as ``{row, column, value, message}``. The import itself
(duplicate check, sharing ratios, matching, storing, switching the month's version) is
:func:`peiyu.taxes.actions.do_import_tax_file`.

Phases, one module each::

    reading.py   the file → sheets of cells (Excel, HTML or text saved as .xls, CSV in UTF-8/GBK/GB18030)
    header.py    the header row(s) of each sheet and what each column is
    columns.py   the sheet's plan: taxpayer, amounts used and their unit, wide or long
    rows.py      data rows, 合计 rows, 小计 / notes / blanks, merged taxpayer cells
    amounts.py   amount cells → exact fen, column-wise
    sheet.py     one sheet phase by phase, the 合计 reconciliation, the 入库日期 month
    facts.py     the facts and their row-level cross-checks; the file's facts table
    months.py    the file's month from every source that names one
    file.py      the whole file: sheets checked against one another
    vocabulary.py  the words of real exports (headings, tax types, markers, units)

The family of files handled (see ``peiyu/taxes/tests/taxfiles.py`` for generated examples):

* **wide**: one row per taxpayer, a column per tax type (增值税, 企业所得税, …; fees such as 教育费附加
  count too), optionally 税收合计 and 区级收入 columns, or per-tax-type 合计/区级 sub-columns;
* **long**: one row per taxpayer × tax type × payment (征收项目, 入库日期, 实缴金额) with an optional
  two-level header 其中 → 中央级 / 市级 / 区级;
* title rows, a units line (单位：元 / 万元 / 千元 / 亿元) or the unit inside a header (实缴金额(万元)),
  merged title and header cells, merged taxpayer cells down a long file, blank rows, a 合计 row (top
  or bottom; checked column by column to the fen), 小计 / 本页合计 rows (skipped), notes under the
  table (制表人, 制表日期, 注), columns that are not used (序号, 主管税务所, 登记注册类型, 所属期, …);
* amounts as numbers or text (thousands separators, full-width digits, (12.30) for negatives, "-");
* the month from ``--month``, the title, the 入库日期 column, or (only when none of these says) the
  file name; disagreeing sources reject the file, as does a multi-month title (1-3月累计).

District-level amounts come from the file's 区级 column(s) when present (``district_source="file"``),
otherwise from sharing ratios (``"ratio"``, given to :func:`facts_table`): per fact row,
``round_half_up(total_fen × pct / 100)`` in exact integer arithmetic (halves away from zero).
"""

from peiyu.taxes.parse import amounts, vocabulary
from peiyu.taxes.parse.amounts import parse_amount_column
from peiyu.taxes.parse.facts import facts_table, needed_ratio_types, share_half_up, summarize
from peiyu.taxes.parse.file import Progress, parse_tax_file, parse_tax_sheets
from peiyu.taxes.parse.header import Col, Layout, classify_label, find_layout
from peiyu.taxes.parse.months import month_from_filename, month_of_date_cell, months_in_title, normalize_month
from peiyu.taxes.parse.reading import read_tax_file
from peiyu.taxes.parse.result import ParsedFile, SheetResult
from peiyu.taxes.parse.vocabulary import (
    DISTRICT_ONLY_TAX_TYPE,
    TAX_ALIASES,
    TOTAL_ONLY_TAX_TYPE,
    UNITS,
    UNLISTED_TAX_TYPE,
)

__all__ = [
    "DISTRICT_ONLY_TAX_TYPE",
    "TAX_ALIASES",
    "TOTAL_ONLY_TAX_TYPE",
    "UNITS",
    "UNLISTED_TAX_TYPE",
    "Col",
    "amounts",
    "vocabulary",
    "Layout",
    "ParsedFile",
    "Progress",
    "SheetResult",
    "classify_label",
    "facts_table",
    "find_layout",
    "month_from_filename",
    "month_of_date_cell",
    "months_in_title",
    "needed_ratio_types",
    "normalize_month",
    "parse_amount_column",
    "parse_tax_file",
    "parse_tax_sheets",
    "read_tax_file",
    "share_half_up",
    "summarize",
]
