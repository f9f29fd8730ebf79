"""``peiyu import-enterprises FILE [--strict] [--json]``: the market-supervision registry export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peiyu.core.imports import ImportReport
from peiyu.core.imports.command import ImportCommand
from peiyu.registry.importer import ImportResult, RegistryImporter


class Command(ImportCommand):
    help = "导入市场监管企业名录（xlsx/xls/csv，UTF-8/GBK/GB18030）；按统一社会信用代码新增或更新"
    importer = RegistryImporter
    file_help = "名录文件路径"
    progress_label = "导入企业名录"

    def add_import_arguments(self, parser: Any) -> None:
        parser.add_argument("--strict", action="store_true", help="任何一行不合格即整个文件不导入")

    def make_importer(self, opts: dict[str, Any], on_progress: Any) -> RegistryImporter:
        return RegistryImporter(strict=opts["strict"], on_progress=on_progress)

    def run_import(self, path: Path, opts: dict[str, Any], on_progress: Any) -> ImportReport:
        return self.make_importer(opts, on_progress).run(path, path.name, user=None)

    def print_report(self, report: ImportReport, opts: dict[str, Any]) -> None:
        for line in report.summary_lines():
            self.stdout.write(line)
        if isinstance(report, ImportResult) and report.by_key_industry:
            self.stdout.write(
                "本次接受企业的重点产业分布："
                + "，".join(f"{k} {v} 家" for k, v in report.by_key_industry.items())
            )
        self.print_errors(report)
        self.stdout.write(f"用时 {report.seconds:.1f} 秒")
