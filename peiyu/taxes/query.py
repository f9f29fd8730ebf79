"""The parameters of a tax analytics request, parsed once: the pages (``request.GET``), the JSON API
(its query parameters) and the ``peiyu stats`` command (its options) all build a :class:`TaxQuery`
with :meth:`TaxQuery.from_params` and then call the registered queries of
:mod:`peiyu.taxes.analytics` with its fields.

    q, problems = TaxQuery.from_params(request.GET)
    # pages: messages.warning(request, p.notice) for p in problems if p.notice; then carry on
    # API:   return Status(problems[0].status, {"detail": problems[0].message}) if problems
    # CLI:   raise CommandError(problems[0].message) if problems
    month = q.require_month()          # MonthNotAvailable when the library is empty
    analytics.totals(user, month, industry_id=q.industry_id, area_id=q.area_id)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peiyu.analytics import MonthNotAvailable, params
from peiyu.analytics.params import Problem

SORT_MESSAGE = "排序字段应为 {} 之一（前加 - 为降序）"


@dataclass(frozen=True)
class TaxQuery:
    """Month, key industry, area, search text and sort of a tax analytics request (validated).

    ``month`` is None only when the library has no month at all. ``industry`` and ``area`` are the
    chosen model instances (for labels and form selections), ``industry_id``/``area_id`` their ids."""

    month: str | None = None
    industry: Any = None  # registry.KeyIndustry
    area: Any = None  # registry.Area
    q: str = ""
    sort: str = "-ytd"
    months: tuple[str, ...] = ()  # every month in the library, oldest first

    @property
    def industry_id(self) -> int | None:
        return self.industry.pk if self.industry is not None else None

    @property
    def area_id(self) -> int | None:
        return self.area.pk if self.area is not None else None

    def require_month(self) -> str:
        if self.month is None:
            raise MonthNotAvailable("税收库中尚无数据，请先导入月度税收文件")
        return self.month

    def label(self) -> str:
        """``2025年3月 · 智能软件 · 长征镇`` (empty without a month)."""
        if not self.month:
            return ""
        y, m = self.month.split("-")
        parts = [f"{y}年{int(m)}月"]
        if self.industry is not None:
            parts.append(self.industry.name)
        if self.area is not None:
            parts.append(self.area.name)
        return " · ".join(parts)

    @classmethod
    def from_params(
        cls,
        data: Mapping[str, Any] | None,
        *,
        industry: Any = None,
        area: Any = None,
        months: list[str] | None = None,
    ) -> tuple[TaxQuery, list[Problem]]:
        """Parse ``month`` (YYYY-MM, default the latest), ``industry`` and ``area`` (id, name, or an
        industry's slug), ``q`` and ``sort`` (a key of ``ENTERPRISE_SORTS``, ``-`` for descending).
        ``industry``/``area`` fix those dimensions (a drill-down page's own object). Bad values fall
        back (latest month, no filter, ``-ytd``) and are reported as problems, in parameter order."""
        from peiyu.registry.models import Area, KeyIndustry
        from peiyu.taxes.analytics import ENTERPRISE_SORTS, months_available

        available = months if months is not None else months_available()
        problems: list[Problem] = []

        def keep(value: Any, problem: Problem | None) -> Any:
            if problem is not None:
                problems.append(problem)
            return value

        month = keep(*params.month(params.get(data, "month"), available))
        if industry is None:
            industry = keep(
                *params.lookup(
                    KeyIndustry,
                    params.get(data, "industry"),
                    "产业",
                    field="industry",
                    notice="未找到所选产业，已显示全部产业。",
                    slug=True,
                )
            )
        if area is None:
            area = keep(
                *params.lookup(
                    Area,
                    params.get(data, "area"),
                    "街道镇",
                    field="area",
                    notice="未找到所选街道镇，已显示全部街道镇。",
                )
            )
        sorts = [*ENTERPRISE_SORTS, *(f"-{k}" for k in ENTERPRISE_SORTS)]
        sort = keep(
            *params.choice(
                params.get(data, "sort"),
                sorts,
                "-ytd",
                SORT_MESSAGE.format("、".join(ENTERPRISE_SORTS)),
                "sort",
            )
        )
        q = params.clean(params.get(data, "q"))
        return cls(month, industry, area, q, sort, tuple(available)), problems
