from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "小应用问好（测试用）"

    def handle(self, *args, **opts):
        self.stdout.write("你好")
