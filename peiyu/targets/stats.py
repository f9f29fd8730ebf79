"""``peiyu stats targets --month YYYY-MM [--json]``: the progress of every target of the month's year.

:func:`stats_targets` builds the object the CLI prints and the API returns; :func:`render_text` the
Chinese text for a terminal. Without a user (the CLI) every target is included; with one, the user's
targets only (see :func:`peiyu.targets.progress.visible_targets`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from peiyu.core.money import format_wan
from peiyu.targets import progress
from peiyu.targets.models import Target

if TYPE_CHECKING:
    from rich.console import JustifyMethod

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class StatsError(ValueError):
    """Bad arguments; the message is Chinese."""


def resolve_month(month: str | None) -> str:
    from peiyu.taxes import analytics

    if not month:
        latest = analytics.latest_month()
        if latest is None:
            raise StatsError("税收库中还没有数据，请用 --month YYYY-MM 指定月份")
        return latest
    month = month.strip()
    if not MONTH_RE.match(month):
        raise StatsError(f"月份“{month}”格式应为 YYYY-MM，如 2025-06")
    return month


def stats_targets(month: str | None, user: Any = None) -> dict[str, Any]:
    month = resolve_month(month)
    year = int(month[:4])
    if user is None:
        qs = Target.objects.filter(year=year)
        targets = list(
            qs.select_related("key_industry", "area").prefetch_related("departments").order_by("order", "id")
        )
        actuals = progress.Actuals(year)
        settings = progress.TargetSettings.current()
        rows = [progress.compute(t, month, actuals, settings) for t in targets] if targets else []
    else:
        rows = progress.board(user, year, month)
    return {
        "month": month,
        "year": year,
        "time_progress_pct": float(progress.time_progress(month)),
        "status_counts": progress.status_counts(rows),
        "targets": [r.as_dict() for r in rows],
    }


def render_text(data: dict[str, Any]) -> str:
    lines = [f"{data['month']} 目标完成情况（时间进度 {data['time_progress_pct']:.1f}%）"]
    if not data["targets"]:
        lines.append("该年度尚无目标。")
    for t in data["targets"]:
        if t["target_fen"] is not None:
            figures = f"目标 {format_wan(t['target_fen'])} 万元，累计 {format_wan(t['actual_fen'])} 万元"
        else:
            actual = "—" if t["actual_value"] is None else f"{t['actual_value']:g}"
            target = "—" if t["target_value"] is None else f"{t['target_value']:g}"
            figures = f"目标 {target} {t['unit']}，完成 {actual} {t['unit']}"
        status = progress.STATUS_LABELS[t["status"]]
        dept = f"（{t['department']}）" if t["department"] else ""
        lines.append(f"· {t['name']}{dept}：{figures}；{t['sentence']}【{status}】")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# ``peiyu stats targets`` (registered with the stats command in TargetsConfig.ready)


def stats_arguments(parser: Any) -> None:
    parser.add_argument("--month", help="月份 YYYY-MM（默认：税收库中最新月份）")


def stats_handler(options: dict[str, Any], user: Any) -> dict[str, Any]:
    from django.core.management.base import CommandError

    try:
        return stats_targets(options.get("month"), user=user)
    except StatsError as exc:
        raise CommandError(str(exc)) from None


def stats_render(console: Any, data: dict[str, Any]) -> None:
    from rich.table import Table

    def p1(v: Any) -> str:
        return "—" if v is None else f"{v:.1f}"

    y, m = data["month"].split("-")
    table = Table(
        title=f"{y}年{int(m)}月 目标完成情况（时间进度 {data['time_progress_pct']:.1f}%）",
        title_justify="left",
    )
    for header, justify in (
        ("指标", "left"),
        ("责任部门", "left"),
        ("目标", "right"),
        ("完成", "right"),
        ("完成率%", "right"),
        ("季节%", "right"),
        ("差距", "right"),
        ("状态", "left"),
        ("年末预计", "right"),
    ):
        wraps = header in ("指标", "责任部门")
        table.add_column(
            header,
            justify=cast("JustifyMethod", justify),
            no_wrap=not wraps,
            overflow="fold",
            min_width=12 if header == "指标" else None,
        )
    for t in data["targets"]:
        if t["target_fen"] is not None or t["kind"] in ("amount", "growth"):
            goal = format_wan(t["target_fen"])
            done = format_wan(t["actual_fen"])
        else:
            goal = "—" if t["target_value"] is None else f"{t['target_value']:g} {t['unit']}"
            done = "—" if t["actual_value"] is None else f"{t['actual_value']:g} {t['unit']}"
        table.add_row(
            t["name"],
            t["department"] or "—",
            goal,
            done,
            p1(t["completion_pct"]),
            p1(t["seasonal_progress_pct"]),
            "—" if t["gap_pp"] is None else f"{t['gap_pp']:+.1f}",
            progress.STATUS_LABELS[t["status"]],
            format_wan(t["projection_fen"]),
        )
    console.print(table)
    console.print(
        "金额为区级税收（万元）；差距 = 完成率 − 时间进度（百分点）；季节% = 上年同期累计占全年比重。"
    )
    for t in data["targets"]:
        console.print(f"· {t['name']}：{t['sentence']}")
