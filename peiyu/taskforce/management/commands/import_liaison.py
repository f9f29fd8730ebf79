"""``peiyu import-liaison FILE [--json]``: the liaison officer of each enterprise."""

from peiyu.core.imports.command import ImportCommand
from peiyu.taskforce.importer import LiaisonImporter


class Command(ImportCommand):
    help = "导入企业联络员名单（xlsx/xls/csv）：统一社会信用代码、企业名称、联络员；有错则整表不导入"
    importer = LiaisonImporter
    file_help = "联络员名单文件"
