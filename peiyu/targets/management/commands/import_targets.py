"""``peiyu import-targets FILE [--json]``: the annual responsibility-target table, all or nothing."""

from peiyu.core.imports.command import ImportCommand
from peiyu.targets.importer import TargetImporter


class Command(ImportCommand):
    help = "导入年度目标责任表（xlsx/xls/csv）：产业/指标、年度、区级税收目标（万元）或增长目标(%)或目标值、责任部门、单位、备注；有错则整表不导入"
    importer = TargetImporter
    file_help = "目标责任表文件"
