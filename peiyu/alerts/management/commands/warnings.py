"""``peiyu warnings [--month YYYY-MM] [--json] [--no-compute] [--evaluate]``

Computes the warnings of a month (default: the latest month in the tax library) and lists the
warnings whose condition held in that month. ``--json`` prints one object:
``{month, computed, warnings: [{credit_code, name, rule, severity, key_industry, area, evidence, status}]}``.
``--evaluate`` measures each rule's precision and recall on the demo's planted stories instead.
"""

from __future__ import annotations

import json
import re

from django.core.management import BaseCommand, CommandError

from peiyu.alerts import audit_actions as A


class Command(BaseCommand):
    help = "计算并列出某月的重点企业预警（--evaluate：用演示数据中的预置情形评估各规则的查准率和查全率）"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="月份 YYYY-MM（默认税收库最新月份）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--no-compute", action="store_true", help="只列出，不重新计算")
        parser.add_argument(
            "--evaluate", action="store_true", help="评估规则：对照 demo_stories.json 计算查准率/查全率"
        )

    def handle(self, *args, **opts):
        from peiyu.accounts.audit import record
        from peiyu.alerts import evaluate, queries, rules
        from peiyu.alerts.models import AlertSettings, Warning
        from peiyu.core.progress import progress
        from peiyu.taxes import analytics

        as_json = opts["json"]
        months = analytics.months_available()
        month = opts["month"] or (months[-1] if months else "")
        if opts["month"] and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", opts["month"]):
            raise CommandError(f"月份格式应为 YYYY-MM：{opts['month']}")
        if not month or month not in months:
            raise CommandError(f"税收库中没有 {month or '任何'} 月份的数据")

        if opts["evaluate"]:
            result = evaluate.evaluate(month=opts["month"] or None)
            record(
                None,
                A.RULES_EVALUATE,
                object_type="alerts.warning",
                object_repr="预警规则评估",
                detail={"month": result.get("month")},
            )
            if as_json:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
                return
            self._print_evaluation(result)
            return

        computed = None
        if not opts["no_compute"]:
            with progress(f"计算 {month} 预警", total=1, quiet=as_json) as bar:
                computed = rules.compute_month(month).as_dict()
                bar.advance()
        qs = (
            Warning.objects.filter(first_month__lte=month, last_month__gte=month)
            .select_related("enterprise", "enterprise__key_industry", "enterprise__area", "owner")
            .order_by("rule", "enterprise__name")
        )
        ws = queries.ordered(qs)
        record(
            None,
            A.WARNINGS_LIST_CLI,
            object_type="alerts.warning",
            object_repr=f"{month} 预警列表",
            detail={"count": len(ws)},
        )
        days = AlertSettings.current().overdue_days
        if as_json:
            keep = (
                "credit_code",
                "name",
                "rule",
                "severity",
                "key_industry",
                "area",
                "evidence",
                "status",
                "first_month",
                "last_month",
                "owner",
                "summary",
            )
            out = {
                "month": month,
                "computed": computed,
                "warnings": [{k: queries.row_dict(w, days)[k] for k in keep} for w in ws],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if computed:
            self.stdout.write(
                f"{month}：重点企业 {computed['key_enterprises']} 家；新增预警 {computed['created']}，更新 {computed['updated']}，"
                f"条件消除 {computed['cleared']}（自动关闭 {computed['auto_closed']}），耗时 {computed['seconds']} 秒"
            )
        self.stdout.write(f"{month} 条件成立的预警 {len(ws)} 条：")
        for w in ws:
            e = w.enterprise
            self.stdout.write(
                f"  [{w.get_severity_display()}] {w.get_rule_display()} · {e.name}（{e.credit_code}）· "
                f"{e.key_industry.name if e.key_industry_id else '非重点产业'} · {e.area.name if e.area_id else '未落区'} · "
                f"{w.get_status_display()} · {w.summary}"
            )

    def _print_evaluation(self, r):
        from peiyu.alerts.models import Rule

        if not r.get("rules"):
            self.stdout.write(r.get("note", "没有可评估的数据"))
            return
        self.stdout.write(
            f"评估月份 {r['month']}；预置情形企业 {r['stories']} 家 {r['by_story']}；重点企业 {r['key_enterprises']} 家"
        )
        self.stdout.write(
            "规则                应发现  已发现  查全率   报警(情形企业)  正确  查准率   其他企业报警"
        )
        for rule, m in r["rules"].items():
            rec = "—" if m["recall"] is None else f"{m['recall']:.1%}"
            pre = "—" if m["precision"] is None else f"{m['precision']:.1%}"
            self.stdout.write(
                f"{Rule(rule).label:<12}{m['expected']:>8}{m['found']:>8}{rec:>9}{m['flags_on_story_firms']:>14}{m['correct']:>8}{pre:>9}{m['background']:>12}"
            )
        self.stdout.write(
            f"稳定增长企业的误报：{len(r['steady_false_alarms'])} 条 {r['steady_false_alarms'][:10]}"
        )
