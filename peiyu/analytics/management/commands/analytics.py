"""``peiyu analytics rebuild|check``: the heavy analytics jobs on a chosen engine and the engine
agreement check of a deployment (see :mod:`peiyu.analytics.maintenance`, docs/operations.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError


def _engine(name: str | None) -> Any:
    from peiyu.analytics import get_engine

    try:
        return get_engine(name or None)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "分析作业：analytics rebuild（重建月度汇总、预警输入、年度重算，可在 Spark 上运行）；analytics check（两种引擎结果一致性检查）"

    def add_arguments(self, parser: Any) -> None:
        from peiyu.analytics import engine_names

        names = "、".join(engine_names())
        sub = parser.add_subparsers(dest="subcommand", metavar="子命令", required=True)
        p = sub.add_parser("rebuild", help="用所选引擎重建派生表（企业月度、汇总 r1/r2、各月企业指标 ey）")
        p.add_argument("--engine", help=f"分析引擎（{names}；默认：PEIYU_ANALYTICS_ENGINE）")
        p.add_argument("--force", action="store_true", help="先删除全部派生表再重建")
        p.add_argument("--month", action="append", help="只重算这些月份的企业指标（可重复；默认全部月份）")
        p.add_argument("--json", action="store_true", help="以 JSON 输出（只输出一个对象）")
        c = sub.add_parser("check", help="在两种引擎上运行每个已登记的分析查询并比较结果（精确到分）")
        c.add_argument("--engines", default="duckdb,spark", help="要比较的两个引擎（默认 duckdb,spark）")
        c.add_argument(
            "--users", type=int, default=20, help="最多取多少个用户的数据范围（默认 20，另加全区）"
        )
        c.add_argument("--json", action="store_true", help="以 JSON 输出（只输出一个对象）")

    def handle(self, *args: Any, **options: Any) -> None:
        from peiyu.analytics import maintenance

        if options["subcommand"] == "rebuild":
            months = None
            if options.get("month"):
                from peiyu.analytics import AnalyticsError, parse_month

                try:
                    months = [parse_month(m) for m in options["month"]]
                except AnalyticsError as exc:
                    raise CommandError(str(exc)) from None
            data = maintenance.rebuild(_engine(options.get("engine")), force=options["force"], months=months)
            self._out(options, data, self._rebuild_text)
            return
        names = [n.strip() for n in str(options["engines"]).split(",") if n.strip()]
        if len(names) != 2:
            raise CommandError("--engines 应为两个引擎名，以逗号分隔（如 duckdb,spark）")
        for n in names:
            _engine(n)
        data = maintenance.check(
            (names[0], names[1]), scopes=maintenance.default_scopes(max(0, int(options["users"])))
        )
        self._out(options, data, self._check_text)
        if not data["ok"]:
            raise CommandError(f"两种引擎结果不一致：{len(data['mismatches'])} 处（见 --json 输出）")

    def _out(self, options: dict[str, Any], data: dict[str, Any], text: Any) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(text(data))

    @staticmethod
    def _rebuild_text(d: dict[str, Any]) -> str:
        s = d["seconds"]
        return (
            f"已用 {d['engine']} 引擎重建派生表：{d['months']} 个月，企业月度文件 {d['em_files']} 个，"
            f"汇总 r2 {d['r2_rows']:,} 行、r1 {d['r1_rows']:,} 行，企业指标 {d['ey_months']} 个月；"
            f"用时 {s['total']} 秒（汇总 {s['rollups']} 秒，企业指标 {s['ey']} 秒）。"
        )

    @staticmethod
    def _check_text(d: dict[str, Any]) -> str:
        a, b = d["engines"]
        head = "一致" if d["ok"] else "不一致"
        lines = [
            f"{a} 与 {b}：{head}。比较了 {d['queries']} 个分析查询 × {d['scopes']} 个数据范围，共 {d['compared']} 项"
            f"（含汇总表重算）；用时 {d['seconds']['total']} 秒。"
        ]
        for m in d["mismatches"][:20]:
            lines.append(f"  不一致：{m['query']}（范围 {m['scope']}，样例 {m['sample']}）")
        if not d["rollups_match_stored"]:
            lines.append("  已存储的汇总表与重算结果不同：请运行 peiyu analytics rebuild --force")
        return "\n".join(lines)
