import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导入年度目标责任表（xlsx/xls/csv）：产业/指标、年度、区级税收目标（万元）或增长目标(%)或目标值、责任部门、单位、备注；有错则整表不导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="目标责任表文件")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        from peiyu.targets.importer import import_file

        path = Path(opts["file"])
        if not path.exists():
            if opts["json"]:
                self.stdout.write(
                    json.dumps(
                        {"status": "rejected", "message": f"文件不存在：{path}", "errors": []},
                        ensure_ascii=False,
                    )
                )
                raise SystemExit(1)
            raise CommandError(f"文件不存在：{path}")
        result = import_file(path, path.name, user=None)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            self.stdout.write(result.message)
            for e in result.errors:
                self.stdout.write(f"  第 {e['row']} 行 {e['column']}：“{e['value']}” {e['message']}")
        if result.status != "accepted":
            raise SystemExit(1)
