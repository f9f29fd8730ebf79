"""``peiyu requests [--as-of YYYY-MM-DD] [--json]``: the enterprise requests with their working-day
deadlines. ``--json`` prints ``{"requests": [{"ref", "credit_code", "category", "received",
"accept_due", "reply_due", "resolve_due", "status", "overdue"}]}`` (dates YYYY-MM-DD; ``overdue``:
not 已办结 and the as-of date past ``resolve_due``, or closed after it)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "列出企业诉求及其受理/答复/办结期限（工作日）和超期情况"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default="", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        from peiyu.accounts import scope
        from peiyu.accounts.audit import record
        from peiyu.services import audit_actions as A
        from peiyu.services import queries
        from peiyu.services.models import Request

        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{opts['as_of']}") from None
        qs = scope.restrict(
            scope.EVERYTHING,
            Request.objects.select_related("enterprise", "category", "item", "handler", "department", "area"),
        )
        rows = queries.request_rows(qs, as_of)
        record(
            None,
            A.REQUESTS_LIST_CLI,
            object_type="services.request",
            object_repr="企业诉求列表",
            detail={"count": len(rows), "as_of": opts["as_of"]},
        )
        if opts["json"]:
            self.stdout.write(json.dumps({"requests": queries.json_rows(rows)}, ensure_ascii=False))
            return
        for r in rows:
            flag = "  超期" if r["overdue"] else ""
            self.stdout.write(
                f"{r['ref']}  {r['_r'].enterprise.name}  {r['category']}  受理 {r['received']}  "
                f"办结期限 {r['resolve_due']}  {r['status']}{flag}"
            )
        self.stdout.write(f"共 {len(rows)} 条，超期 {sum(1 for r in rows if r['overdue'])} 条")
