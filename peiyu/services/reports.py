"""The monthly analysis report's section on enterprise services (scoped to ``who``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.core.sections import Section, SectionTable


def _month_end(month: str) -> dt.date:
    y, m = map(int, month.split("-"))
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def monthly_section(who: Any, month: str) -> Section | None:
    from django.utils import timezone

    from peiyu.services import queries
    from peiyu.services.models import Satisfaction

    end = _month_end(month)
    start = end.replace(day=1)
    rows = queries.request_rows(queries.visible_requests(who), end)
    if not rows:
        return None
    new = [r for r in rows if start.isoformat() <= r["received"] <= end.isoformat()]
    open_rows = [r for r in rows if r["_status"] not in queries.CLOSED]
    overdue = [r for r in open_rows if r["overdue"]]
    fbs = [
        f
        for r in rows
        for f in r["_r"].feedback.all()
        if start <= timezone.localtime(f.received_at).date() <= end
    ]
    good = sum(1 for f in fbs if f.result != Satisfaction.DISSATISFIED)
    visits = queries.visible_visits(who).filter(date__gte=start, date__lte=end)
    flagged = [v for v in visits if v.flags]
    by_cat: dict[str, list[int]] = {}
    for r in new:
        by_cat.setdefault(r["category"], [0, 0])[0] += 1
    for r in overdue:
        by_cat.setdefault(r["category"], [0, 0])[1] += 1
    paras = [
        f"{month} 受理企业诉求 {len(new)} 件；截至月末未办结 {len(open_rows)} 件，其中超期 {len(overdue)} 件。",
        f"本月收到企业本人评价 {len(fbs)} 件，满意及基本满意 {good} 件"
        + (f"（{round(100 * good / len(fbs), 1)}%）" if fbs else "")
        + f"，不满意 {len(fbs) - good} 件已重新办理。",
        f"本月走访企业 {visits.count()} 次，发现风险信号 {len(flagged)} 次。",
    ]
    problems = [
        f"{r['ref']} {r['_r'].enterprise.name}（{r['category']}）超期未办结，办结期限 {r['resolve_due']}"
        for r in overdue[:10]
    ]
    return Section(
        key="services.requests",
        title="企业服务",
        order=60,
        paragraphs=paras,
        tables=[
            SectionTable(
                title="诉求分类",
                columns=["诉求类别", "本月受理", "超期未办结"],
                rows=[[k, v[0], v[1]] for k, v in sorted(by_cat.items())],
                kinds=["text", "integer", "integer"],
                unit="件",
            )
        ],
        problems=problems,
        link="/services/",
    )
