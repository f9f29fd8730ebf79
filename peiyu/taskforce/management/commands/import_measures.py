"""``peiyu import-measures FILE [--json] [--plan 名称]``: the business-environment measure list."""

from typing import Any

from peiyu.core.imports.command import ImportCommand
from peiyu.taskforce.importer import DEFAULT_PLAN, MeasureImporter


class Command(ImportCommand):
    help = "导入营商环境措施清单（xlsx/xls/csv）：编号、板块、措施、责任单位、完成时限、完成日期、佐证材料；有错则整表不导入"
    importer = MeasureImporter
    file_help = "措施清单文件"

    def add_import_arguments(self, parser: Any) -> None:
        parser.add_argument("--plan", default=DEFAULT_PLAN, help=f"方案名称（默认“{DEFAULT_PLAN}”）")

    def make_importer(self, opts: dict[str, Any], on_progress: Any) -> MeasureImporter:
        return MeasureImporter(plan=opts.get("plan") or DEFAULT_PLAN, on_progress=on_progress)
