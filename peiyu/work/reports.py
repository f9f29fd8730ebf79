"""Tracked work (督办) in the monthly analysis report: open and overdue items by kind, items closed in
the month, and the overdue list — the reader's items only (the same rows as 我的待办 / 督办通报)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from peiyu.core.sections import Section, SectionTable

ORDER = 120


def _month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = int(month[:4]), int(month[5:])
    start = dt.datetime(y, m, 1)
    end = dt.datetime(y + (m == 12), 1 if m == 12 else m + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def monthly_section(who: Any, month: str) -> Section | None:
    from peiyu.accounts import scope as scope_mod
    from peiyu.work import flows
    from peiyu.work.models import Item
    from peiyu.work.queries import unit_label

    qs = scope_mod.restrict(who, Item.objects.all()).select_related("owner")
    now = timezone.now()
    start, end = _month_bounds(month)
    open_items = list(qs.filter(is_open=True).order_by("due_at", "pk"))
    closed = qs.filter(is_open=False, closed_at__gte=start, closed_at__lt=end).count()
    if not open_items and not closed:
        return None
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in open_items:
        label = flows.get(item.kind).label if item.kind in {f.kind for f in flows.all_flows()} else item.kind
        by_kind[label][0] += 1
        by_kind[label][1] += int(item.is_overdue(now))
    overdue = [i for i in open_items if i.is_overdue(now)]
    paragraphs = [
        f"截至 {timezone.localdate():%Y年%-m月%-d日}，在办督办事项 {len(open_items)} 件，其中超期 {len(overdue)} 件；"
        f"{int(month[5:])}月办结 {closed} 件。"
        + (
            "分类型："
            + "、".join(f"{k} {v[0]} 件（超期 {v[1]} 件）" for k, v in sorted(by_kind.items()))
            + "。"
            if by_kind
            else ""
        )
    ]
    tables = [
        SectionTable(
            title="表：在办督办事项（按类型）",
            columns=["类型", "在办", "超期"],
            kinds=["text", "integer", "integer"],
            rows=[[k, v[0], v[1]] for k, v in sorted(by_kind.items())],
        )
    ]
    if overdue:
        tables.append(
            SectionTable(
                title="表：超期督办事项",
                columns=["事项", "责任人", "责任单位", "期限"],
                rows=[
                    [
                        i.title,
                        str(i.owner) if i.owner is not None else "未分派",
                        unit_label(i.unit_type_id, i.unit_id) or "—",
                        timezone.localtime(i.due_at).date().isoformat() if i.due_at else "—",
                    ]
                    for i in overdue[:30]
                ],
                note=f"共 {len(overdue)} 件，列出前 30 件。" if len(overdue) > 30 else "",
            )
        )
    problems = []
    if overdue:
        problems.append(f"{len(overdue)} 件督办事项已超期，建议责任单位负责人督促办理并说明原因。")
    return Section(
        key="work.items",
        title="督办事项办理情况",
        order=ORDER,
        paragraphs=paragraphs,
        tables=tables,
        problems=problems,
        link="/work/",
    )
