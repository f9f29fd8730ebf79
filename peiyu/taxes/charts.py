"""ECharts options for the tax pages (plain data: rendered with json_script, drawn by peiyu.js).

Money stays in fen; ``_fenAxis`` / ``_fenTooltip`` / ``_waterfall`` tell peiyu.js to show 万元."""

from __future__ import annotations

from typing import Any

THIS_YEAR = "#206bc4"
LAST_YEAR = "#a8aeb7"
UP = "#2fb344"
DOWN = "#d63939"


def year_compare(monthly: dict[str, Any]) -> dict[str, Any]:
    year = monthly["year"]
    return {
        "_fenAxis": True,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [f"{year}年", f"{year - 1}年"]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": monthly["labels"]},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [
            {
                "name": f"{year}年",
                "type": "bar",
                "data": monthly["this_year"],
                "itemStyle": {"color": THIS_YEAR},
            },
            {
                "name": f"{year - 1}年",
                "type": "line",
                "data": monthly["last_year"],
                "itemStyle": {"color": LAST_YEAR},
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def share_pie(title: str, rows: list[dict[str, Any]], name_key: str, value_key: str) -> dict[str, Any]:
    data = [{"name": r[name_key], "value": r[value_key]} for r in rows if (r.get(value_key) or 0) > 0]
    return {
        "_fenTooltip": True,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "top": 30,
                "data": data,
                "label": {"formatter": "{b}\n{d}%"},
            }
        ],
    }


def month_vs_prev(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "_fenAxis": True,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["本月", "上月"]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [r["name"] for r in rows], "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [
            {
                "name": "本月",
                "type": "bar",
                "data": [r["month_fen"] for r in rows],
                "itemStyle": {"color": THIS_YEAR},
            },
            {
                "name": "上月",
                "type": "bar",
                "data": [r["prev_month_fen"] for r in rows],
                "itemStyle": {"color": LAST_YEAR},
            },
        ],
    }


def waterfall(dec: dict[str, Any]) -> dict[str, Any]:
    """上年同期累计 → four parts → 本年累计, as floating bars (a transparent base series)."""
    labels = ["上年同期累计"] + [p["label"] for p in dec["parts"]] + ["本年累计"]
    base: list[int] = []
    bars: list[dict[str, Any]] = []
    prev = dec["prev_ytd_fen"]
    base.append(0)
    bars.append({"value": prev, "real": prev, "itemStyle": {"color": LAST_YEAR}})
    level = prev
    for p in dec["parts"]:
        after = level + p["fen"]
        low = min(level, after)
        base.append(max(low, 0))
        bars.append(
            {
                "value": abs(p["fen"]),
                "real": p["fen"],
                "signed": True,
                "itemStyle": {"color": UP if p["fen"] >= 0 else DOWN},
            }
        )
        level = after
    base.append(0)
    bars.append({"value": dec["ytd_fen"], "real": dec["ytd_fen"], "itemStyle": {"color": THIS_YEAR}})
    return {
        "_fenAxis": True,
        "_waterfall": True,
        "tooltip": {"trigger": "item"},
        "grid": {"left": 70, "right": 20, "top": 30, "bottom": 40},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [
            {
                "name": "基准",
                "type": "bar",
                "stack": "w",
                "silent": True,
                "itemStyle": {"color": "transparent"},
                "emphasis": {"disabled": True},
                "tooltip": {"show": False},
                "data": base,
            },
            {
                "name": "金额",
                "type": "bar",
                "stack": "w",
                "data": bars,
                "label": {"show": True, "position": "top"},
            },
        ],
    }


def top_bar(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    rows = list(reversed(rows))
    return {
        "_fenXAxis": True,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 220, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "name": "万元"},
        "yAxis": {"type": "category", "data": [r["name"] for r in rows]},
        "series": [{"type": "bar", "data": [r[key] for r in rows], "itemStyle": {"color": THIS_YEAR}}],
    }
