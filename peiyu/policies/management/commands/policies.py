"""``peiyu policies evaluate --year YYYY [--json]`` / ``peiyu policies eligible CLAUSE --year YYYY
[--list] [--json]`` / ``peiyu policies check --month YYYY-MM [--json]`` / ``peiyu policies gap --year
YYYY [--json]``.

``evaluate`` prints, for award year YYYY, ``{"year", "policies": [{"name", "recipients", "paid_fen",
"tax_before_fen", "tax_after_fen", "recipients_growth_pct", "comparison_growth_pct", "effect_pp", …}]}``
(before = YYYY−1, after = YYYY+1, district-level tax of the recipients, district-wide).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management import BaseCommand, CommandError


def _year(value: str) -> int:
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise CommandError(f"年度格式应为 YYYY：{value}")
    return int(value)


class Command(BaseCommand):
    help = "产业政策：policies evaluate --year 年度（绩效评估）、eligible 条款编号 --year（免申即享名单）、check --month（承诺条件检查）、gap --year（政策未覆盖企业）"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        ev = sub.add_parser(
            "evaluate", help="政策绩效评估：兑现年度前后一年受益企业区级税收增长与可比企业对比"
        )
        ev.add_argument("--year", required=True)
        ev.add_argument("--json", action="store_true")
        el = sub.add_parser("eligible", help="按数据判断符合条款条件的企业；--list 生成免申即享名单")
        el.add_argument("clause", type=int)
        el.add_argument("--year", required=True)
        el.add_argument("--list", action="store_true")
        el.add_argument("--json", action="store_true")
        ck = sub.add_parser("check", help="检查兑现承诺条件（迁出、停止纳税），违约则生成追回事项")
        ck.add_argument("--month", required=True)
        ck.add_argument("--json", action="store_true")
        gp = sub.add_parser("gap", help="符合免申即享条件但从未享受任何政策的企业")
        gp.add_argument("--year", required=True)
        gp.add_argument("--json", action="store_true")

    def _out(self, opts: dict[str, Any], data: dict[str, Any], text: str) -> None:
        if opts.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            self.stdout.write(text)

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.accounts import audit, scope
        from peiyu.policies import actions, evaluate, queries
        from peiyu.policies import audit_actions as A
        from peiyu.policies.models import Clause
        from peiyu.work.actions import ActionError

        op = opts["op"]
        if op == "evaluate":
            year = _year(opts["year"])
            ev = evaluate.evaluate(scope.EVERYTHING, year)
            audit.record(
                None,
                A.EVALUATION_CLI,
                object_type="view",
                object_repr=f"{year} 年政策绩效评估",
                detail={"year": year},
            )
            lines = [f"{year} 年兑现政策绩效评估（对比 {year - 1} 与 {year + 1} 年区级税收）"]
            lines += [evaluate.sentence(p, year) for p in ev.policies] or ["该年度没有已兑现的政策。"]
            lines += [f"注：{n}" for n in ev.notes]
            self._out(opts, ev.as_dict(), "\n".join(lines))
            return
        if op == "eligible":
            year = _year(opts["year"])
            clause = Clause.objects.select_related("policy").filter(pk=opts["clause"]).first()
            if clause is None:
                raise CommandError(f"条款不存在：{opts['clause']}")
            if opts["list"]:
                try:
                    res = actions.do_list_eligible(None, clause, year, reason="命令行生成免申即享名单")
                except ActionError as exc:
                    raise CommandError(str(exc)) from exc
                self._out(
                    opts, res.as_dict(), f"{clause}：符合条件 {res.eligible} 家，新列入 {res.listed} 家"
                )
                return
            rows = actions.eligible_rows(scope.EVERYTHING, clause, year)
            data = {
                "clause_id": clause.pk,
                "year": year,
                "eligible": [
                    {
                        "credit_code": r["enterprise"].credit_code,
                        "name": r["enterprise"].name,
                        "amount_fen": r["amount_fen"],
                        "basis": r["basis"],
                    }
                    for r in rows
                ],
            }
            self._out(opts, data, f"{clause}：{year} 年符合条件 {len(rows)} 家")
            return
        if op == "check":
            month = opts["month"]
            if len(month) != 7 or month[4] != "-":
                raise CommandError(f"月份格式应为 YYYY-MM：{month}")
            check = actions.do_check_conditions(None, month, reason="命令行检查兑现承诺条件")
            self._out(
                opts,
                check.as_dict(),
                f"{month}：检查兑现 {check.checked} 笔，新发现违约 {len(check.breaches)} 笔",
            )
            return
        year = _year(opts["year"])
        gap = queries.never_reached(scope.EVERYTHING, year)
        data = {
            "year": year,
            "firms": [
                {
                    "credit_code": g["enterprise"].credit_code,
                    "name": g["enterprise"].name,
                    "clauses": g["clauses"],
                }
                for g in gap
            ],
        }
        self._out(opts, data, f"{year} 年符合免申即享条件但从未享受政策的企业 {len(gap)} 家")
