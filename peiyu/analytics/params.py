"""Reading analytics parameters from a request's query string, the API or the command line, once.

Each reader returns the parsed value and, for bad input, a :class:`Problem`: pages show
``problem.notice`` (what was wrong and what is shown instead) and carry on; the API answers
``problem.status`` with ``{"detail": problem.message}``; the CLI raises ``CommandError(message)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peiyu.analytics.errors import AnalyticsError
from peiyu.analytics.months import parse_month


@dataclass(frozen=True)
class Problem:
    field: str  # the parameter ("month", "industry", …)
    value: str  # what was given (trimmed)
    message: str  # what is wrong (Chinese): the API's 400/404 detail, the CLI's error
    notice: str = ""  # for pages: what is wrong and what is shown instead; "" = not shown
    status: int = 400  # 404 when a well-formed value names nothing the library has

    def __str__(self) -> str:
        return self.message


def clean(value: Any, max_length: int = 100) -> str:
    """Text from a parameter: NUL bytes dropped, trimmed, at most ``max_length`` characters."""
    return str(value or "").replace("\x00", "").strip()[:max_length]


def get(params: Mapping[str, Any] | None, name: str) -> str:
    if not params:
        return ""
    value = params.get(name)
    return clean(value, 200) if value is not None else ""


def month(
    raw: str, available: Sequence[str], *, library: str = "税收库", empty: str = "请先导入月度税收文件"
) -> tuple[str | None, Problem | None]:
    """The requested month, or the latest available one. ``None`` when nothing is available (then
    there is always a problem, without a notice: pages show that the library is empty)."""
    latest = available[-1] if available else None
    if not raw:
        if latest is None:  # pages show their "no data yet" page instead of a notice
            return None, Problem("month", "", f"{library}中尚无数据，{empty}", status=404)
        return latest, None
    try:
        value = parse_month(raw)
    except AnalyticsError as exc:
        notice = f"{exc}，已显示最新月份 {latest}。" if latest else ""
        return latest, Problem("month", raw, str(exc), notice)
    if value not in available:
        message = f"{library}中没有 {value} 的数据"
        notice = f"{message}，已显示最新月份 {latest}。" if latest else ""
        return latest, Problem("month", raw, message, notice, 404)
    return value, None


def lookup(
    model: Any, raw: str, what: str, *, field: str, notice: str = "", slug: bool = False
) -> tuple[Any | None, Problem | None]:
    """A model instance from its id or its name (or slug); ``(None, None)`` when not given."""
    if not raw:
        return None, None
    obj = None
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        obj = model.objects.filter(pk=int(raw)).first()
    else:
        obj = model.objects.filter(name=raw[:100]).first()
        if obj is None and slug:
            obj = model.objects.filter(slug=raw[:100]).first()
    if obj is None:
        return None, Problem(field, raw, f"未知的{what}“{raw[:40]}”", notice)
    return obj, None


def choice(
    raw: str, allowed: Sequence[str], default: str, message: str, field: str
) -> tuple[str, Problem | None]:
    """One of ``allowed``; a bad value falls back to ``default`` (pages say nothing)."""
    if not raw:
        return default, None
    if raw in allowed:
        return raw, None
    return default, Problem(field, raw, message)


def integer(raw: str, what: str, default: int, lo: int, hi: int, field: str) -> tuple[int, Problem | None]:
    """An integer between ``lo`` and ``hi``; a bad value falls back to ``default``."""
    if not raw:
        return default, None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not lo <= int(raw) <= hi:
        return default, Problem(field, raw, f"{what}应为 {lo} 到 {hi} 之间的整数")
    return int(raw), None
