"""``peiyu import-xxx FILE [--json]``: the base management command every importer uses.

    class Command(ImportCommand):
        help = "导入招商项目台账（xlsx/xls/csv）；有错则整表不导入"
        importer = ProjectImporter

It gives the FILE argument and ``--json`` (one JSON object on stdout, nothing else), a progress bar
on a terminal, the Chinese summary with the first errors, and the exit codes shared by every
importer: **0** accepted (or partly accepted), **2** refused, **1** internal error.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError

from peiyu.core.imports.base import Importer
from peiyu.core.imports.errors import describe, error_row
from peiyu.core.imports.report import ImportReport, Status

SHOWN_ERRORS = 50


class ImportRefused(CommandError):
    """The file was refused (exit code 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


class ImportFailed(CommandError):
    """An internal error (exit code 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=1)


class ImportCommand(BaseCommand):
    importer: type[Importer]
    file_help = "要导入的文件（xlsx/xls/csv，UTF-8/GBK/GB18030）"
    progress_label = "导入"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（一个对象，不显示进度条）")
        self.add_import_arguments(parser)

    # -- hooks

    def add_import_arguments(self, parser: Any) -> None:
        """Options of this importer (e.g. ``--strict``)."""

    def make_importer(self, opts: dict[str, Any], on_progress: Any) -> Importer:
        return self.importer(on_progress=on_progress)

    def run_import(self, path: Path, opts: dict[str, Any], on_progress: Any) -> ImportReport:
        return self.make_importer(opts, on_progress).run(path, path.name, user=None)

    def payload(self, report: ImportReport, opts: dict[str, Any]) -> dict[str, Any]:
        """The ``--json`` object (default: the report's stable shape)."""
        return report.as_dict()

    def print_report(self, report: ImportReport, opts: dict[str, Any]) -> None:
        """The Chinese summary without ``--json``."""
        for line in report.summary_lines():
            self.stdout.write(line)
        self.print_errors(report)
        self.stdout.write(f"用时 {report.seconds:.1f} 秒")

    def print_errors(self, report: ImportReport) -> None:
        for e in report.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  {describe(e)}")
        more = max(report.error_total, len(report.errors)) - SHOWN_ERRORS
        if more > 0:
            self.stdout.write(f"  ……另有 {more} 条错误（导入页面可下载完整错误表）")

    # -- the command

    def missing_file_report(self, path: Path) -> ImportReport:
        report = self.importer.report_class(file=path.name, kind=self.importer.kind)
        report.status = Status.REJECTED
        report.message = f"文件不存在：{path}"
        report.errors = [error_row(None, "", str(path), "文件不存在")]
        report.error_total = 1
        return report

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.core.progress import progress

        path = Path(opts["file"])
        if not path.is_file():
            report = self.missing_file_report(path)
        else:
            with progress(self.progress_label, total=None, quiet=opts["json"]) as bar:

                def on_progress(done: int, total: int) -> None:
                    bar.update(total=total, completed=done)

                report = self.run_import(path, opts, on_progress)
        if opts["json"]:
            self.stdout.write(json.dumps(self.payload(report, opts), ensure_ascii=False, default=str))
        else:
            self.print_report(report, opts)
        self.exit_for(report)

    def exit_for(self, report: ImportReport) -> None:
        """0 accepted, 2 refused, 1 internal error (raised as CommandError with that return code)."""
        if report.status == Status.FAILED:
            if report.exception is not None:
                traceback.print_exception(report.exception, file=sys.stderr)
            raise ImportFailed(report.message or "导入失败（内部错误）")
        if report.exit_code == 2:
            raise ImportRefused(report.message or "文件未导入")
        if report.exit_code != 0:
            raise ImportFailed(report.message or "导入未完成")
