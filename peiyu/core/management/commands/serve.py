import os

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "以生产方式启动网站（gunicorn WSGI，whitenoise 提供静态文件）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("PEIYU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PEIYU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PEIYU_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PEIYU_THREADS", "4")))

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

        self.stdout.write(f"培育平台已启动：http://{opts['host']}:{opts['port']}/")
        self.stdout.flush()
        App().run()
