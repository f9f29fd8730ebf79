"""The Word evaluation report of a policy round (评估政策成效、问题) and the monthly-report section data,
built as :class:`peiyu.core.sections.Section` data and rendered by :mod:`peiyu.core.documents`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.accounts import scope
from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable
from peiyu.policies import evaluate, queries
from peiyu.policies.models import AwardStatus

EVAL_COLUMNS = [
    "政策",
    "受益企业（家）",
    "兑现金额",
    "前一年区级税收",
    "后一年区级税收",
    "受益企业增长（%）",
    "可比企业增长（%）",
    "成效（百分点）",
    "每元兑现税收增量（元）",
]
EVAL_KINDS = ["text", "integer", "money", "money", "money", "percent", "percent", "percent", "text"]


def evaluation_table(ev: evaluate.Evaluation) -> SectionTable:
    return SectionTable(
        title=f"{ev.year} 年兑现政策成效（{ev.before_year} 与 {ev.after_year} 年对比）",
        columns=EVAL_COLUMNS,
        kinds=EVAL_KINDS,
        unit="万元",
        rows=[
            [
                p.name,
                p.recipients,
                p.paid_fen,
                p.tax_before_fen,
                p.tax_after_fen,
                p.recipients_growth_pct,
                p.comparison_growth_pct,
                p.effect_pp,
                "—" if p.return_per_yuan is None else f"{p.return_per_yuan:.2f}",
            ]
            for p in ev.policies
        ],
        note="成效 = 受益企业区级税收增长 − 按重点产业和上年税收规模匹配的未受益企业增长；区间为自助抽样 90% 区间。",
    )


def round_sections(who: Any, round_name: str) -> list[Section]:
    pols = queries.policies(who)
    if round_name:
        pols = pols.filter(round=round_name)
    ids = list(pols.values_list("id", flat=True))
    awards = queries.awards(who).filter(clause__policy_id__in=ids, status=AwardStatus.PAID)
    years = sorted(set(awards.values_list("year", flat=True)))
    paid = sum(awards.values_list("amount_fen", flat=True))
    firms = awards.values("enterprise_id").distinct().count()
    out = [
        Section(
            key="policies.round.summary",
            title="政策兑现总体情况",
            order=1,
            paragraphs=[
                f"本轮政策（{round_name or '全部轮次'}）共 {len(ids)} 项，{'、'.join(map(str, years)) or '—'} 年累计兑现 "
                f"{format_wan(paid)} 万元，惠及企业 {firms} 家。"
            ],
            tables=[
                SectionTable(
                    title="政策目录",
                    columns=["政策", "文号", "类别", "主管部门", "已兑现"],
                    kinds=["text", "text", "text", "text", "money"],
                    unit="万元",
                    rows=[
                        [
                            p.name,
                            p.doc_number,
                            p.get_kind_display(),
                            p.department.name if p.department is not None else "",
                            sum(awards.filter(clause__policy=p).values_list("amount_fen", flat=True)),
                        ]
                        for p in pols
                    ],
                )
            ],
        )
    ]
    problems: list[str] = []
    for i, y in enumerate(years):
        ev = evaluate.evaluate(who, y, policy_ids=ids)
        paragraphs = [evaluate.sentence(p, y) for p in ev.policies] + [f"注：{n}" for n in ev.notes]
        for p in ev.policies:
            if p.effect_pp is not None and p.effect_high_pp is not None and p.effect_high_pp < 0:
                problems.append(f"{p.name}：{y} 年受益企业增长明显低于可比企业，建议复核兑现条件与对象。")
            elif (
                p.effect_pp is not None
                and p.effect_low_pp is not None
                and p.effect_low_pp <= 0 <= (p.effect_high_pp or 0)
            ):
                problems.append(f"{p.name}：{y} 年成效区间包含零，尚不能确认政策带来税收增量。")
        out.append(
            Section(
                key=f"policies.round.{y}",
                title=f"{y} 年兑现政策成效评估",
                order=10 + i,
                paragraphs=paragraphs,
                tables=[evaluation_table(ev)],
            )
        )
    gap_year = dt.date.today().year
    gap = queries.never_reached(who, gap_year)
    if gap:
        problems.append(
            f"按数据判断符合免申即享条件但从未享受任何政策的企业 {len(gap)} 家，政策未触达，建议主动推送。"
        )
    breaches = queries.breaches(who).filter(award__clause__policy_id__in=ids)
    if breaches.exists():
        total = sum(breaches.values_list("recover_fen", flat=True))
        problems.append(
            f"承诺期内迁出或停止纳税的受益企业 {breaches.count()} 家次，应追回 {format_wan(total)} 万元。"
        )
    out.append(
        Section(
            key="policies.round.problems",
            title="存在的问题与新一轮政策建议",
            order=90,
            paragraphs=[
                "评估方法：受益企业与未享受任何政策、同一重点产业和上年区级税收规模相当的企业比较区级税收增长。"
            ],
            problems=problems or ["未发现突出问题。"],
        )
    )
    return out


def round_docx(who: Any, round_name: str) -> bytes:
    from peiyu.core.documents import render_docx

    sections = round_sections(who, round_name)
    label = "" if scope.scope_for(who).everything else "（本范围）"
    return render_docx(
        title=f"产业政策实施成效评估报告{label}",
        subtitle=round_name or "全部轮次",
        sections=sections,
        issuer="普陀区发展和改革委员会",
        date=dt.date.today(),
        basis="区级税收来自税收库，兑现数据来自政策兑现台账",
    )
