from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_CLASS = {
    "new": "bg-red-lt",
    "acknowledged": "bg-yellow-lt",
    "following": "bg-blue-lt",
    "resolved": "bg-green-lt",
    "dismissed": "bg-secondary-lt",
}
SEVERITY_CLASS = {"high": "bg-red", "medium": "bg-orange", "low": "bg-yellow", "info": "bg-azure"}


@register.filter
def status_class(status: Any) -> str:
    return STATUS_CLASS.get(str(status), "bg-secondary-lt")


@register.filter
def severity_class(severity: Any) -> str:
    return SEVERITY_CLASS.get(str(severity), "bg-secondary")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
