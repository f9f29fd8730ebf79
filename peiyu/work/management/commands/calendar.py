"""``peiyu calendar import FILE [--json]`` / ``peiyu calendar show YEAR [--json]`` / ``peiyu calendar seed``.

The import file (xlsx/xls/csv) lists dates with 放假 or 上班 (columns 日期, 类型, optional 名称), e.g.
the State Council's notice for next year; every year named in the file is replaced, all or nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "工作日历：calendar import 文件（导入国务院节假日安排：日期、放假/上班）、calendar show 年份、calendar seed"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        imp = sub.add_parser("import", help="导入节假日安排文件（xlsx/xls/csv：日期、类型 放假/上班、名称）")
        imp.add_argument("file")
        imp.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="列出某年的放假与调休上班日期")
        show.add_argument("year", type=int)
        show.add_argument("--json", action="store_true")
        seed = sub.add_parser("seed", help="从 chinesecalendar 程序包载入尚未录入的年份")
        seed.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        from peiyu.work import actions, workdays
        from peiyu.work.models import CalendarDay, CalendarYear

        as_json = opts.get("json")
        if opts["op"] == "import":
            path = Path(opts["file"])
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
            res = actions.do_import_calendar(None, path, filename=path.name, reason="命令行导入")
            if as_json:
                self.stdout.write(json.dumps(res.as_dict(), ensure_ascii=False))
                if res.errors:
                    raise SystemExit(1)
                return
            if res.errors:
                for e in res.errors[:50]:
                    self.stderr.write(f"第 {e['row']} 行 {e['column']}：{e['value']} — {e['message']}")
                raise CommandError(f"导入失败：{len(res.errors)} 处错误，未作任何修改")
            self.stdout.write(
                f"已导入 {'、'.join(map(str, res.years))} 年：放假 {res.holidays} 天，调休上班 {res.workdays} 天"
            )
            return
        if opts["op"] == "seed":
            years = workdays.seed_all()
            if as_json:
                self.stdout.write(json.dumps({"seeded": years}))
            else:
                self.stdout.write(f"已载入：{'、'.join(map(str, years)) or '无（均已录入）'}")
            return
        year = opts["year"]
        known = workdays.is_known(year)
        row = CalendarYear.objects.filter(year=year).first()
        days = [
            {"date": d.date.isoformat(), "kind": "上班" if d.is_workday else "放假", "name": d.name}
            for d in CalendarDay.objects.filter(date__year=year)
        ]
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"year": year, "known": known, "source": row.source if row else None, "days": days},
                    ensure_ascii=False,
                )
            )
            return
        if not known:
            raise CommandError(str(workdays.CalendarMissing(year)))
        self.stdout.write(f"{year} 年工作日历（来源：{row.get_source_display() if row else ''}）")
        for d in days:
            self.stdout.write(f"  {d['date']}  {d['kind']}  {d['name']}")
