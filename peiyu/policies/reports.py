"""The monthly analysis report's policy section (scoped to ``who``): money paid this year to date,
the month's payments, the 免申即享 work and the clawback cases."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable
from peiyu.policies import queries
from peiyu.policies.models import AwardOrigin, AwardStatus


def monthly_section(who: Any, month: str) -> Section | None:
    y, m = int(month[:4]), int(month[5:])
    awards = queries.awards(who)
    paid = awards.filter(status=AwardStatus.PAID, paid_on__year=y, paid_on__month__lte=m)
    this_month = paid.filter(paid_on__month=m)
    if not awards.exists():
        return None
    ytd = paid.aggregate(s=Sum("amount_fen"), n=Count("enterprise", distinct=True))
    mon = this_month.aggregate(s=Sum("amount_fen"), n=Count("id"))
    auto = paid.filter(origin=AwardOrigin.AUTO).aggregate(s=Sum("amount_fen"), n=Count("id"))
    waiting = awards.filter(item__is_open=True).count()
    breaches = queries.breaches(who).filter(item__is_open=True)
    recover = breaches.aggregate(s=Sum("recover_fen"))["s"] or 0
    by_policy = (
        paid.values("clause__policy__name")
        .annotate(s=Sum("amount_fen"), n=Count("enterprise", distinct=True))
        .order_by("-s")[:10]
    )
    paragraphs = [
        f"1—{m} 月累计兑现产业政策资金 {format_wan(ytd['s'] or 0)} 万元，惠及企业 {ytd['n'] or 0} 家；"
        f"其中 {m} 月兑现 {format_wan(mon['s'] or 0)} 万元（{mon['n'] or 0} 笔），"
        f"免申即享兑现 {format_wan(auto['s'] or 0)} 万元（{auto['n'] or 0} 笔）。",
        f"在办兑现事项 {waiting} 件；承诺期违约待追回 {breaches.count()} 件，应追回 {format_wan(recover)} 万元。",
    ]
    problems = []
    if breaches.exists():
        problems.append(f"受益企业承诺期内迁出或停止纳税 {breaches.count()} 件，请主管部门按期追回。")
    return Section(
        key="policies.monthly",
        title="产业政策兑现",
        order=60,
        paragraphs=paragraphs,
        tables=[
            SectionTable(
                title=f"{y} 年 1—{m} 月分政策兑现",
                columns=["政策", "兑现金额", "受益企业（家）"],
                kinds=["text", "money", "integer"],
                unit="万元",
                rows=[[r["clause__policy__name"], int(r["s"] or 0), r["n"]] for r in by_policy],
            )
        ],
        problems=problems,
        link="/policies/awards/",
    )
