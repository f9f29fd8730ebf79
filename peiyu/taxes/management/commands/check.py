"""``peiyu check [--repair] [--json]``: Django's system checks, then the tax library against the
database — every accepted version's Parquet file there and readable, the served versions' totals
equal to their batch records to the fen, no orphan version folders or ``.tmp`` files (what a killed
import leaves), the derived tables (rollups) buildable. ``--repair`` removes the orphans and rebuilds
the derived tables from the facts. Exit code 0 when consistent (or repaired), 2 when a problem needs
a person (a missing or damaged file: roll the month back or import it again)."""

from __future__ import annotations

import json
import shutil
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck


class Command(DjangoCheck):
    help = "检查系统配置与税收库（数据文件与数据库是否一致、是否有中断导入的残留）；--repair 修复可自动修复的问题"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--repair", action="store_true", help="清理残留文件，重建派生表")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出税收库检查结果")
        parser.add_argument("--skip-library", action="store_true", help="只做 Django 系统检查")

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        if options["skip_library"] or app_labels:
            return
        report = check_library(repair=options["repair"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        else:
            for line in report["lines"]:
                self.stdout.write(line)
        if report["problems"]:
            raise CommandError("税收库有需要人工处理的问题（见上）", returncode=2)


def check_library(*, repair: bool = False) -> dict[str, Any]:
    import pyarrow.compute as pc

    from peiyu.taxes import library, rollups
    from peiyu.taxes.models import TaxBatch

    lines: list[str] = []
    problems: list[dict[str, Any]] = []
    batches = TaxBatch.objects.filter(status=TaxBatch.Status.ACCEPTED).order_by("month", "version")
    checked = 0
    for b in batches:
        assert b.version is not None
        checked += 1
        problem = library.file_problem(b.month, b.version)
        if not problem and b.is_active:
            t = library.read_version(b.month, b.version)
            total = int(pc.sum(t["total_fen"]).as_py() or 0)
            district = int(pc.sum(t["district_fen"]).as_py() or 0)
            if (total, district) != (b.total_fen, b.district_fen) and b.import_batch_id is not None:
                problem = f"数据文件合计 {total} 分 / 区级 {district} 分与导入记录 {b.total_fen} / {b.district_fen} 分不符"
        if problem:
            other = (
                TaxBatch.objects.filter(month=b.month, status=TaxBatch.Status.ACCEPTED)
                .exclude(pk=b.pk)
                .order_by("-version")
                .first()
            )
            hint = (
                f"可回滚到第 {other.version} 版（peiyu tax-versions 或“税收库版本”页面）"
                if other is not None
                else "请重新导入该月文件"
            )
            problems.append(
                {"month": b.month, "version": b.version, "active": b.is_active, "problem": problem}
            )
            lines.append(
                f"✗ {b.month} 第 {b.version} 版{'（当前版本）' if b.is_active else ''}：{problem}；{hint}"
            )
    found = library.orphans()
    removed: list[str] = []
    if found:
        if repair:
            removed = library.remove_orphans()
            lines.append(f"✓ 已清理中断的导入留下的 {len(removed)} 个残留：" + "、".join(removed[:10]))
        else:
            lines.append(
                f"! 有 {len(found)} 个中断的导入留下的残留（--repair 清理）："
                + "、".join(map(str, found[:10]))
            )
    rebuilt = False
    if repair:
        derived = library.root() / "derived"
        shutil.rmtree(derived, ignore_errors=True)
        shutil.rmtree(library.root() / "em", ignore_errors=True)
        rollups._snapshots.clear()
        rollups.bump_generation()
        if TaxBatch.objects.filter(is_active=True).exists():
            rollups.current()
        rebuilt = True
        lines.append("✓ 派生表（汇总表）已按当前版本重建")
    if not problems:
        lines.insert(0, f"✓ 税收库与数据库一致：{checked} 个已入库版本的数据文件完好")
    return {
        "status": "ok" if not problems else "problems",
        "checked_versions": checked,
        "problems": problems,
        "orphans": [str(p) for p in found],
        "removed": removed,
        "derived_rebuilt": rebuilt,
        "lines": lines,
    }
