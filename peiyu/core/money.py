"""Money is exact: integer fen everywhere, Decimal at the edges, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分

_CLEAN = re.compile(r"[,，\s¥￥元]")


class AmountError(ValueError):
    """A cell that is not a readable amount; the message is Chinese and names the value."""


def parse_amount_fen(value: object, unit_fen: int = FEN_PER_YUAN) -> int:
    """Parse a spreadsheet cell (number or text like ``"1,234.56"``, ``"(12.30)"``, ``"-5"``) into fen.

    ``unit_fen`` is how many fen one unit of the file is (100 for 元, 1,000,000 for 万元).
    Empty cells are 0. Floats from spreadsheets are converted through their shortest repr, so
    ``0.1`` is exactly one jiao. Amounts finer than one fen are rejected, not rounded.
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise AmountError(f"“{value}”不是金额")
    if isinstance(value, int):
        dec = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError(f"“{value}”不是金额")
        dec = Decimal(repr(value))
    elif isinstance(value, Decimal):
        dec = value
    else:
        text = str(value).strip()
        if text in {"", "-", "—", "－"}:
            return 0
        negative = False
        if text.startswith(("(", "（")) and text.endswith((")", "）")):
            negative = True
            text = text[1:-1]
        text = _CLEAN.sub("", text).replace("－", "-").replace("−", "-")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise AmountError(f"“{value}”不是有效金额") from None
        if not dec.is_finite():
            raise AmountError(f"“{value}”不是有效金额")
        if negative:
            dec = -dec
    fen = dec * unit_fen
    if fen != fen.to_integral_value():
        # Float noise from spreadsheets (e.g. 1234.5600000001) is tolerated below 1e-6 fen.
        rounded = fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if abs(fen - rounded) > Decimal("0.000001"):
            raise AmountError(f"“{value}”精度超过 1 分")
        fen = rounded
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int, places: int = 2) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return (Decimal(fen) / FEN_PER_WAN).quantize(q, rounding=ROUND_HALF_UP)


def format_wan(fen: int | None, places: int = 2) -> str:
    """``123456789`` fen -> ``"123.46"`` (万元, thousands separators)."""
    if fen is None:
        return "—"
    value = fen_to_wan(fen, places)
    if value == 0:
        value = abs(value)  # a refund of a few fen rounds to 0.00, not "-0.00"
    return f"{value:,}"


def pct(numerator: int | Decimal, denominator: int | Decimal, places: int = 1) -> float | None:
    """A percentage rounded half-up to ``places`` decimals, or None when the base is zero.

    Returned as a float for JSON output only; it is a ratio, never money.
    """
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return float(value)


def growth_pct(current: int, previous: int, places: int = 1) -> float | None:
    """(current / previous − 1) × 100, rounded; None when previous is zero."""
    if not previous:
        return None
    value = ((Decimal(current) / Decimal(previous) - 1) * 100).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return float(value)
