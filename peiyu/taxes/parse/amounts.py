"""Amounts, column-wise: a column of cells (numbers or text, in 元 / 千元 / 万元 / 亿元) to exact
integer fen in one Arrow array, with every unreadable cell reported."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from peiyu.core.money import AmountError, parse_amount_fen
from peiyu.taxes.parse.vocabulary import UNITS


@dataclass
class Amounts:
    """The amount columns of a sheet's data rows."""

    by_column: dict[int, pa.Array]  # column index → int64 fen per data row
    bad_positions: set[int]  # data rows with an unreadable amount (no cross-checks on them)
    bad_columns: set[int]  # columns with an unreadable amount (their 合计 is not checked)


_SIMPLE_NUM = re.compile(r"(-?)(\d+)(?:\.(\d+))?")
_TEXT_CLEAN = re.compile(r"[,，\s¥￥元]")
_DIGITS = {"元": 2, "千元": 5, "万元": 6, "亿元": 10}


def _text_fen(text: str, unit: str) -> int:
    """Exact fen from an amount written as text; raises AmountError with a Chinese message."""
    t = _TEXT_CLEAN.sub("", text)
    if t.endswith("-") and t[:-1].replace(".", "", 1).isdigit():  # 1,234.00- (trailing minus)
        t = "-" + t[:-1]
    m = _SIMPLE_NUM.fullmatch(t)
    if m:
        digits = _DIGITS[unit]
        frac = m.group(3) or ""
        if len(frac) <= digits:
            fen = int(m.group(2)) * 10**digits + (int(frac.ljust(digits, "0")) if frac else 0)
            return -fen if m.group(1) else fen
    return parse_amount_fen(text, UNITS[unit])


def parse_amount_column(values: Sequence[Any], unit: str) -> tuple[pa.Array, list[tuple[int, Any, str]]]:
    """Parse a column of cells into int64 fen. Numbers go through Arrow compute (exactness checked
    per cell; doubtful cells are re-parsed exactly with Decimal); text goes through an exact
    integer path. Returns (fen array, [(position, raw value, Chinese message)])."""
    unit_fen = UNITS[unit]
    other: list[int] = []
    numbers = None
    types = set(map(type, values))
    if types <= {float, int, str, type(None)} and bool not in types:
        try:  # the common case: numbers and blank cells only
            plain = values if str not in types else [None if v == "" else v for v in values]
            numbers = pa.array(plain, pa.float64()).fill_null(0.0)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            numbers = None
    if numbers is None:
        floats: list[float] = []
        append = floats.append
        for i, v in enumerate(values):
            t = type(v)
            if t is float or t is int:
                append(v)
            else:
                append(0.0)
                if v is not None and v != "":
                    other.append(i)
        numbers = pa.array(floats, pa.float64())
    scaled = pc.multiply(numbers, float(unit_fen))
    rounded = pc.round(scaled)
    absval = pc.abs(scaled)
    tol = pc.max_element_wise(pc.multiply(absval, 1e-15), 1e-6)
    doubtful_mask = pc.or_(pc.greater(pc.abs(pc.subtract(scaled, rounded)), tol), pc.greater(absval, 9e15))
    doubtful = pc.indices_nonzero(doubtful_mask).to_pylist()
    if doubtful:
        rounded = pc.if_else(doubtful_mask, 0.0, rounded)
    out = pc.cast(rounded, pa.int64())
    errors: list[tuple[int, Any, str]] = []
    if not doubtful and not other:
        return out, errors
    fixed = out.to_pylist()
    for i in doubtful:
        try:
            fixed[i] = parse_amount_fen(values[i], unit_fen)
        except (AmountError, OverflowError) as exc:
            errors.append((i, values[i], f"金额无法识别：{exc}"))
    for i in other:
        v = values[i]
        try:
            if isinstance(v, str):
                fixed[i] = _text_fen(unicodedata.normalize("NFKC", v).strip(), unit)
            else:
                fixed[i] = parse_amount_fen(v, unit_fen)
        except (AmountError, OverflowError) as exc:
            errors.append((i, v, f"金额无法识别：{exc}"))
        except Exception:  # dates, booleans and other cell types
            errors.append((i, v, f"金额无法识别：“{v}”不是金额"))
    for i, _v, _m in errors:
        fixed[i] = 0
    return pa.array(fixed, pa.int64()), errors


def sum_fen(arr: pa.Array) -> int:
    return int(pc.sum(arr).as_py() or 0)


def nonzero(arr: pa.Array) -> pa.Array:
    return pc.not_equal(arr, 0)


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q:,}.{r:02d}"
