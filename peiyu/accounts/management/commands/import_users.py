"""``peiyu import-users FILE [--json] [--output PASSWORDS.xlsx]``: bulk roster import, all or nothing.

Initial passwords are shown once (on stdout, or only in the --output workbook); every imported user
must change the password at first login."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "批量导入用户名册（列：用户名、姓名、角色、范围），输出初始密码；整表校验，有错则一个也不导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名册文件（xlsx/xls/csv）")
        parser.add_argument("--output", default=None, help="把初始密码写入此 Excel 文件（不在屏幕上显示）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        from peiyu.accounts.roster import import_roster

        path = Path(opts["file"])
        output = Path(opts["output"]) if opts["output"] else None
        if output is not None and output.suffix.lower() != ".xlsx":
            raise CommandError("--output 须为 .xlsx 文件")
        if not path.exists():
            if opts["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "ok": False,
                            "errors": [
                                {"row": None, "column": "", "value": str(path), "message": "文件不存在"}
                            ],
                        },
                        ensure_ascii=False,
                    )
                )
            raise CommandError(f"文件不存在：{path}")
        result = import_roster(path)
        if not result.ok:
            if opts["json"]:
                self.stdout.write(
                    json.dumps({"ok": False, "created": 0, "errors": result.errors}, ensure_ascii=False)
                )
            else:
                self.stderr.write(f"名册有 {len(result.errors)} 处错误，未导入任何用户：")
                for e in result.errors:
                    where = f"第 {e['row']} 行 " if e.get("row") else ""
                    col = f"{e['column']} " if e.get("column") else ""
                    val = f"“{e['value']}” " if e.get("value") else ""
                    self.stderr.write(f"  {where}{col}{val}{e['message']}")
            raise CommandError("导入失败")
        if output is not None:
            self._write_passwords(output, result.created)
        if opts["json"]:
            users = [
                {k: v for k, v in u.items() if not (k == "password" and output is not None)}
                for u in result.created
            ]
            payload = {"ok": True, "created": len(users), "users": users, "errors": []}
            if output is not None:
                payload["output"] = str(output)
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"已导入 {len(result.created)} 个用户，首次登录须修改密码。")
        if output is not None:
            self.stdout.write(f"初始密码已写入 {output}（仅此一份，请妥善分发后删除）。")
            return
        self.stdout.write("初始密码（仅显示这一次）：")
        for u in result.created:
            self.stdout.write(
                f"  {u['username']}\t{u['display_name'] or '-'}\t{u['role_label']}\t{u['password']}"
            )

    def _write_passwords(self, output: Path, rows: list[dict]) -> None:
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
