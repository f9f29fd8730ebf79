"""Working days against the State Council's holiday notices of 2024, 2025 and 2026 (the dates in
these tests are the notices' own: 国办发明电〔2023〕7号, 〔2024〕12号, 〔2025〕7号)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from peiyu.work import actions, workdays
from peiyu.work.models import CalendarYear

D = dt.date


def run(*args):
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2024 春节: 2月10日至17日放假调休；2月4日（星期日）、2月18日（星期日）上班
        (D(2024, 2, 4), True),
        (D(2024, 2, 9), True),  # 除夕 2024 was not a holiday in the notice
        (D(2024, 2, 10), False),
        (D(2024, 2, 16), False),
        (D(2024, 2, 18), True),
        # 2024 国庆: 10月1日至7日放假调休；9月29日（星期日）、10月12日（星期六）上班
        (D(2024, 9, 29), True),
        (D(2024, 10, 7), False),
        (D(2024, 10, 12), True),
        # 2025 春节: 1月28日至2月4日放假调休；1月26日（星期日）、2月8日（星期六）上班
        (D(2025, 1, 26), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),
        # 2025 国庆、中秋: 10月1日至8日放假调休；9月28日（星期日）、10月11日（星期六）上班
        (D(2025, 9, 28), True),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        # 2026 春节: 2月15日至23日放假调休；2月14日（星期六）、2月28日（星期六）上班
        (D(2026, 2, 14), True),
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        # 2026 国庆: 10月1日至7日放假调休；9月20日（星期日）、10月10日（星期六）上班
        (D(2026, 9, 20), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        # ordinary days
        (D(2025, 3, 8), False),
        (D(2025, 3, 10), True),
    ],
)
def test_each_notice_day_is_a_working_day_or_not_as_the_notice_says(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # "3 working days" from the Friday afternoon before National Day 2025 (9/26): 9/28 (Sun, 调休), 9/29, 9/30
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        # from the last working day before the holiday: 10/9, 10/10, 10/11 (Sat, 调休上班)
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        # a holiday start never counts itself
        (D(2025, 10, 3), 1, D(2025, 10, 9)),
        # 2024 National Day: from Fri 9/27 the next working day is Sun 9/29 (调休)
        (D(2024, 9, 27), 1, D(2024, 9, 29)),
        (D(2024, 9, 30), 5, D(2024, 10, 12)),  # 10/8,9,10,11, then Sat 10/12 (调休)
        # 2024 Spring Festival: Fri 2/9 + 1 → Sun 2/18 (调休)
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        # 2025 Spring Festival: Sat 1/25 + 1 → Sun 1/26 (调休); Mon 1/27 + 1 → Wed 2/5
        (D(2025, 1, 25), 1, D(2025, 1, 26)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),
        # 2026 Spring Festival: Fri 2/13 + 1 → Sat 2/14 (调休); 2/14 + 1 → Tue 2/24
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # 2026 National Day: Fri 9/18 + 1 → Sun 9/20 (调休); Wed 9/30 + 1 → Thu 10/8
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        # 15 working days (a request's resolve limit) across National Day 2024
        # 9/26, 9/27, 9/29 (调休), 9/30, 10/8–10/11, 10/12 (调休), 10/14–10/18, 10/21
        (D(2024, 9, 25), 15, D(2024, 10, 21)),
        (D(2025, 3, 7), 0, D(2025, 3, 7)),
    ],
)
def test_add_working_days_counts_strictly_after_the_start(start, n, due):
    assert workdays.add_working_days(start, n) == due


@pytest.mark.django_db
def test_a_due_date_answers_the_end_of_the_working_day_configurable(settings):
    start = timezone.make_aware(dt.datetime(2025, 9, 26, 16, 0))  # a Friday afternoon
    due = workdays.due_after(start, 3)
    assert timezone.localtime(due) == timezone.make_aware(dt.datetime(2025, 9, 30, 17, 30))
    settings.PEIYU_WORKDAY_END = "18:00"
    assert timezone.localtime(workdays.due_after(start, 3)).time() == dt.time(18, 0)


@pytest.mark.django_db
def test_a_year_with_no_data_is_refused_not_taken_as_monday_to_friday():
    assert not workdays.is_known(2027)
    with pytest.raises(workdays.CalendarMissing) as exc:
        workdays.add_working_days(D(2026, 12, 30), 3)
    assert exc.value.year == 2027 and "2027 年工作日历尚未录入" in str(exc.value)
    with pytest.raises(CommandError, match="2027 年工作日历尚未录入"):
        run("workdays", "add", "2026-12-30", "3", "--json")


@pytest.mark.django_db
def test_cli_workdays_add_prints_exactly_the_contract():
    out = run("workdays", "add", "2025-09-30", "3", "--json")
    assert json.loads(out) == {"start": "2025-09-30", "days": 3, "due": "2025-10-11"}
    text = run("workdays", "add", "2025-09-30", "3")
    assert "2025-10-11" in text and "17:30" in text


def _notice_2027(tmp_path, rows):
    path = tmp_path / "2027年节假日安排.csv"
    path.write_text(
        "\n".join(["国务院办公厅关于2027年部分节假日安排的通知", "日期,类型,名称", *rows]), encoding="utf-8"
    )
    return path


@pytest.mark.django_db
def test_importing_next_years_notice_makes_the_year_known(tmp_path, world):
    path = _notice_2027(
        tmp_path,
        [
            "2027-01-01,放假,元旦",
            "2027年2月5日,放假,春节",
            "2027-02-08,放假,春节",
            "2027-02-20,上班,春节调休",
        ],
    )
    res = run("calendar", "import", str(path), "--json")
    data = json.loads(res)
    assert data["years"] == [2027] and data["holidays"] == 3 and data["workdays"] == 1
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.IMPORT
    assert not workdays.is_working_day(D(2027, 2, 8))  # a Monday off
    assert workdays.is_working_day(D(2027, 2, 20))  # a Saturday on
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # 1/1 off, then the weekend


@pytest.mark.django_db
def test_a_bad_notice_row_changes_nothing_and_names_row_column_and_value(tmp_path, world):
    path = _notice_2027(tmp_path, ["2027-01-01,放假,元旦", "2027-13-01,放假,错", "2027-02-20,补班,调休"])
    res = actions.do_import_calendar(world["admin"], path, filename=path.name)
    assert [(e["row"], e["column"], e["value"]) for e in res.errors] == [
        (4, "日期", "2027-13-01"),
        (5, "类型", "补班"),
    ]
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_an_administrator_corrects_a_day_and_deadlines_follow(world):
    admin = world["admin"]
    assert workdays.add_working_days(D(2025, 3, 6), 1) == D(2025, 3, 7)
    actions.do_set_calendar_day(admin, D(2025, 3, 7), False, "临时放假", reason="区政府通知")
    assert workdays.add_working_days(D(2025, 3, 6), 1) == D(2025, 3, 10)
    actions.do_set_calendar_day(admin, D(2025, 3, 7), None, reason="撤销")
    assert workdays.add_working_days(D(2025, 3, 6), 1) == D(2025, 3, 7)
    with pytest.raises(actions.ActionError):
        actions.do_set_calendar_day(world["area_officer"], D(2025, 3, 7), False)
