from peiyu.carriers.importer import IncubatorImporter
from peiyu.core.imports.command import ImportCommand


class Command(ImportCommand):
    help = "导入孵化器名录（名称、所属街道、级别、运营机构、面积）；有错则整表不导入"
    importer = IncubatorImporter
