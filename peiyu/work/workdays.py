"""The Chinese working-day calendar (工作日历).

A day is a working day when it is Monday–Friday and not a holiday (放假), or when it is a weekend
day that the State Council's yearly notice turns into a working day (调休上班). The calendar knows a
year only when a :class:`~peiyu.work.models.CalendarYear` row says so: years the
``chinesecalendar`` package covers are seeded from it on first use (2004–2026 in version 1.11);
later years come from the notice published each November, imported by an administrator (page or
``peiyu calendar import FILE``). **A year with no data is never treated as Monday–Friday**: every
function below raises :class:`CalendarMissing` naming the year.

"N working days" everywhere in Peiyu means :func:`add_working_days`: the Nth working day strictly
after the start date (the start date itself never counts, working or not), due at the end of that
working day (:func:`end_of_day`, 17:30 unless ``settings.PEIYU_WORKDAY_END`` says otherwise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

# chinesecalendar names its holidays in English
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
WEEKDAYS = "一二三四五六日"
MAX_SPAN_DAYS = 3 * 366  # a deadline further away than this is a mistake in the caller


class CalendarMissing(Exception):
    """The calendar has no data for a year a computation needs (message in Chinese)."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year} 年工作日历尚未录入：国务院办公厅每年 11 月前后发布次年节假日安排，"
            f"请管理员在“工作日历”页面或用 peiyu calendar import 文件 导入 {year} 年的放假与调休上班日期"
            "（未录入的年份不会按周一至周五推算）"
        )


# ---------------------------------------------------------------------------------------------
# The package


def package_years() -> set[int]:
    """Years the installed ``chinesecalendar`` package has notices for."""
    from chinese_calendar import constants

    return {d.year for d in constants.holidays}


def package_days(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The package's exceptions of ``year``: {date: (is_workday, Chinese name)}."""
    from chinese_calendar import constants

    out: dict[dt.date, tuple[bool, str]] = {}
    for d, name in constants.holidays.items():
        if d.year == year:
            out[d] = (False, HOLIDAY_NAMES.get(name, name))
    for d, name in constants.workdays.items():
        if d.year == year and d.weekday() >= 5:
            out[d] = (True, f"调休上班（{HOLIDAY_NAMES.get(name, name)}）")
    return out


# ---------------------------------------------------------------------------------------------
# Reading the calendar


@dataclass
class _YearCache:
    stamp: dt.datetime
    days: dict[dt.date, tuple[bool, str]]


_cache: dict[int, _YearCache] = {}


def seed_year(year: int, *, user: Any = None, replace: bool = False) -> bool:
    """Load ``year`` from the package (when the package knows it and the year is not already known,
    or ``replace``). Returns whether the year was (re)loaded."""
    from django.db import transaction

    from peiyu.work.models import CalendarDay, CalendarYear

    if year not in package_years():
        return False
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is not None and not replace:
            return False
        days = package_days(year)
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, is_workday=w, name=n) for d, (w, n) in sorted(days.items())]
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": CalendarYear.Source.PACKAGE,
                "note": "国务院办公厅节假日安排（chinesecalendar 程序包）",
                "updated_at": timezone.now(),
                "updated_by": user if getattr(user, "is_authenticated", False) else None,
            },
        )
    _cache.pop(year, None)
    return True


def seed_all(*, user: Any = None) -> list[int]:
    """Seed every year the package knows that the database does not have yet."""
    return [y for y in sorted(package_years()) if seed_year(y, user=user)]


def _year(year: int) -> dict[dt.date, tuple[bool, str]]:
    from peiyu.work.models import CalendarDay, CalendarYear

    row = CalendarYear.objects.filter(year=year).values_list("updated_at", flat=True).first()
    if row is None:
        if not seed_year(year):
            raise CalendarMissing(year)
        row = CalendarYear.objects.filter(year=year).values_list("updated_at", flat=True).first()
        assert row is not None
    cached = _cache.get(year)
    if cached is not None and cached.stamp == row:
        return cached.days
    days = {
        d: (w, n)
        for d, w, n in CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")
    }
    _cache[year] = _YearCache(row, days)
    return days


def forget_cache() -> None:
    _cache.clear()


def is_known(year: int) -> bool:
    """Does the calendar have ``year`` (seeding it from the package when it can)?"""
    try:
        _year(year)
    except CalendarMissing:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    exc = _year(day.year).get(day)
    if exc is not None:
        return exc[0]
    return day.weekday() < 5


