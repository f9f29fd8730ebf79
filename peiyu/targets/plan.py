"""The five-year plan ("411倍增计划"): each key industry's base-year value, final-year goal and yearly
milestones (by default a constant-growth doubling path), against the library's actuals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from peiyu.accounts import scope as scope_mod
from peiyu.core.money import growth_pct
from peiyu.targets.models import FiveYearPlan, PlanLine
from peiyu.targets.progress import div_round, full_year, pct, seasonal_share
from peiyu.taxes import analytics


def visible_lines(user: Any, plan: FiveYearPlan) -> list[PlanLine]:
    scope = scope_mod.scope_for(user)
    qs = plan.lines.select_related("key_industry")
    if not scope.everything:
        qs = qs.filter(key_industry_id__in=scope.industry_ids)
    return list(qs)


def plan_progress(user: Any, plan: FiveYearPlan) -> list[dict[str, Any]]:
    """Per visible industry: rows per year (milestone, actual, completion of milestone) and a chart."""
    lines = visible_lines(user, plan)
    if not lines:
        return []
    available = set(analytics.months_available())
    years = list(range(plan.base_year, plan.final_year + 1))
    months = [m for y in [plan.base_year - 1, *years] for m in full_year(y) if m in available]
    # The lines are the user's industries (or everything); each industry's series is read whole.
    totals = analytics.monthly_totals(scope_mod.EVERYTHING, months, by="industry") if months else {}
    latest = analytics.latest_month()
    out = []
    for line in lines:
        series = {m: v["district_fen"] for m, v in totals.get(line.key_industry_id, {}).items()}
        rows = []
        actual_points, path_points, projection_points = [], [], []
        for y in years:
            milestone = line.base_fen if y == plan.base_year else line.milestones.get(str(y))
            ym = [m for m in full_year(y) if m in available]
            actual = sum(series.get(m, 0) for m in ym) if ym else None
            complete = len(ym) == 12
            projection = None
            if ym and not complete and latest and latest.startswith(str(y)):
                m_no = int(latest[5:])
                share = seasonal_share(series, y - 1, m_no)
                if share and share[0] > 0 and actual is not None:
                    projection = div_round(actual * share[1], share[0])
            rows.append(
                {
                    "year": y,
                    "milestone_fen": milestone,
                    "actual_fen": actual,
                    "complete": complete,
                    "through": ym[-1] if ym else None,
                    "since": ym[0] if ym else None,
                    "running": bool(ym) and not complete and latest is not None and latest.startswith(str(y)),
                    "projection_fen": projection,
                    "completion_pct": pct(actual, milestone)
                    if actual is not None and milestone and complete
                    else None,
                    "vs_base_pct": growth_pct(actual, line.base_fen)
                    if actual is not None and complete
                    else None,
                }
            )
            path_points.append(milestone)
            actual_points.append(actual if complete else None)
            projection_points.append(projection)
        chart = {
            "_fenAxis": True,
            "legend": {"top": 0},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": [str(y) for y in years]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": "倍增路径（里程碑）",
                    "type": "line",
                    "data": path_points,
                    "lineStyle": {"type": "dashed"},
                },
                {
                    "name": "实际区级税收",
                    "type": "bar",
                    "data": actual_points,
                    "itemStyle": {"color": line.key_industry.color},
                },
                {
                    "name": "本年预计",
                    "type": "bar",
                    "data": projection_points,
                    "itemStyle": {"opacity": 0.4, "color": line.key_industry.color},
                },
            ],
        }
        last_complete = next(
            (r for r in reversed(rows) if r["complete"] and r["year"] > plan.base_year), None
        )
        out.append(
            {
                "line": line,
                "rows": rows,
                "chart": chart,
                "chart_id": f"plan-chart-{line.pk}",
                "multiple": f"{Decimal(line.goal_fen) / Decimal(line.base_fen):.1f}"
                if line.base_fen
                else None,
                "last_complete": last_complete,
            }
        )
    return out
