"""The monthly analysis report's attraction section (scoped to ``who``)."""

from __future__ import annotations

from typing import Any

from peiyu.core.sections import Section, SectionTable


def monthly_section(who: Any, month: str) -> Section | None:
    from peiyu.attraction import queries, stages
    from peiyu.attraction.models import Status
    from peiyu.core.money import format_wan

    year = int(month[:4])
    rows = queries.league(year, who)
    if not any(r["projects"] for r in rows):
        return None
    visible = list(queries.visible(who))
    signed_m = [p for p in visible if p.signed_on and p.signed_on.strftime("%Y-%m") == month]
    landed_m = [p for p in visible if (d := stages.landing_date(p)) and d.strftime("%Y-%m") == month]
    first_m = [p for p in visible if p.first_tax_month == month]
    signed_y = sum(r["signed"] for r in rows)
    landed_y = sum(r["landed"] for r in rows)
    tax_y = sum(r["first_year_tax_fen"] for r in rows)
    paras = [
        f"{month[:4]}年1—{int(month[5:])}月，各招商小组累计签约项目 {signed_y} 个、注册落地 {landed_y} 个（按计入口径）；"
        f"本月新签约 {len(signed_m)} 个，新落地 {len(landed_m)} 个，{len(first_m)} 个落地企业本月首次在区级产生税收。",
        f"已纳税的落地项目首年区级税收合计 {format_wan(tax_y)} 万元。",
    ]
    stalled = [p for p in visible if p.status == Status.STALLED]
    problems = [f"{p.name}（{p.team.name}）处于停滞状态：{p.status_reason or '未说明原因'}" for p in stalled][
        :10
    ]
    table = SectionTable(
        title="招商小组推进情况",
        columns=["招商小组", "项目总数", "当年签约", "签约目标", "当年落地", "首年区级税收"],
        rows=[
            [r["name"], r["projects"], r["signed"], r["target_signed"], r["landed"], r["first_year_tax_fen"]]
            for r in rows
        ],
        kinds=["text", "integer", "integer", "integer", "integer", "money"],
        unit="万元",
    )
    return Section(
        key="attraction.pipeline",
        title="招商引资",
        order=60,
        paragraphs=paras,
        tables=[table],
        problems=problems,
        link="/attraction/league/",
    )
