"""``peiyu inbox USERNAME [--json]``: the user's inbox (我的待办) across apps, overdue first, then by
due date. ``--json`` prints ``{"items": [{"kind", "title", "owner", "status", "due", "overdue"}]}``
(``kind`` and ``status`` are codes, ``owner`` a username or null, ``due`` an ISO datetime with the
time zone or null, ``overdue`` a boolean)."""

from __future__ import annotations

import json

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "列出某用户的待办事项（督办，跨模块，超期在前）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        from django.utils import timezone

        from peiyu.accounts.models import User
        from peiyu.work import queries

        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{opts['username']}")
        now = timezone.now()
        rows = [queries.row(i, now) for i in queries.items_for(user, now=now)]
        if opts["json"]:
            keep = ("kind", "title", "owner", "status", "due", "overdue")
            self.stdout.write(
                json.dumps({"items": [{k: r[k] for k in keep} for r in rows]}, ensure_ascii=False)
            )
            return
        self.stdout.write(f"{user} 的待办：{len(rows)} 件，其中超期 {sum(r['overdue'] for r in rows)} 件")
        for r in rows:
            due = (r["due"] or "无期限")[:16].replace("T", " ")
            flag = "【超期】" if r["overdue"] else ""
            self.stdout.write(f"  {flag}{due}  {r['kind_label']} · {r['title']} · {r['status_label']}")
