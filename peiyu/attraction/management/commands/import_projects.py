from peiyu.attraction.importer import ProjectImporter
from peiyu.core.imports.command import ImportCommand


class Command(ImportCommand):
    help = "导入招商项目台账（xlsx/xls/csv）；缺少的小组、基金、链主企业自动新建并列出；有错则整表不导入"
    importer = ProjectImporter
