"""The one error row every importer reports, and a collector that builds them.

An error row is ``{"row", "column", "value", "message"}``:

- ``row``: the spreadsheet row number as the user sees it in Excel (1-based), or ``None`` for a
  problem with the whole file;
- ``column``: the header text as found in the file followed by the column letter, ``责任部门（F）``
  (or the column's Chinese label when the file has no such column);
- ``value``: the raw cell as text (trimmed, at most :data:`MAX_VALUE_CHARS` characters);
- ``message``: a Chinese sentence saying what is wrong and, where possible, what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypedDict

from peiyu.core.tabular import Header, clean_text, column_letter

MAX_VALUE_CHARS = 200  # a hostile 1 MB cell is shown as its first 200 characters
MAX_ERRORS = 20_000  # beyond this a report stops listing (the count stays right)


class ErrorRow(TypedDict):
    row: int | None
    column: str
    value: str
    message: str


def error_row(row: int | None, column: str, value: Any, message: str) -> ErrorRow:
    """One error row; ``value`` is the raw cell (converted to text and shortened)."""
    return {"row": row, "column": column, "value": cell_text(value), "message": message}


def cell_text(value: Any) -> str:
    text = clean_text(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "…"
    return text


def column_label(label: str, index: int | None) -> str:
    """``责任部门（F）``: the header text as found plus the column letter."""
    if index is None:
        return label
    return f"{label}（{column_letter(index)}）"


class ErrorCollector:
    """Collects error rows for one file. Columns are named by key: with a header, the key's
    column is shown as the file's header text and letter; without one (or for a column the file
    lacks) as the label given in ``labels``.

        errors = ErrorCollector(header, labels={"year": "年度"})
        mark = errors.mark()
        errors.add(5, "year", raw, "年度应为四位年份")
        if errors.since(mark): ...   # this row has errors
    """

    def __init__(
        self,
        header: Header | None = None,
        labels: Mapping[str, str] | None = None,
        *,
        limit: int = MAX_ERRORS,
    ) -> None:
        self.rows: list[ErrorRow] = []
        self.total = 0
        self.limit = limit
        self.labels: dict[str, str] = dict(labels or {})
        self._columns: dict[str, str] = {}
        if header is not None:
            self.use_header(header)

    def use_header(self, header: Header) -> None:
        self._columns = {
            key: column_label(header.labels[j] or self.labels.get(key, key), j)
            for key, j in header.columns.items()
        }

    def column(self, key: str) -> str:
        """The column as shown in an error row (header text and letter, or the label)."""
        return self._columns.get(key) or self.labels.get(key) or key

    def add(self, row: int | None, key: str, value: Any, message: str) -> None:
        """An error in ``row`` (spreadsheet row number) and column ``key`` (or a free column text)."""
        self.total += 1
        if len(self.rows) < self.limit:
            self.rows.append(error_row(row, self.column(key) if key else "", value, message))

    def file(self, message: str, *, column: str = "", value: Any = "") -> None:
        """A problem with the whole file (no row)."""
        self.total += 1
        self.rows.append(error_row(None, column, value, message))

    def extend(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for r in rows:
            self.total += 1
            if len(self.rows) < self.limit:
                self.rows.append(
                    error_row(r.get("row"), r.get("column", ""), r.get("value", ""), r["message"])
                )

    def mark(self) -> int:
        return self.total

    def since(self, mark: int) -> int:
        """How many errors were added after ``mark`` (``errors.since(m)`` is truthy when a row failed)."""
        return self.total - mark

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[ErrorRow]:
        return iter(self.rows)


def describe(error: Mapping[str, Any]) -> str:
    """One error as a Chinese line: ``第 5 行 责任部门（F）“区卫健委X”：找不到责任部门…``."""
    where = f"第 {error['row']} 行 " if error.get("row") else ""
    column = str(error.get("column") or "")
    value = f"“{error['value']}”" if error.get("value") else ""
    lead = f"{where}{column}{value}".strip()
    return f"{lead}：{error['message']}" if lead else str(error["message"])
