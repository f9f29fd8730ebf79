"""``peiyu worker [--batch] [--interval S]``: run background jobs from the database queue and start
the scheduled jobs when due. ``peiyu serve`` starts one by default (``--no-worker`` to skip)."""

from __future__ import annotations

import signal

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（导入、重新认定、预警计算、定时任务）；peiyu serve 默认已启动一个"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="处理完排队的任务后退出")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的检查间隔（秒）")

    def handle(self, *args, **opts):
        from peiyu.work.jobs import Worker

        worker = Worker(interval=opts["interval"], batch=opts["batch"])

        def stop(signum, frame):
            if not worker.running:
                raise SystemExit(1)
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if opts["verbosity"] > 0 and not opts["batch"]:
            self.stdout.write(f"后台任务进程已启动：{worker.name}")
            self.stdout.flush()
        worker.run()
