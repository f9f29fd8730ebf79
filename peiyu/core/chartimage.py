"""Charts drawn on the server as PNG images for Word documents (no browser): the subset of an ECharts
option the platform's charts use — a category x axis with bar and line series, or a pie — drawn
with matplotlib and a CJK font the server has (Noto CJK from Debian fonts-noto-cjk, WenQuanYi).

``_fenAxis`` (money in fen) is shown in 万元, as peiyu.js does on the page. Returns None when there
is nothing to draw or matplotlib is missing; the document's tables carry the same figures.
"""

from __future__ import annotations

import io
import logging
import threading
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "Noto Serif CJK SC",
)
PALETTE = ("#206bc4", "#a8aeb7", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816")
_LOCK = threading.Lock()  # pyplot's state is global: one chart at a time


@cache
def cjk_font() -> str | None:
    """The first CJK font family matplotlib finds on this machine (None: labels may show boxes)."""
    try:
        from matplotlib import font_manager
    except ImportError:
        return None
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        lowered = path.lower()
        if "cjk" in lowered or "wqy" in lowered:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def title_of(option: dict[str, Any]) -> str:
    title = option.get("title")
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return str(title or "")


def _values(data: list[Any], fen: bool) -> list[float | None]:
    out: list[float | None] = []
    for v in data:
        if isinstance(v, dict):
            v = v.get("value")
        if v is None:
            out.append(None)
        else:
            out.append(float(v) / 1_000_000 if fen else float(v))  # fen → 万元 (display only)
    return out


def render_png(
    option: dict[str, Any], *, width: float = 7.5, height: float = 3.6, dpi: int = 160
) -> bytes | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        return None
    series = [s for s in option.get("series") or [] if isinstance(s, dict)]
    if not series:
        return None
    fen = bool(option.get("_fenAxis") or option.get("_fenTooltip"))
    family = cjk_font()
    with _LOCK:
        rc: dict[str, Any] = {"font.size": 9, "axes.unicode_minus": False}
        if family:
            rc["font.family"] = family
        with plt.rc_context(rc):  # type: ignore[arg-type]
            fig, ax = plt.subplots(figsize=(width, height), dpi=dpi)
            try:
                if series[0].get("type") == "pie":
                    drawn = _pie(ax, series[0], fen)
                else:
                    drawn = _bars_and_lines(ax, option, series, fen)
                if not drawn:
                    return None
                fig.tight_layout()
                buf = io.BytesIO()
                fig.savefig(buf, format="png")
                return buf.getvalue()
            except Exception:  # a chart must never stop a document
                log.exception("图表绘制失败")
                return None
            finally:
                plt.close(fig)


def _bars_and_lines(ax: Any, option: dict[str, Any], series: list[dict[str, Any]], fen: bool) -> bool:
    x = option.get("xAxis") or {}
    if isinstance(x, list):
        x = x[0] if x else {}
    labels = [str(v) for v in x.get("data") or []]
    if not labels:
        n = max(len(s.get("data") or []) for s in series)
        labels = [str(i + 1) for i in range(n)]
    bars = [s for s in series if s.get("type", "bar") == "bar"]
    width = 0.8 / max(len(bars), 1)
    positions = list(range(len(labels)))
    any_value = False
    bar_index = 0
    for i, s in enumerate(series):
        values = _values(list(s.get("data") or []), fen)[: len(labels)]
        values += [None] * (len(labels) - len(values))
        color = ((s.get("itemStyle") or {}).get("color")) or PALETTE[i % len(PALETTE)]
        name = str(s.get("name") or "")
        if any(v is not None for v in values):
            any_value = True
        if s.get("type", "bar") == "bar":
            offset = (bar_index - (len(bars) - 1) / 2) * width
            bar_index += 1
            ax.bar(
                [p + offset for p in positions],
                [v or 0 for v in values],
                width=width,
                color=[
                    color if len(series) > 1 or (v or 0) >= 0 else PALETTE[4]  # a single series: falls in red
                    for v in values
                ],
                label=name or None,
            )
        else:
            dashed = (s.get("lineStyle") or {}).get("type") == "dashed"
            ax.plot(
                [p for p, v in zip(positions, values, strict=True) if v is not None],
                [v for v in values if v is not None],
                color=color,
                linestyle="--" if dashed else "-",
                marker="o",
                markersize=3,
                label=name or None,
            )
    if not any_value:
        return False
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=30 if len(labels) > 8 and max(map(len, labels)) > 3 else 0)
    y = option.get("yAxis") or {}
    if isinstance(y, dict) and y.get("name"):
        ax.set_ylabel(str(y["name"]))
    elif fen:
        ax.set_ylabel("万元")
    ax.axhline(0, color="#666666", linewidth=0.6)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    if any(s.get("name") for s in series) and len(series) > 1:
        ax.legend(frameon=False)
    return True


def _pie(ax: Any, s: dict[str, Any], fen: bool) -> bool:
    data = [d for d in s.get("data") or [] if isinstance(d, dict) and (d.get("value") or 0) > 0]
    if not data:
        return False
    values = [float(d["value"]) for d in data]
    ax.pie(
        values,
        labels=[str(d.get("name", "")) for d in data],
        autopct="%1.1f%%",
        startangle=90,
        counterclock=False,
        colors=[PALETTE[i % len(PALETTE)] for i in range(len(data))],
        wedgeprops={"width": 0.45},
        textprops={"fontsize": 8},
    )
    ax.axis("equal")
    return True
