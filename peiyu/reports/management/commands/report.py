"""``peiyu report monthly --month YYYY-MM [--user USERNAME] --out FILE.docx [--pdf FILE.pdf] [--json]``

Writes the monthly analysis report of a month (default: the latest month in the tax library) for
the whole district, or for one user's scope with ``--user`` (that reader's firms and figures only),
stores it as a new version (分析报告 page) and saves the Word file to ``--out``; ``--pdf`` also saves
the PDF when LibreOffice is installed. ``--json`` prints ``{report_id, month, reader, version,
title, out, pdf, sections}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成月度产业税收分析报告（Word，可选 PDF）：report monthly --month YYYY-MM [--user 用户名] --out 文件.docx"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        monthly = sub.add_parser("monthly", help="月度产业税收分析报告")
        monthly.add_argument("--month", default="", help="月份 YYYY-MM（默认税收库最新月份）")
        monthly.add_argument("--user", default="", help="按该用户的数据范围生成（默认全区）")
        monthly.add_argument("--out", default="", help="保存 Word 文件的路径（.docx）")
        monthly.add_argument("--pdf", default="", help="同时保存 PDF（需安装 LibreOffice）")
        monthly.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.accounts.models import User
        from peiyu.reports import actions
        from peiyu.reports.models import Report
        from peiyu.taxes import analytics

        month = opts["month"] or analytics.latest_month() or ""
        if not month:
            raise CommandError("税收库中还没有数据")
        reader = None
        if opts["user"]:
            reader = User.objects.filter(username=opts["user"]).first()
            if reader is None or not reader.is_active:
                raise CommandError(f"没有可用的用户：{opts['user']}")
        try:
            report = actions.do_generate_report(
                None,
                month,
                reader=reader,
                origin=Report.Origin.COMMAND,
                pdf=bool(opts["pdf"]),
                reason="命令行生成",
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        out = pdf = ""
        if opts["out"]:
            path = Path(opts["out"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(report.docx))
            out = str(path)
        if opts["pdf"]:
            if report.pdf is None:
                self.stderr.write("未安装 LibreOffice（soffice），未生成 PDF")
            else:
                path = Path(opts["pdf"])
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(bytes(report.pdf))
                pdf = str(path)
        result = {
            "report_id": report.pk,
            "month": report.month,
            "reader": reader.username if reader else None,
            "scope": report.scope_label,
            "version": report.version,
            "title": report.title,
            "out": out,
            "pdf": pdf,
            "sections": [s["key"] for s in report.data.get("features", []) + report.data.get("annex", [])],
        }
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"已生成：{report.title}（第 {report.version} 版，范围：{report.scope_label}）")
        if out:
            self.stdout.write(f"Word：{out}")
        if pdf:
            self.stdout.write(f"PDF：{pdf}")
