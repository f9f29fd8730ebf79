import json

from django.core.management import BaseCommand

from peiyu.registry import audit_actions as A


class Command(BaseCommand):
    help = "按当前（今天生效的）重点产业口径和手工认定重新认定全部企业；也用于口径到期生效后的日常刷新"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        import time

        from peiyu.accounts import audit
        from peiyu.registry.classify import counts_by_industry, reclassify
        from peiyu.registry.models import Enterprise

        started = time.perf_counter()
        result = reclassify(source="重新认定（命令行）")
        if result.changed:
            audit.record(
                None,
                A.RECLASSIFY,
                object_type="registry",
                detail=result.as_dict(),
                reason="命令行重新认定",
            )
        out = {**result.as_dict(), "by_key_industry": counts_by_industry(Enterprise.objects.all())}
        out["seconds"] = round(time.perf_counter() - started, 2)
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(
            f"检查 {result.checked} 家企业，认定变化 {result.changed} 家，用时 {out['seconds']} 秒"
        )
        for name, n in out["by_key_industry"].items():
            self.stdout.write(f"  {name}：{n} 家")
