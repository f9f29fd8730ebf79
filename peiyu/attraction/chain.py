"""The chain map (产业链图谱) of one key industry: anchor firms (链主) in the middle, the projects
drawn around them by position (上游 / 下游 / 同类), and the companies those projects landed as —
single project → similar firms → chain → cluster. Only the projects the user may see are drawn."""

from __future__ import annotations

from typing import Any

from peiyu.attraction import queries, stages
from peiyu.attraction.models import AnchorFirm, ChainPosition, Stage

CATEGORIES = ["链主企业", "上游", "下游", "同类", "未定位"]
POS_INDEX = {ChainPosition.UPSTREAM: 1, ChainPosition.DOWNSTREAM: 2, ChainPosition.PEER: 3}


def graph(user: Any, industry: Any) -> dict[str, Any]:
    """``{"nodes", "links", "anchors"}`` for the industry."""
    anchors = list(AnchorFirm.objects.filter(industry=industry))
    projects = list(queries.visible(user).filter(anchor__isnull=False).filter(anchor__industry=industry))
    projects += [
        p for p in queries.visible(user).filter(anchor__isnull=False, industry=industry) if p not in projects
    ]
    anchor_ids = {a.pk for a in anchors} | {p.anchor_id for p in projects if p.anchor_id is not None}
    anchors = list(AnchorFirm.objects.filter(pk__in=anchor_ids))
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for a in anchors:
        n = sum(1 for p in projects if p.anchor_id == a.pk)
        nodes.append({"id": f"a{a.pk}", "name": a.name, "category": 0, "symbolSize": 40 + 4 * n, "value": n})
    for p in projects:
        landed = stages.index(p.stage) >= stages.index(Stage.LANDED)
        label = (queries.enterprise_name(user, p) if landed and p.enterprise else "") or p.name
        if label.startswith("（"):
            label = p.name
        nodes.append(
            {
                "id": f"p{p.pk}",
                "name": label,
                "category": POS_INDEX.get(p.chain_position, 4),  # type: ignore[call-overload]
                "symbolSize": 22 if landed else 14,
                "value": stages.label(p.stage),
            }
        )
        links.append({"source": f"a{p.anchor_id}", "target": f"p{p.pk}"})
    return {"nodes": nodes, "links": links, "anchors": anchors, "projects": projects}


def graph_option(user: Any, industry: Any) -> tuple[dict[str, Any], dict[str, int]]:
    """The ECharts option and a summary ``{"anchors", "projects"}``."""
    g = graph(user, industry)
    return {
        "tooltip": {},
        "legend": [{"data": CATEGORIES}],
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "roam": True,
                "draggable": True,
                "label": {"show": True, "position": "right"},
                "force": {"repulsion": 220, "edgeLength": 90},
                "categories": [{"name": c} for c in CATEGORIES],
                "data": g["nodes"],
                "links": g["links"],
            }
        ],
    }, {"anchors": len(g["anchors"]), "projects": len(g["projects"])}
