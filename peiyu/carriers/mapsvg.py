"""The carriers' district map, drawn on the server as SVG (no online map service, no script).

Without boundaries: a schematic of the demo district's sub-districts (boxes roughly where they lie,
north-west 桃浦 to south-east 长寿路) with each carrier inside its sub-district's box (at
``map_x``/``map_y`` percent when set, else on a grid). With a GeoJSON layer loaded by an
administrator: the real polygons, projected to the canvas, and carriers at their coordinates (or at
the centre of their sub-district when they have none).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from peiyu.carriers.models import Carrier, Kind, MapLayer

WIDTH, HEIGHT = 800, 520
# schematic boxes (x, y, w, h) of Putuo's sub-districts
SCHEMATIC: dict[str, tuple[int, int, int, int]] = {
    "桃浦镇": (40, 30, 300, 150),
    "万里街道": (350, 50, 150, 120),
    "甘泉路街道": (510, 20, 150, 100),
    "长征镇": (40, 190, 220, 170),
    "真如镇街道": (270, 190, 180, 130),
    "石泉路街道": (510, 130, 120, 110),
    "宜川路街道": (640, 130, 130, 110),
    "曹杨新村街道": (460, 250, 140, 110),
    "长风新村街道": (270, 330, 180, 150),
    "长寿路街道": (610, 250, 160, 130),
}
COLORS: dict[str, str] = {
    Kind.BUILDING: "#206bc4",
    Kind.PARK: "#2fb344",
    Kind.INCUBATOR: "#f76707",
    Kind.PLATFORM: "#ae3ec9",
}
FILL = "#f1f5f9"


@dataclass
class Dot:
    carrier: Carrier
    x: float
    y: float
    tier: str | None = None


def _radius(tier: str | None) -> int:
    return {"亿元楼": 9, "千万元楼": 7}.get(tier or "", 5)


def _dot_svg(d: Dot) -> str:
    c = d.carrier
    color = COLORS.get(c.kind, "#206bc4")
    title = f"{c.name}（{c.get_kind_display()}{'，' + d.tier if d.tier else ''}）"
    return (
        f'<a href="/carriers/{c.pk}/"><circle cx="{d.x:.1f}" cy="{d.y:.1f}" r="{_radius(d.tier)}" '
        f'fill="{color}" fill-opacity="0.85" stroke="#fff" stroke-width="1.5">'
        f"<title>{escape(title)}</title></circle></a>"
    )


def _boxes(area_names: Iterable[str]) -> dict[str, tuple[int, int, int, int]]:
    boxes = dict(SCHEMATIC)
    extra = [n for n in area_names if n not in boxes]
    for i, name in enumerate(extra):  # sub-districts the schematic does not know: a row below
        boxes[name] = (40 + (i % 5) * 150, HEIGHT + 10 + (i // 5) * 110, 140, 100)
    return boxes


def schematic_svg(
    carriers: list[Carrier], tiers: dict[int, str | None] | None = None
) -> tuple[SafeString, list[Carrier]]:
    from peiyu.registry.models import Area

    tiers = tiers or {}
    names = list(Area.objects.order_by("order", "name").values_list("name", flat=True))
    boxes = _boxes(names)
    height = max(y + h for x, y, w, h in boxes.values()) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="carrier-map" '
        f'role="img" aria-label="载体分布示意图">'
    ]
    for name, (x, y, w, h) in boxes.items():
        if name not in names and name in SCHEMATIC and names and not any(n in SCHEMATIC for n in names):
            continue
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="{FILL}" stroke="#94a3b8"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="13" fill="#475569">{escape(name)}</text>'
        )
    by_area: dict[str, list[Carrier]] = defaultdict(list)
    unplaced = []
    for c in carriers:
        if c.area is None or c.area.name not in boxes:
            unplaced.append(c)
        else:
            by_area[c.area.name].append(c)
    for name, cs in by_area.items():
        x, y, w, h = boxes[name]
        n = len(cs)
        cols = max(1, math.ceil(math.sqrt(n * w / max(h - 24, 1))))
        rows = max(1, math.ceil(n / cols))
        for i, c in enumerate(cs):
            if c.map_x is not None and c.map_y is not None:
                px = x + float(c.map_x) / 100 * w
                py = y + 24 + float(c.map_y) / 100 * (h - 30)
            else:
                px = x + (i % cols + 0.5) * w / cols
                py = y + 24 + (i // cols + 0.5) * (h - 30) / rows
            parts.append(_dot_svg(Dot(c, px, py, tiers.get(c.pk))))
    parts.append("</svg>")
    return mark_safe("".join(parts)), unplaced  # noqa: S308 (every text is escaped above)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def geo_svg(
    layer: MapLayer, carriers: list[Carrier], tiers: dict[int, str | None] | None = None
) -> tuple[SafeString, list[Carrier]]:
    tiers = tiers or {}
    features = [f for f in layer.geojson.get("features", []) if isinstance(f, dict)]
    points = [
        (float(p[0]), float(p[1]))
        for f in features
        for ring in _rings(f.get("geometry") or {})
        for p in ring
        if isinstance(p, list | tuple) and len(p) >= 2
    ]
    if not points:
        return schematic_svg(carriers, tiers)
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = max((lon1 - lon0) * k, 1e-9), max(lat1 - lat0, 1e-9)
    scale = min((WIDTH - 40) / span_x, (HEIGHT - 40) / span_y)

    def proj(lon: float, lat: float) -> tuple[float, float]:
        return 20 + (lon - lon0) * k * scale, 20 + (lat1 - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="carrier-map" '
        f'role="img" aria-label="载体分布图">'
    ]
    centres: dict[str, tuple[float, float]] = {}
    for f in features:
        props = f.get("properties") or {}
        name = str(props.get("name") or props.get("NAME") or props.get("名称") or "")
        xs, ys = [], []
        for ring in _rings(f.get("geometry") or {}):
            pts = [
                proj(float(p[0]), float(p[1])) for p in ring if isinstance(p, list | tuple) and len(p) >= 2
            ]
            if not pts:
                continue
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
            d = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + " Z"
            parts.append(f'<path d="{d}" fill="{FILL}" stroke="#94a3b8"/>')
        if xs and name:
            cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
            centres[name] = (cx, cy)
            parts.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="12" fill="#475569" text-anchor="middle">{escape(name)}</text>'
            )
    unplaced = []
    offsets: dict[str, int] = defaultdict(int)
    for c in carriers:
        if c.lon is not None and c.lat is not None:
            x, y = proj(float(c.lon), float(c.lat))
        elif c.area is not None and c.area.name in centres:
            cx, cy = centres[c.area.name]
            i = offsets[c.area.name]
            offsets[c.area.name] += 1
            angle = i * 2.4
            x, y = cx + math.cos(angle) * (10 + i), cy + 14 + math.sin(angle) * (10 + i)
        else:
            unplaced.append(c)
            continue
        parts.append(_dot_svg(Dot(c, x, y, tiers.get(c.pk))))
    parts.append("</svg>")
    return mark_safe("".join(parts)), unplaced  # noqa: S308 (every text is escaped above)


def draw(
    carriers: list[Carrier], tiers: dict[int, str | None] | None = None
) -> tuple[SafeString, list[Carrier], MapLayer | None]:
    layer = MapLayer.objects.filter(active=True).order_by("-loaded_at").first()
    if layer is not None:
        svg, unplaced = geo_svg(layer, carriers, tiers)
    else:
        svg, unplaced = schematic_svg(carriers, tiers)
    return svg, unplaced, layer


def as_decimal(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except Exception:  # noqa: BLE001
        return None
