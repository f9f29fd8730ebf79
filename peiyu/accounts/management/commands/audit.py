"""``peiyu audit [--user U] [--since DATE] [--until DATE] [--action A] [--object X] [--limit N] [--json]``.

Prints audit entries, newest first. There is no purge: audit rows are append-only and kept (see
:mod:`peiyu.accounts.audit`)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import BaseCommand, CommandError


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{name} 须为日期，格式 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "查看审计日志（只读；审计记录只可追加，不提供删除，至少保留 180 天）"

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="用户名")
        parser.add_argument("--since", default=None, help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--until", default=None, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument(
            "--action",
            default="",
            help="操作代码，如 accounts.session.login、accounts.access.denied（旧代码同样可用）",
        )
        parser.add_argument("--object", default="", help="对象（标识或名称中包含的文字）")
        parser.add_argument("--limit", type=int, default=1000, help="最多输出条数（默认 1000，0 为不限）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象 {entries: [...]}")

    def handle(self, *args, **opts):
        from django.utils import timezone

        from peiyu.accounts.audit import action_label, entry_dict, search

        since = _date(opts["since"], "--since")
        until = _date(opts["until"], "--until")
        qs = search(user=opts["user"], action=opts["action"], since=since, until=until, obj=opts["object"])
        total = qs.count()
        if opts["limit"] and opts["limit"] > 0:
            qs = qs[: opts["limit"]]
        rows = list(qs)
        if opts["json"]:
            payload = {"total": total, "count": len(rows), "entries": [entry_dict(r) for r in rows]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("没有符合条件的审计记录。")
            return
        for r in rows:
            extra = ""
            if r.reason:
                extra = f"  原因：{r.reason}"
            self.stdout.write(
                f"{timezone.localtime(r.time):%Y-%m-%d %H:%M:%S}  {r.username or '-':<16} "
                f"{action_label(r.action):<10} {r.object_repr or r.object_id or ''}"
                f"{'  来源 ' + r.ip if r.ip else ''}{extra}"
            )
        if total > len(rows):
            self.stdout.write(f"（共 {total} 条，仅显示最新 {len(rows)} 条；用 --limit 0 显示全部）")
