"""``peiyu import-users FILE [--json] [--output PASSWORDS.xlsx]``: bulk roster import, all or nothing.

Initial passwords are shown once (on stdout, or only in the --output workbook); every imported user
must change the password at first login."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management import CommandError

from peiyu.accounts.roster import RosterImporter, RosterResult, import_roster
from peiyu.core.imports import ImportReport
from peiyu.core.imports.command import ImportCommand


class Command(ImportCommand):
    help = "批量导入用户名册（列：用户名、姓名、角色、范围），输出初始密码；整表校验，有错则一个也不导入"
    importer = RosterImporter
    file_help = "名册文件（xlsx/xls/csv）"

    def add_import_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", default=None, help="把初始密码写入此 Excel 文件（不在屏幕上显示）")

    def handle(self, *args: Any, **opts: Any) -> None:
        output = opts.get("output")
        if output and Path(output).suffix.lower() != ".xlsx":
            raise CommandError("--output 须为 .xlsx 文件", returncode=2)
        super().handle(*args, **opts)

    def run_import(self, path: Path, opts: dict[str, Any], on_progress: Any) -> ImportReport:
        report = import_roster(path, filename=path.name)
        if report.ok and opts.get("output"):
            self._write_passwords(Path(opts["output"]), report.created)
        return report

    def payload(self, report: ImportReport, opts: dict[str, Any]) -> dict[str, Any]:
        data = report.as_dict()
        if opts.get("output"):
            data["users"] = [{k: v for k, v in u.items() if k != "password"} for u in data.get("users", [])]
            if report.ok:
                data["output"] = str(opts["output"])
        return data

    def print_report(self, report: ImportReport, opts: dict[str, Any]) -> None:
        assert isinstance(report, RosterResult)
        if not report.ok:
            self.stdout.write(report.message)
            self.print_errors(report)
            return
        self.stdout.write(f"已导入 {len(report.created)} 个用户，首次登录须修改密码。")
        if opts.get("output"):
            self.stdout.write(f"初始密码已写入 {opts['output']}（仅此一份，请妥善分发后删除）。")
            return
        self.stdout.write("初始密码（仅显示这一次）：")
        for u in report.created:
            self.stdout.write(
                f"  {u['username']}\t{u['display_name'] or '-'}\t{u['role_label']}\t{u['password']}"
            )

    def _write_passwords(self, output: Path, rows: list[dict[str, Any]]) -> None:
        from peiyu.core.export import Column, Table, build_workbook

        data = build_workbook(
            [
                Table(
                    "初始密码",
                    [
                        Column("用户名", "username"),
                        Column("姓名", "display_name"),
                        Column("角色", "role_label"),
                        Column("范围", "scope"),
                        Column("初始密码", "password"),
                    ],
                    rows,
                    title="用户初始密码（首次登录须修改；分发后请删除本文件）",
                )
            ]
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
