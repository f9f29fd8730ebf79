"""Cell parsers every importer needs. Each takes the raw cell (whatever the reader gave: text,
int, float, date, datetime, bool or None) and returns the value, or raises :class:`CellError` (a
``ValueError``) whose message is Chinese and names the value. The importer turns that into an
error row ``{row, column, value, message}``.

Parsers with options are built by small factories so that a column declaration reads as data:

    Field("signed", "签约日期", parse=cells.date())
    Field("invest", "计划投资额（万元）", parse=cells.amount(unit="万元"))
    Field("stage", "阶段", parse=cells.choice({"线索": "lead", "在谈": "talks"}, synonyms={"洽谈": "在谈"}))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from peiyu.core.money import FEN_PER_WAN, FEN_PER_YUAN, AmountError, parse_amount_fen
from peiyu.core.tabular import clean_text


class CellError(ValueError):
    """A cell that cannot be used; the message is Chinese and names the value."""


Parser = Callable[[Any], Any]


def is_blank(raw: Any) -> bool:
    return raw is None or clean_text(raw) == ""


def nfkc(raw: Any) -> str:
    """The cell as text, full-width letters and digits made half-width, trimmed."""
    return unicodedata.normalize("NFKC", clean_text(raw)).strip()


# ---------------------------------------------------------------------------------------------
# Text


def text(*, max_length: int | None = None, label: str = "内容", halfwidth: bool = False) -> Parser:
    """Trimmed text; longer than ``max_length`` characters is an error (never silently cut)."""

    def parse(raw: Any) -> str:
        value = nfkc(raw) if halfwidth else clean_text(raw)
        if max_length is not None and len(value) > max_length:
            raise CellError(f"{label}过长（{len(value)} 字，最多 {max_length} 字）")
        return value

    return parse


SPLIT = re.compile(r"[;；,，、|\n]+")


def split_list(raw: Any, pattern: re.Pattern[str] = SPLIT) -> list[str]:
    """``"甲、乙;丙"`` → ``["甲", "乙", "丙"]`` (、 , ， ; ； | and line breaks separate)."""
    return [p.strip() for p in pattern.split(clean_text(raw)) if p.strip()]


# ---------------------------------------------------------------------------------------------
# Dates

EXCEL_EPOCH = dt.date(1899, 12, 30)
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS.update({"七": 7, "八": 8, "九": 9})
_DATE_PATTERNS = [
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
        r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")


def _cn_number(text: str) -> int | None:
    """二〇二一 → 2021 (digit by digit); 十二 → 12, 二十五 → 25, 三十一 → 31."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens) if tens else 1
        o = _CN_DIGITS.get(ones) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    digits = [_CN_DIGITS.get(c) for c in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


_CN_DATE = re.compile(
    r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?$"
)


def parse_date(raw: Any, today: dt.date | None = None) -> dt.date:
    """A date in any form officials write one: an Excel date or serial number, 2021-03-05,
    2021/3/5, 2021.3.5, 2021年3月5日, 2021年03月05日 10:00, 20210305, 二〇二一年三月五日, or a month
    (2021-03, 2021年3月 → the first of the month). With ``today``, a later date is an error."""
    value: dt.date | None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
        if number != number:
            raise CellError("日期无法识别")
        if 19000101 <= number <= 21001231 and number.is_integer():
            return parse_date(str(int(number)), today)
        if not (1 <= number < 80000):
            raise CellError(f"日期“{clean_text(raw)}”无法识别")
        value = EXCEL_EPOCH + dt.timedelta(days=int(number))
    else:
        text = re.sub(r"\s+", " ", nfkc(raw))
        if not text:
            raise CellError("日期为空")
        if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial that went through text
            return parse_date(float(text), today)
        value = None
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                value = _make_date(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
                break
        if value is None:
            m = _MONTH_PATTERN.match(text)
            if m and 1 <= int(m.group(2)) <= 12:
                value = dt.date(int(m.group(1)), int(m.group(2)), 1)
        if value is None:
            m = _CN_DATE.match(text.replace(" ", ""))
            if m:
                y, mo = _cn_number(m.group(1)), _cn_number(m.group(2))
                d = _cn_number(m.group(3)) if m.group(3) else 1
                if y is not None and mo is not None and d is not None:
                    value = _make_date(text, y, mo, d)
        if value is None:
            raise CellError(f"无法识别日期“{text}”（可用 2021-03-05、2021/3/5、2021年3月5日）")
    if today is not None and value > today:
        raise CellError(f"日期“{value:%Y-%m-%d}”晚于今天")
    if value.year < 1800:
        raise CellError(f"日期“{value:%Y-%m-%d}”不合理")
    return value


def _make_date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{text}”不存在") from None


def date(*, not_after: Callable[[], dt.date] | dt.date | None = None) -> Parser:
    """:func:`parse_date` as a column parser; ``not_after`` (a date, or a function giving one such
    as ``timezone.localdate``) refuses later dates."""

    def parse(raw: Any) -> dt.date:
        limit = not_after() if callable(not_after) else not_after
        return parse_date(raw, limit)

    return parse


def parse_month(raw: Any) -> str:
    """A month as ``"YYYY-MM"``: 2025-03, 2025/3, 2025年3月, 202503, an Excel date (its month)."""
    if isinstance(raw, dt.date | dt.datetime):
        return f"{raw.year:04d}-{raw.month:02d}"
    text = nfkc(raw).replace(" ", "")
    m = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})月?(?:份)?", text)
    if m and 1 <= int(m.group(2)) <= 12 and (len(m.group(2)) == 2 or not text[4:5].isdigit()):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    try:
        d = parse_date(raw)
    except CellError:
        raise CellError(f"无法识别月份“{clean_text(raw)}”（可用 2025-03、2025年3月）") from None
    return f"{d.year:04d}-{d.month:02d}"


