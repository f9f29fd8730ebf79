"""The district's departments as files name them: 科委 = 区科委 = 普陀区科学技术委员会.

:class:`Resolver` matches a name written in an uploaded file (targets, rosters, the new apps'
ledgers) to a :class:`~peiyu.accounts.models.Department` by its name, short name, full name and
aliases, ignoring the "上海市", "普陀区"/"区" prefixes, spaces and full-width forms; an unknown name
gets "did you mean" suggestions for the error message.
"""

from __future__ import annotations

import csv
import difflib
import re
from importlib import resources
from typing import Any

from peiyu.core.tabular import to_halfwidth

_PREFIXES = ("上海市", "上海", "普陀区", "普陀")


def normalize(name: Any) -> str:
    """The comparable form of a department name: no spaces, half-width, no city/district prefix."""
    text = re.sub(r"\s+", "", to_halfwidth(str(name or "")))
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix) + 1:
                text = text[len(prefix) :]
                changed = True
    if text.startswith("区") and len(text) > 2:
        text = text[1:]
    return text


class Resolver:
    """Department names → Department, loaded once per import."""

    def __init__(self, departments: Any = None) -> None:
        from peiyu.accounts.models import Department

        self.by_key: dict[str, Any] = {}
        self.labels: dict[str, str] = {}
        for dept in departments if departments is not None else Department.objects.all():
            for n in dept.names():
                key = normalize(n)
                if key:
                    self.by_key.setdefault(key, dept)
                    self.labels.setdefault(key, dept.name)

    def resolve(self, name: Any) -> Any:
        """The department this name means, or None."""
        return self.by_key.get(normalize(name))

    def suggest(self, name: Any, n: int = 3) -> list[str]:
        """The departments the writer probably meant (their names), best first."""
        key = normalize(name)
        if not key:
            return []
        close = difflib.get_close_matches(key, list(self.by_key), n=n * 2, cutoff=0.5)
        contained = [k for k in self.by_key if key in k or k in key]
        out: list[str] = []
        for k in [*contained, *close]:
            label = self.labels[k]
            if label not in out:
                out.append(label)
        return out[:n]

    def unknown_message(self, name: Any) -> str:
        """A Chinese message for a name that matches no department, with suggestions."""
        hint = self.suggest(name)
        text = f"找不到部门“{name}”"
        if hint:
            return text + f"，您是否指：{'、'.join(hint)}？"
        return text + "（请先在系统管理中添加该部门，或使用已有部门的名称）"


def reference_rows() -> list[dict[str, str]]:
    text = resources.files("peiyu.core").joinpath("data", "putuo_departments.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_departments() -> int:
    """Create the district's departments that do not exist yet (matched by any of their names);
    existing ones get the full name and aliases they lack. Never overwrites an edit."""
    from peiyu.accounts.models import Department

    created = 0
    resolver = Resolver()
    for order, row in enumerate(reference_rows(), start=1):
        aliases = [a for a in row["aliases"].split(";") if a]
        existing = resolver.resolve(row["name"]) or resolver.resolve(row["full_name"])
        if existing is None:
            Department.objects.create(
                name=row["name"],
                short_name=row["short_name"],
                full_name=row["full_name"],
                aliases=aliases,
                order=order,
            )
            created += 1
            continue
        changed = []
        if not existing.full_name:
            existing.full_name = row["full_name"]
            changed.append("full_name")
        if not existing.short_name:
            existing.short_name = row["short_name"]
            changed.append("short_name")
        missing = [a for a in aliases if a not in (existing.aliases or [])]
        if missing:
            existing.aliases = [*(existing.aliases or []), *missing]
            changed.append("aliases")
        if changed:
            existing.save(update_fields=changed)
    return created
