import json
import time
from typing import Any

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成演示区：企业名录、五年月度税收、目标、预警（确定性：同一 --seed 生成同样的数据）"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=20000, help="企业数（默认 20000）")
        parser.add_argument("--years", type=int, default=5, help="税收数据年数（默认 5）")
        parser.add_argument("--seed", type=int, default=2021, help="随机种子（默认 2021）")
        parser.add_argument("--end-month", default="", help="最后一个税收月份 YYYY-MM（默认上个月）")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有企业时什么也不做")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果，不显示进度条")

    def handle(self, *args, **opts):
        from peiyu.demo import DemoContext, run
        from peiyu.registry.models import Enterprise

        if opts["if_empty"] and Enterprise.objects.exists():
            if opts["json"]:
                self.stdout.write(
                    json.dumps({"status": "skipped", "reason": "数据库已有数据"}, ensure_ascii=False)
                )
            else:
                self.stdout.write("数据库已有数据，跳过演示区生成。")
            return
        if Enterprise.objects.exists():
            raise CommandError("数据库已有企业数据；演示区只能生成到空库中（可换一个 PEIYU_DATA_DIR）。")
        if opts["enterprises"] < 100 or opts["years"] < 1:
            raise CommandError("--enterprises 至少 100，--years 至少 1")
        started = time.monotonic()
        ctx = DemoContext(
            enterprises=opts["enterprises"],
            years=opts["years"],
            seed=opts["seed"],
            quiet=opts["json"],
            end_month=opts["end_month"],
        )
        summary = run(ctx)
        summary["seconds"] = round(time.monotonic() - started, 1)
        from peiyu.accounts.passwords import demo_marker

        marker = demo_marker()  # demo mode: the public demo password is accepted here only
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"seed": opts["seed"], "created": time.time()}), encoding="utf-8")
        if opts["json"]:
            self.stdout.write(json.dumps({"status": "ok", **summary}, ensure_ascii=False, default=str))
        else:
            for line in summary_lines(summary):
                self.stdout.write(line)


def _get(d: Any, *keys: str, default: Any = "—") -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


WORDS = {
    "policies": "惠企政策", "attraction": "招商引资", "taskforce": "产业专班", "reports": "月度报告",
    "carriers": "载体", "services": "企业服务", "meetings": "会议", "round": "批次", "awards": "兑现",
    "paid_wan": "兑现金额（万元）", "auto_listed": "免申即享企业", "clawback_planted": "待追回", "breaches": "违约",
    "teams": "招商小组", "projects": "项目", "landed_paying": "已落地纳税", "warnings": "预警",
    "dispatch_meetings": "调度会", "taskforces": "专班", "decisions": "决定事项", "overdue_decisions": "逾期决定事项",
    "reports_late": "迟报", "liaison_assigned": "已分配联络员企业", "contacts": "联系人", "measures": "措施",
    "publicity": "宣传", "month": "月份", "buildings": "楼宇", "incubators": "孵化器", "tenants": "入驻企业",
    "requests": "诉求", "visits": "走访", "open": "未办结", "overdue": "逾期", "items": "事项",
    "overdue_open": "超期未办结", "late_closed": "超期办结", "reopened": "重新办理", "returned": "退回",
    "extended": "延期", "green": "绿色通道", "overdue_now": "当前超期", "red_flags": "红色标记",
    "listing": "上市培育", "financing": "融资对接", "events": "政企活动", "parks": "园区", "platforms": "平台",
    "tenancies": "入驻记录", "evaluation_year": "评价年度", "evaluations_final": "已定稿评价",
}  # fmt: skip


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The demo's summary in plain Chinese: what was created, where to log in, what to try first."""
    from django.conf import settings

    taxes = summary.get("taxes") or {}
    login = summary.get("login") or {}
    lines = [
        "",
        f"演示区已生成（用时 {summary.get('seconds', 0)} 秒），数据保存在 {settings.DATA_DIR}：",
        f"  · 企业名录：{summary.get('enterprises', '—')} 家企业"
        + "".join(
            f"，{'、'.join(f'{k} {v} 家' for k, v in by.items())}"
            for by in [summary.get("enterprises_by_key_industry") or {}]
            if by
        ),
    ]
    if taxes:
        lines.append(
            f"  · 税收库：{taxes.get('first_month', '—')} 至 {taxes.get('last_month', '—')} 共 {taxes.get('months', '—')} 个月，"
            f"{taxes.get('fact_rows', 0):,} 条明细；{taxes.get('district_year', '')} 年区级税收约 {taxes.get('district_yi', '—')} 亿元；"
            f"待匹配纳税人 {taxes.get('taxpayers_unmatched', 0)} 户"
        )
        if taxes.get("sample_file"):
            lines.append(f"  · 可用来试导入的税收文件：{taxes['sample_file']}")
    if summary.get("targets"):
        lines.append(
            f"  · 目标责任：{_get(summary, 'targets', 'targets')} 项目标（{_get(summary, 'targets', 'plan')}）"
        )
    if summary.get("alerts"):
        lines.append(
            f"  · 预警：{_get(summary, 'alerts', 'warnings')} 条，其中未处理 {_get(summary, 'alerts', 'open')} 条、"
            f"逾期 {_get(summary, 'alerts', 'overdue')} 条"
        )
    if summary.get("work"):
        lines.append(
            f"  · 督办事项：{_get(summary, 'work', 'items')} 项，逾期 {_get(summary, 'work', 'overdue')} 项；"
            f"工作日历已含 {_get(summary, 'work', 'calendar_years')} 年"
        )
    known = {"taxes", "login", "enterprises", "enterprises_by_key_industry", "enterprises_by_status", "targets",
             "alerts", "work", "seconds", "manual_overrides", "classified", "liaison_enterprises"}  # fmt: skip
    for key, value in summary.items():
        if key not in known and isinstance(value, dict):
            shown = "，".join(
                f"{WORDS.get(k, k)} {v}"
                for k, v in value.items()
                if isinstance(v, (int, str)) and k != "seconds" and (k in WORDS or not k.isascii())
            )[:240]
            lines.append(f"  · {WORDS.get(key, key)}：{shown}")
    lines += [
        "",
        f"登录：用户名 {login.get('username', 'admin')}，密码 {login.get('password', '')}"
        "（其他角色 leader、software、taopu、kewei、service 密码相同；演示密码只在演示区有效）",
        "启动：peiyu serve（或 make demo），浏览器打开 http://127.0.0.1:8000/ ；换端口：make demo PORT=8080",
        "先看：首页驾驶舱 → 产业税收 → 预警收件箱；导入：税收数据导入页上传上面的试导入文件",
    ]
    return lines