def parse_year(raw: Any, *, low: int = 2000, high: int = 2100, label: str = "年度") -> int:
    """``2025``, ``"2025年"``, ``"2025年度"`` → 2025."""
    text = nfkc(raw).removesuffix("年度").removesuffix("年")
    if not re.fullmatch(r"\d{4}", text):
        raise CellError(f"{label}“{clean_text(raw)}”应为四位年份，如 2025")
    year = int(text)
    if not low <= year <= high:
        raise CellError(f"{label}“{year}”不在 {low}–{high} 之间")
    return year


# ---------------------------------------------------------------------------------------------
# Numbers and money

UNIT_FEN = {"元": FEN_PER_YUAN, "万元": FEN_PER_WAN, "亿元": 100 * FEN_PER_WAN, "千元": 1000 * FEN_PER_YUAN}
_UNIT_IN_TEXT = re.compile(r"(?:单位|金额单位|计量单位)\s*[:：]?\s*(亿元|万元|千元|元)")
_UNIT_IN_HEADER = re.compile(r"[(（\[【]\s*(亿元|万元|千元|元)\s*[)）\]】]")


def unit_from_header(label: str) -> int | None:
    """The money unit a header names: ``计划投资额（万元）`` → fen per 万元; None if it names none."""
    m = _UNIT_IN_HEADER.search(unicodedata.normalize("NFKC", label))
    return UNIT_FEN[m.group(1)] if m else None


def unit_from_lines(rows: Iterable[Iterable[Any]]) -> int | None:
    """The unit stated on a line above the header, such as ``单位：万元`` or ``（金额单位：元）``."""
    for row in rows:
        for cell in row:
            m = _UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", clean_text(cell)))
            if m:
                return UNIT_FEN[m.group(1)]
    return None


def unit_name(unit_fen: int) -> str:
    return next((k for k, v in UNIT_FEN.items() if v == unit_fen), f"{unit_fen} 分")


def parse_amount(raw: Any, unit_fen: int = FEN_PER_YUAN, *, allow_negative: bool = True) -> int:
    """An amount in integer fen (via :func:`peiyu.core.money.parse_amount_fen`): ``1,234.56``,
    ``(12.30)``, ``¥5``, ``5元``; ``unit_fen`` is the file's unit (100 for 元, 1,000,000 for 万元)."""
    text = clean_text(raw)
    if isinstance(raw, str):
        stripped = unicodedata.normalize("NFKC", text).replace(" ", "")
        for name, fen in sorted(UNIT_FEN.items(), key=lambda kv: -len(kv[0])):
            if stripped.endswith(name) and name != "元":
                if fen != unit_fen:
                    raise CellError(f"金额“{text}”带单位“{name}”，与本列单位“{unit_name(unit_fen)}”不符")
                raw = stripped[: -len(name)]
                break
    try:
        fen = parse_amount_fen(raw, unit_fen)
    except AmountError as exc:
        raise CellError(f"{exc}（单位：{unit_name(unit_fen)}）") from None
    if fen < 0 and not allow_negative:
        raise CellError(f"金额“{text}”不能为负数")
    return fen


def amount(*, unit: str | int = "元", allow_negative: bool = True, positive: bool = False) -> Parser:
    """An amount column in a fixed unit (``unit="万元"`` or fen per unit). When the unit comes from
    the header (``兑现金额（万元）``) or a unit line above it (``单位：万元``), declare the column as
    ``Field(..., money="元")`` instead: the importer picks the unit per file."""
    unit_fen = UNIT_FEN[unit] if isinstance(unit, str) else unit

    def parse(raw: Any) -> int:
        fen = parse_amount(raw, unit_fen, allow_negative=allow_negative and not positive)
        if positive and fen <= 0:
            raise CellError(f"金额“{clean_text(raw)}”须大于 0")
        return fen

    return parse


_NUMBER = re.compile(r"^\s*([+\-]?\d+(?:\.\d+)?)\s*(.*?)\s*$")


