from __future__ import annotations

from typing import Any

from django import template

from peiyu.core.money import format_wan

register = template.Library()


@register.filter
def wan(fen: Any, places: int = 2) -> str:
    """Fen to 万元 with thousands separators: {{ x|wan }}."""
    if fen is None or fen == "":
        return "—"
    return format_wan(int(fen), int(places))


@register.filter
def pct(value: Any) -> str:
    """A percentage with one decimal and sign, or — when undefined."""
    if value is None or value == "":
        return "—"
    return f"{float(value):+.1f}%"


@register.filter
def plainpct(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}%"


@register.simple_tag(takes_context=True)
def querystring_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for sorting and paging links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return "?" + encoded if encoded else "?"
