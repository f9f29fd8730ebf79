import json

from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "创建或升级数据库，载入参考数据（国民经济行业分类、街道镇、重点产业默认口径、区级部门）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        from peiyu.core import contrib

        loaded: dict[str, int] = {}
        for _cfg, load_all in contrib.attributes("reference", "load_all"):  # each app's reference data
            loaded.update(load_all())
        from django.conf import settings

        for path in (settings.TAX_LIBRARY_DIR, settings.UPLOAD_DIR):
            path.mkdir(parents=True, exist_ok=True)
        from peiyu.taxes import library

        removed = library.remove_orphans()  # what killed imports left behind (also: peiyu check)
        if removed and not opts["json"]:
            self.stdout.write(f"已清理中断的导入留下的 {len(removed)} 个临时文件/目录")
        if opts["json"]:
            self.stdout.write(json.dumps({"status": "ok", "loaded": loaded}, ensure_ascii=False))
        else:
            self.stdout.write(
                f"数据库已就绪（{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}），参考数据：{loaded}"
            )
