"""``peiyu stats SUBCOMMAND``: statistics for automation (``--json``) or reading (a Chinese table).

Subcommands are registered, so other apps add their own without touching this file::

    # peiyu/targets/apps.py
    def ready(self):
        from peiyu.taxes.management.commands.stats import register
        register("targets", help="目标进度", handler=targets_handler, render=targets_render,
                 add_arguments=lambda p: p.add_argument("--year", type=int))

``handler(options, user) -> dict`` computes the JSON object (``user`` is None: district-wide, or the
user named by ``--user``: scoped); ``render(console, data)`` prints it for people (rich). Every
subcommand gets ``--json`` and ``--user`` automatically. Raise ``CommandError`` (Chinese message)
for bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from django.core.management.base import BaseCommand, CommandError

if TYPE_CHECKING:
    from rich.console import JustifyMethod


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    handler: Callable[[dict[str, Any], Any], dict[str, Any]]
    render: Callable[[Any, dict[str, Any]], None] | None = None
    add_arguments: Callable[[Any], None] | None = None


SUBCOMMANDS: dict[str, Subcommand] = {}


def register(
    name: str,
    *,
    help: str,
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    render: Callable[[Any, dict[str, Any]], None] | None = None,
    add_arguments: Callable[[Any], None] | None = None,
) -> None:
    """Add (or replace) a subcommand of ``peiyu stats``."""
    SUBCOMMANDS[name] = Subcommand(name, help, handler, render, add_arguments)


# ---------------------------------------------------------------------------------------------
# stats industries


def _industries_arguments(parser: Any) -> None:
    from peiyu.analytics import engine_names

    parser.add_argument("--month", help="月份 YYYY-MM（默认：税收库中最新月份）")
    parser.add_argument(
        "--engine",
        help=f"分析引擎（{'、'.join(engine_names())}；默认：PEIYU_ANALYTICS_ENGINE），结果与引擎无关",
    )


def industries_handler(options: dict[str, Any], user: Any) -> dict[str, Any]:
    from contextlib import nullcontext

    from django.core.exceptions import ImproperlyConfigured

    from peiyu.accounts.scope import EVERYTHING
    from peiyu.analytics import get_engine, use_engine
    from peiyu.taxes import analytics
    from peiyu.taxes.query import TaxQuery

    q, problems = TaxQuery.from_params({"month": options.get("month")})
    if problems:
        raise CommandError(problems[0].message)
    chosen: Any = nullcontext()
    if options.get("engine"):
        try:
            chosen = use_engine(get_engine(options["engine"]))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
    with chosen:
        return analytics.industry_stats(user if user is not None else EVERYTHING, q.require_month())


def industries_render(console: Any, data: dict[str, Any]) -> None:
    from rich.table import Table

    from peiyu.core.money import format_wan

    def pct(v: Any) -> str:
        return "—" if v is None else f"{v:+.1f}%"

    y, m = data["month"].split("-")
    table = Table(title=f"{y}年{int(m)}月 重点产业税收（区级，万元）", title_justify="left")
    for header, justify in (
        ("产业", "left"),
        ("本月", "right"),
        ("累计", "right"),
        ("上年同期累计", "right"),
        ("同比", "right"),
        ("累计税收总额", "right"),
        ("纳税企业", "right"),
    ):
        table.add_column(header, justify=cast("JustifyMethod", justify))
    rows = [*data["industries"], *data.get("others", [])]
    for r in rows:
        table.add_row(
            r["name"],
            format_wan(r["month_fen"]),
            format_wan(r["ytd_fen"]),
            format_wan(r["prev_ytd_fen"]),
            pct(r["yoy_pct"]),
            format_wan(r["ytd_total_fen"]),
            f"{r['taxpayers']:,}",
        )
    d = data["district"]
    table.add_section()
    table.add_row(
        f"[bold]{d['name']}[/bold]",
        format_wan(d["month_fen"]),
        format_wan(d["ytd_fen"]),
        format_wan(d["prev_ytd_fen"]),
        pct(d["yoy_pct"]),
        format_wan(d["ytd_total_fen"]),
        f"{d['taxpayers']:,}",
    )
    console.print(table)
    console.print(
        "口径：区级税收；累计为当年 1 月至所选月份；纳税企业为当月税收合计大于零的企业（含未匹配纳税人）。"
    )


register(
    "industries",
    help="重点产业税收：本月、累计、上年同期、同比、纳税企业数",
    handler=industries_handler,
    render=industries_render,
    add_arguments=_industries_arguments,
)


class Command(BaseCommand):
    help = "统计：stats industries（产业税收）等；--json 输出一个 JSON 对象"

    def add_arguments(self, parser: Any) -> None:
        # Apps register their subcommands in AppConfig.ready(), which has run by now.
        sub = parser.add_subparsers(dest="subcommand", metavar="子命令", required=True)
        for name, cmd in sorted(SUBCOMMANDS.items()):
            p = sub.add_parser(name, help=cmd.help, description=cmd.help)
            p.add_argument("--json", action="store_true", help="以 JSON 输出（只输出一个对象）")
            p.add_argument("--user", help="以该用户的数据范围统计（默认：全区）")
            if cmd.add_arguments:
                cmd.add_arguments(p)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options.get("subcommand")
        cmd = SUBCOMMANDS.get(name or "")
        if cmd is None:
            raise CommandError(f"未知的子命令“{name}”，可用：{'、'.join(sorted(SUBCOMMANDS))}")
        user = None
        if options.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户“{options['user']}”不存在")
            if not user.is_active:
                raise CommandError(f"用户“{options['user']}”已停用")
        data = cmd.handler(options, user)
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        from rich.console import Console

        stdout = cast(IO[str], self.stdout)  # an OutputWrapper: a TextIOBase, file-like for rich
        console = Console(file=stdout, width=max(100, Console().width), soft_wrap=True)
        if cmd.render:
            cmd.render(console, data)
        else:
            console.print_json(json.dumps(data, ensure_ascii=False))
