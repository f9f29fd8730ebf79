"""``peiyu tax-headings list|add|remove``: the tax import's header vocabulary as data.

    peiyu tax-headings add 纳税主体编号 id               # a new heading for the taxpayer ID column
    peiyu tax-headings add 区财力 district              # a new 区级 heading
    peiyu tax-headings add 水资源税 tax --tax 资源税     # a 征收项目 value / tax column and its tax type
    peiyu tax-headings add 工会经费 tax --tax 工会经费   # a new tax type (then accepted in files)
    peiyu tax-headings remove 区财力
    peiyu tax-headings list

Words are compared as the import compares headings (full-width/half-width, spaces, brackets and
letter case ignored). Roles: see ``peiyu.taxes.parse.vocabulary.ROLES``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "维护税收文件的表头用语（新的列名、拼音缩写、征收项目名称），无需修改代码"

    def add_arguments(self, parser: Any) -> None:
        from peiyu.taxes.parse.vocabulary import ROLES

        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出管理员增加的表头用语")
        add = sub.add_parser("add", help="增加一个表头用语")
        add.add_argument("word", help="文件中出现的列名或征收项目名称")
        add.add_argument("role", choices=sorted(ROLES), help="；".join(f"{k}：{v}" for k, v in ROLES.items()))
        add.add_argument("--tax", default="", help="含义为 tax 时对应的税种，例如 增值税")
        add.add_argument("--note", default="", help="说明（来源、依据）")
        add.add_argument("--user", help="记录为操作人的用户名")
        rm = sub.add_parser("remove", help="删除一个表头用语")
        rm.add_argument("word")
        rm.add_argument("--user", help="记录为操作人的用户名")

    def handle(self, *args: Any, **opts: Any) -> None:
        from peiyu.taxes import actions
        from peiyu.taxes.models import HeadingWord
        from peiyu.taxes.parse.vocabulary import ROLES

        user = None
        if opts.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"用户“{opts['user']}”不存在")
        try:
            if opts["action"] == "add":
                w = actions.do_add_heading_word(user, opts["word"], opts["role"], opts["tax"], opts["note"])
                self.stdout.write(f"已增加：{w.word} → {w.tax_type or ROLES[w.role]}；之后导入的文件即可识别")
            elif opts["action"] == "remove":
                actions.do_remove_heading_word(user, opts["word"])
                self.stdout.write(f"已删除：{opts['word']}")
            else:
                rows = list(HeadingWord.objects.all())
                if not rows:
                    self.stdout.write("尚未增加表头用语（内置用语见 peiyu/taxes/parse/vocabulary.py）")
                for w in rows:
                    self.stdout.write(
                        f"{w.word}\t{w.role}（{ROLES.get(w.role, '')}）\t{w.tax_type}\t{w.note}"
                    )
        except actions.ActionError as exc:
            raise CommandError(str(exc)) from None
