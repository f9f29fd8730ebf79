"""Sections as a page (display rows with formatted cells), a Word document and an Excel workbook.

Word and Excel go through :mod:`peiyu.core.documents` (the one official layout)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from peiyu.core.money import format_wan
from peiyu.core.sections import Section

NUMERIC = ("money", "percent", "integer", "decimal", "points")


def cell_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind in NUMERIC else ""
    if kind == "money":
        try:
            return format_wan(int(value))
        except (TypeError, ValueError):
            return str(value)
    if kind == "percent":
        if isinstance(value, (int, float, Decimal)):
            return f"{Decimal(str(value)):.1f}%"
        return str(value)
    if kind == "points":
        if isinstance(value, (int, float, Decimal)):
            return f"{Decimal(str(value)):+.1f}"
        return str(value)
    if kind == "integer" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def display(sections: list[Section], prefix: str = "sec") -> list[dict[str, Any]]:
    """What the page template draws: every cell already formatted, numbers marked to align right."""
    out = []
    for n, s in enumerate(sections):
        tables = []
        for t in s.tables:
            kinds = list(t.kinds) + ["text"] * (len(t.columns) - len(t.kinds))
            tables.append(
                {
                    "title": t.title,
                    "unit": t.unit or ("万元" if "money" in kinds else ""),
                    "note": t.note,
                    "head": [
                        {"label": c, "num": k in NUMERIC} for c, k in zip(t.columns, kinds, strict=False)
                    ],
                    "rows": [
                        [
                            {"text": cell_text(v, k), "num": k in NUMERIC}
                            for v, k in zip(row, kinds, strict=False)
                        ]
                        for row in t.rows
                    ],
                }
            )
        out.append(
            {
                "key": s.key,
                "id": f"{prefix}-{n}",
                "title": s.title,
                "paragraphs": s.paragraphs,
                "problems": s.problems,
                "tables": tables,
                "chart": s.chart,
                "chart_id": f"{prefix}-{n}-chart",
                "link": s.link,
            }
        )
    return out


def docx_bytes(
    *, title: str, sections: list[Section], issuer: str = "", subtitle: str = "", date: dt.date | None = None
) -> bytes:
    from peiyu.core.documents import render_docx

    return render_docx(title=title, sections=sections, issuer=issuer, subtitle=subtitle, date=date)


def xlsx_bytes(*, title: str, sections: list[Section]) -> bytes:
    from peiyu.core.documents import render_xlsx

    return render_xlsx(title=title, sections=sections)
