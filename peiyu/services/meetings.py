"""The services meeting kind: a sub-district's service meetings (``services.area``) — 例会,
问题会商, 商会联席 (also 信息沟通, 安商稳商) — on the shared meetings core (:mod:`peiyu.meetings`).

Owner: the sub-district (``registry.Area``); scope: the meeting's area. The pack (after the previous
meeting's decisions, which the core puts first): the area's open requests with the overdue ones
first, the visits due by the risk plan, and the red flags of the last visits. Decisions become
tracked items (the core's ``meetings.decision``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.core.sections import Section, SectionTable
from peiyu.meetings.kinds import MeetingKind, register

FORMS = ("例会", "问题会商", "商会联席", "信息沟通", "安商稳商")


def _area_requests(meeting: Any, who: Any) -> list[dict[str, Any]]:
    from django.db.models import Q

    from peiyu.services import queries

    qs = queries.visible_requests(who).filter(
        Q(area_id=meeting.area_id) | Q(enterprise__area_id=meeting.area_id)
    )
    rows = [r for r in queries.request_rows(qs, meeting.date) if r["_status"] not in queries.CLOSED]
    rows.sort(key=lambda r: (not r["overdue"], r["resolve_due"] or "9999"))
    return rows


def _pack(meeting: Any, who: Any) -> list[Section]:
    from peiyu.services import queries
    from peiyu.services.models import RedFlag

    area = meeting.area
    name = str(area) if area else "本街道镇"
    reqs = _area_requests(meeting, who) if area else []
    overdue = [r for r in reqs if r["overdue"]]
    sections = [
        Section(
            key="services.area.requests",
            title="企业诉求办理情况",
            order=10,
            paragraphs=[
                f"截至 {meeting.date:%Y-%m-%d}，{name}未办结企业诉求 {len(reqs)} 件，其中超期 {len(overdue)} 件"
                + (f"，企业不满意重办 {sum(1 for r in reqs if r['_r'].reopened)} 件" if reqs else "")
                + "。"
            ],
            tables=[
                SectionTable(
                    title="未办结诉求（超期在前）",
                    columns=["编号", "企业", "类别", "受理", "办结期限", "状态", "超期"],
                    rows=[
                        [
                            r["ref"],
                            r["_r"].enterprise.name,
                            r["category"],
                            r["received"],
                            r["resolve_due"] or "",
                            r["status"],
                            "是" if r["overdue"] else "",
                        ]
                        for r in reqs[:40]
                    ],
                    kinds=["text", "text", "text", "date", "date", "text", "text"],
                )
            ],
            problems=[f"{r['ref']} {r['_r'].enterprise.name} 超期未办结" for r in overdue[:10]],
            link="/services/?status=overdue",
        )
    ]
    plan = [
        p for p in queries.visit_plan(who, as_of=meeting.date) if area and p["enterprise"].area_id == area.pk
    ]
    sections.append(
        Section(
            key="services.area.visits",
            title="应走访企业（按风险）",
            order=20,
            paragraphs=[f"{name}按风险应优先走访企业 {len(plan)} 家。"],
            tables=[
                SectionTable(
                    title="走访名单",
                    columns=["企业", "走访理由", "上次走访"],
                    rows=[
                        [p["name"], p["reasons"], p["last_visit"].isoformat() if p["last_visit"] else "从未"]
                        for p in plan[:30]
                    ],
                    kinds=["text", "text", "text"],
                )
            ],
            link="/services/visits/plan/",
        )
    )
    since = meeting.date - dt.timedelta(days=60)
    flagged = [
        v
        for v in queries.visible_visits(who).filter(
            enterprise__area_id=meeting.area_id, date__gte=since, date__lte=meeting.date
        )
        if v.flags
    ]
    labels = dict(RedFlag.choices)
    sections.append(
        Section(
            key="services.area.flags",
            title="近期走访发现的风险信号",
            order=30,
            paragraphs=[f"近 60 天走访发现风险信号 {len(flagged)} 次。"],
            tables=[
                SectionTable(
                    title="风险信号",
                    columns=["日期", "企业", "信号", "情况"],
                    rows=[
                        [
                            v.date.isoformat(),
                            v.enterprise.name,
                            "、".join(labels.get(f, f) for f in v.flags),
                            v.findings[:120],
                        ]
                        for v in flagged[:30]
                    ],
                    kinds=["date", "text", "text", "text"],
                )
            ],
        )
    )
    return sections


def _url(meeting: Any) -> str:
    from django.urls import reverse

    return reverse("services:meeting_list")


AREA = register(
    MeetingKind(
        key="services.area",
        label="街道企业服务会议（例会/问题会商/商会联席）",
        pack=_pack,
        owner_model="registry.Area",
        url=_url,
    )
)


def do_schedule_area_meeting(
    acting_user: Any,
    area: Any,
    *,
    form: str,
    date: dt.date,
    location: str = "",
    agenda: str = "",
    request: Any = None,
) -> Any:
    """Schedule a sub-district's service meeting of one of the forms (例会, 问题会商, 商会联席 …)."""
    from peiyu.meetings.actions import do_schedule_meeting

    if form not in FORMS:
        raise ValueError(f"会议形式无效：{form}")
    return do_schedule_meeting(
        acting_user,
        kind=AREA.key,
        title=f"{area.name}企业服务{form}",
        date=date,
        location=location,
        owner=area,
        area=area,
        agenda=agenda,
        request=request,
    )
