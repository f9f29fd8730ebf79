"""``peiyu import-disbursements FILE [--json]``: the existing policy disbursement ledger, all or nothing."""

from peiyu.core.imports.command import ImportCommand
from peiyu.policies.importer import LedgerImporter


class Command(ImportCommand):
    help = (
        "导入政策兑现台账（xlsx/xls/csv）：统一社会信用代码、企业名称、政策名称、条款、兑现金额（元或万元）、"
        "兑现日期；台账中尚未入库的政策和条款自动新建并在报告中列出；有错则整表不导入"
    )
    importer = LedgerImporter
    file_help = "政策兑现台账文件"
