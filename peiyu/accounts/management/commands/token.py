"""``peiyu token USERNAME [--days N] [--label L]``: a new API bearer token, printed alone on the last line."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "为用户生成 API 令牌（令牌只显示这一次，最后一行只输出令牌）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument(
            "--days", type=int, default=None, help="有效天数（默认见 PEIYU_API_TOKEN_DAYS，90 天）"
        )
        parser.add_argument("--label", default="命令行生成", help="用途说明")

    def handle(self, *args, **opts):
        from peiyu.accounts.actions import ActionError, do_create_token
        from peiyu.accounts.models import User

        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{opts['username']}")
        try:
            token, secret = do_create_token("命令行", user, label=opts["label"], days=opts["days"])
        except ActionError as exc:
            raise CommandError(str(exc)) from None
        from django.utils import timezone

        self.stderr.write(
            f"已为 {user.username} 生成 API 令牌（到期 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}），"
            "请妥善保存，令牌不会再次显示："
        )
        self.stdout.write(secret)
