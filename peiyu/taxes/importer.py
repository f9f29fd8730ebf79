"""Reading what the tax bureau really sends, and turning it into one version of a month.

:func:`parse_tax_file` reads a workbook or CSV and returns a :class:`ParsedFile` (facts as columns,
the month, the unit, the layout, every bad cell) without touching the database's data;
:func:`import_tax_file` does the whole import (duplicate check, parse, ratios, match, store) for
the command line and the upload page alike.

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
otherwise from :class:`~peiyu.taxes.models.SharingRatio` (``"ratio"``): per fact row,
``round_half_up(total_fen × pct / 100)`` in exact integer arithmetic (halves away from zero).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import re
import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from peiyu.core.money import AmountError, parse_amount_fen
from peiyu.core.tabular import Sheet, TableError, column_letter, combined_labels, read_sheets
from peiyu.registry import uscc

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Vocabulary of real exports

ID_SYNONYMS = {
    "纳税人识别号", "统一社会信用代码", "社会信用代码", "信用代码", "税号", "纳税识别号", "识别号",
    "纳税人识别号或统一社会信用代码", "纳税人识别号统一社会信用代码", "统一社会信用代码纳税人识别号",
    "社会统一信用代码", "纳税人代码", "企业税号", "纳税人识别码", "税务登记号", "税务登记证号", "纳税人编码",
    "登记号", "税务登记代码",
}  # fmt: skip
NAME_SYNONYMS = {
    "纳税人名称",
    "企业名称",
    "单位名称",
    "纳税人",
    "名称",
    "企业",
    "纳税户名称",
    "户名",
    "纳税人中文名称",
}
LEVEL_COLUMN_SYNONYMS = {
    "预算级次",
    "级次",
    "预算级别",
    "收入级次",
    "分成级次",
    "级次名称",
    "预算级次名称",
    "收入归属级次",
}
TAX_TYPE_SYNONYMS = {"征收项目", "税种", "税种名称", "征收项目名称", "项目名称", "税费种"}
DATE_SYNONYMS = {
    "入库日期", "入库时间", "入库期", "入库年月", "入库月份", "缴款日期", "缴款时间", "实缴日期", "缴税日期",
    "入库日", "上解日期", "开票日期", "退库日期", "统计月份", "年月", "入库年度月份",
}  # fmt: skip
TOTAL_SYNONYMS = {
    "实缴金额", "实缴税额", "实缴税款", "入库金额", "入库税额", "入库税款", "税额", "金额", "实缴退金额",
    "实缴退税额", "实缴金额含退税", "实征金额", "实征税额", "税款", "税收合计", "合计", "税收收入", "税收总计",
    "全口径税收", "税收总额", "税收合计金额", "总计", "税款合计", "税费合计", "全口径税收收入", "税收收入合计",
    "实缴合计", "入库合计", "全口径", "本月", "本期", "本月数", "本期数", "本月入库", "当月", "实缴", "小计",
    "本月实缴", "本期实缴", "当月实缴", "本期入库", "实缴税费", "实缴税费额", "实缴金额合计", "入库税收", "税收金额",
    "合计税额", "税费金额", "实缴税额合计",
}  # fmt: skip
LEVEL_SYNONYMS = {
    "district": {"区级", "区级收入", "区级税收", "区级合计", "区级收入合计", "区县级合计", "区级入库", "区级实缴", "区县级", "区县级收入", "区级留成",
                 "区库", "区级金额", "区级部分", "归属区级", "区级税收收入", "区级财力", "区县级税收"},
    "city": {"市级", "市级收入", "市级税收", "市级部分", "市级金额"},
    "central": {"中央级", "中央", "中央级收入", "中央税收", "中央部分", "中央级金额", "中央收入"},
    "local": {"地方级", "地方", "地方级收入", "地方合计", "地方税收", "地方级税收"},
}  # fmt: skip
# Columns never used, named so the report can say they were recognised and left alone.
IGNORED_WORDS = ("累计", "上年", "去年", "同期", "同比", "环比", "增减", "增长", "增幅", "比重", "占比", "户数", "排名",
                 "比例", "税率", "%", "％", "所属期", "所属时期", "所属日期", "品目", "税目")  # fmt: skip

# Tax types and fees as column labels (wide layout) and as 征收项目 values (long layout).
TAX_ALIASES = {
    "增值税": "增值税", "国内增值税": "增值税", "改征增值税": "增值税", "消费税": "消费税", "国内消费税": "消费税",
    "企业所得税": "企业所得税", "内资企业所得税": "企业所得税", "外资企业所得税": "企业所得税", "所得税": "企业所得税",
    "个人所得税": "个人所得税", "个税": "个人所得税", "资源税": "资源税", "城市维护建设税": "城市维护建设税",
    "城建税": "城市维护建设税", "城市建设维护税": "城市维护建设税", "房产税": "房产税", "城镇土地使用税": "城镇土地使用税",
    "土地使用税": "城镇土地使用税", "土地增值税": "土地增值税", "车船税": "车船税", "车船使用税": "车船税",
    "印花税": "印花税", "契税": "契税", "耕地占用税": "耕地占用税", "车辆购置税": "车辆购置税", "烟叶税": "烟叶税",
    "关税": "关税", "船舶吨税": "船舶吨税", "环境保护税": "环境保护税", "环保税": "环境保护税", "营业税": "营业税",
    "教育费附加": "教育费附加", "地方教育附加": "地方教育附加", "地方教育费附加": "地方教育附加",
    "文化事业建设费": "文化事业建设费", "残疾人就业保障金": "残疾人就业保障金", "水利建设专项收入": "水利建设专项收入",
    "水利建设基金": "水利建设专项收入", "其他税收": "其他税收", "其他税种": "其他税收", "其他": "其他税收",
    "其他收入": "其他税收", "其它": "其他税收", "其他各税": "其他税收",
}  # fmt: skip

_TOTAL_PREFIX = re.compile(r"^(合计|总计|全部合计|全区合计)[(（]")
TOTAL_ROW_WORDS = {
    "合计",
    "总计",
    "全部合计",
    "合计数",
    "总合计",
    "全区合计",
    "本月合计",
    "税收合计",
    "总计数",
    "合计金额",
}
SUBTOTAL_WORDS = ("小计", "本页合计", "本页小计", "分项合计", "其中")
NOTE_PREFIXES = (
    "制表",
    "填表",
    "审核",
    "注",
    "说明",
    "备注",
    "数据来源",
    "打印",
    "导出",
    "负责人",
    "单位负责人",
    "联系",
)

UNITS = {"元": 100, "千元": 100_000, "万元": 1_000_000, "亿元": 10_000_000_000}
DISTRICT_ONLY_TAX_TYPE = "区级收入（未分税种）"
UNLISTED_TAX_TYPE = "其他税收（未列明）"
TOTAL_ONLY_TAX_TYPE = "合计"

_BRACKET = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
_UNIT_IN_TEXT = re.compile(r"单位\s*(?:[:：(（]|为|是)?\s*(?:人民币)?\s*(亿元|万元|千元|元)")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _norm(value: Any) -> str:
    """A header or marker cell reduced for matching: NFKC, no whitespace, no * or colons."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*:：、_\-]+", "", text)


