"""A section of a written document: the monthly analysis report, a meeting pack, a dispatch pack.

Apps contribute sections (``monthly_section(who, month)`` in their ``reports.py``; a meeting kind's
pack builder); the reports app and the meeting pages render them as a page, a Word document or an
Excel sheet. A section is plain data so that it can be stored as a snapshot (a meeting's pack keeps
the figures it was prepared with) and rendered anywhere.

Numbers in ``paragraphs`` come from the same queries as the pages; money in tables is integer fen
with ``kind="money"`` (shown as 万元), never a float.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SectionTable:
    title: str
    columns: list[str]  # Chinese headings
    rows: list[list[Any]]  # cells: str, int (fen when the column kind is money), Decimal, None
    kinds: list[str] = field(default_factory=list)  # per column: text | money | percent | integer | date
    unit: str = ""  # e.g. "万元" — printed under the title
    note: str = ""


@dataclass
class Section:
    key: str  # stable id, e.g. "attraction.pipeline"
    title: str  # Chinese heading
    order: int = 100
    paragraphs: list[str] = field(default_factory=list)  # Chinese prose, already with the figures
    tables: list[SectionTable] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # for 问题与建议
    chart: dict[str, Any] | None = None  # an ECharts option (rendered on the server for Word)
    link: str = ""  # the page the section comes from

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        tables = [SectionTable(**t) for t in data.get("tables", [])]
        return cls(**{**data, "tables": tables})
