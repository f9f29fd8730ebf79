from peiyu.core.imports.command import ImportCommand
from peiyu.services.importer import FeedbackImporter


class Command(ImportCommand):
    help = "导入企业回访评价（企业本人回复，不满意的诉求重新办理）（xlsx/xls/csv）；有错则整表不导入"
    importer = FeedbackImporter