def _strip_brackets(label: str) -> tuple[str, str | None]:
    """``实缴金额(万元)`` → (``实缴金额``, ``万元``). Any bracketed part is removed; a unit inside is kept."""
    unit = None
    for inner in _BRACKET.findall(label):
        m = re.search(r"(亿元|万元|千元|元)", inner)
        if m:
            unit = m.group(1)
    return _BRACKET.sub("", label), unit


def _level_of(part: str) -> str | None:
    for level, names in LEVEL_SYNONYMS.items():
        if part in names:
            return level
    return None


@dataclass
class Col:
    index: int
    label: str
    role: str  # id | name | tax_type | date | amount | ignored
    tax: str | None = None  # wide: the tax type of this column (None = the row's total / level)
    level: str = "total"  # total | district | city | central | local
    unit: str | None = None
    partial: bool = False  # under 其中 ("of which"): the tax columns need not add up to the total

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def where(self) -> str:
        return f"{self.label}（{self.letter}列）"


def classify_label(label: str) -> Col:
    """What a (possibly two-level, "upper/lower") header label is."""
    col = Col(-1, label, "ignored")
    if not label:
        return col
    parts = []
    for raw in label.split("/"):
        bare, unit = _strip_brackets(raw)
        col.unit = unit or col.unit
        if bare.startswith("其中"):  # 其中：区级 / 其中 over 增值税, 企业所得税 …
            col.partial = True
            bare = bare[2:]
        if bare:
            parts.append(bare)
    if not parts:
        return col
    if any(p in ID_SYNONYMS for p in parts):
        col.role = "id"
        return col
    if any(p in NAME_SYNONYMS for p in parts):
        col.role = "name"
        return col
    if any(p in TAX_TYPE_SYNONYMS for p in parts):
        col.role = "tax_type"
        return col
    if any(p in LEVEL_COLUMN_SYNONYMS for p in parts):
        col.role = "level_column"  # 预算级次: one row per budget level (中央/市/区)
        return col
    if any(p in DATE_SYNONYMS for p in parts):
        col.role = "date"
        return col
    if any(w in p for p in parts for w in IGNORED_WORDS):
        return col
    tax = next((TAX_ALIASES[p] for p in parts if p in TAX_ALIASES), None)
    level = next((lv for p in parts if (lv := _level_of(p))), None)
    if tax is not None:
        col.role, col.tax, col.level = "amount", tax, level or "total"
        return col
    if level is not None:
        col.role, col.level = "amount", level
        return col
    if any(p in TOTAL_SYNONYMS for p in parts):
        col.role, col.level = "amount", "total"
        return col
    return col


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class ParsedFile:
    layout: str = ""
    unit: str = ""
    month: str = ""
    month_sources: dict[str, str] = field(default_factory=dict)
    district_source: str = ""  # file | ratio
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0  # data rows read
    # facts, column-wise (one entry per stored fact)
    f_row: list[pa.Array] = field(default_factory=list)  # int32 chunks
    f_id: list[pa.Array] = field(default_factory=list)  # string chunks
    f_name: list[pa.Array] = field(default_factory=list)
    f_tax: list[pa.Array] = field(default_factory=list)
    f_total: list[pa.Array] = field(default_factory=list)  # int64 chunks (fen)
    f_district: list[pa.Array | None] = field(default_factory=list)  # None = computed from ratios
    names: dict[str, str] = field(default_factory=dict)  # taxpayer id -> name (first seen)
    file_totals: dict[str, int] = field(default_factory=dict)  # 合计 row values checked (label -> fen)
    sheets: list[str] = field(default_factory=list)

    def error(self, row: int | None, column: str, value: Any, message: str, sheet: str | None = None) -> None:
        err = {"row": row, "column": column, "value": _jsonable(value), "message": message}
        if sheet:
            err["sheet"] = sheet
        self.errors.append(err)

    @property
    def ok(self) -> bool:
        return not self.errors


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Amounts, column-wise

_SIMPLE_NUM = re.compile(r"(-?)(\d+)(?:\.(\d+))?")
_TEXT_CLEAN = re.compile(r"[,，\s¥￥元]")
_DIGITS = {"元": 2, "千元": 5, "万元": 6, "亿元": 10}


def _text_fen(text: str, unit: str) -> int:
    """Exact fen from an amount written as text; raises AmountError with a Chinese message."""
    t = _TEXT_CLEAN.sub("", text)
    if t.endswith("-") and t[:-1].replace(".", "", 1).isdigit():  # 1,234.00- (trailing minus)
        t = "-" + t[:-1]
    m = _SIMPLE_NUM.fullmatch(t)
    if m:
        digits = _DIGITS[unit]
        frac = m.group(3) or ""
        if len(frac) <= digits:
            fen = int(m.group(2)) * 10**digits + (int(frac.ljust(digits, "0")) if frac else 0)
            return -fen if m.group(1) else fen
    return parse_amount_fen(text, UNITS[unit])


def parse_amount_column(values: Sequence[Any], unit: str) -> tuple[pa.Array, list[tuple[int, Any, str]]]:
    """Parse a column of cells into int64 fen. Numbers go through Arrow compute (exactness checked
    per cell; doubtful cells are re-parsed exactly with Decimal); text goes through an exact
    integer path. Returns (fen array, [(position, raw value, Chinese message)])."""
    unit_fen = UNITS[unit]
    other: list[int] = []
    numbers = None
    types = set(map(type, values))
    if types <= {float, int, str, type(None)} and bool not in types:
        try:  # the common case: numbers and blank cells only
            plain = values if str not in types else [None if v == "" else v for v in values]
            numbers = pa.array(plain, pa.float64()).fill_null(0.0)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            numbers = None
    if numbers is None:
        floats: list[float] = []
        append = floats.append
        for i, v in enumerate(values):
            t = type(v)
            if t is float or t is int:
                append(v)
            else:
                append(0.0)
                if v is not None and v != "":
                    other.append(i)
        numbers = pa.array(floats, pa.float64())
    scaled = pc.multiply(numbers, float(unit_fen))
    rounded = pc.round(scaled)
    absval = pc.abs(scaled)
    tol = pc.max_element_wise(pc.multiply(absval, 1e-15), 1e-6)
    doubtful_mask = pc.or_(pc.greater(pc.abs(pc.subtract(scaled, rounded)), tol), pc.greater(absval, 9e15))
    doubtful = pc.indices_nonzero(doubtful_mask).to_pylist()
    if doubtful:
        rounded = pc.if_else(doubtful_mask, 0.0, rounded)
    out = pc.cast(rounded, pa.int64())
    errors: list[tuple[int, Any, str]] = []
    if not doubtful and not other:
        return out, errors
    fixed = out.to_pylist()
    for i in doubtful:
        try:
            fixed[i] = parse_amount_fen(values[i], unit_fen)
        except (AmountError, OverflowError) as exc:
            errors.append((i, values[i], f"金额无法识别：{exc}"))
    for i in other:
        v = values[i]
        try:
            if isinstance(v, str):
                fixed[i] = _text_fen(unicodedata.normalize("NFKC", v).strip(), unit)
            else:
                fixed[i] = parse_amount_fen(v, unit_fen)
        except (AmountError, OverflowError) as exc:
            errors.append((i, v, f"金额无法识别：{exc}"))
        except Exception:  # dates, booleans and other cell types
            errors.append((i, v, f"金额无法识别：“{v}”不是金额"))
    for i, _v, _m in errors:
        fixed[i] = 0
    return pa.array(fixed, pa.int64()), errors


