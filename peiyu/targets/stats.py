"""``peiyu stats targets --month YYYY-MM [--json]``: the progress of every target of the month's year.

:func:`stats_targets` builds the object the CLI prints and the API returns; :func:`render_text` the
Chinese text for a terminal. Without a user (the CLI) every target is included; with one, the user's
targets only (see :func:`peiyu.targets.progress.visible_targets`)."""

from __future__ import annotations

import re
from typing import Any

from peiyu.core.money import format_wan
from peiyu.targets import progress
from peiyu.targets.models import Target

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
