"""``peiyu tax-versions``: list the versions of the tax library, compare two, roll back.

peiyu tax-versions [--month 2025-03] [--json]
peiyu tax-versions --month 2025-03 --compare 1 2 [--json]
peiyu tax-versions --month 2025-03 --rollback 1 --reason "误导入" [--user admin]
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peiyu.core.money import format_wan


def batch_row(b: Any) -> dict[str, Any]:
    return {
        "batch_id": b.pk,
        "month": b.month,
        "version": b.version,
        "status": b.status,
        "active": b.is_active,
        "file": b.file_name,
        "sha256": b.sha256,
        "user": b.uploaded_by.username if b.uploaded_by_id else "",
        "time": b.created_at.isoformat(),
        "rows": b.rows,
        "taxpayers": b.taxpayers,
        "total_fen": b.total_fen,
        "district_fen": b.district_fen,
        "district_source": b.district_source,
        "errors": len(b.errors or []),
    }


class Command(BaseCommand):
    help = "列出、比较、回滚某月税收库版本"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", help="月份 YYYY-MM")
        parser.add_argument("--compare", nargs=2, type=int, metavar=("A", "B"), help="比较该月的两个版本")
        parser.add_argument("--rollback", type=int, metavar="VERSION", help="将该月当前版本切换为指定版本")
        parser.add_argument("--reason", default="", help="回滚原因（记入审计日志）")
        parser.add_argument("--user", help="操作人用户名")
        parser.add_argument("--all", action="store_true", help="同时列出被拒绝的导入")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.taxes import library
        from peiyu.taxes.actions import ActionError, do_rollback
        from peiyu.taxes.models import TaxBatch

        month = opts.get("month")
        out = self._json if opts["json"] else None
        if opts.get("compare"):
            if not month:
                raise CommandError("比较版本需要 --month")
            a, b = opts["compare"]
            for v in (a, b):
                if not TaxBatch.objects.filter(
                    month=month, version=v, status=TaxBatch.Status.ACCEPTED
                ).exists():
                    raise CommandError(f"{month} 没有第 {v} 版")
            result = library.compare_versions(month, a, b)
            if out:
                return out(result)
            w = self.stdout.write
            w(f"{month} 第 {a} 版 → 第 {b} 版：税收合计 {format_wan(result['a_total_fen'])} → {format_wan(result['b_total_fen'])} 万元，"
              f"区级 {format_wan(result['a_district_fen'])} → {format_wan(result['b_district_fen'])} 万元")  # fmt: skip
            for r in result["by_tax_type"]:
                w(
                    f"  {r['tax_type']}：{format_wan(r['a_total_fen'])} → {format_wan(r['b_total_fen'])}（{format_wan(r['delta_total_fen'])}）"
                )
            w(f"变化最大的纳税人（共 {result['changed_taxpayers']} 户有变化）：")
            for r in result["top_changes"]:
                w(f"  {r['taxpayer_id']} {r['name']} {r['change']} {format_wan(r['delta_total_fen'])} 万元")
            return None
        if opts.get("rollback") is not None:
            if not month:
                raise CommandError("回滚需要 --month")
            batch = TaxBatch.objects.filter(
                month=month, version=opts["rollback"], status=TaxBatch.Status.ACCEPTED
            ).first()
            if batch is None:
                raise CommandError(f"{month} 没有第 {opts['rollback']} 版")
            user = None
            if opts.get("user"):
                from django.contrib.auth import get_user_model

                user = get_user_model().objects.filter(username=opts["user"]).first()
                if user is None:
                    raise CommandError(f"用户“{opts['user']}”不存在")
            try:
                do_rollback(user, batch, opts.get("reason") or "")
            except ActionError as exc:
                raise CommandError(str(exc)) from None
            if out:
                return out(
                    {"status": "ok", "month": month, "active_version": batch.version, "batch_id": batch.pk}
                )
            self.stdout.write(f"已将 {month} 的当前版本切换为第 {batch.version} 版")
            return None
        qs = TaxBatch.objects.select_related("uploaded_by").order_by("-month", "-version", "-created_at")
        if month:
            qs = qs.filter(month=month)
        if not opts["all"]:
            qs = qs.filter(status=TaxBatch.Status.ACCEPTED)
        rows = [batch_row(b) for b in qs]
        if out:
            return out({"versions": rows})
        if not rows:
            self.stdout.write("没有版本")
        for r in rows:
            mark = "★" if r["active"] else " "
            status = "" if r["status"] == "accepted" else "【已拒绝】"
            self.stdout.write(
                f"{mark} {r['month'] or '—'} v{r['version'] or '-'} {status}{r['file']}  {r['time'][:19]}  {r['user'] or '-'}  "
                f"{r['rows']} 行  合计 {format_wan(r['total_fen'])} 万元  区级 {format_wan(r['district_fen'])} 万元"
            )
        return None

    def _json(self, obj: Any) -> None:
        self.stdout.write(json.dumps(obj, ensure_ascii=False, default=str))