def _sum(arr: pa.Array) -> int:
    return int(pc.sum(arr).as_py() or 0)


def _nonzero(arr: pa.Array) -> pa.Array:
    return pc.not_equal(arr, 0)


# ---------------------------------------------------------------------------------------------
# Months

_RANGE = re.compile(
    r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月?\s*(?:-|－|—|–|~|～|至|到)\s*(?:(20\d{2}|19\d{2})\s*年\s*)?(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)"
)
_YM_CN = re.compile(r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月")
_YM_NUM = re.compile(r"(?<!\d)(20\d{2})\s*[-./]\s*(\d{1,2})(?!\d)")
_YM_COMPACT = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")
_MULTI_WORDS = re.compile(
    r"[一二三四1-4１-４]\s*季度|上半年|下半年|全年|年度合计|前三季度|1\s*-\s*\d{1,2}\s*月累计"
)
_IGNORE_SEGMENT = re.compile(
    r"(所属期|所属时期|税款所属|制表日期|打印日期|导出日期|填报日期|截至|截止)[^，,；;）)]*"
)


def _ym(y: str | int, m: str | int) -> str | None:
    y, m = int(y), int(m)
    if 1 <= m <= 12 and 1990 <= y <= 2100:
        return f"{y:04d}-{m:02d}"
    return None


_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_numerals(text: str) -> str:
    """二〇二五年三月 → 2025年3月; 2025年十二月 → 2025年12月 (only before 年 and 月)."""

    def year(m: re.Match) -> str:
        return "".join(str(_CN_DIGITS[c]) for c in m.group(1)) + "年"

    def month(m: re.Match) -> str:
        t = m.group(1)
        if t == "十":
            n = 10
        elif t.startswith("十"):
            n = 10 + _CN_DIGITS[t[1]]
        else:
            n = _CN_DIGITS[t[0]] if len(t) == 1 else -1
        return f"{n}月" if 1 <= n <= 12 else m.group(0)

    text = re.sub(r"([〇零○O一二三四五六七八九]{4})年", year, text)
    return re.sub(r"(?<=年)\s*(十[一二]?|[一二三四五六七八九])\s*月", month, text)


def months_in_title(text: str) -> tuple[set[str], str | None]:
    """(single months mentioned, description of a multi-month span if any) in title text;
    mentions tied to 所属期 / 制表日期 / 截至 are not the 入库 month and are skipped."""
    text = _cn_numerals(unicodedata.normalize("NFKC", text))
    text = _IGNORE_SEGMENT.sub(" ", text)
    months: set[str] = set()
    multi = None
    for m in _RANGE.finditer(text):
        y1, m1, y2, m2 = m.group(1), m.group(2), m.group(3) or m.group(1), m.group(4)
        a, b = _ym(y1, m1), _ym(y2, m2)
        if a and b and a != b:
            multi = m.group(0)
        elif a:
            months.add(a)
    text_wo = _RANGE.sub(" ", text)
    if multi is None and (mw := _MULTI_WORDS.search(text_wo)):
        multi = mw.group(0)
    for rx in (_YM_CN, _YM_NUM, _YM_COMPACT):
        for m in rx.finditer(text_wo):
            if v := _ym(m.group(1), m.group(2)):
                months.add(v)
        text_wo = rx.sub(" ", text_wo)
    return months, multi


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?.*"),
    re.compile(r"(\d{4})(\d{2})(\d{2})?"),
)


def month_of_date_cell(value: Any) -> str | None:
    """The YYYY-MM of a 入库日期 cell (date, datetime, text in common forms, an Excel serial number)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel serial date
            d = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
            return f"{d.year:04d}-{d.month:02d}"
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for rx in _DATE_PATTERNS:
        m = rx.fullmatch(text)
        if m and (ym := _ym(m.group(1), m.group(2))):
            if m.group(3) and not 1 <= int(m.group(3)) <= 31:
                return None
            return ym
    return None


def normalize_month(text: str) -> str | None:
    """ "2025-3", "2025/03", "202503", "2025年3月" → "2025-03"; None if it is not one month."""
    t = unicodedata.normalize("NFKC", str(text or "")).strip()
    m = re.fullmatch(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))", t)
    if not m:
        return None
    return _ym(m.group(1), m.group(2) or m.group(3))


def month_from_filename(name: str) -> str | None:
    months, multi = months_in_title(Path(name).stem)
    return next(iter(months)) if len(months) == 1 and not multi else None


# ---------------------------------------------------------------------------------------------
# Header


@dataclass
class Layout:
    top: int  # 0-based first header row
    bottom: int  # 0-based last header row
    cols: list[Col]

    def first(self, role: str, **kw: Any) -> Col | None:
        for c in self.cols:
            if c.role == role and all(getattr(c, k) == v for k, v in kw.items()):
                return c
        return None


def _looks_like_data(row: list[Any]) -> bool:
    for c in row:
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            return True
        if isinstance(c, str):
            t = c.strip().replace(",", "")
            if t and (re.fullmatch(r"-?\d+(\.\d+)?", t) or re.fullmatch(r"[0-9A-Za-z]{15,20}", t)):
                return True
    return False


def _layout_for(rows: list[list[Any]], top: int, depth: int) -> Layout:
    labels = combined_labels(rows, top, depth)
    cols = []
    for j, label in enumerate(labels):
        c = classify_label(label)
        c.index, c.label = j, label
        cols.append(c)
    return Layout(top, top + depth - 1, cols)


def _score(layout: Layout) -> int:
    return sum(1 for c in layout.cols if c.role != "ignored")


def find_layout(rows: list[list[Any]], max_scan: int = 40) -> Layout | None:
    """The header: the first row naming a taxpayer-ID column, possibly with the row above or below
    as the other level of a two-level header (whichever recognises the most columns)."""
    for i in range(min(max_scan, len(rows))):
        if not any(_norm(c) for c in rows[i]):
            continue
        one = _layout_for(rows, i, 1)
        if one.first("id") is None:
            continue
        best = one
        if i + 1 < len(rows) and not _looks_like_data(rows[i + 1]) and any(_norm(c) for c in rows[i + 1]):
            two = _layout_for(rows, i, 2)
            if _score(two) > _score(best) or (
                _score(two) == _score(best)
                and sum(c.role == "amount" and c.level != "total" for c in two.cols)
                > sum(c.role == "amount" and c.level != "total" for c in best.cols)
            ):
                best = two
        if i > 0 and sum(1 for c in rows[i - 1] if _norm(c)) >= 2:
            up = _layout_for(rows, i - 1, 2)
            if _score(up) > _score(best):
                best = up
        return best
    return None


# ---------------------------------------------------------------------------------------------
# Parsing one sheet


def _looks_like_money(value: Any) -> bool:
    """A cell that could carry an amount (a number, or text with digits and no Chinese words)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    text = str(value or "").strip()
    return (
        bool(text) and text not in ("-", "—") and any(ch.isdigit() for ch in text) and not _CJK.search(text)
    )


