"""Eligibility conditions as data, decided over the registry and the tax library.

A clause's ``conditions`` is a list of ``{"field", "op", "value"}``; every condition must hold. For
the award year ``Y`` the figures are those of the year before (the firm applies in ``Y`` with its
``Y−1`` results):

==================  ==========================================  ===================================
field               meaning                                      ops / value
==================  ==========================================  ===================================
``key_industry``    the firm's key industry                      ``in``: list of slugs; ``any``
``area``            the firm's street/town                       ``in``: list of names
``industry_code``   GB/T 4754 code                               ``prefix``: list of prefixes
``tax_last_year``   district-level tax in Y−1 (fen)              ``>=`` ``>`` ``<=`` ``<``
``tax_growth``      growth of the district-level tax Y−1 on Y−2  ``>=`` ``>`` ``<=`` ``<`` (percent)
``age``             whole years from establishment to end of Y−1 ``>=`` ``>`` ``<=`` ``<``
``is_key``          marked as key enterprise                     ``is``: true/false
==================  ==========================================  ===================================

The firm must also be registered in the district (存续/在业). A clause is decidable from data (and
may be 免申即享) when it has conditions and no ``other_requirements``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peiyu.core.money import format_wan, growth_pct

FIELDS: dict[str, str] = {
    "key_industry": "重点产业",
    "area": "所在街镇",
    "industry_code": "行业代码",
    "tax_last_year": "上年区级税收",
    "tax_growth": "上年区级税收增长（%）",
    "age": "成立年限（年）",
    "is_key": "重点企业",
}
NUMERIC = {"tax_last_year", "tax_growth", "age"}
OPS: dict[str, str] = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不高于",
    "<": "低于",
    "in": "属于",
    "any": "属于任一重点产业",
    "prefix": "代码开头为",
    "is": "为",
}
ACTIVE = ("存续", "在业")


class RuleError(ValueError):
    """A condition that cannot be decided (unknown field or operator, bad value)."""


@dataclass
class Facts:
    """What the rules read about one firm for one award year."""

    enterprise_id: int
    status: str
    key_industry: str | None  # slug
    area: str | None  # name
    industry_code: str
    established: dt.date | None
    is_key: bool
    tax_last_year: int | None  # fen, Y−1 (None: no tax data that year)
    tax_year_before: int | None  # fen, Y−2
    year: int  # the award year

    @property
    def tax_growth(self) -> float | None:
        if self.tax_last_year is None or not self.tax_year_before:
            return None
        return growth_pct(self.tax_last_year, self.tax_year_before)

    @property
    def age(self) -> int | None:
        if self.established is None:
            return None
        end = dt.date(self.year - 1, 12, 31)
        years = (
            end.year
            - self.established.year
            - ((end.month, end.day) < (self.established.month, self.established.day))
        )
        return max(years, 0)

    def value(self, name: str) -> Any:
        return getattr(self, name)


@dataclass
class Decision:
    eligible: bool
    basis: dict[str, Any] = field(default_factory=dict)  # the figures that decided it (Chinese labels)
    failed: list[str] = field(default_factory=list)  # why not, in Chinese


def validate(conditions: Any) -> list[dict[str, Any]]:
    """The conditions, checked; :class:`RuleError` (Chinese message) when one cannot be decided."""
    if not isinstance(conditions, list):
        raise RuleError("申报条件须为条件列表")
    out = []
    for i, c in enumerate(conditions, 1):
        if not isinstance(c, dict) or c.get("field") not in FIELDS:
            raise RuleError(f"第 {i} 项条件的字段无法识别：{c!r}")
        op = c.get("op")
        f = c["field"]
        if f in NUMERIC:
            if op not in (">=", ">", "<=", "<"):
                raise RuleError(f"第 {i} 项条件（{FIELDS[f]}）须为比较条件，不能为“{op}”")
            try:
                Decimal(str(c.get("value")))
            except Exception as exc:
                raise RuleError(f"第 {i} 项条件（{FIELDS[f]}）的数值无法识别：{c.get('value')!r}") from exc
        elif f == "key_industry":
            if op not in ("in", "any"):
                raise RuleError(f"第 {i} 项条件（重点产业）只能为“属于”")
        elif f in ("area", "industry_code"):
            if op not in ("in", "prefix") or not isinstance(c.get("value"), list):
                raise RuleError(f"第 {i} 项条件（{FIELDS[f]}）须列出取值")
        elif f == "is_key" and op != "is":
            raise RuleError("重点企业条件只能为“为 是/否”")
        out.append({"field": f, "op": op, "value": c.get("value")})
    return out


def _compare(actual: Any, op: str, target: Any) -> bool:
    a = Decimal(str(actual))
    t = Decimal(str(target))
    return {">=": a >= t, ">": a > t, "<=": a <= t, "<": a < t}[op]


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "无数据"
    if name == "tax_last_year":
        return f"{format_wan(int(value))} 万元"
    if name == "is_key":
        return "是" if value else "否"
    return str(value)


def describe(condition: dict[str, Any]) -> str:
    """One condition in Chinese: "上年区级税收 不低于 100.00 万元"."""
    f, op, v = condition["field"], condition["op"], condition.get("value")
    if op == "any":
        return "属于区重点产业"
    shown = "、".join(map(str, v)) if isinstance(v, list) else _shown(f, v)
    return f"{FIELDS.get(f, f)} {OPS.get(op, op)} {shown}"


def decide(conditions: list[dict[str, Any]], facts: Facts) -> Decision:
    """Every condition over the facts of one firm (all must hold; a missing figure fails)."""
    d = Decision(eligible=True)
    if facts.status not in ACTIVE:
        d.eligible = False
        d.failed.append(f"登记状态为{facts.status}")
    for c in conditions:
        f, op, target = c["field"], c["op"], c.get("value")
        actual = facts.value(f)
        d.basis[FIELDS[f]] = _shown(f, actual)
        ok: bool
        if f in NUMERIC:
            ok = actual is not None and _compare(actual, op, target)
        elif f == "key_industry":
            ok = actual is not None and (op == "any" or actual in (target or []))
        elif f == "area":
            ok = actual in (target or [])
        elif f == "industry_code":
            ok = any(str(actual or "").startswith(str(p)) for p in (target or []))
        else:  # is_key
            ok = bool(actual) == bool(target)
        if not ok:
            d.eligible = False
            d.failed.append(f"不满足：{describe(c)}（实际 {_shown(f, actual)}）")
    return d


def decidable(clause: Any) -> bool:
    """Can the data alone decide this clause (a 免申即享 candidate)?"""
    return bool(clause.conditions) and not (clause.other_requirements or "").strip()


def facts_for_year(year: int, enterprises: Any, tax: dict[int, dict[int, int]]) -> list[Facts]:
    """Facts of each enterprise (an iterable of Enterprise) for award year ``year`` from the
    ``{enterprise id: {year: fen}}`` figures of :func:`peiyu.policies.analytics.yearly_tax`."""
    out = []
    for e in enterprises:
        t = tax.get(e.pk, {})
        out.append(
            Facts(
                enterprise_id=e.pk,
                status=e.status,
                key_industry=e.key_industry.slug if e.key_industry_id else None,
                area=e.area.name if e.area_id else None,
                industry_code=e.industry_code or "",
                established=e.established,
                is_key=bool(e.is_key),
                tax_last_year=t.get(year - 1),
                tax_year_before=t.get(year - 2),
                year=year,
            )
        )
    return out