def parse_number(raw: Any, label: str = "数值") -> tuple[Decimal, str]:
    """A number with an optional unit after it (``"3幢"``, ``"+4个百分点"``, ``"12.5%"``): (number, unit)."""
    if isinstance(raw, bool):
        raise CellError(f"{label}“{raw}”不是数字")
    if isinstance(raw, int):
        return Decimal(raw), ""
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(f"{label}不是数字")
        return Decimal(repr(raw)), ""
    if isinstance(raw, Decimal):
        return raw, ""
    shown = clean_text(raw)
    cleaned = unicodedata.normalize("NFKC", shown).replace(",", "").replace("−", "-")
    m = _NUMBER.match(cleaned)
    if not m:
        raise CellError(f"{label}“{shown}”不是数字")
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise CellError(f"{label}“{shown}”不是数字") from None
    return value, m.group(2)


def integer(*, label: str = "数值", low: int | None = None, high: int | None = None) -> Parser:
    def parse(raw: Any) -> int:
        value, rest = parse_number(raw, label)
        if rest or value != value.to_integral_value():
            raise CellError(f"{label}“{clean_text(raw)}”应为整数")
        n = int(value)
        if low is not None and n < low:
            raise CellError(f"{label}“{n}”不能小于 {low}")
        if high is not None and n > high:
            raise CellError(f"{label}“{n}”不能大于 {high}")
        return n

    return parse


def decimal(*, label: str = "数值", places: int | None = None, units: Iterable[str] = ("",)) -> Parser:
    """A Decimal, with at most ``places`` decimals and one of ``units`` after it (default: none)."""
    allowed = set(units)

    def parse(raw: Any) -> Decimal:
        value, rest = parse_number(raw, label)
        if rest not in allowed:
            raise CellError(f"{label}“{clean_text(raw)}”不是数字")
        if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
            raise CellError(f"{label}“{clean_text(raw)}”最多保留 {places} 位小数")
        return value

    return parse


def percent(*, label: str = "百分比", places: int = 2) -> Parser:
    """``10``, ``"10%"``, ``"10％"`` → Decimal("10") (percentage points, not a fraction)."""
    return decimal(label=label, places=places, units=("", "%", "％"))


# ---------------------------------------------------------------------------------------------
# Codes, choices, booleans


def credit_code(raw: Any) -> str:
    """A unified social credit code (GB 32100-2015), checked by :mod:`peiyu.registry.uscc`;
    explains the usual Excel damage (a code stored as a number loses its last digits)."""
    from peiyu.registry import uscc

    check = uscc.validate(raw)
    if check.ok:
        return check.code
    raise CellError(credit_code_message(raw, check.message))


def credit_code_message(raw: Any, problem: str) -> str:
    text = clean_text(raw)
    numeric = isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 1e14
    if numeric or re.fullmatch(r"\d(\.\d+)?E\+\d+", text, flags=re.I):
        return (
            "统一社会信用代码被 Excel 存成了数字（科学计数法），末几位已丢失；请把该列设为文本格式后重新导出"
        )
    return f"统一社会信用代码“{text}”无效：{problem}"


def _choice_key(raw: Any) -> str:
    return re.sub(r"\s+", "", nfkc(raw)).lower()


def choice(
    values: Mapping[str, Any] | Iterable[str],
    *,
    synonyms: Mapping[str, str] | None = None,
    label: str = "取值",
) -> Parser:
    """One of a set of words. ``values`` maps each accepted word to what is stored (or is a list
    of words stored as written); ``synonyms`` maps other words to one of those words. Matching
    ignores spaces, full-width forms and letter case."""
    table: dict[str, Any] = dict(values) if isinstance(values, Mapping) else {v: v for v in values}
    lookup = {_choice_key(k): v for k, v in table.items()}
    for other, word in (synonyms or {}).items():
        if word not in table:
            raise ValueError(f"synonym {other!r} points to unknown choice {word!r}")
        lookup.setdefault(_choice_key(other), table[word])
    shown = "、".join(table)

    def parse(raw: Any) -> Any:
        key = _choice_key(raw)
        if key in lookup:
            return lookup[key]
        raise CellError(f"{label}“{clean_text(raw)}”无法识别（应为 {shown} 之一）")

    return parse


TRUE_WORDS = {"是", "y", "yes", "1", "true", "√", "✓", "☑", "有", "对"}
FALSE_WORDS = {"否", "n", "no", "0", "false", "×", "✗", "无", "不是", ""}


def boolean(*, true_words: Iterable[str] = (), false_words: Iterable[str] = ()) -> Parser:
    """是/否, Y/N, 1/0, √/×, TRUE/FALSE (and a real boolean cell); extra words may be added."""
    trues = TRUE_WORDS | {w.lower() for w in true_words}
    falses = FALSE_WORDS | {w.lower() for w in false_words}

    def parse(raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        word = nfkc(raw).lower()
        if word in trues:
            return True
        if word in falses:
            return False
        raise CellError(f"“{clean_text(raw)}”应为 是 或 否")

    return parse


parse_bool = boolean()
