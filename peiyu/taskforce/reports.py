"""The task forces' section of the monthly analysis report (issue 18 collects it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from peiyu.core.sections import Section, SectionTable


def monthly_section(who: Any, month: str) -> Section | None:
    """The task forces the reader sees, for ``month`` (YYYY-MM): meetings held, decisions and
    their status, reports received and late, liaison coverage, and the measures' traffic lights."""
    from peiyu.meetings.models import Decision, Meeting
    from peiyu.taskforce import measures, queries
    from peiyu.taskforce.actions import period_end

    tfs = list(queries.visible(who))
    if not tfs:
        return None
    end = period_end(month)
    start = end.replace(day=1)
    rows = []
    overdue_total = 0
    for tf in tfs:
        ms = queries.meetings(who, tf)
        held = ms.filter(date__gte=start, date__lte=end, status=Meeting.Status.HELD).count()
        decisions = list(Decision.objects.filter(meeting__in=ms.values("pk")).select_related("item"))
        open_ = [d for d in decisions if d.is_open]
        overdue = [
            d
            for d in open_
            if d.item is not None and d.item.due_at is not None and d.item.due_at.date() < end
        ]
        overdue_total += len(overdue)
        reps = list(queries.reports(who, tf).filter(period=month))
        late = sum(1 for r in reps if r.is_late(end) or (r.submitted_at and r.is_late()))
        cov = queries.coverage(who, tf, month if month in _months() else None, today=end)
        rows.append(
            [tf.name, held, len(decisions), len(open_), len(overdue), len(reps), late, cov["liaison_pct"]]
        )
    paras = [
        f"{month[:4]}年{int(month[5:7])}月，{len(tfs)} 个产业专班召开例会 {sum(r[1] for r in rows)} 次；"
        f"累计议定事项 {sum(r[2] for r in rows)} 项，未落实 {sum(r[3] for r in rows)} 项，其中超期 {overdue_total} 项。"
    ]
    tables = [
        SectionTable(
            title="产业专班工作情况",
            columns=[
                "专班",
                "本月例会",
                "议定事项",
                "未落实",
                "超期",
                "本月报送",
                "逾期报送",
                "联络员覆盖（%）",
            ],
            rows=rows,
            kinds=["text", "integer", "integer", "integer", "integer", "integer", "integer", "percent"],
        )
    ]
    plan = measures.current_plan()
    problems = [f"{r[0]}有 {r[4]} 项议定事项超期未落实" for r in rows if r[4]]
    if plan is not None:
        data = measures.bulletin(list(measures.visible(who, plan)), month)
        if data["count"]:
            t = data["totals"]
            paras.append(
                f"{plan.name}：截至月底按时完成 {t['green']} 项，逾期完成 {t['yellow']} 项，"
                f"逾期未完成 {t['red']} 项，未到期 {t['grey']} 项。"
            )
            problems += [
                f"{u.unit}：{u.counts['red']} 项措施逾期未完成" for u in data["units"] if u.counts["red"]
            ]
    return Section(
        key="taskforce.monthly",
        title="产业专班与营商环境",
        order=60,
        paragraphs=paras,
        tables=tables,
        problems=problems,
        link=reverse("taskforce:index"),
    )


def _months() -> list[str]:
    from peiyu.taxes import analytics

    return analytics.months_available()
