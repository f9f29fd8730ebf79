"""Phase 1 of a sheet: find the header (one or two rows) and say what each column is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from peiyu.core.tabular import column_letter, combined_labels
from peiyu.taxes.parse.vocabulary import (
    BRACKET,
    DATE_SYNONYMS,
    FALLBACK_TOTAL_SYNONYMS,
    ID_SYNONYMS,
    IGNORED_WORDS,
    LEVEL_COLUMN_SYNONYMS,
    LEVEL_SYNONYMS,
    NAME_SYNONYMS,
    TAX_TYPE_SYNONYMS,
    TOTAL_SYNONYMS,
    is_tax_word,
    norm,
    tax_alias,
    words,
)


def _strip_brackets(label: str) -> tuple[str, str | None]:
    """``实缴金额(万元)`` → (``实缴金额``, ``万元``). Any bracketed part is removed; a unit inside is kept."""
    unit = None
    for inner in BRACKET.findall(label):
        m = re.search(r"(亿元|万元|千元|元)", inner)
        if m:
            unit = m.group(1)
    return BRACKET.sub("", label), unit


def _level_of(part: str) -> str | None:
    for level, names in LEVEL_SYNONYMS.items():
        if part in words(level, names):
            return level
    return None


@dataclass
class Col:
    index: int
    label: str
    role: str  # id | name | tax_type | date | amount | ignored
    tax: str | None = None  # wide: the tax type of this column (None = the row's total / level)
    level: str = "total"  # total | district | city | central | local
    unit: str | None = None
    partial: bool = False  # under 其中 ("of which"): the tax columns need not add up to the total
    fallback: bool = False  # a total used only when the sheet has no other (应补(退)税额)

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def where(self) -> str:
        return f"{self.label}（{self.letter}列）"


def classify_label(label: str) -> Col:
    """What a (possibly two-level, "upper/lower") header label is."""
    col = Col(-1, label, "ignored")
    if not label:
        return col
    parts = []
    for raw in label.split("/"):
        bare, unit = _strip_brackets(raw)
        col.unit = unit or col.unit
        if bare.startswith("其中"):  # 其中：区级 / 其中 over 增值税, 企业所得税 …
            col.partial = True
            bare = bare[2:]
        if bare:
            parts.append(bare)
    if not parts:
        return col
    parts = [p.upper() if p.isascii() else p for p in parts]
    if any(p in words("ignored", frozenset()) for p in parts):
        return col
    if any(p in words("id", ID_SYNONYMS) for p in parts):
        col.role = "id"
        return col
    if any(p in words("name", NAME_SYNONYMS) for p in parts):
        col.role = "name"
        return col
    if any(p in words("tax_type", TAX_TYPE_SYNONYMS) for p in parts):
        col.role = "tax_type"
        return col
    if any(p in words("level_column", LEVEL_COLUMN_SYNONYMS) for p in parts):
        col.role = "level_column"  # 预算级次: one row per budget level (中央/市/区)
        return col
    if any(p in words("date", DATE_SYNONYMS) for p in parts):
        col.role = "date"
        return col
    if any(w in p for p in parts for w in IGNORED_WORDS):
        return col
    tax = next((tax_alias(p) for p in parts if is_tax_word(p)), None)
    level = next((lv for p in parts if (lv := _level_of(p))), None)
    if tax is not None:
        col.role, col.tax, col.level = "amount", tax, level or "total"
        return col
    if level is not None:
        col.role, col.level = "amount", level
        return col
    if any(p in words("total", TOTAL_SYNONYMS) for p in parts):
        col.role, col.level = "amount", "total"
        return col
    if any(p in FALLBACK_TOTAL_SYNONYMS for p in parts):
        col.role, col.level, col.fallback = "amount", "total", True
        return col
    return col


@dataclass
class Layout:
    top: int  # 0-based first header row
    bottom: int  # 0-based last header row
    cols: list[Col]

    def first(self, role: str, **kw: Any) -> Col | None:
        for c in self.cols:
            if c.role == role and all(getattr(c, k) == v for k, v in kw.items()):
                return c
        return None


def _looks_like_data(row: list[Any]) -> bool:
    for c in row:
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            return True
        if isinstance(c, str):
            t = c.strip().replace(",", "")
            if t and (re.fullmatch(r"-?\d+(\.\d+)?", t) or re.fullmatch(r"[0-9A-Za-z]{15,20}", t)):
                return True
    return False


def _layout_for(rows: list[list[Any]], top: int, depth: int) -> Layout:
    labels = combined_labels(rows, top, depth)
    cols = []
    for j, label in enumerate(labels):
        c = classify_label(label)
        c.index, c.label = j, label
        cols.append(c)
    return Layout(top, top + depth - 1, cols)


def _score(layout: Layout) -> int:
    return sum(1 for c in layout.cols if c.role != "ignored")


def find_layout(rows: list[list[Any]], max_scan: int = 40) -> Layout | None:
    """The header: the first row naming a taxpayer-ID column, possibly with the row above or below
    as the other level of a two-level header (whichever recognises the most columns)."""
    for i in range(min(max_scan, len(rows))):
        if not any(norm(c) for c in rows[i]):
            continue
        one = _layout_for(rows, i, 1)
        if one.first("id") is None:
            continue
        best = one
        if i + 1 < len(rows) and not _looks_like_data(rows[i + 1]) and any(norm(c) for c in rows[i + 1]):
            two = _layout_for(rows, i, 2)
            if _score(two) > _score(best) or (
                _score(two) == _score(best)
                and sum(c.role == "amount" and c.level != "total" for c in two.cols)
                > sum(c.role == "amount" and c.level != "total" for c in best.cols)
            ):
                best = two
        if i > 0 and sum(1 for c in rows[i - 1] if norm(c)) >= 2:
            up = _layout_for(rows, i - 1, 2)
            if _score(up) > _score(best):
                best = up
        return best
    return None