def day_name(day: dt.date) -> str:
    """放假/调休 name of the day, '' for an ordinary day."""
    exc = _year(day.year).get(day)
    return exc[1] if exc else ""


def add_working_days(start: dt.date | dt.datetime, n: int) -> dt.date:
    """The ``n``-th working day strictly after ``start`` (``start`` never counts, working or not).
    ``n`` = 0 gives ``start`` itself. A datetime is taken in the local time zone."""
    if isinstance(start, dt.datetime):
        start = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
    if n < 0:
        raise ValueError("工作日数不能为负")
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("期限过远")
        if is_working_day(day):
            left -= 1
    return day


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day strictly before ``day`` (reminders)."""
    left = n
    while left:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def workday_end() -> dt.time:
    raw = str(getattr(settings, "PEIYU_WORKDAY_END", "17:30") or "17:30")
    hours, _, minutes = raw.partition(":")
    return dt.time(int(hours), int(minutes or 0))


def end_of_day(day: dt.date) -> dt.datetime:
    """The end of the working day ``day`` as an aware datetime (local time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, workday_end()))


def due_after(start: dt.date | dt.datetime, n: int) -> dt.datetime:
    """ "Within ``n`` working days of ``start``": the end of :func:`add_working_days`."""
    return end_of_day(add_working_days(start, n))


def describe_day(day: dt.date) -> str:
    name = day_name(day)
    kind = "上班" if is_working_day(day) else "休息"
    return f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}，{kind}{'，' + name if name else ''}）"


# ---------------------------------------------------------------------------------------------
# Importing a year's notice


@dataclass
class CalendarRow:
    row: int
    date: dt.date
    is_workday: bool
    name: str


SYNONYMS = {
    "date": ("日期", "date", "公历日期"),
    "kind": ("类型", "安排", "放假/上班", "放假或上班", "状态", "kind"),
    "name": ("名称", "节日", "节假日", "说明", "备注", "name"),
}
OFF_WORDS = {"放假", "休息", "休", "假", "节假日", "off", "holiday"}
ON_WORDS = {"上班", "调休上班", "班", "工作日", "work", "workday"}


def _parse_date(raw: Any) -> dt.date | None:
    import re

    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_calendar_file(path: Any, filename: str | None = None) -> tuple[list[CalendarRow], list[dict]]:
    """Rows of a notice file (xlsx/xls/csv: 日期, 类型 放假/上班, optional 名称), and the errors
    ``{row, column, value, message}``."""
    from peiyu.core.tabular import clean_text, find_header, is_blank_row, read_sheets

    sheets = read_sheets(path, filename)
    if not sheets:
        return [], [{"row": 0, "column": "", "value": "", "message": "文件中没有工作表"}]
    rows_in = sheets[0].rows
    header = find_header(rows_in, SYNONYMS, ["date", "kind"])
    out: list[CalendarRow] = []
    errors: list[dict] = []
    seen: dict[dt.date, int] = {}
    date_col = header.labels[header.columns["date"]] or "日期"
    kind_col = header.labels[header.columns["kind"]] or "类型"
    for i in range(header.first_data_row, len(rows_in)):
        raw = rows_in[i]
        if is_blank_row(raw):
            continue
        rownum = i + 1

        def cell(name: str, raw: list = raw) -> Any:
            j = header.columns.get(name)
            return raw[j] if j is not None and j < len(raw) else None

        d = _parse_date(cell("date"))
        if d is None:
            errors.append(
                {
                    "row": rownum,
                    "column": date_col,
                    "value": clean_text(cell("date")),
                    "message": "日期无法识别（应为 2027-01-01 或 2027年1月1日）",
                }
            )
            continue
        kind_text = clean_text(cell("kind")).replace(" ", "")
        if kind_text in OFF_WORDS:
            is_workday = False
        elif kind_text in ON_WORDS:
            is_workday = True
        else:
            errors.append(
                {
                    "row": rownum,
                    "column": kind_col,
                    "value": kind_text,
                    "message": "类型应为“放假”或“上班”",
                }
            )
            continue
        if d in seen:
            errors.append(
                {
                    "row": rownum,
                    "column": date_col,
                    "value": d.isoformat(),
                    "message": f"日期与第 {seen[d]} 行重复",
                }
            )
            continue
        seen[d] = rownum
        out.append(CalendarRow(rownum, d, is_workday, clean_text(cell("name"))[:60]))
    if not out and not errors:
        errors.append({"row": 0, "column": "", "value": "", "message": "文件中没有日期行"})
    return out, errors
