"""``peiyu import-tax FILE [--month YYYY-MM] [--json] [--force] [--confirm] [--user NAME]``

Exit codes as every importer's (:mod:`peiyu.core.imports.command`): 0 when the file is accepted (or
is already the active version), 2 when it is refused or held as 待确认 (its figures are implausible
against the month's history: ``--confirm`` accepts it anyway), 1 for an internal error.
With ``--json`` exactly one JSON object is printed on stdout: the report of
:func:`peiyu.taxes.actions.do_import_tax_file`."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peiyu.core.imports.command import ImportFailed, ImportRefused
from peiyu.core.money import format_wan
from peiyu.core.progress import progress

PHASES = {"read": "正在读取", "match": "正在匹配纳税人", "store": "正在入库"}


class Command(BaseCommand):
    help = "导入税务部门月度企业税收文件（xlsx/xls/csv），形成产业税收库该月的新版本"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="税收文件路径（.xlsx / .xls / .csv，CSV 可为 UTF-8、GBK、GB18030）")
        parser.add_argument("--month", help="所属（入库）月份 YYYY-MM；不指定时从标题或入库日期识别")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
        parser.add_argument(
            "--force", action="store_true", help="即使同一文件已是当前版本，也重新入库为新版本"
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="已核实文件无误：即使与该月历史数据相差悬殊（待确认）也直接入库",
        )
        parser.add_argument("--user", help="记录为导入人的用户名（默认不记录用户）")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.core.imports import error_row
        from peiyu.taxes.actions import do_import_tax_file

        path = Path(opts["file"])
        user = None
        if opts.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"用户“{opts['user']}”不存在")
        if not path.is_file():
            report = {
                "status": "rejected", "month": opts.get("month") or "", "version": None, "rows": 0, "taxpayers": 0,
                "total_fen": 0, "district_fen": 0, "matched_enterprises": 0, "unmatched_taxpayers": 0,
                "errors": [error_row(None, "", str(path), f"文件不存在：{path}")],
                "district_source": "", "unit": "", "layout": "", "batch_id": None, "sha256": "", "file": path.name,
            }  # fmt: skip
        else:
            with progress(f"正在导入 {path.name}", total=None, quiet=opts["json"]) as bar:

                def advance(phase: str, done: int, total: int | None) -> None:
                    bar.update(
                        description=f"{PHASES.get(phase, phase)} {path.name}", completed=done, total=total
                    )

                try:
                    report = do_import_tax_file(
                        user,
                        path,
                        path.name,
                        month=opts.get("month"),
                        force=opts["force"],
                        confirm=opts["confirm"],
                        progress=advance,
                    )
                except Exception as exc:  # an internal error: nothing stored (exit code 1)
                    traceback.print_exception(exc, file=sys.stderr)
                    raise ImportFailed(
                        f"导入时发生内部错误（{type(exc).__name__}），未导入任何数据；请联系管理员"
                    ) from None
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        else:
            self._print(report)
        if report["status"] != "accepted":
            raise ImportRefused(str(report.get("message") or "文件未导入"))

    def _print(self, r: dict[str, Any]) -> None:
        w = self.stdout.write
        if r.get("duplicate"):
            w(r["message"])
            return
        if r["status"] == "accepted":
            w(f"已入库：{r['file']} → {r['month']} 第 {r['version']} 版（批次 {r['batch_id']}）")
            w(
                f"  版式 {'宽表' if r['layout'] == 'wide' else '长表'}，单位 {r['unit']}，数据行 {r['rows']}，纳税人 {r['taxpayers']} 户"
            )
            src = "文件中的区级列" if r["district_source"] == "file" else "区级分成比例计算（逐行四舍五入）"
            w(
                f"  税收合计 {format_wan(r['total_fen'])} 万元，区级收入 {format_wan(r['district_fen'])} 万元（来源：{src}）"
            )
            w(
                f"  匹配企业 {r['matched_enterprises']} 家，未匹配纳税人 {r['unmatched_taxpayers']} 户（已列入待匹配队列）"
            )
            if r.get("replaced_version"):
                w(f"  替换了原当前版本 v{r['replaced_version']}（原版本保留，可回滚）")
            for note in r.get("notes", []):
                w(f"  说明：{note}")
            for u in r.get("unmatched", [])[:20]:
                w(
                    f"  待匹配：{u['taxpayer_id']} {u['name']}（{u['id_kind']}）税收 {format_wan(u['total_fen'])} 万元"
                )
            return
        if r["status"] == "held":
            w(r["message"])
            return
        w(f"已拒绝：{r['file']}，共 {len(r['errors'])} 处问题，整个文件未入库，该月已有版本保持不变：")
        for e in r["errors"][:200]:
            where = f"第 {e['row']} 行" if e.get("row") else ""
            col = f"“{e['column']}”" if e.get("column") else ""
            val = f" 值“{e['value']}”" if e.get("value") not in (None, "") else ""
            w(f"  {where}{col}{val}：{e['message']}")
        if len(r["errors"]) > 200:
            w(f"  ……另有 {len(r['errors']) - 200} 处问题（用 --json 查看全部）")
