"""The leader cockpit (领导驾驶舱): one 1920×1080 screen for 区领导 — key industries against target and
time progress, the month's movers, a sub-district map, warnings and what needs a decision this
week — plus the tiles other apps contribute (``cockpit_tile(request)`` in their ``cockpit.py``, see
:func:`peiyu.core.contrib.cockpit_tiles`: the attraction pipeline, service deadlines …).

Every figure is the reader's scope (a leader reads the whole district); each tile links to its page.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from peiyu.core.money import format_wan

REFRESH_SECONDS = 300


def _url(name: str, *args: Any, query: str = "") -> str:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def end_of_week(today: dt.date | None = None) -> dt.datetime:
    """Sunday 23:59:59 of this week, local time."""
    today = today or timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return timezone.make_aware(dt.datetime.combine(sunday, dt.time(23, 59, 59)))


def decisions(user: Any, *, limit: int = 8) -> list[dict[str, Any]]:
    """What needs the user's decision this week: open items escalated to them, or theirs (as owner)
    due by the end of the week, overdue first. (A leader is escalated to when a unit they lead
    misses a deadline; see peiyu.work.)"""
    from django.db.models import Q

    from peiyu.work import queries
    from peiyu.work.models import Item

    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    qs = (
        queries.visible(user, Item.objects.filter(is_open=True))
        .filter(Q(escalated_to=user) | Q(owner=user, due_at__lte=end_of_week()))
        .select_related("owner")
        .order_by("due_at", "pk")
    )
    out = []
    for item in qs[:limit]:
        out.append(
            {
                "title": item.title,
                "due": timezone.localtime(item.due_at).date() if item.due_at else None,
                "overdue": item.is_overdue(now),
                "escalated": item.escalated_to_id == user.pk,
                "owner": str(item.owner) if item.owner is not None else "未分派",
                "url": queries.item_url(item),
            }
        )
    return out


def _industries(user: Any, month: str) -> list[dict[str, Any]]:
    """Key industries: 累计, YoY and, where an industry target exists, completion vs time progress."""
    from peiyu.targets import reports as target_reports
    from peiyu.taxes import analytics

    stats = analytics.industry_stats(user, month)
    by_industry: dict[int, Any] = {}
    for row in target_reports.board(user, month):
        t = row.target
        if t.key_industry_id and row.completion_pct is not None and t.key_industry_id not in by_industry:
            by_industry[t.key_industry_id] = row
    out = []
    for r in stats["industries"]:
        target = by_industry.get(r["id"])
        out.append(
            {
                "name": r["name"],
                "ytd": format_wan(r["ytd_fen"]),
                "yoy": r["yoy_pct"],
                "completion": None if target is None else float(target.completion_pct),
                "bar": None if target is None else min(100.0, max(0.0, float(target.completion_pct))),
                "status": None if target is None else target.status,
                "url": _url("taxes:industry", r["id"], query=f"month={month}"),
            }
        )
    return out[:8]


def _movers(user: Any, month: str) -> dict[str, list[dict[str, Any]]]:
    from peiyu.taxes import analytics

    def rows(sort: str, sign: int) -> list[dict[str, Any]]:
        got = analytics.enterprise_rows(user, month, sort=sort, limit=5)["rows"]
        return [
            {
                "name": r["name"],
                "change": format_wan(r["change_fen"]),
                "url": _url("registry:detail", r["credit_code"]) if r.get("enterprise_id") else "",
            }
            for r in got
            if r["change_fen"] * sign > 0
        ]

    return {"up": rows("-change", 1), "down": rows("change", -1)}


def _color(yoy: float | None) -> str:
    if yoy is None:
        return "#3a4a63"
    if yoy >= 10:
        return "#1f8a4c"
    if yoy >= 0:
        return "#2c6e49"
    if yoy > -10:
        return "#9a6b1d"
    return "#a83232"


def boundaries_file() -> Any:
    """The sub-district boundaries, when loaded: a GeoJSON file (features with ``properties.code``
    — 区划代码 — or ``properties.name``) at settings.PEIYU_AREA_MAP, default
    ``<PEIYU_DATA_DIR>/maps/areas.geojson``. None: the schematic map."""
    from pathlib import Path

    from django.conf import settings

    path = getattr(settings, "PEIYU_AREA_MAP", "") or Path(settings.DATA_DIR) / "maps" / "areas.geojson"
    path = Path(path)
    return path if path.is_file() else None


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        return [list(r) for r in coords]
    if kind == "MultiPolygon":
        return [list(r) for poly in coords for r in poly]
    return []


def boundary_map(areas: list[dict[str, Any]], path: Any, width: int = 640) -> dict[str, Any] | None:
    """SVG paths of the real boundaries (equirectangular projection fitted to ``width``), coloured
    like the schematic; None when the file cannot be read or names none of the areas."""
    import json

    from peiyu.registry.models import Area

    try:
        features = json.loads(path.read_text(encoding="utf-8")).get("features") or []
    except (OSError, ValueError, AttributeError):
        return None
    codes = dict(Area.objects.filter(id__in=[a["id"] for a in areas]).values_list("id", "code"))
    by_key: dict[str, dict[str, Any]] = {}
    for a in areas:
        by_key[a["name"]] = a
        if codes.get(a["id"]):
            by_key[codes[a["id"]]] = a
    shapes = []
    for f in features:
        props = f.get("properties") or {}
        area = by_key.get(str(props.get("code", ""))) or by_key.get(str(props.get("name", "")))
        rings = _rings(f.get("geometry") or {})
        if area is not None and rings:
            shapes.append((area, rings))
    if not shapes:
        return None
    points = [pt for _a, rings in shapes for ring in rings for pt in ring]
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    xs = [p[0] * math.cos(lat0) for p in points]
    ys = [-p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = width / span
    height = int((max(ys) - min(ys)) * scale) + 1

    def xy(p: list[float]) -> tuple[float, float]:
        return (p[0] * math.cos(lat0) - min(xs)) * scale, (-p[1] - min(ys)) * scale

    tiles = []
    for area, rings in shapes:
        d = " ".join(
            "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in (xy(p) for p in ring)) + " Z" for ring in rings
        )
        outer = [xy(p) for p in rings[0]]
        cx, cy = sum(x for x, _ in outer) / len(outer), sum(y for _, y in outer) / len(outer)
        yoy = area["yoy_pct"]
        tiles.append(
            {
                "name": area["name"],
                "d": d,
                "tx": round(cx, 1),
                "ty": round(cy, 1),
                "vy": round(cy + 20, 1),
                "color": _color(yoy),
                "ytd": format_wan(area["ytd_fen"]),
                "yoy": "—" if yoy is None else f"{yoy:+.1f}%",
                "url": _url("taxes:area", area["id"], query=f"month={area.get('month', '')}"),
            }
        )
    return {"tiles": tiles, "width": width, "height": max(height, 1), "kind": "boundaries"}


def area_map(user: Any, month: str) -> dict[str, Any]:
    """A map of the sub-districts coloured by YoY of 累计 district-level tax: the real boundaries when
    a boundary file is loaded (:func:`boundaries_file`), else a schematic — one rounded tile per area
    on a grid in the areas' own order. Offline either way, no map service."""
    from peiyu.taxes import analytics

    areas = [{**a, "month": month} for a in analytics.area_stats(user, month) if a["id"] is not None]
    path = boundaries_file()
    if path is not None and areas:
        real = boundary_map(areas, path)
        if real is not None:
            return real
    n = len(areas)
    cols = max(1, math.ceil(math.sqrt(n * 1.6))) if n else 1
    w, h, gap = 150, 110, 10
    tiles = []
    for i, a in enumerate(areas):
        yoy = a["yoy_pct"]
        color = _color(yoy)
        x, y = (i % cols) * (w + gap), (i // cols) * (h + gap)
        tiles.append(
            {
                "name": a["name"],
                "x": x,
                "y": y,
                "w": w,
                "h": h,
                "tx": x + w / 2,
                "ty": y + 48,
                "vy": y + 80,
                "color": color,
                "ytd": format_wan(a["ytd_fen"]),
                "yoy": "—" if yoy is None else f"{yoy:+.1f}%",
                "url": _url("taxes:area", a["id"], query=f"month={month}"),
            }
        )
    rows = math.ceil(n / cols) if n else 1
    return {"tiles": tiles, "width": cols * (w + gap), "height": rows * (h + gap), "kind": "schematic"}


def _warnings(user: Any) -> dict[str, Any]:
    from peiyu.alerts import queries
    from peiyu.alerts.models import Severity

    counts = queries.counts(user)
    newest = list(
        queries.visible(user)
        .filter(item__is_open=True, severity=Severity.HIGH)
        .order_by("-last_month", "-created_at")[:5]
    )
    return {
        "counts": counts,
        "newest": [
            {
                "name": w.enterprise.name,
                "rule": w.get_rule_display(),
                "month": w.last_month,
                "url": _url("alerts:detail", w.pk),
            }
            for w in newest
        ],
        "url": _url("alerts:list"),
    }


def context(request: Any) -> dict[str, Any]:
    from peiyu.accounts import audit
    from peiyu.analytics import as_scope
    from peiyu.core import contrib
    from peiyu.reports import audit_actions as A
    from peiyu.taxes import analytics

    user = request.user
    month = analytics.latest_month()
    out: dict[str, Any] = {
        "month": month,
        "now": timezone.localtime(),
        "refresh_seconds": REFRESH_SECONDS,
        "whole": "全区" if as_scope(user).everything else "本范围",
        "decisions": decisions(user),
        "warnings": _warnings(user),
        "tiles": contrib.cockpit_tiles(request),
        "inbox_url": _url("work:inbox"),
        "reports_url": _url("reports:index"),
    }
    if month is None:
        return out
    from peiyu.targets.progress import time_progress

    stats = analytics.industry_stats(user, month)
    d = stats["district"]
    out.update(
        {
            "district": {
                "month": format_wan(d["month_fen"]),
                "ytd": format_wan(d["ytd_fen"]),
                "yoy": d["yoy_pct"],
                "month_yoy": d["month_yoy_pct"],
                "taxpayers": d["taxpayers"],
                "total": format_wan(d["ytd_total_fen"]),
            },
            "time_progress": float(time_progress(month)),
            "industries": _industries(user, month),
            "movers": _movers(user, month),
            "map": area_map(user, month),
            "dashboard_url": _url("taxes:dashboard", query=f"month={month}"),
            "decomposition_url": _url("taxes:decomposition", query=f"month={month}"),
            "targets_url": _url("targets:board"),
        }
    )
    audit.record_view(request, A.COCKPIT_VIEW, f"{month} 领导驾驶舱（企业增减）", month=month)
    return out
