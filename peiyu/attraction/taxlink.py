"""Landed → tax: confirm 纳税 from the tax library (what self-reported pipelines cannot do).

For each landed project (注册落地 or 纳税, with a credit code): the first tax month is the first month
on or after the signing date (the registration date when there is none) in which the company's
district-level tax is positive; the 12-month sum covers that month and the 11 after it, as far as
the library has them; years 1–3 are the three 12-month windows from the first tax month (promised
vs actual). A landed project whose first tax month appears moves to 纳税 automatically.

Runs after every tax import (the ``tax_library_changed`` signal starts the ``attraction.tax_check``
job) and when the 投促办 confirms a landing. Figures come from the registered analytics query
``attraction.tax_by_code`` with the system scope.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from peiyu.analytics import shift_month
from peiyu.attraction.models import Project, Stage

log = logging.getLogger(__name__)

LANDED_STAGES = (Stage.LANDED, Stage.TAXPAYING)


def start_month(project: Project) -> str | None:
    day: dt.date | None = project.signed_on or project.registered_on or project.entered_on
    return f"{day.year:04d}-{day.month:02d}" if day else None


def figures(series: dict[str, int], start: str | None) -> tuple[str | None, int | None, list[int]]:
    """(first tax month, tax over its first 12 months, years 1–3) from a month → fen series."""
    if start is None:
        return None, None, []
    months = sorted(m for m in series if m >= start)
    first = next((m for m in months if series[m] > 0), None)
    if first is None:
        return None, None, []
    by_year = []
    for y in range(3):
        lo, hi = shift_month(first, 12 * y), shift_month(first, 12 * y + 11)
        window = [series[m] for m in months if lo <= m <= hi]
        if y and not window:
            break
        by_year.append(sum(window))
    return first, by_year[0], by_year


def refresh(project_ids: list[int] | None = None) -> dict[str, int]:
    """Re-read the tax of landed projects; returns ``{"checked", "taxpaying", "changed"}``."""
    from peiyu.accounts import scope
    from peiyu.attraction import actions
    from peiyu.attraction.analytics import tax_by_code

    qs = Project.objects.filter(stage__in=LANDED_STAGES).exclude(credit_code="")
    if project_ids is not None:
        qs = qs.filter(pk__in=project_ids)
    projects = list(qs)
    if not projects:
        return {"checked": 0, "taxpaying": 0, "changed": 0}
    try:
        series = tax_by_code(scope.EVERYTHING, sorted({p.credit_code for p in projects}))
    except Exception:  # an empty or missing library: nothing paid yet
        log.exception("读取落地项目税收失败")
        series = {}
    changed = paying = 0
    for p in projects:
        first, tax12, by_year = figures(series.get(p.credit_code, {}), start_month(p))
        if first:
            paying += 1
        if (
            first != (p.first_tax_month or None)
            or tax12 != p.tax12_fen
            or by_year != (p.tax_by_year or [])
            or p.tax_checked_at is None
        ):
            changed += int(actions.apply_tax(p, first_month=first, tax12=tax12, by_year=by_year))
    return {"checked": len(projects), "taxpaying": paying, "changed": changed}


def on_tax_library_changed(sender: Any = None, months: list[str] | None = None, **kwargs: Any) -> None:
    """The tax library changed: check the landed projects in a background job."""
    try:
        from peiyu.work import jobs

        if not Project.objects.filter(stage__in=LANDED_STAGES).exclude(credit_code="").exists():
            return
        jobs.start("attraction.tax_check", months=list(months or []))
    except Exception:  # an import must never fail because of a follow-up job
        log.exception("落地项目税收核对任务启动失败")
