"""``peiyu carriers buildings --year YYYY [--json]`` and friends."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peiyu.accounts import scope
from peiyu.accounts.audit import record
from peiyu.carriers import audit_actions as A
from peiyu.core.money import format_wan


class Command(BaseCommand):
    help = "楼宇经济：楼宇税收与层级（buildings）、租税联动测算（rent）、孵化器评价排名（incubators）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="子命令", required=True)
        b = sub.add_parser("buildings", help="各楼宇年度税收、纳税企业数、每平方米税收与层级")
        b.add_argument("--year", type=int, required=True, help="年度（税收库中该年的月份）")
        b.add_argument("--through", help="截至月份 YYYY-MM（默认：该年库中全部月份）")
        r = sub.add_parser("rent", help="按租税联动规则测算支持金额")
        r.add_argument("--year", type=int, required=True)
        r.add_argument("--rule", help="规则名称（默认：第一条启用的规则）")
        i = sub.add_parser("incubators", help="孵化器年度评价排名")
        i.add_argument("--year", type=int, required=True)
        for p in (b, r, i):
            p.add_argument("--json", action="store_true", help="以 JSON 输出（只输出一个对象）")
            p.add_argument("--user", help="以该用户的数据范围统计（默认：全区）")

    def handle(self, *args: Any, **options: Any) -> None:
        who: Any = scope.EVERYTHING
        if options.get("user"):
            from django.contrib.auth import get_user_model

            who = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if who is None:
                raise CommandError(f"用户“{options['user']}”不存在或已停用")
        name = options["subcommand"]
        data = getattr(self, f"_{name}")(who, options)
        record(
            who if not isinstance(who, scope.Scope) else None,
            A.BUILDINGS_CLI,
            object_type="view",
            object_repr=f"peiyu carriers {name} --year {options['year']}",
        )
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
            return
        self.stdout.write(data.pop("_text"))

    def _buildings(self, who: Any, options: dict[str, Any]) -> dict[str, Any]:
        from peiyu.analytics import parse_month
        from peiyu.carriers.economy import buildings_report

        through = options.get("through")
        if through:
            try:
                through = parse_month(through)
            except ValueError as exc:
                raise CommandError(f"截至月份“{through}”格式不对，应为 YYYY-MM") from exc
        data = buildings_report(who, options["year"], through=through)
        if not options.get("json"):
            lines = [
                f"{data['year']} 年楼宇税收（{data['basis']}，月份：{'、'.join(data['months']) or '无'}）"
            ]
            for i, b in enumerate(data["buildings"], 1):
                per = b["tax_per_m2_yuan"]
                lines.append(
                    f"{i:>3}. {b['name']}  税收 {format_wan(b['tax_fen'])} 万元  区级 {format_wan(b['district_tax_fen'])} 万元  "
                    f"纳税企业 {b['paying_tenants']} 户  每平方米 {per if per is not None else '—'} 元  {b['tier'] or ''}"
                )
            data["_text"] = "\n".join(lines)
        return data

    def _rent(self, who: Any, options: dict[str, Any]) -> dict[str, Any]:
        from peiyu.carriers.models import RentRule
        from peiyu.carriers.rent import calculate

        qs = RentRule.objects.filter(active=True)
        rule = qs.filter(name=options["rule"]).first() if options.get("rule") else qs.first()
        if rule is None:
            raise CommandError("没有找到租税联动规则")
        rows = calculate(who, rule, options["year"])
        out = [r.as_dict() for r in rows]
        for r in out:
            r.pop("url", None)
            r["area_m2"] = str(r["area_m2"])
        data: dict[str, Any] = {
            "year": options["year"],
            "rule": rule.name,
            "qualified": sum(1 for r in rows if r.qualifies),
            "support_fen": sum(r.support_fen for r in rows),
            "rows": out,
        }
        if not options.get("json"):
            data["_text"] = (
                f"{rule.name}：符合 {data['qualified']} 户，测算支持 {format_wan(data['support_fen'])} 万元"
            )
        return data

    def _incubators(self, who: Any, options: dict[str, Any]) -> dict[str, Any]:
        from peiyu.carriers.models import Evaluation

        evs = scope.restrict(who, Evaluation.objects.filter(scheme__year=options["year"])).select_related(
            "incubator"
        )
        rows = [
            {
                "name": e.incubator.name,
                "level": e.incubator.get_level_display(),
                "score": None if e.score is None else str(e.score),
                "grade": e.grade,
                "support_fen": e.support_fen,
                "status": e.get_status_display(),
            }
            for e in sorted(evs, key=lambda e: -(e.score or 0))
        ]
        data: dict[str, Any] = {"year": options["year"], "incubators": rows}
        if not options.get("json"):
            data["_text"] = "\n".join(
                f"{i:>3}. {r['name']}（{r['level']}） {r['score'] or '—'} 分 {r['grade']} {r['status']}"
                for i, r in enumerate(rows, 1)
            )
        return data
