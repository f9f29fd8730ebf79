"""Months: which single month (入库月份) a file is about, from the title, the 入库日期 cells or the
file name; ranges and multi-month words (1-3月累计, 一季度) are recognised so they can be refused."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from peiyu.taxes.parse.result import ParsedFile, SheetResult

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


def determine_month(pf: ParsedFile, sheets: Sequence[SheetResult], month: str | None, file_name: str) -> None:
    """Set ``pf.month`` from every source that names one — the month given by the user (--month or
    the upload form), the title, the 入库日期 cells, and (only when none of these says) the file name —
    and ``pf.month_sources``; disagreeing sources, a multi-month title or no month at all are errors."""
    sources: dict[str, str] = {}
    if month:
        month = normalize_month(month) or month
        if not re.fullmatch(r"\d{4}-\d{2}", month) or _ym(month[:4], month[5:]) is None:
            pf.error(None, "--month", month, f"月份“{month}”格式应为 YYYY-MM，例如 2025-03")
        else:
            sources["指定月份"] = month
    title = " ".join(s.title for s in sheets)
    t_months, multi = months_in_title(title)
    if multi:
        pf.error(
            1, "标题", title[:200], f"标题显示为多个月份（{multi}）的数据；税收库按单月入库，请导入单月文件"
        )
    elif len(t_months) > 1:
        pf.error(1, "标题", title[:200], f"标题中出现多个月份：{'、'.join(sorted(t_months))}")
    elif t_months:
        sources["标题"] = next(iter(t_months))
    d_months = {s.date_month for s in sheets if s.date_month}
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
        now = dt.date.today()
        if pf.month > f"{now.year:04d}-{now.month:02d}":
            where = next(k for k, v in sources.items() if v == pf.month)
            pf.error(
                None,
                where,
                pf.month,
                f"所属月份 {pf.month}（来自{where}）晚于当前月份 {now.year:04d}-{now.month:02d}："
                "未来月份的税收不可能已入库，请核对文件或月份",
            )
    elif not any(e["column"] in ("标题", "入库日期") or "入库日期" in e["column"] for e in pf.errors):
        pf.error(
            None,
            "月份",
            "",
            "无法确定所属月份：标题和入库日期中都没有月份，请用 --month YYYY-MM（或上传页面的月份）指定",
        )
