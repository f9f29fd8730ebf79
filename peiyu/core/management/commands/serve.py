import os
import subprocess
import sys

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "以生产方式启动网站（gunicorn WSGI，whitenoise 提供静态文件），并启动后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("PEIYU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PEIYU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PEIYU_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PEIYU_THREADS", "4")))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            default=os.environ.get("PEIYU_NO_WORKER", "") in ("1", "true"),
            help="不启动后台任务进程（另行运行 peiyu worker 时）",
        )

    def handle(self, *args, **opts):
        from gunicorn.app.base import BaseApplication

        from peiyu.wsgi import application

        class App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{opts['host']}:{opts['port']}")
                self.cfg.set("workers", opts["workers"])
                self.cfg.set("threads", opts["threads"])
                self.cfg.set("timeout", 300)
                self.cfg.set("accesslog", "-")

            def load(self):
                return application

        worker = None if opts["no_worker"] else _start_worker()
        self.stdout.write(f"培育平台已启动：http://{opts['host']}:{opts['port']}/")
        if worker is not None:
            self.stdout.write(f"后台任务进程已启动（pid {worker.pid}）")
        self.stdout.flush()
        try:
            App().run()
        finally:
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _start_worker() -> subprocess.Popen:
    """``peiyu worker`` as a child process: jobs survive a web worker's restart, and a job that
    dies takes no web request with it. The web server stops it when it stops."""
    return subprocess.Popen([sys.executable, "-m", "peiyu", "worker"], env=os.environ.copy())
