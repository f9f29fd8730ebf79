"""``peiyu measures [--as-of YYYY-MM-DD] [--plan 名称] [--json]``: the measures and their status."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.taskforce import measures


class Command(BaseCommand):
    help = "营商环境措施完成情况：按完成时限与完成日期计算 green/yellow/red/grey（--json 输出一个对象）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--plan", help="方案名称（默认当前方案）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        as_of = timezone.localdate()
        if opts.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"日期“{opts['as_of']}”无效，应为 YYYY-MM-DD") from None
        plan = measures.plan_by_name(opts["plan"]) if opts.get("plan") else measures.current_plan()
        if opts.get("plan") and plan is None:
            raise CommandError(f"没有方案“{opts['plan']}”")
        rows = list(measures.visible(scope_mod.EVERYTHING, plan)) if plan is not None else []
        data = measures.as_json(rows, as_of)
        if opts.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if plan is None:
            self.stdout.write("尚无营商环境方案（peiyu import-measures 导入措施清单）")
            return
        counts = dict.fromkeys(measures.STATUSES, 0)
        for m in data["measures"]:
            counts[m["status"]] += 1
        self.stdout.write(f"{plan.name}：截至 {as_of:%Y-%m-%d} 共 {len(rows)} 项")
        self.stdout.write("，".join(f"{measures.LABELS[s]} {counts[s]} 项" for s in measures.STATUSES))
        for m in data["measures"]:
            if m["status"] == measures.RED:
                self.stdout.write(f"  红灯 {m['number']} {m['unit']} 时限 {m['deadline']}")
