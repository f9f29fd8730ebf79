"""The tax library's part of the monthly analysis report (月度产业税收分析): the features — totals for
the month and the year to date, same-scope YoY, by key industry, sub-district and tax type.

Every figure comes from the registered queries the dashboard (产业税收总览) shows
(``taxes.industry_stats``, ``taxes.area_stats``, ``taxes.tax_types``, ``taxes.monthly_compare``),
run for the reader ``who``: a scoped reader's section holds only their scope's figures and says
本范围, never 全区.
"""

from __future__ import annotations

from typing import Any

from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable

ORDER = 10


def signed_pct(value: float | None) -> str:
    """``增长 12.3%`` / ``下降 4.5%`` / ``持平`` / ``—`` (no base)."""
    if value is None:
        return "无可比基数"
    if value > 0:
        return f"增长 {value:.1f}%"
    if value < 0:
        return f"下降 {-value:.1f}%"
    return "持平"


def change_words(fen: int) -> str:
    if fen > 0:
        return f"增收 {format_wan(fen)} 万元"
    if fen < 0:
        return f"减收 {format_wan(-fen)} 万元"
    return "收入持平"


def whole_label(who: Any) -> str:
    from peiyu.analytics import as_scope

    return "全区" if as_scope(who).everything else "本范围"


def monthly_section(who: Any, month: str) -> Section | None:
    from peiyu.accounts import scope as scope_mod
    from peiyu.taxes import analytics, charts

    if month not in analytics.months_available():
        return None
    stats = analytics.industry_stats(who, month)
    d = stats["district"]
    whole = whole_label(who)
    m = int(month[5:])
    span = "1月" if m == 1 else f"1—{m}月"
    share = scope_mod.share_label(who)
    paragraphs = [
        f"{month[:4]}年{m}月，{whole}实现区级税收 {format_wan(d['month_fen'])} 万元，"
        f"同比{signed_pct(d['month_yoy_pct'])}，环比{signed_pct(d['mom_pct'])}；"
        f"本月纳税企业 {d['taxpayers']} 户。",
        f"{span}累计实现区级税收 {format_wan(d['ytd_fen'])} 万元，同口径同比{signed_pct(d['yoy_pct'])}，"
        f"比上年同期{change_words(d['change_fen'])}（上年同期 {format_wan(d['prev_ytd_fen'])} 万元）；"
        f"累计税收总额（全口径）{format_wan(d['ytd_total_fen'])} 万元，同比{signed_pct(d['total_yoy_pct'])}。",
    ]
    industries = [r for r in stats["industries"] if r["ytd_fen"] or r["prev_ytd_fen"]]
    if industries:
        key_ytd = sum(r["ytd_fen"] for r in industries)
        ranked = sorted(industries, key=lambda r: -r["ytd_fen"])
        best = max(industries, key=lambda r: r["yoy_pct"] if r["yoy_pct"] is not None else -1e9)
        words = "、".join(f"{r['name']} {format_wan(r['ytd_fen'])} 万元" for r in ranked[:3])
        text = (
            f"分产业看，重点产业累计区级税收 {format_wan(key_ytd)} 万元，"
            f"{share} {_share(key_ytd, d['ytd_fen'])}；规模居前的是{words}。"
        )
        if best["yoy_pct"] is not None and best["yoy_pct"] > 0:
            text += f"增长最快的是{best['name']}，同比{signed_pct(best['yoy_pct'])}。"
        falling = [r for r in industries if r["yoy_pct"] is not None and r["yoy_pct"] < 0]
        if falling:
            text += "同比下降的有" + "、".join(f"{r['name']}（{r['yoy_pct']:.1f}%）" for r in falling) + "。"
        paragraphs.append(text)
    areas = [a for a in analytics.area_stats(who, month) if a["id"] is not None]
    if areas:
        top = sorted(areas, key=lambda r: -r["ytd_fen"])[:3]
        paragraphs.append(
            "分街道镇看，累计区级税收居前的是"
            + "、".join(
                f"{a['name']} {format_wan(a['ytd_fen'])} 万元（同比{signed_pct(a['yoy_pct'])}）" for a in top
            )
            + "。"
        )
    types = analytics.tax_types(who, month)
    if types:
        paragraphs.append(
            "分税种看，"
            + "、".join(
                f"{t['tax_type']} {format_wan(t['ytd_fen'])} 万元（占 {_pct(t['share_pct'])}，同比{signed_pct(t['yoy_pct'])}）"
                for t in types[:3]
            )
            + "。"
        )
    rows = [*stats["industries"], *stats["others"]]
    tables = [
        SectionTable(
            title=f"表：{span}分产业区级税收",
            columns=["产业", "本月", "累计", "上年同期", "同比（%）", share],
            kinds=["text", "money", "money", "money", "percent", "percent"],
            rows=[
                [r["name"], r["month_fen"], r["ytd_fen"], r["prev_ytd_fen"], r["yoy_pct"], r["share_pct"]]
                for r in rows
            ]
            + [
                [
                    f"{whole}合计",
                    d["month_fen"],
                    d["ytd_fen"],
                    d["prev_ytd_fen"],
                    d["yoy_pct"],
                    d["share_pct"],
                ]
            ],
            unit="万元",
        ),
    ]
    if areas:
        tables.append(
            SectionTable(
                title=f"表：{span}分街道镇区级税收",
                columns=["街道镇", "本月", "累计", "上年同期", "同比（%）", share],
                kinds=["text", "money", "money", "money", "percent", "percent"],
                rows=[
                    [a["name"], a["month_fen"], a["ytd_fen"], a["prev_ytd_fen"], a["yoy_pct"], a["share_pct"]]
                    for a in areas
                ],
                unit="万元",
            )
        )
    if types:
        tables.append(
            SectionTable(
                title=f"表：{span}分税种区级税收",
                columns=["税种", "本月", "累计", "上年同期", "同比（%）", share],
                kinds=["text", "money", "money", "money", "percent", "percent"],
                rows=[
                    [
                        t["tax_type"],
                        t["month_fen"],
                        t["ytd_fen"],
                        t["prev_ytd_fen"],
                        t["yoy_pct"],
                        t["share_pct"],
                    ]
                    for t in types
                ],
                unit="万元",
            )
        )
    chart = charts.year_compare(analytics.monthly_compare(who, month))
    chart["title"] = {"text": f"{whole}区级税收分月对比"}
    problems = []
    if d["yoy_pct"] is not None and d["yoy_pct"] < 0:
        problems.append(
            f"{whole}累计区级税收同比{signed_pct(d['yoy_pct'])}，{change_words(d['change_fen'])}，"
            "需关注主要减收企业的经营和税源变化。"
        )
    for r in stats["industries"]:
        if r["yoy_pct"] is not None and r["yoy_pct"] <= -10:
            problems.append(
                f"{r['name']}累计区级税收同比{signed_pct(r['yoy_pct'])}，建议产业专班逐户排摸原因。"
            )
    return Section(
        key="taxes.features",
        title="税收运行的主要特点",
        order=ORDER,
        paragraphs=paragraphs,
        tables=tables,
        problems=problems,
        chart=chart,
        link=f"/taxes/?month={month}",
    )


def _share(part: int, whole: int) -> str:
    from peiyu.core.money import pct

    value = pct(part, whole) if whole > 0 else None
    return _pct(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
