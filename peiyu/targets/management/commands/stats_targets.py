import json

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "目标进度统计：各目标完成率、时间进度、季节性进度、差距、状态、年末预计（同 peiyu stats targets）"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="月份 YYYY-MM（默认税收库最新月份）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        from peiyu.targets.stats import StatsError, render_text, stats_targets

        try:
            data = stats_targets(opts["month"] or None)
        except StatsError as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(render_text(data))
