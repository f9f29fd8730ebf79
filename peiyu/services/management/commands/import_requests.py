from peiyu.core.imports.command import ImportCommand
from peiyu.services.importer import RequestImporter


class Command(ImportCommand):
    help = "导入企业诉求台账（xlsx/xls/csv）；有错则整表不导入"
    importer = RequestImporter
