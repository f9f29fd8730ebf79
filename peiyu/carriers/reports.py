"""The carriers' sections of written documents: the monthly analysis report (``monthly_section``,
scoped to ``who``) and the incubator evaluation report (``evaluation_sections``)."""

from __future__ import annotations

from typing import Any

from peiyu.accounts import scope
from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable


def monthly_section(who: Any, month: str) -> Section | None:
    """楼宇经济: the year to ``month`` — tiers, the ten largest buildings, candidates near a tier."""
    from peiyu.carriers import economy
    from peiyu.carriers.models import CarrierSettings

    year = int(month[:4])
    carriers = list(economy.visible_carriers(who))
    if not carriers:
        return None
    cfg = CarrierSettings.current()
    figs = economy.ranked(economy.figures(who, carriers, year, through=month, cfg=cfg))
    if not figs or not figs[0].months:
        return None
    total = sum(f.tax_fen for f in figs)
    yi = [f for f in figs if f.tier == economy.TIER_YI]
    qw = [f for f in figs if f.tier == economy.TIER_QIANWAN]
    cands = [f for f in figs if f.candidate]
    prev = sum(f.prev_tax_fen for f in figs)
    from peiyu.core.money import growth_pct

    g = growth_pct(total, prev)
    label = scope.share_label(who)
    paragraphs = [
        f"截至 {month}，{len(figs)} 幢重点楼宇入驻企业实现税收（{cfg.get_basis_display()}）{format_wan(total)} 万元"
        + (f"，同比{'增长' if g >= 0 else '下降'} {abs(g):.1f}%" if g is not None else "")
        + f"；亿元楼 {len(yi)} 幢、千万元楼 {len(qw)} 幢。",
    ]
    if cands:
        paragraphs.append(
            "接近上一层级的培育楼宇："
            + "、".join(
                f"{f.carrier.name}（{format_wan(f.tax_fen)} 万元，冲刺{f.candidate}）" for f in cands[:5]
            )
            + "。"
        )
    rows = [
        [
            f.carrier.name,
            f.carrier.area.name if f.carrier.area else "",
            f.tax_fen,
            f.growth_pct,
            f.paying_tenants,
            None if f.tax_per_m2_yuan is None else str(f.tax_per_m2_yuan),  # JSON-safe (stored snapshots)
            f.tier or "",
        ]
        for f in figs[:10]
    ]
    problems = []
    empty = [f for f in figs if f.vacancy_pct is not None and f.vacancy_pct >= 30]
    if empty:
        problems.append(f"{len(empty)} 幢楼宇空置率在 30% 以上，建议结合招商项目空间需求定向推介。")
    return Section(
        key="carriers.buildings",
        title="楼宇经济",
        order=60,
        paragraphs=paragraphs,
        tables=[
            SectionTable(
                title=f"税收前十楼宇（截至 {month}）",
                columns=[
                    "楼宇",
                    "街道镇",
                    "税收",
                    "同比（%）",
                    "纳税企业（户）",
                    "每平方米税收（元）",
                    "层级",
                ],
                rows=rows,
                kinds=["text", "text", "money", "percent", "integer", "decimal", "text"],
                unit="万元",
                note=label,
            )
        ],
        problems=problems,
        link=f"/carriers/?year={year}",
    )


def evaluation_sections(e: Any) -> list[Section]:
    """The Word evaluation report of one incubator: result, indicators with evidence, 公示."""
    from peiyu.carriers import evaluation as ev

    rows = ev.value_rows(e)
    result = ev.result_of(e)
    score = e.score if e.score is not None else result.score
    grade = e.grade or result.grade
    support = e.support_fen if e.score is not None else result.support_fen
    inc = e.incubator
    basics = Section(
        key="carriers.evaluation.basics",
        title="一、基本情况",
        paragraphs=[
            f"{inc.name}（{inc.get_level_display() or '未定级'}孵化器），运营机构：{inc.operator or '—'}，"
            f"位于{inc.area.name if inc.area else '—'}，孵化场地 {inc.leasable_area_m2.normalize():f} ㎡。",
        ],
    )
    result_sec = Section(
        key="carriers.evaluation.result",
        title="二、评价结果",
        paragraphs=[
            f"{e.scheme.year} 年度绩效评价得分 {score} 分，评定为 {grade} 级，"
            f"拟给予支持 {format_wan(support)} 万元（上限 {format_wan(e.scheme.cap_fen)} 万元）。",
            f"等级分数线：A 级 ≥ {e.scheme.grade_a.normalize():f} 分，B 级 ≥ {e.scheme.grade_b.normalize():f} 分，"
            f"C 级 ≥ {e.scheme.grade_c.normalize():f} 分。",
        ],
    )
    table = SectionTable(
        title="评价指标得分",
        columns=["类别", "指标", "权重", "满分值", "数值", "得分", "佐证/来源"],
        rows=[
            [
                r["group"],
                f"{r['name']}（{r['unit']}）",
                r["weight"],
                r["full_at"],
                r["value"],
                r["points"],
                r["evidence"] or r["source"],
            ]
            for r in rows
        ],
        kinds=["text", "text", "decimal", "decimal", "decimal", "decimal", "text"],
    )
    detail = Section(key="carriers.evaluation.indicators", title="三、指标得分", tables=[table])
    if e.publicity_start:
        text = f"评价结果于 {e.publicity_start:%Y年%m月%d日} 起公示 {e.scheme.publicity_days} 个工作日，至 {e.publicity_end:%Y年%m月%d日}。"
    else:
        text = "评价结果尚未公示。"
    if e.objection:
        text += f"公示期间收到异议：{e.objection}"
    text += f"当前状态：{e.get_status_display()}。"
    publicity = Section(key="carriers.evaluation.publicity", title="四、公示情况", paragraphs=[text])
    return [basics, result_sec, detail, publicity]


def _num(value: Any) -> str | None:
    """A Decimal as text for a section cell (sections are stored as JSON)."""
    return None if value is None else f"{value.normalize():f}"