def _cell(row: list[Any], j: int) -> Any:
    return row[j] if j < len(row) else ""


def _unit_of_text(text: str) -> str | None:
    m = _UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return m.group(1) if m else None


def _parse_sheet(sheet: Sheet, layout: Layout, pf: ParsedFile, multi_sheet: bool) -> dict[str, Any]:
    rows = sheet.rows
    sheet_name = sheet.name if multi_sheet else None

    def err(row: int | None, column: str, value: Any, message: str) -> None:
        pf.error(row, column, value, message, sheet_name)

    # Title area: text above the header (merged title cells arrive as the top-left value).
    title_text = " ".join(str(c).strip() for r in rows[: layout.top] for c in r if str(c).strip())
    header_text = " ".join(c.label for c in layout.cols)
    unit = _unit_of_text(title_text) or _unit_of_text(header_text)
    if unit is None:  # "注：金额单位为万元" under the table
        tail = " ".join(c for r in rows[-12:] for c in r if isinstance(c, str) and "单位" in c)
        unit = _unit_of_text(tail)
    header_units = {c.unit for c in layout.cols if c.role == "amount" and c.unit}
    if unit is None and len(header_units) == 1:
        unit = next(iter(header_units))  # 实缴金额(万元) over 其中 中央级/市级/区级
    unit_explicit = unit is not None
    # a units line sometimes sits right under the header or beside the title
    unit = unit or "元"

    cols = layout.cols
    id_cols = [c for c in cols if c.role == "id"]
    # 统一社会信用代码 first when a file has it next to an old 纳税人识别号 column; the other fills its blanks
    id_cols.sort(key=lambda c: 0 if "信用代码" in c.label else 1)
    id_col = id_cols[0]
    for extra in id_cols[1:]:
        pf.notes.append(f"识别号以“{id_col.where}”为准，为空时取“{extra.where}”")
    name_col = layout.first("name")
    tax_col = layout.first("tax_type")
    date_col = layout.first("date")
    amount_cols = [c for c in cols if c.role == "amount"]
    seen: dict[tuple[str | None, str], Col] = {}
    used_amounts: list[Col] = []
    same_tax: list[tuple[Col, Col]] = []  # columns of one tax type (内资/外资企业所得税): added up
    for c in amount_cols:
        key = (c.tax, c.level)
        if key in seen and c.tax is not None:
            pf.notes.append(f"列“{c.where}”与“{seen[key].where}”同属{c.tax}，合并计算")
            same_tax.append((seen[key], c))
            used_amounts.append(c)
            continue
        if key in seen:
            pf.notes.append(f"列“{c.where}”与“{seen[key].where}”重复，未使用")
            c.role = "ignored"
            continue
        seen[key] = c
        if c.level == "local":
            pf.notes.append(f"列“{c.where}”为地方级（市级+区级），不作为区级收入使用")
        used_amounts.append(c)
    for c in cols:
        if c.role == "ignored" and c.label and c.label not in pf.ignored_columns:
            pf.ignored_columns.append(c.label)
    unit_explicit = unit_explicit or any(c.unit for c in used_amounts)
    for c in used_amounts:
        c.unit = c.unit or unit
    units_used = {c.unit or unit for c in used_amounts}  # (c.unit is set just above)

    layout_kind = "long" if tax_col is not None else "wide"
    row_total = next((c for c in used_amounts if c.tax is None and c.level == "total"), None)
    row_levels = {c.level: c for c in used_amounts if c.tax is None and c.level != "total"}
    tax_cols: dict[str, dict[str, Col]] = defaultdict(dict)
    for c in used_amounts:
        if c.tax is not None and c.level not in tax_cols[c.tax]:
            tax_cols[c.tax][c.level] = c
    if layout_kind == "long" and tax_cols:
        for lv in tax_cols.values():
            for c in lv.values():
                pf.notes.append(f"长表中的税种列“{c.where}”未使用")
                c.role = "ignored"
        tax_cols.clear()
    if layout_kind == "long" and row_total is None and not {"central", "city", "district"} <= set(row_levels):
        assert tax_col is not None  # "long" means there is a tax-type column
        raise TableError(
            f"长表（含“{tax_col.label}”列）缺少实缴金额列（实缴金额 / 实缴税额 / 入库金额 / 税额）"
        )
    if layout_kind == "wide" and row_total is None and not any("total" in lv for lv in tax_cols.values()):
        raise TableError(
            "找不到金额列：宽表需要各税种列（增值税、企业所得税……）或“税收合计”列；长表需要“征收项目”和“实缴金额”列"
        )

    # ---- classify rows (column-wise: the body transposed once)
    body = rows[layout.bottom + 1 :]
    lengths = set(map(len, body))
    width = max(max(lengths, default=0), max((c.index for c in cols), default=0) + 1)
    if lengths - {width}:
        body = [list(r) + [""] * (width - len(r)) for r in body]
    columns = list(zip(*body, strict=True)) if body else [() for _ in range(width)]
    first = layout.bottom + 1  # rows index of body[0]
    data_pos: list[int] = []  # positions in body
    total_rows: list[int] = []
    subtotal_rows = 0
    fill_rows = 0
    amount_js = [c.index for c in used_amounts]
    idc = id_col.index
    marker_js = sorted({0, 1, 2, idc, *(c.index for c in (name_col, tax_col) if c is not None)})
    id_values = columns[idc]
    for extra in id_cols[1:]:
        other = columns[extra.index]
        id_values = tuple(
            v if (v is not None and str(v).strip()) else o for v, o in zip(id_values, other, strict=True)
        )
    name_values = columns[name_col.index] if name_col else None
    fill = object()  # marker: a merged taxpayer cell, the taxpayer of the data row above

    def slow(k: int, v: Any) -> Any:
        """An ID cell that is not a plain alphanumeric string: 合计/小计 rows, notes, blanks, numbers."""
        nonlocal subtotal_rows
        r = body[k]
        raw = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        sv = raw.strip()
        if sv.startswith('="') and sv.endswith('"'):  # ="913101…" written by exports to keep text in Excel
            sv = sv[2:-1]
        sv = sv.strip("'\"` \t")
        markers = [_norm(r[j]) for j in marker_js if j < width]
        if any(m in TOTAL_ROW_WORDS or _TOTAL_PREFIX.match(m) for m in markers):
            total_rows.append(first + k)
            return None
        if any(m.startswith(SUBTOTAL_WORDS) for m in markers if m):
            subtotal_rows += 1
            return None
        has_amount = any(_looks_like_money(r[j]) for j in amount_js)
        if not sv:
            if not has_amount:
                return None  # blank row or a note beside the table
            nm = str(r[name_col.index] or "").strip() if name_col else ""
            if layout_kind == "long" and not nm:
                return fill
            err(first + k + 1, id_col.where, "", "纳税人识别号为空，但该行有金额")
            return None
        if _CJK.search(sv) or sv.startswith(NOTE_PREFIXES):
            if has_amount:
                err(first + k + 1, id_col.where, sv, f"纳税人识别号“{sv}”无效（含汉字）")
            return None  # otherwise a note under the table (制表人：…, 注：…)
        if re.fullmatch(r"\d+(\.\d+)?[Ee]\+?\d+", sv):
            err(
                first + k + 1,
                id_col.where,
                sv,
                f"纳税人识别号“{sv}”被显示为科学计数法，位数已丢失；请将该列设为文本后重新导出",
            )
            return None
        return uscc.normalize(sv) or None

    found: dict[int, Any] = {}
    if set(map(type, id_values)) <= {str}:  # vectorised: plain IDs in one pass, the rest one by one
        arr = pa.array(id_values, pa.string())
        plain = pc.match_substring_regex(arr, r"^[0-9A-Za-z]+$")
        fast_pos = pc.indices_nonzero(plain).to_pylist()
        fast_ids = pc.ascii_upper(arr.filter(plain)).to_pylist()
        for k in pc.indices_nonzero(pc.invert(plain)).to_pylist():
            res = slow(k, id_values[k])
            if res is not None:
                found[k] = res
    else:
        fast_pos, fast_ids = [], []
        for k, v in enumerate(id_values):
            if v.__class__ is str and v.isalnum() and v.isascii():
                fast_pos.append(k)
                fast_ids.append(v.upper())
            else:
                res = slow(k, v)
                if res is not None:
                    found[k] = res
    fills: set[int] = set()  # indexes into data_pos of merged-cell rows
    if not found:
        data_pos, ids = fast_pos, fast_ids
    else:
        id_of = dict(zip(fast_pos, fast_ids, strict=True))
        id_of.update(found)
        data_pos, ids = [], []
        for k in sorted(id_of):
            v = id_of[k]
            if v is fill:
                if not ids:
                    err(first + k + 1, id_col.where, "", "纳税人识别号为空，但该行有金额")
                    continue
                fills.add(len(ids))
                v = ids[-1]
            data_pos.append(k)
            ids.append(v)
    fill_rows = len(fills)
    # 小计/合计 rows that carry a taxpayer ID (per-taxpayer subtotals in long files: 征收项目 = 小计)
    for mcol in (tax_col, name_col) if layout_kind == "long" else ():
        if mcol is None or not data_pos:
            continue
        mvalues = columns[mcol.index]
        kinds: dict[Any, str | None] = {}
        for v in set(map(mvalues.__getitem__, data_pos)):
            if not (v.__class__ is str and ("计" in v or "其中" in v)):  # cheap test first: ~10⁵ names
                kinds[v] = None
                continue
            m = _norm(v)
            kinds[v] = (
                "total"
                if (m in TOTAL_ROW_WORDS or _TOTAL_PREFIX.match(m))
                else ("sub" if m.startswith(SUBTOTAL_WORDS) else None)
            )
        if any(kinds.values()):
            keep_pos: list[int] = []
            keep_ids: list[str] = []
            keep_fills: set[int] = set()
            for j, (k, tid) in enumerate(zip(data_pos, ids, strict=True)):
                kind = kinds[mvalues[k]]
                if kind == "total":
                    total_rows.append(first + k)
                elif kind == "sub":
                    subtotal_rows += 1
                else:
                    if j in fills:
                        keep_fills.add(len(keep_pos))
                    keep_pos.append(k)
                    keep_ids.append(tid)
            data_pos, ids, fills = keep_pos, keep_ids, keep_fills
            total_rows.sort()
    if name_values is not None:
        picked = list(map(name_values.__getitem__, data_pos))
        if set(map(type, picked)) <= {str}:
            names = list(map(str.strip, picked))
        else:
            names = [
                x.strip() if x.__class__ is str else ("" if x is None else str(x).strip()) for x in picked
            ]
        for j in sorted(fills):  # merged cells: the name of the row above
            names[j] = names[j - 1] if j else ""
    else:
        names = [""] * len(data_pos)
    data_idx = [first + k for k in data_pos]
    if subtotal_rows:
        pf.notes.append(f"跳过小计/本页合计行 {subtotal_rows} 行")
    if fill_rows:
        pf.notes.append(f"{fill_rows} 行纳税人识别号为空（合并单元格），沿用上一行纳税人")
    pf.rows += len(data_idx)
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
    contiguous = bool(data_pos) and data_pos[-1] - data_pos[0] == len(data_pos) - 1

    # ---- amounts, column-wise
    parsed: dict[int, pa.Array] = {}
    bad_positions: set[int] = set()  # data rows with an unreadable amount (no cross-checks on them)
    bad_columns: set[int] = set()
    for c in used_amounts:
        col_values = columns[c.index]
        values: Sequence[Any]
        if contiguous:
            values = col_values[data_pos[0] : data_pos[-1] + 1]  # a tuple slice, no copy to a list
        else:
            values = list(map(col_values.__getitem__, data_pos))
        arr, bad = parse_amount_column(values, c.unit or unit)
        parsed[c.index] = arr
        for pos, val, msg in bad:
            err(data_idx[pos] + 1, c.where, val, msg)
            bad_positions.add(pos)
            bad_columns.add(c.index)

    # ---- 合计 rows: each amount column must equal the sum of the data rows, to the fen
    for ti in total_rows:
        r = rows[ti]
        for c in used_amounts:
            raw = _cell(r, c.index)
            if raw is None or str(raw).strip() in ("", "-", "—", "－", "/", "／") or c.index in bad_columns:
                continue
            arr, bad = parse_amount_column([raw], c.unit or unit)
            if bad:
                err(ti + 1, c.where, raw, f"合计行{bad[0][2]}")
                continue
            stated, actual = int(arr[0].as_py()), _sum(parsed[c.index])
            pf.file_totals[f"{c.label}"] = stated
            if stated != actual:
                err(
                    ti + 1,
                    c.where,
                    raw,
                    f"合计行金额 {_yuan(stated)} 元与明细行之和 {_yuan(actual)} 元不符（差额 {_yuan(stated - actual)} 元）",
                )

    for head, extra in same_tax:  # after the 合计 check, which is per column
        parsed[head.index] = pc.add(parsed[head.index], parsed[extra.index])

    # ---- month from the 入库日期 column
    date_month = None
    if date_col is not None:
        by_month: dict[str, list[int]] = defaultdict(list)
        cache: dict[Any, str | None] = {}
        for i in data_idx:
            v = _cell(rows[i], date_col.index)
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
            date_month = next(iter(by_month))
        elif len(by_month) > 1:
            main = max(by_month, key=lambda k: len(by_month[k]))
            desc = "、".join(f"{k}（{len(v)} 行）" for k, v in sorted(by_month.items()))
            for ym, rws in sorted(by_month.items()):
                if ym == main:
                    continue
                for rr in rws:
                    err(
                        rr,
                        date_col.where,
                        _cell(rows[rr - 1], date_col.index),
                        f"入库日期属于 {ym}，与本文件其他行（{main}）不在同一月份；本文件含多个月份：{desc}",
                    )

    # ---- facts (column-wise, Arrow)
    n = len(data_idx)
    src_rows = pa.array([i + 1 for i in data_idx], pa.int32())
    ids_arr = pa.array(ids, pa.string())
    names_arr = pa.array(names, pa.string())
    zero = pa.array([0] * n, pa.int64())

    def add(tax: str | pa.Array, total: pa.Array, district: pa.Array | None, mask: pa.Array) -> None:
        sel = pc.indices_nonzero(mask)
        if len(sel) == 0:
            return
        pf.f_row.append(src_rows.take(sel))
        pf.f_id.append(ids_arr.take(sel))
        pf.f_name.append(names_arr.take(sel))
        pf.f_tax.append(pa.array([tax] * len(sel), pa.string()) if isinstance(tax, str) else tax.take(sel))
        pf.f_total.append(total.take(sel))
        pf.f_district.append(None if district is None else district.take(sel))

    def nz(total: pa.Array, district: pa.Array | None) -> pa.Array:
        return _nonzero(total) if district is None else pc.or_(_nonzero(total), _nonzero(district))

    def cell_at(k: int, c: Col) -> Any:
        return _cell(rows[data_idx[k]], c.index)

    district_from_file = False
    if layout_kind == "long":
        assert tax_col is not None  # "long" means there is a tax-type column
        taxes = []
        tcache: dict[Any, str] = {}
        for i in data_idx:
            v = _cell(rows[i], tax_col.index)
            if v not in tcache:
                t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v if v is not None else "")))
                tcache[v] = TAX_ALIASES.get(t, t)
            taxes.append(tcache[v])
        if row_total is not None:
            total = parsed[row_total.index]
        else:
            total = zero
            for level in ("central", "city", "district"):
                total = pc.add(total, parsed[row_levels[level].index])
            pf.notes.append("文件没有实缴金额列，按中央级+市级+区级计算实缴金额")
        totals_py = total.to_pylist()
        for k, t in enumerate(taxes):
            if not t and totals_py[k] != 0:
                err(data_idx[k] + 1, tax_col.where, "", "征收项目为空，但该行有金额")
        district = parsed[row_levels["district"].index] if "district" in row_levels else None
        level_col = layout.first("level_column")
        if district is None and level_col is not None:
            flags = []
            lcache: dict[Any, bool | None] = {}
            for k, i in enumerate(data_idx):
                v = _cell(rows[i], level_col.index)
                if v not in lcache:
                    t = _norm(v)
                    lcache[v] = (
                        True
                        if "区" in t
                        else False
                        if any(w in t for w in ("中央", "市", "省", "地方"))
                        else None
                    )
                flag = lcache[v]
                if flag is None and totals_py[k] != 0:
                    err(
                        data_idx[k] + 1,
                        level_col.where,
                        v,
                        f"预算级次“{v}”无法识别（应为中央级、市级或区级）",
                    )
                flags.append(bool(flag))
            district = pc.if_else(pa.array(flags, pa.bool_()), total, 0)
            pf.notes.append(f"按“{level_col.where}”逐行区分级次，区级收入为级次为区级的行之和")
        district_from_file = district is not None
        add(pa.array(taxes, pa.string()), total, district, nz(total, district))
    else:
        type_sum = zero
        have_types = False
        any_type_district = any("district" in lv for lv in tax_cols.values())
        # district share given per taxpayer only (one 区级收入 column next to the tax-type columns)
        row_district_only = "district" in row_levels and not any_type_district
        for t, lv in tax_cols.items():
            if "total" in lv:
                tot = parsed[lv["total"].index]
            elif {"central", "city", "district"} <= set(lv):
                tot = pc.add(
                    pc.add(parsed[lv["central"].index], parsed[lv["city"].index]),
                    parsed[lv["district"].index],
                )
            elif "district" in lv:
                tot = None  # only the district share of this tax is given
            else:
                continue
            if "district" in lv:
                dis = parsed[lv["district"].index]
            elif any_type_district or row_district_only:
                dis = zero
            else:
                dis = None  # computed from sharing ratios
            if tot is None:
                add(t, zero, dis, _nonzero(dis))
                continue
            have_types = True
            type_sum = pc.add(type_sum, tot)
            add(t, tot, dis, nz(tot, dis))
        if row_total is not None:
            rt = parsed[row_total.index]
            if have_types and any(lv[x].partial for lv in tax_cols.values() for x in lv):
                # 税收合计 with "其中：增值税 …": the listed taxes are part of the total; the rest is kept
                rest = pc.subtract(rt, type_sum)
                rest_dis = zero if (any_type_district or row_district_only) else None
                add(UNLISTED_TAX_TYPE, rest, rest_dis, _nonzero(rest))
                if _sum(pc.abs(rest)):
                    pf.notes.append(
                        f"税种列为“其中”项，{row_total.label}与所列税种之差计为“{UNLISTED_TAX_TYPE}”"
                    )
            elif have_types:
                for k in pc.indices_nonzero(pc.not_equal(rt, type_sum)).to_pylist():
                    if k in bad_positions:
                        continue
                    err(
                        data_idx[k] + 1,
                        row_total.where,
                        cell_at(k, row_total),
                        f"{row_total.label} {_yuan(rt[k].as_py())} 元与各税种之和 {_yuan(type_sum[k].as_py())} 元不符",
                    )
            else:
                dis = parsed[row_levels["district"].index] if "district" in row_levels else None
                add(TOTAL_ONLY_TAX_TYPE, rt, dis, nz(rt, dis))
                district_from_file = dis is not None
        if have_types and "district" in row_levels:
            dcol = row_levels["district"]
            rd = parsed[dcol.index]
            if any_type_district:
                pf.notes.append(f"已使用各税种的区级列，“{dcol.where}”仅用于核对")
                per_type = zero
                for lv in tax_cols.values():
                    if "district" in lv:
                        per_type = pc.add(per_type, parsed[lv["district"].index])
                for k in pc.indices_nonzero(pc.not_equal(per_type, rd)).to_pylist():
                    if k in bad_positions:
                        continue
                    err(data_idx[k] + 1, dcol.where, cell_at(k, dcol),
                        f"区级合计 {_yuan(rd[k].as_py())} 元与各税种区级之和 {_yuan(per_type[k].as_py())} 元不符")  # fmt: skip
            else:
                # The file gives the district share per taxpayer, not per tax type: keep it as its own
                # fact (tax type DISTRICT_ONLY_TAX_TYPE, total 0) so no split by tax type is invented.
                add(DISTRICT_ONLY_TAX_TYPE, zero, rd, _nonzero(rd))
            district_from_file = True
        elif any_type_district:
            district_from_file = True
    return {
        "layout": layout_kind,
        "unit": unit if len(units_used) <= 1 else "、".join(sorted(units_used)),
        "unit_explicit": unit_explicit,
        "title": title_text,
        "date_month": date_month,
        "district_from_file": district_from_file,
        "units_used": units_used,
        "ids": set(ids) if multi_sheet else set(),
    }


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q:,}.{r:02d}"


