import json

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导入市场监管企业名录（xlsx/xls/csv，UTF-8/GBK/GB18030）；按统一社会信用代码新增或更新"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名录文件路径")
        parser.add_argument("--strict", action="store_true", help="任何一行不合格即整个文件不导入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（不显示进度条）")

    def handle(self, *args, **opts):
        from pathlib import Path

        from peiyu.core.progress import progress
        from peiyu.registry.importer import import_file

        path = Path(opts["file"])
        if not path.exists():
            if opts["json"]:
                self.stdout.write(
                    json.dumps({"status": "rejected", "message": f"文件不存在：{path}"}, ensure_ascii=False)
                )
            raise CommandError(f"文件不存在：{path}", returncode=2)
        with progress("导入企业名录", total=None, quiet=opts["json"]) as bar:

            def on_progress(done, total):
                bar.update(total=total, completed=done)

            result = import_file(path, user=None, strict=opts["strict"], on_progress=on_progress)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            self._print(result)
        if result.rejected_whole:
            raise CommandError(result.message, returncode=2)

    def _print(self, result):
        self.stdout.write(result.message)
        if result.columns:
            self.stdout.write("识别的列：" + "，".join(f"{k}←{v}" for k, v in result.columns.items()))
        if result.by_key_industry:
            self.stdout.write(
                "本次接受企业的重点产业分布："
                + "，".join(f"{k} {v} 家" for k, v in result.by_key_industry.items())
            )
        for e in result.errors[:50]:
            self.stdout.write(f"  第 {e['row']} 行 [{e['column']}] “{e['value']}”：{e['message']}")
        if len(result.errors) > 50:
            self.stdout.write(f"  ……另有 {len(result.errors) - 50} 条错误（导入页面可下载完整错误表）")
        self.stdout.write(f"用时 {result.seconds:.1f} 秒")
