"""``peiyu workdays add DATE N [--json]``: the Nth working day strictly after DATE (DATE itself
never counts, working or not); ``--json`` prints ``{"start": "YYYY-MM-DD", "days": N, "due": "YYYY-MM-DD"}``.
Every "within N working days" deadline in Peiyu is this date, at the end of the working day."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "工作日计算：workdays add 日期 N（日期之后第 N 个工作日，按国务院节假日与调休安排）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        add = sub.add_parser("add", help="日期之后第 N 个工作日（日期当天不计）")
        add.add_argument("date", help="起算日期 YYYY-MM-DD")
        add.add_argument("n", type=int, help="工作日数 N（≥ 0）")
        add.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        from peiyu.work import workdays

        try:
            start = dt.date.fromisoformat(opts["date"])
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{opts['date']}") from None
        n = opts["n"]
        if n < 0:
            raise CommandError("工作日数 N 不能为负")
        try:
            due = workdays.add_working_days(start, n)
        except workdays.CalendarMissing as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps({"start": start.isoformat(), "days": n, "due": due.isoformat()}))
            return
        end = workdays.workday_end()
        self.stdout.write(
            f"{workdays.describe_day(start)} 之后第 {n} 个工作日：{workdays.describe_day(due)}，"
            f"期限为当日 {end:%H:%M}"
        )