# ---------------------------------------------------------------------------------------------
# The whole file


class _HtmlTables(HTMLParser):
    """Tables of an HTML page, with colspan/rowspan laid out like merged cells in Excel (the value in
    the top-left cell, blanks elsewhere). Many systems export "Excel" files that are HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._rows: list[list[tuple[str, int, int]]] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            if not self._rows:
                self._rows.append([])
            self._cell = []

            def span(name: str) -> int:
                try:
                    return max(1, min(int(a.get(name) or 1), 1000))
                except ValueError:
                    return 1

            self._span = (span("rowspan"), span("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(("".join(self._cell).strip(), *self._span))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append(self._layout(self._rows))
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    @staticmethod
    def _layout(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
        grid: dict[tuple[int, int], str] = {}
        width = 0
        for i, row in enumerate(rows):
            j = 0
            for text, rs, cs in row:
                while (i, j) in grid:
                    j += 1
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = text if (di, dj) == (0, 0) else ""
                j += cs
                width = max(width, j)
        height = max((i for i, _ in grid), default=-1) + 1
        return [[grid.get((i, j), "") for j in range(width)] for i in range(height)]


def _read(path: str | Path, file_name: str) -> list[Sheet]:
    """Excel through python-calamine without copying rows; HTML or text saved as ".xls" (as many
    systems export) as what it really is; CSV via peiyu.core.tabular."""
    with Path(path).open("rb") as fh:
        data_head = fh.read(4096)
    suffix = Path(file_name).suffix.lower()
    is_excel = data_head[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    if suffix in {".xlsx", ".xlsm", ".xls", ".xlsb"} and is_excel:
        try:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(path))
            return [
                Sheet(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in wb.sheet_names
            ]
        except Exception as exc:  # calamine raises several exception types for corrupt files
            raise TableError(f"无法读取 Excel 文件（文件损坏或格式不符）：{type(exc).__name__}") from None
    if not is_excel and re.search(rb"<\s*(html|table|!doctype)", data_head, re.IGNORECASE):
        from peiyu.core.tabular import decode_text

        parser = _HtmlTables()
        parser.feed(decode_text(Path(path).read_bytes()))
        parser.close()
        if not parser.tables:
            raise TableError("网页格式的文件中没有表格")
        return [Sheet(f"表{k + 1}", t) for k, t in enumerate(parser.tables)]
    if not is_excel and suffix in {".xls", ".xlsx"}:
        return read_sheets(path, Path(file_name).stem + ".csv")  # text saved with an Excel name
    return read_sheets(path, file_name)


def parse_tax_file(
    path: str | Path, file_name: str | None = None, month: str | None = None, *, reading: Any = None
) -> ParsedFile:
    """Read and check a file; never raises for bad content (errors are collected in ``errors``).
    ``reading`` is a future already reading the file (see :func:`import_tax_file`)."""
    pf = ParsedFile()
    file_name = file_name or Path(path).name
    try:
        sheets = reading.result() if reading is not None else _read(path, file_name)
    except TableError as exc:
        pf.error(None, "", "", str(exc))
        return pf
    found = []
    for sheet in sheets:
        layout = find_layout(sheet.rows)
        if layout is not None:
            found.append((sheet, layout))
    if not found:
        pf.error(
            None,
            "",
            "",
            "在前 40 行中找不到表头：需要“纳税人识别号”（或统一社会信用代码、社会信用代码、税号）列",
        )
        return pf
    infos = []
    for sheet, layout in found:
        try:
            infos.append(_parse_sheet(sheet, layout, pf, len(found) > 1))
        except TableError as exc:
            pf.error(layout.bottom + 1, "", "", f"{sheet.name}：{exc}" if len(found) > 1 else str(exc))
            return pf
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
            return pf
        pf.sheets.append(sheet.name)
    for a in range(len(infos)):  # a summary or "key enterprises" sheet repeating the detail sheet
        for b in range(a + 1, len(infos)):
            ia, ib = infos[a]["ids"], infos[b]["ids"]
            common = ia & ib
            if common and len(common) * 2 > min(len(ia), len(ib)):
                pf.error(
                    None,
                    "",
                    "",
                    f"工作表“{pf.sheets[a]}”与“{pf.sheets[b]}”有 {len(common)} 户纳税人重复，"
                    "可能是明细表与汇总/摘录表，无法判断是否重复计算；请只保留明细工作表后重新导入",
                )
    layouts = {i["layout"] for i in infos}
    if len(layouts) > 1:
        pf.error(None, "", "", "各工作表的版式不一致（宽表与长表混用）")
    pf.layout = infos[0]["layout"]
    units = set().union(*(i["units_used"] for i in infos))
    pf.unit = next(iter(units)) if len(units) == 1 else "、".join(sorted(units))
    if not any(i["unit_explicit"] for i in infos):
        pf.notes.append("文件未注明金额单位，按“元”处理")
    from_file = {i["district_from_file"] for i in infos}
    if len(from_file) > 1:
        pf.error(None, "", "", "各工作表区级口径不一致（部分有区级列，部分没有）")
    pf.district_source = "file" if all(from_file) else "ratio"

    # ---- the month
    sources: dict[str, str] = {}
    if month:
        month = normalize_month(month) or month
        if not re.fullmatch(r"\d{4}-\d{2}", month) or _ym(month[:4], month[5:]) is None:
            pf.error(None, "--month", month, f"月份“{month}”格式应为 YYYY-MM，例如 2025-03")
        else:
            sources["指定月份"] = month
    title = " ".join(i["title"] for i in infos)
    t_months, multi = months_in_title(title)
    if multi:
        pf.error(
            1, "标题", title[:200], f"标题显示为多个月份（{multi}）的数据；税收库按单月入库，请导入单月文件"
        )
    elif len(t_months) > 1:
        pf.error(1, "标题", title[:200], f"标题中出现多个月份：{'、'.join(sorted(t_months))}")
    elif t_months:
        sources["标题"] = next(iter(t_months))
    d_months = {i["date_month"] for i in infos if i["date_month"]}
    if len(d_months) > 1:
        pf.error(None, "入库日期", "", f"各工作表入库日期不在同一月份：{'、'.join(sorted(d_months))}")
    elif d_months:
        sources["入库日期"] = next(iter(d_months))
    if not sources and (fm := month_from_filename(file_name)):
        sources["文件名"] = fm
    pf.month_sources = sources
    distinct = set(sources.values())
    if len(distinct) > 1:
        desc = "；".join(f"{k}为 {v}" for k, v in sources.items())
        pf.error(None, "月份", "", f"月份来源不一致：{desc}")
    elif distinct:
        pf.month = distinct.pop()
    elif not any(e["column"] in ("标题", "入库日期") or "入库日期" in e["column"] for e in pf.errors):
        pf.error(
            None,
            "月份",
            "",
            "无法确定所属月份：标题和入库日期中都没有月份，请用 --month YYYY-MM（或上传页面的月份）指定",
        )
    if pf.rows == 0 and not pf.errors:
        pf.error(None, "", "", "文件中没有数据行")
    return pf


# ---------------------------------------------------------------------------------------------
# District share from sharing ratios


def ratios_for_month(month: str) -> dict[str, Decimal]:
    """The district percentage per tax type valid in ``month`` (the latest ``valid_from`` ≤ month)."""
    from peiyu.taxes.models import SharingRatio

    out: dict[str, tuple[str, Decimal]] = {}
    for r in SharingRatio.objects.filter(valid_from__lte=month).values(
        "tax_type", "valid_from", "district_pct"
    ):
        t = TAX_ALIASES.get(r["tax_type"].strip(), r["tax_type"].strip())
        if t not in out or r["valid_from"] > out[t][0]:
            out[t] = (r["valid_from"], r["district_pct"])
    return {t: v[1] for t, v in out.items()}


def share_half_up(total_fen: int, pct: Decimal) -> int:
    """``total × pct / 100`` rounded half away from zero, in exact integer arithmetic."""
    micro = int((pct * 10_000).to_integral_value())  # pct in units of 1e-4 %, i.e. 1e-6 of the whole
    if micro * Decimal(1) != pct * 10_000:
        raise ValueError("分成比例最多四位小数")
    q, r = divmod(abs(total_fen) * micro, 1_000_000)
    if 2 * r >= 1_000_000:
        q += 1
    return -q if total_fen < 0 else q


def _concat(chunks: list[pa.Array], typ: pa.DataType) -> pa.ChunkedArray:
    return pa.chunked_array(chunks, typ)  # no copy


def facts_table(pf: ParsedFile, batch_id: int, ratios: Mapping[str, Decimal]) -> pa.Table:
    """The facts as an Arrow table in :data:`peiyu.taxes.library.FACT_SCHEMA`; district amounts
    missing from the file are computed per fact row from ``ratios`` (half-up, exact integers)."""
    from peiyu.taxes import library

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
        schema=library.FACT_SCHEMA,
    )


def needed_ratio_types(pf: ParsedFile) -> list[str]:
    needed: set[str] = set()
    for d_arr, tax_arr in zip(pf.f_district, pf.f_tax, strict=True):
        if d_arr is None:
            needed.update(pc.unique(tax_arr).to_pylist())
    return sorted(needed)


# ---------------------------------------------------------------------------------------------
# The import, for CLI and pages


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _keep_copy(path: Path, file_name: str, digest: str) -> str:
    """Keep the original file next to the library for audit (uploads/taxes/<sha256[:16]>-<name>)."""
    from django.conf import settings

    folder = Path(settings.UPLOAD_DIR) / "taxes"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", Path(file_name).name)[-120:]
    dest = folder / f"{digest[:16]}-{safe}"
    if not dest.exists():
        shutil.copyfile(path, dest)
    return str(dest)


def _without_gc(fn: Any) -> Any:
    """Large imports build ~10⁶ small objects; the cyclic collector would rescan them many times."""
    from functools import wraps

    @wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapped


@_without_gc
def import_tax_file(
    path: str | Path,
    *,
    file_name: str | None = None,
    user: Any = None,
    month: str | None = None,
    force: bool = False,
    keep_copy: bool = True,
) -> dict[str, Any]:
    """Import one file; returns the report (the ``--json`` object). Never raises for bad content:
    a rejected file gives ``status="rejected"`` with its errors and a rejected TaxBatch."""
    from peiyu.taxes import actions
    from peiyu.taxes.models import TaxBatch

    path = Path(path)
    file_name = file_name or path.name
    # The workbook is parsed in a worker thread (python-calamine works without the GIL) while this
    # thread hashes the file, checks for a duplicate and loads the registry's credit codes.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tax-read") as pool:
        reading = pool.submit(_read, path, file_name)
        digest = sha256_of(path)
        base = {"file": file_name, "sha256": digest}
        dup = TaxBatch.objects.filter(sha256=digest, is_active=True)
        if month:
            dup = dup.filter(month=month)
        existing = dup.first()
        if existing is not None and not force:
            reading.cancel()
            return actions.do_note_duplicate(user, existing, file_name)
        registry = actions.registry_codes()
        pf = parse_tax_file(path, file_name, month, reading=reading)
    ratios: dict[str, Decimal] = {}
    if pf.ok and pf.district_source == "ratio":
        ratios = ratios_for_month(pf.month)
        missing = [t for t in needed_ratio_types(pf) if t not in ratios]
        if missing:
            pf.error(
                None,
                "区级收入",
                "",
                f"文件没有区级列，需要按分成比例计算区级收入，但以下税种在 {pf.month} 没有有效的区级分成比例："
                f"{'、'.join(missing)}。请管理员在“分成比例”页面维护后重新导入",
            )
    stored_copy = _keep_copy(path, file_name, digest) if keep_copy else ""
    if not pf.ok:
        return actions.do_reject_import(user, pf, base | {"stored_copy": stored_copy})
    return actions.do_accept_import(
        user, pf, ratios, base | {"stored_copy": stored_copy}, force=force, registry=registry
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
