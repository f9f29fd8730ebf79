"""``peiyu stats industries``: JSON keys, rounding, default month, scoping with --user, the table."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from peiyu.taxes.tests.taxdata import district, fill
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = {"name", "month_fen", "ytd_fen", "prev_ytd_fen", "yoy_pct", "ytd_total_fen", "taxpayers"}


def run(*args):
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_object_keys_and_values(world):
    fill(world)
    data = json.loads(run("industries", "--month", "2025-03", "--json"))
    assert data["month"] == "2025-03"
    assert [i["name"] for i in data["industries"]] == ["智能软件", "生命健康"]
    for row in [*data["industries"], data["district"]]:
        assert set(row) >= KEYS
        assert all(isinstance(row[k], int) for k in ("month_fen", "ytd_fen", "prev_ytd_fen", "ytd_total_fen"))
    soft = data["industries"][0]
    assert soft["yoy_pct"] == -10.0
    assert soft["ytd_fen"] == district(3 * 270 * 100_00)
    assert data["district"]["taxpayers"] == 5


def test_default_month_is_latest_and_prev_zero_gives_null(world):
    fill(world)
    e = world["enterprises"]["soft_a1"]
    put_month("2026-01", [(e.credit_code, e.name, "增值税", 500, 200)])
    data = json.loads(run("industries", "--json"))
    assert data["month"] == "2026-01"
    # 智能软件's same period last year is January 2025 only (270 per month)
    assert data["industries"][0]["prev_ytd_fen"] == district(270 * 100_00)
    put_month("2027-01", [(e.credit_code, e.name, "增值税", 500, 200)])
    data = json.loads(run("industries", "--json"))
    assert data["industries"][0]["yoy_pct"] == 0.0
    assert data["industries"][1]["yoy_pct"] is None  # 生命健康: no tax in either period


def test_yoy_rounds_half_up_exactly(world):
    e = world["enterprises"]["soft_a1"]
    put_month("2024-01", [(e.credit_code, e.name, "增值税", 4000, 2000)])
    put_month("2025-01", [(e.credit_code, e.name, "增值税", 4002, 2001)])
    data = json.loads(run("industries", "--json"))
    # (2001 / 2000 − 1) × 100 = 0.05 exactly: half-up gives 0.1 (binary floats would give 0.0)
    assert data["industries"][0]["yoy_pct"] == 0.1
    assert data["district"]["yoy_pct"] == 0.1


def test_user_option_scopes_the_figures(world):
    fill(world)
    data = json.loads(run("industries", "--month", "2025-03", "--json", "--user", "software_p"))
    assert [i["name"] for i in data["industries"]] == ["智能软件"]
    assert data["district"]["ytd_fen"] == data["industries"][0]["ytd_fen"]
    with pytest.raises(CommandError, match="不存在"):
        run("industries", "--json", "--user", "nobody")


def test_bad_month_is_a_chinese_error(world):
    fill(world)
    with pytest.raises(CommandError, match="格式不正确"):
        run("industries", "--month", "2025/03")
    with pytest.raises(CommandError, match="没有 2031-01"):
        run("industries", "--month", "2031-01")


def test_readable_table(world):
    fill(world)
    text = run("industries", "--month", "2025-03")
    assert "重点产业税收" in text and "智能软件" in text and "全区" in text and "-10.0%" in text


def test_other_apps_can_register_a_subcommand(world):
    from peiyu.taxes.management.commands import stats

    stats.register(
        "demo_sub", help="测试", handler=lambda options, user: {"user": getattr(user, "username", None)}
    )
    try:
        assert json.loads(run("demo_sub", "--json", "--user", "admin_p")) == {"user": "admin_p"}
    finally:
        stats.SUBCOMMANDS.pop("demo_sub")
