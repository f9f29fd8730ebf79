from decimal import Decimal

import pytest

from peiyu.core.money import AmountError, format_wan, growth_pct, parse_amount_fen, pct


@pytest.mark.parametrize(
    ("cell", "unit", "fen"),
    [
        (None, 100, 0),
        ("", 100, 0),
        ("1,234.56", 100, 123456),
        ("（12.30）", 100, -1230),
        ("-5", 100, -500),
        (0.1, 100, 10),
        (1234.5600000001, 100, 123456),
        ("12.3456", 1_000_000, 12345600),
        (Decimal("7.01"), 100, 701),
        (3, 1_000_000, 3_000_000),
        ("￥ 2,000 元", 100, 200000),
    ],
)
def test_parse_amount_exactly(cell, unit, fen):
    assert parse_amount_fen(cell, unit) == fen


@pytest.mark.parametrize("cell", ["abc", "1.234", "1e", True, float("nan")])
def test_bad_amounts_are_explained_in_chinese(cell):
    with pytest.raises(AmountError) as exc:
        parse_amount_fen(cell)
    assert "金额" in str(exc.value) or "精度" in str(exc.value)


def test_format_and_rates():
    assert format_wan(123456789) == "123.46"
    assert format_wan(-1) == "0.00"
    assert format_wan(None) == "—"
    assert growth_pct(1005, 1000) == 0.5
    assert growth_pct(5, 0) is None
    assert pct(1, 8) == 12.5
    assert pct(1, 16) == 6.3  # half-up, not banker's rounding
