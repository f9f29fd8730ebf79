import json
import time

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
        if opts["json"]:
            self.stdout.write(json.dumps({"status": "ok", **summary}, ensure_ascii=False, default=str))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key}: {value}")
