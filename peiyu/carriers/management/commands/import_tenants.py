from peiyu.carriers.importer import TenantImporter
from peiyu.core.imports.command import ImportCommand


class Command(ImportCommand):
    help = "导入入驻企业/在孵企业（楼宇名称、统一社会信用代码、企业名称、租用面积、入驻日期、迁出日期）；有错则整表不导入"
    importer = TenantImporter
