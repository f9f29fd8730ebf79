from django.core.management import BaseCommand
from django.utils import timezone

from peiyu.accounts import audit_actions as A


class Command(BaseCommand):
    help = "创建或重置管理员账户（下次登录须修改密码）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)

    def handle(self, *args, **opts):
        from peiyu.accounts.audit import record
        from peiyu.accounts.models import Role, User

        user, created = User.objects.get_or_create(username=opts["username"], defaults={"role": Role.ADMIN})
        user.role = Role.ADMIN
        user.is_superuser = True
        user.is_staff = True
        user.set_password(opts["password"])
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save()
        record(None, A.USER_CREATE if created else A.ADMIN_RESET, user, detail={"by": "cli"})
        self.stdout.write(f"管理员 {user.username} 已{'创建' if created else '重置'}。")
