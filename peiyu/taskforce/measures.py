"""The business-environment measures: status computed from dates, never self-declared, and the
monthly supervision bulletin (督办通报) by responsible unit.

Status of a measure as of a date (``as_of``):

- **green**  done on or before its deadline;
- **yellow** done after its deadline;
- **red**    not done and the deadline has passed (``deadline < as_of``: a measure due on the
  as-of date is not yet red);
- **grey**   not done and not yet due.

A completion date decides by itself: a measure done before its deadline is green even when the
as-of date is earlier than the deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from peiyu.accounts import scope as scope_mod

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
STATUSES = (GREEN, YELLOW, RED, GREY)
LABELS = {GREEN: "按时完成", YELLOW: "逾期完成", RED: "逾期未完成", GREY: "未到期"}
COLORS = {GREEN: "#2fb344", YELLOW: "#f59f00", RED: "#d63939", GREY: "#adb5bd"}


def status(deadline: dt.date, done: dt.date | None, as_of: dt.date) -> str:
    if done is not None:
        return GREEN if done <= deadline else YELLOW
    return RED if deadline < as_of else GREY


def current_plan() -> Any:
    from peiyu.taskforce.models import MeasurePlan

    return MeasurePlan.objects.filter(active=True).order_by("-issued", "-id").first()


def plan_by_name(name: str) -> Any:
    from peiyu.taskforce.models import MeasurePlan

    return MeasurePlan.objects.filter(name=name).first() or MeasurePlan.objects.filter(version=name).first()


def visible(user: Any, plan: Any = None) -> QuerySet[Any]:
    from peiyu.taskforce.models import Measure

    qs = Measure.objects.select_related("unit", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    return scope_mod.restrict(user, qs).distinct().order_by("plan", "seq", "id")


def as_json(measures: Any, as_of: dt.date) -> dict[str, Any]:
    """The ``peiyu measures --json`` object."""
    return {
        "as_of": as_of.isoformat(),
        "measures": [
            {
                "number": m.number,
                "unit": m.unit.name,
                "deadline": m.deadline.isoformat(),
                "done": m.done.isoformat() if m.done else None,
                "status": status(m.deadline, m.done, as_of),
            }
            for m in measures
        ],
    }


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class UnitLine:
    unit: str
    unit_id: int
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    done_in_month: int = 0
    due_next_month: int = 0
    red: list[Any] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        due = self.counts[GREEN] + self.counts[YELLOW] + self.counts[RED]
        if not due:
            return None
        return round((self.counts[GREEN] + self.counts[YELLOW]) * 100 / due, 1)

    @property
    def grade(self) -> str:
        if self.counts[RED]:
            return RED
        if self.counts[YELLOW]:
            return YELLOW
        return GREEN if self.counts[GREEN] else GREY


def bulletin(measures: Any, month: str) -> dict[str, Any]:
    """The supervision bulletin for ``month`` (as of its last day): per responsible unit the counts
    of each status, what was completed in the month, what falls due next month, and the red list;
    units with red measures first."""
    as_of = month_end(month)
    start = as_of.replace(day=1)
    nxt_end = month_end(f"{(as_of + dt.timedelta(days=1)):%Y-%m}")
    units: dict[int, UnitLine] = OrderedDict()
    totals = dict.fromkeys(STATUSES, 0)
    for m in measures:
        line = units.setdefault(m.unit_id, UnitLine(m.unit.name, m.unit_id))
        st = status(m.deadline, m.done, as_of)
        line.total += 1
        line.counts[st] += 1
        totals[st] += 1
        if m.done is not None and start <= m.done <= as_of:
            line.done_in_month += 1
        if m.done is None and as_of < m.deadline <= nxt_end:
            line.due_next_month += 1
        if st == RED:
            line.red.append(m)
    lines = sorted(units.values(), key=lambda u: (-u.counts[RED], -u.counts[YELLOW], u.unit))
    return {"month": month, "as_of": as_of, "units": lines, "totals": totals, "count": sum(totals.values())}


def bulletin_sections(data: dict[str, Any], plan: Any = None) -> list[Any]:
    from peiyu.core.sections import Section, SectionTable

    t = data["totals"]
    n = data["count"]
    head = (
        f"截至 {data['as_of']:%Y年%m月%d日}，{plan.name if plan else '营商环境方案'}共 {n} 项措施："
        f"按时完成 {t[GREEN]} 项，逾期完成 {t[YELLOW]} 项，逾期未完成 {t[RED]} 项，未到期 {t[GREY]} 项。"
    )
    rows = [
        [
            u.unit,
            u.total,
            u.counts[GREEN],
            u.counts[YELLOW],
            u.counts[RED],
            u.counts[GREY],
            u.done_in_month,
            u.due_next_month,
            u.rate,
        ]
        for u in data["units"]
    ]
    overview = Section(
        key="taskforce.measures.bulletin",
        title="各责任单位推进情况",
        order=10,
        paragraphs=[head],
        tables=[
            SectionTable(
                title="按责任单位",
                columns=[
                    "责任单位",
                    "措施数",
                    "按时完成",
                    "逾期完成",
                    "逾期未完成",
                    "未到期",
                    "本月完成",
                    "下月到期",
                    "到期完成率（%）",
                ],
                rows=rows,
                kinds=[
                    "text",
                    "integer",
                    "integer",
                    "integer",
                    "integer",
                    "integer",
                    "integer",
                    "integer",
                    "percent",
                ],
            )
        ],
    )
    red_rows = [
        [m.number, m.block, m.text[:80], u.unit, m.deadline.isoformat()] for u in data["units"] for m in u.red
    ]
    red = Section(
        key="taskforce.measures.red",
        title="逾期未完成措施（红灯）",
        order=20,
        paragraphs=[
            f"逾期未完成 {len(red_rows)} 项，请责任单位说明原因、明确完成时间。"
            if red_rows
            else "无逾期未完成措施。"
        ],
        tables=[
            SectionTable(
                title="红灯措施",
                columns=["编号", "板块", "措施", "责任单位", "完成时限"],
                rows=red_rows,
                kinds=["text", "text", "text", "text", "date"],
            )
        ]
        if red_rows
        else [],
        problems=[f"{u.unit}：{u.counts[RED]} 项逾期未完成" for u in data["units"] if u.counts[RED]],
    )
    return [overview, red]
