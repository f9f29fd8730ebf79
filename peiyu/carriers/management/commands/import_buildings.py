from peiyu.carriers.importer import BuildingImporter
from peiyu.core.imports.command import ImportCommand


class Command(ImportCommand):
    help = "导入楼宇名录（楼宇名称、地址、所属街道、建筑面积、可租面积、业主、物业）；有错则整表不导入"
    importer = BuildingImporter
