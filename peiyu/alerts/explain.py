"""Why a warning fired: the enterprise's monthly series against last year, the triggering numbers,
and its industry and area in the same months (so a firm falling with its whole industry can be told
apart from a firm-specific problem). All figures through :mod:`peiyu.taxes.analytics`, scoped to
the viewer."""

from __future__ import annotations

from typing import Any

from peiyu.accounts import scope as scope_mod
from peiyu.alerts.models import Warning
from peiyu.analytics import shift_month
from peiyu.core.money import growth_pct
from peiyu.taxes import analytics

shift = shift_month


def months_back(month: str, n: int) -> list[str]:
    return [shift(month, -i) for i in range(n - 1, -1, -1)]


def series_chart(months: list[str], cur: list[int], prev: list[int], highlight: list[str]) -> dict[str, Any]:
    """ECharts option: this year's months against the same months a year earlier (fen axis)."""
    marks = [[{"xAxis": m}, {"xAxis": m}] for m in highlight if m in months]
    return {
        "_fenAxis": True,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["本期", "上年同月"]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [
            {
                "name": "本期",
                "type": "bar",
                "data": cur,
                "itemStyle": {"color": "#206bc4"},
                "markArea": {"itemStyle": {"color": "rgba(214,57,57,0.12)"}, "data": marks},
            },
            {"name": "上年同月", "type": "line", "data": prev, "itemStyle": {"color": "#999999"}},
        ],
    }


def explain(user: Any, w: Warning) -> dict[str, Any]:
    e = w.enterprise
    months = months_back(w.last_month, 12)
    prev = [shift(m, -12) for m in months]
    data = analytics.enterprise_series(user, months + prev, [e.pk]).get(e.pk, {})

    def val(m: str) -> int:
        return data.get(m, {}).get("district_fen", 0)

    cur_vals, prev_vals = [val(m) for m in months], [val(m) for m in prev]
    ev_months = [m for m in (w.evidence or {}).get("months", []) if isinstance(m, str)] or [w.last_month]
    ev_prev = [shift(m, -12) for m in ev_months]

    def group_change(by: str, key: Any) -> dict[str, Any]:
        totals = analytics.monthly_totals(user, ev_months + ev_prev, by=by).get(key, {})
        a = sum(totals.get(m, {}).get("district_fen", 0) for m in ev_months)
        b = sum(totals.get(m, {}).get("district_fen", 0) for m in ev_prev)
        return {"sum_fen": a, "prev_sum_fen": b, "change_pct": growth_pct(a, b)}

    own_a, own_b = sum(val(m) for m in ev_months), sum(val(m) for m in ev_prev)
    context_rows: list[dict[str, Any]] = [
        {
            "label": "本企业",
            "name": e.name,
            "sum_fen": own_a,
            "prev_sum_fen": own_b,
            "change_pct": growth_pct(own_a, own_b),
        }
    ]
    if e.key_industry is not None:
        context_rows.append(
            {"label": "所属产业", "name": e.key_industry.name, **group_change("industry", e.key_industry_id)}
        )
    if e.area is not None:
        context_rows.append({"label": "所属街道镇", "name": e.area.name, **group_change("area", e.area_id)})
    context_rows.append(
        {
            "label": "全区" if scope_mod.scope_for(user).everything else "您的数据范围",
            "name": "",
            **group_change("district", None),
        }
    )

    verdict = ""
    own = context_rows[0]["change_pct"]
    peers = [r["change_pct"] for r in context_rows[1:3] if r["change_pct"] is not None]
    if own is not None and peers:
        worst = min(peers)
        if own <= -20 and worst <= -20:
            verdict = "所属产业或区域同期也明显下降，可能是行业性/区域性因素。"
        elif own <= -20:
            verdict = "所属产业和区域同期未明显下降，下降为企业自身原因的可能性较大，建议优先走访。"
    return {
        "months": months,
        "chart": series_chart(months, cur_vals, prev_vals, ev_months),
        "table": [
            {"month": m, "fen": c, "prev_month": p, "prev_fen": pv, "change_pct": growth_pct(c, pv)}
            for m, c, p, pv in zip(months, cur_vals, prev, prev_vals, strict=True)
        ],
        "context": context_rows,
        "context_months": ev_months,
        "verdict": verdict,
        "scoped": not scope_mod.scope_for(user).everything,
    }
