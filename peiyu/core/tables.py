"""One column spec per table: the page, the Excel export and the API list are rendered from the same
declaration, so their headers and values cannot drift.

    ENTERPRISES = TableSpec(
        Column("name", "企业名称", url="profile_url"),
        Column("credit_code", "统一社会信用代码", mono=True),
        Column("ytd_fen", "累计区级税收（万元）", "money", total=True),
        Column("yoy_pct", "同比（%）", "percent", signed=True),
        empty="没有符合条件的企业",
    )

    ENTERPRISES.render(rows, id="enterprise-table")        # → {% include "core/table.html" with table=… %}
    ENTERPRISES.xlsx("企业.xlsx", rows, sheet="企业", title="…")  # → HttpResponse (XlsxWriter)
    ENTERPRISES.api_rows(rows)                             # → [{"name": …, "ytd_fen": 123, …}]
    ENTERPRISES.schema("EnterpriseRow")                   # → a ninja Schema for the API's response

Kinds: ``text``; ``money`` (integer fen shown in 万元 with two decimals; the API gives fen); ``yuan``
(fen shown in 元); ``percent`` (a number of percent, one decimal; ``signed`` adds + and colours);
``points`` (percentage points, signed, one decimal);
``integer``; ``decimal``; ``date``; ``datetime``; ``bool`` (是/否); ``link`` (text with a URL on the page).
Numbers align right. A column marked ``total`` is summed in the total row (or the caller passes the
totals, e.g. over every page of a paginated list). ``screen=False`` keeps a column out of the page
(exported and in the API only — e.g. a long address); it never changes its label or values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from peiyu.core import export
from peiyu.core.money import fen_to_yuan, format_wan

NUMERIC = frozenset({"money", "yuan", "percent", "points", "integer", "decimal"})
KINDS = NUMERIC | {"text", "date", "datetime", "bool", "link"}
EXPORT_KIND = {
    "text": "text",
    "link": "text",
    "bool": "text",
    "money": "wan",
    "yuan": "yuan",
    "percent": "pct",
    "points": "points",
    "integer": "int",
    "decimal": "decimal",
    "date": "date",
    "datetime": "datetime",
}
DASH = "—"


@dataclass(frozen=True)
class Column:
    """One column: ``key`` (row key or dotted attribute path, also the API field name), Chinese
    ``label`` (the header on the page and in Excel), ``kind`` (see the module docstring)."""

    key: str
    label: str
    kind: str = "text"
    align: str = ""  # "start" | "end" | "center"; numbers default to "end"
    total: bool = False
    signed: bool = False  # percent/money: "+3.2%" and green/red on the page
    places: int | None = None  # money: 2; percent: 1; decimal: as given
    width: float | None = None  # Excel width in characters
    value: Callable[[Any], Any] | None = None  # compute the value from the row (default: row[key])
    url: str | Callable[[Any], str | None] | None = None  # page link: row key with the URL, or a function
    screen: bool = True  # shown on the page
    mono: bool = False  # monospace on the page (codes)
    help: str = ""  # the header's tooltip
    badge: Callable[[Any], str | None] | None = None  # page only: a badge after the value (未匹配, 重点)
    template: str = ""  # page only: a template drawing the cell around its value (a progress bar …)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.key!r}")

    @property
    def alignment(self) -> str:
        return self.align or ("end" if self.kind in NUMERIC else "start")

    @property
    def export_kind(self) -> str:
        if self.kind == "percent" and self.signed:
            return "pct_signed"
        return EXPORT_KIND[self.kind]


def _get(row: Any, key: str) -> Any:
    if isinstance(row, Mapping):
        if key in row:
            return row[key]
        if "." not in key:
            return None
    value: Any = row
    for part in key.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if callable(value) and not isinstance(value, type):
            value = value()
    return value


def display(column: Column, value: Any) -> str:
    """The text a page shows for ``value`` (the Excel cell holds the same figure with a number format)."""
    if value is None or value == "":
        return DASH if column.kind in NUMERIC or column.kind in ("date", "datetime") else ""
    kind = column.kind
    if kind == "money":
        text = format_wan(int(value), column.places if column.places is not None else 2)
        return ("+" + text) if column.signed and int(value) > 0 else text
    if kind == "yuan":
        return f"{fen_to_yuan(int(value)):,}"
    if kind == "percent":
        places = column.places if column.places is not None else 1
        return f"{float(value):+.{places}f}%" if column.signed else f"{float(value):.{places}f}%"
    if kind == "points":
        return f"{float(value):+.{column.places if column.places is not None else 1}f}"
    if kind == "integer":
        return f"{int(value):,}"
    if kind == "decimal":
        d = Decimal(str(value))
        if column.places is not None:
            d = d.quantize(Decimal(1).scaleb(-column.places))
        return f"{d:,f}" if column.places is not None else f"{d.normalize():,f}"
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else str(value)
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return f"{value:%Y-%m-%d %H:%M:%S}"
        return str(value)
    if kind == "bool":
        return "是" if value else "否"
    return str(value)


def jsonable(column: Column, value: Any) -> Any:
    """The API value: fen as integers, percentages as numbers, dates as ISO text."""
    if value is None:
        return None
    if column.kind in ("money", "yuan", "integer"):
        return int(value)
    if column.kind in ("percent", "points", "decimal"):
        return float(value)
    if column.kind == "bool":
        return bool(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, str | int | float) else str(value)


@dataclass
class Cell:
    text: str
    css: str = ""
    url: str | None = None
    badge: str | None = None
    template: str = ""
    value: Any = None


@dataclass
class HeadCell:
    label: str
    css: str
    help: str
    key: str
    url: str = ""
    link_id: str = ""


@dataclass
class BoundRow:
    cells: list[Cell]
    attrs: dict[str, str] = field(default_factory=dict)
    source: Any = None


@dataclass
class BoundTable:
    """What ``core/table.html`` renders."""

    head: list[HeadCell]
    rows: list[BoundRow]
    total: list[Cell] | None
    id: str = ""
    classes: str = ""
    empty: str = ""
    caption: str = ""

    @property
    def colspan(self) -> int:
        return len(self.head)


_ALIGN_CSS = {"end": "num", "center": "text-center", "start": ""}


class TableSpec:
    def __init__(
        self,
        *columns: Column,
        empty: str = "没有数据",
        total_label: str = "合计",
        numbered: bool | str = False,
    ) -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self.empty = empty
        self.total_label = total_label
        self.numbered = numbered
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in {keys}")

    # -- deriving specs (dynamic labels, subsets)

    def _copy(self, columns: Iterable[Column]) -> TableSpec:
        return TableSpec(*columns, empty=self.empty, total_label=self.total_label, numbered=self.numbered)

    def relabel(self, **labels: str) -> TableSpec:
        """The same spec with some labels changed (``relabel(this="2025年（万元）")``)."""
        unknown = set(labels) - {c.key for c in self.columns}
        if unknown:
            raise KeyError(f"no such columns: {sorted(unknown)}")
        return self._copy(replace(c, label=labels.get(c.key, c.label)) for c in self.columns)

    def only(self, *keys: str) -> TableSpec:
        by_key = {c.key: c for c in self.columns}
        return self._copy(by_key[k] for k in keys)

    def without(self, *keys: str) -> TableSpec:
        return self._copy(c for c in self.columns if c.key not in keys)

    def extended(self, *columns: Column, before: str | None = None) -> TableSpec:
        """More columns, at the end or before the column ``before``."""
        if before is None:
            return self._copy([*self.columns, *columns])
        out: list[Column] = []
        for c in self.columns:
            if c.key == before:
                out.extend(columns)
            out.append(c)
        return self._copy(out)

    def with_options(self, **options: Any) -> TableSpec:
        spec = self._copy(self.columns)
        for k, v in options.items():
            if k not in ("empty", "total_label", "numbered"):
                raise TypeError(k)
            setattr(spec, k, v)
        return spec

    # -- values

    @property
    def number_label(self) -> str:
        """The header of the row-number column (``numbered=True`` → 序号, or the label given)."""
        return self.numbered if isinstance(self.numbered, str) else "序号"

    def headers(self, *, screen: bool = False) -> list[str]:
        cols = self.screen_columns() if screen else self.columns
        return ([self.number_label] if self.numbered else []) + [c.label for c in cols]

    def screen_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.screen)

    def cell(self, column: Column, row: Any) -> Any:
        return column.value(row) if column.value is not None else _get(row, column.key)

    def values(self, row: Any) -> dict[str, Any]:
        return {c.key: self.cell(c, row) for c in self.columns}

    def totals(self, rows: Sequence[Any]) -> dict[str, Any]:
        sums: dict[str, Any] = {}
        for c in self.columns:
            if c.total:
                sums[c.key] = sum((self.cell(c, r) or 0) for r in rows)
        return sums

    @property
    def has_total(self) -> bool:
        return any(c.total for c in self.columns)

    # -- API

    def api_row(self, row: Any) -> dict[str, Any]:
        return {c.key: jsonable(c, self.cell(c, row)) for c in self.columns}

    def api_rows(self, rows: Iterable[Any]) -> list[dict[str, Any]]:
        return [self.api_row(r) for r in rows]

    def schema(self, name: str) -> Any:
        """A ninja ``Schema`` describing one API row (field names = keys, descriptions = labels)."""
        from ninja import Schema
        from pydantic import Field as PydanticField
        from pydantic import create_model

        types: dict[str, Any] = {
            "money": int,
            "yuan": int,
            "integer": int,
            "percent": float,
            "points": float,
            "decimal": float,
            "bool": bool,
        }
        fields: dict[str, Any] = {
            c.key.replace(".", "_"): (
                types.get(c.kind, str) | None,
                PydanticField(None, description=c.label + ("（分）" if c.kind in ("money", "yuan") else "")),
            )
            for c in self.columns
        }
        return create_model(name, __base__=Schema, **fields)

    # -- page

    def render(
        self,
        rows: Iterable[Any],
        *,
        id: str = "",
        classes: str = "",
        totals: Mapping[str, Any] | None = None,
        start: int = 1,
        empty: str | None = None,
        caption: str = "",
        row_attrs: Callable[[Any], Mapping[str, Any]] | None = None,
        header_links: Mapping[str, tuple[str, str]] | None = None,
    ) -> BoundTable:
        """The table for ``{% include "core/table.html" with table=… %}``. ``totals`` (key → value)
        fills the total row (default: sums of the ``total`` columns of these rows); ``start`` numbers
        the rows of a later page; ``header_links`` (key → (url, element id)) makes headers sort links;
        ``row_attrs(row)`` gives attributes of the ``<tr>`` (``data-target`` …)."""
        cols = self.screen_columns()
        rows = list(rows)
        head = [HeadCell(self.number_label, "text-secondary", "", "_n")] if self.numbered else []
        links = header_links or {}
        head += [
            HeadCell(c.label, _ALIGN_CSS[c.alignment], c.help, c.key, *links.get(c.key, ("", "")))
            for c in cols
        ]
        body: list[BoundRow] = []
        for i, row in enumerate(rows):
            cells = [Cell(str(start + i), "text-secondary")] if self.numbered else []
            for c in cols:
                value = self.cell(c, row)
                css = _ALIGN_CSS[c.alignment]
                if c.mono:
                    css += " font-monospace"
                if c.signed and isinstance(value, int | float | Decimal) and value:
                    css += " up" if value > 0 else " down"
                url = None
                if c.url is not None:
                    url = c.url(row) if callable(c.url) else _get(row, c.url)
                badge = c.badge(row) if c.badge is not None else None
                cells.append(
                    Cell(display(c, value), css.strip(), url or None, badge or None, c.template, value)
                )
            attrs = {str(k): str(v) for k, v in (row_attrs(row) if row_attrs else {}).items()}
            body.append(BoundRow(cells, attrs, row))
        total_cells: list[Cell] | None = None
        if totals is not None or self.has_total:
            sums = dict(totals) if totals is not None else self.totals(rows)
            total_cells = []
            if self.numbered:
                total_cells.append(Cell(""))
            for j, c in enumerate(cols):
                if c.key in sums:
                    total_cells.append(Cell(display(c, sums[c.key]), _ALIGN_CSS[c.alignment]))
                else:
                    total_cells.append(Cell(self.total_label if j == 0 else ""))
        return BoundTable(
            head,
            body,
            total_cells,
            id=id,
            classes=classes,
            empty=self.empty if empty is None else empty,
            caption=caption,
        )

    # -- Excel

    def table(
        self,
        rows: Iterable[Any],
        *,
        sheet: str,
        title: str = "",
        notes: Sequence[str] = (),
        totals: Mapping[str, Any] | None = None,
        start: int = 1,
    ) -> export.Table:
        """One sheet for :func:`peiyu.core.export.xlsx_response` (every column, screen or not)."""
        columns = [export.Column(c.label, c.key, c.export_kind, width=c.width) for c in self.columns]
        if self.numbered:
            columns.insert(0, export.Column(self.number_label, "_n", "int", width=6))
        total_row = None
        if totals is not None:
            total_row = dict(totals)
        elif self.has_total:
            rows = list(rows)
            total_row = self.totals(rows)

        def data() -> Iterable[dict[str, Any]]:  # streamed: an export of 200,000 rows is not copied
            for i, row in enumerate(rows):
                values = self.values(row)
                if self.numbered:
                    values["_n"] = start + i
                yield values

        return export.Table(
            sheet,
            columns,
            data(),
            title=title,
            notes=list(notes),
            totals=total_row,
            total_label=self.total_label,
        )

    def xlsx(
        self,
        filename: str,
        rows: Iterable[Any],
        *,
        sheet: str,
        title: str = "",
        notes: Sequence[str] = (),
        totals: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        return export.xlsx_response(
            filename, [self.table(rows, sheet=sheet, title=title, notes=notes, totals=totals)]
        )
