from peiyu.core.imports.command import ImportCommand
from peiyu.services.importer import VisitImporter


class Command(ImportCommand):
    help = "导入企业走访记录（xlsx/xls/csv）；有错则整表不导入"
    importer = VisitImporter
