"""The monthly analysis report: the district figures of the month in the Word file equal the
dashboard's (产业税收总览), for the whole district and for a scoped reader, whose report names no
firm outside their scope; the four parts, the basis, the editable suggestions and the command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from docx import Document

from peiyu.core.money import format_wan
from peiyu.reports import actions, monthly
from peiyu.reports.models import Report
from peiyu.taxes import analytics
from peiyu.taxes.tests.taxdata import UNMATCHED_ID, fill

MONTH = "2025-03"


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    parts += [p.text for p in doc.sections[0].header.paragraphs]
    return "\n".join(parts)


def dashboard_figures(client) -> str:
    res = client.get(f"/taxes/?month={MONTH}")
    assert res.status_code == 200
    return res.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["admin", "industry_officer", "area_officer", "department", "service_officer"]
)
def test_report_figures_equal_the_dashboard_and_stay_in_scope(world, login, persona):
    fill(world)
    user = world[persona]
    html = dashboard_figures(login(user))
    stats = analytics.industry_stats(user, MONTH)["district"]
    reader = None if persona == "admin" else user
    report = actions.do_generate_report(user, MONTH, reader=reader, pdf=False)
    text = docx_text(bytes(report.docx))
    for key in ("month_fen", "ytd_fen", "prev_ytd_fen", "ytd_total_fen"):
        figure = format_wan(stats[key])
        assert figure in html, (key, figure)  # the dashboard shows it …
        assert f"{figure} 万元" in text, (key, figure)  # … and the report says the same
    assert f"本月纳税企业 {stats['taxpayers']} 户" in text
    assert "月份按入库日期归属" in text and "区级税收" in text and "全口径" in text
    for heading in ("一、主要特点", "二、变动原因分析", "三、全年预测", "四、问题与建议"):
        assert heading in text
    visible = world["visible"][persona]
    for key, ent in world["enterprises"].items():
        if key not in visible:
            assert ent.name not in text, (persona, ent.name)
            assert ent.credit_code not in text
    if persona == "admin":
        assert "全区实现区级税收" in text and "未匹配纳税人" in text
    else:
        assert "全区" not in text.replace("占全区", "")  # a scoped reader reads 本范围
        assert "本范围实现区级税收" in text and "占本范围" in text
        assert UNMATCHED_ID not in text and "未匹配纳税人" not in text


@pytest.mark.django_db
def test_drivers_trace_the_change_to_firms_and_forecast_has_a_range(world):
    fill(world)
    data = monthly.build(world["admin"], MONTH)
    drivers = " ".join(data.drivers.paragraphs)
    ents = world["enterprises"]
    assert ents["health_a2"].name in drivers  # new in 2025
    assert ents["health_a1"].name in drivers  # gone
    assert ents["soft_a1"].name in drivers and ents["soft_a2"].name in drivers  # up / down
    dec = analytics.decomposition(world["admin"], MONTH)
    table = data.drivers.tables[0]
    assert table.rows[-1][2] == dec["change_fen"] == sum(r[2] for r in table.rows[:-1])
    forecast = " ".join(data.forecast.paragraphs)
    assert "全年区级税收预计" in forecast or "没有完整的往年数据" in forecast


@pytest.mark.django_db
def test_suggestions_are_editable_as_a_new_version(world):
    fill(world)
    admin = world["admin"]
    first = actions.do_generate_report(admin, MONTH, pdf=False)
    assert first.version == 1 and first.suggestions
    second = actions.do_edit_report(
        admin, first, "1. 建议加强生命健康产业招商。\n2. 走访减收企业。", pdf=False
    )
    assert second.version == 2 and second.month == MONTH and second.reader is None
    text = docx_text(bytes(second.docx))
    assert "建议加强生命健康产业招商" in text and "走访减收企业" in text
    assert first.data == second.data  # the same figures, re-rendered


@pytest.mark.django_db
def test_command_writes_the_docx_for_a_user(world, tmp_path):
    fill(world)
    out = tmp_path / "r.docx"
    buf = io.StringIO()
    call_command(
        "report", "monthly", "--month", MONTH, "--user", world["industry_officer"].username,
        "--out", str(out), "--json", stdout=buf,
    )  # fmt: skip
    result = json.loads(buf.getvalue())
    assert result["reader"] == world["industry_officer"].username and result["version"] == 1
    text = docx_text(out.read_bytes())
    assert world["enterprises"]["soft_a1"].name in text
    assert world["enterprises"]["health_a1"].name not in text
    assert Report.objects.get(pk=result["report_id"]).reader == world["industry_officer"]


@pytest.mark.django_db
def test_forecast_projects_the_year_from_past_seasonal_profiles_with_a_range(world):
    from peiyu.targets.progress import div_round
    from peiyu.testing.taxlib import put_month

    ent = world["enterprises"]["soft_a1"]
    # district-level fen per month: year y, month m → base[y] × (m + bump[y] for the first quarter)
    base = {2022: 1000, 2023: 1100, 2024: 1200, 2025: 1500}
    bump = {2022: 0, 2023: 2, 2024: 4, 2025: 0}
    series = {}
    for y, b in base.items():
        for m in range(1, 13 if y < 2025 else 4):
            district = b * (m + (bump[y] if m <= 3 else 0))
            series[(y, m)] = district
            put_month(f"{y}-{m:02d}", [(ent.credit_code, ent.name, "增值税", district * 2, district)])
    data = monthly.build(world["admin"], "2025-03")
    ytd = sum(series[(2025, m)] for m in (1, 2, 3))
    estimates = {
        y: div_round(ytd * sum(series[(y, m)] for m in range(1, 13)), sum(series[(y, m)] for m in (1, 2, 3)))
        for y in (2022, 2023, 2024)
    }
    text = " ".join(data.forecast.paragraphs)
    assert f"全区全年区级税收预计 {format_wan(estimates[2024])} 万元" in text  # last year's profile
    low, high = min(estimates.values()), max(estimates.values())
    assert low < high and f"区间为 {format_wan(low)}—{format_wan(high)} 万元" in text
    table = data.forecast.tables[0]
    assert [r[0] for r in table.rows] == ["2024年进度", "2023年进度", "2022年进度"]
    assert [r[2] for r in table.rows] == [estimates[2024], estimates[2023], estimates[2022]]


@pytest.mark.django_db
def test_one_off_receipts_are_named_and_kept_apart_from_the_trend(world):
    from peiyu.testing.taxlib import put_month

    spike, steady = world["enterprises"]["soft_a1"], world["enterprises"]["soft_a2"]
    for month, amount in (("2024-03", 100), ("2025-01", 100), ("2025-02", 120), ("2025-03", 1000)):
        put_month(
            month,
            [
                (spike.credit_code, spike.name, "企业所得税", amount * 250, amount * 100),
                (steady.credit_code, steady.name, "增值税", 250 * 90, 90 * 100),
            ],
        )
    offs = monthly.one_offs(world["admin"], "2025-03")
    assert [r["name"] for r in offs] == [spike.name] and offs[0]["usual_fen"] == 120 * 100
    drivers = " ".join(monthly.build(world["admin"], "2025-03").drivers.paragraphs)
    assert f"一次性因素：{spike.name}本月入库 {format_wan(1000 * 100)} 万元" in drivers
    assert steady.name not in drivers.split("一次性因素")[1]
