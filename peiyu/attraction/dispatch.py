"""The biweekly dispatch meeting (招商引资调度会) pack, on the shared meetings core.

The core puts last meeting's decisions and their status FIRST (``meetings.queries``); this builder
adds, as the preparer sees the data on the meeting's date:

1. progress against each team's annual targets (signed, landed, signed investment);
2. projects signed and landed since the last meeting (and landed companies that paid for the first time);
3. stalled projects (no follow-up for ``STALL_DAYS`` days, estimated landing date passed, marked
   停滞) and the pipeline warnings (signed but not registered, landed but not paying);
4. problems the teams raised that need coordination (follow-ups with a problem, not resolved);
5. duplicate claims for the 投促办 to settle;
6. the rotating team's report (the teams take turns in their order, one per meeting).

Decisions recorded in the minutes become tracked items (``meetings.decision``) through the core;
the next pack starts with them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.attraction import queries, stages
from peiyu.attraction.models import FollowUp, Project, Stage, Team
from peiyu.core.sections import Section, SectionTable

KIND = "attraction.dispatch"
STALL_DAYS = 30
INTERVAL_DAYS = 14


def _since(meeting: Any) -> dt.date:
    from peiyu.meetings.queries import previous

    prev = previous(meeting)
    return prev.date if prev is not None else meeting.date - dt.timedelta(days=INTERVAL_DAYS)


def rotating_team(meeting: Any) -> Team | None:
    """The team reporting at this meeting: the teams in turn, one per meeting of the series."""
    from peiyu.meetings.queries import series

    teams = list(Team.objects.filter(active=True).order_by("order", "id"))
    if not teams:
        return None
    n = series(meeting).filter(date__lt=meeting.date).count()
    return teams[n % len(teams)]


def _pct(done: int, target: int) -> str:
    return f"{round(100 * done / target)}%" if target else "—"


def targets_section(who: Any, year: int) -> Section:
    rows = queries.league(year, who)
    table = SectionTable(
        title=f"{year} 年各招商小组目标完成情况",
        columns=[
            "招商小组",
            "牵头领导",
            "签约（个）",
            "签约目标",
            "完成率",
            "落地（个）",
            "落地目标",
            "完成率",
            "签约投资额",
            "签约投资额目标",
        ],
        rows=[
            [
                r["name"],
                r["leader"] or "",
                r["signed"],
                r["target_signed"],
                _pct(r["signed"], r["target_signed"]),
                r["landed"],
                r["target_landed"],
                _pct(r["landed"], r["target_landed"]),
                r["signed_invest_fen"],
                r["target_invest_fen"],
            ]
            for r in rows
        ],
        kinds=["text", "text", "integer", "integer", "text", "integer", "integer", "text", "money", "money"],
        unit="万元",
    )
    signed = sum(r["signed"] for r in rows)
    landed = sum(r["landed"] for r in rows)
    t_signed = sum(r["target_signed"] for r in rows)
    t_landed = sum(r["target_landed"] for r in rows)
    behind = [r["name"] for r in rows if r["target_signed"] and r["signed"] * 2 < r["target_signed"]]
    paras = [
        f"{year} 年以来，{len(rows)} 个招商小组累计签约项目 {signed} 个（目标 {t_signed} 个，完成 {_pct(signed, t_signed)}），"
        f"注册落地 {landed} 个（目标 {t_landed} 个，完成 {_pct(landed, t_landed)}）。按计入口径：一个项目只计一次，存量增资只计增资额。"
    ]
    problems = [f"{name}签约进度不足目标的一半" for name in behind]
    return Section(
        key="attraction.targets",
        title="一、各小组目标完成情况",
        order=10,
        paragraphs=paras,
        tables=[table],
        problems=problems,
    )


def since_section(who: Any, since: dt.date, until: dt.date) -> Section:
    visible = list(queries.visible(who))
    signed = [p for p in visible if p.signed_on and since < p.signed_on <= until and p.is_credited]
    landed = [p for p in visible if (d := stages.landing_date(p)) and since < d <= until and p.is_credited]
    first = [
        p
        for p in visible
        if p.first_tax_month and since.strftime("%Y-%m") <= p.first_tax_month <= until.strftime("%Y-%m")
    ]

    def row(p: Project, day: Any) -> list[Any]:
        return [
            p.name,
            p.team.name,
            p.industry.name if p.industry else "",
            day.isoformat() if day else "",
            p.invest_fen,
        ]

    cols = ["项目", "招商小组", "产业", "日期", "计划投资额"]
    kinds = ["text", "text", "text", "date", "money"]
    tables = [
        SectionTable(
            title="新签约项目",
            columns=cols,
            rows=[row(p, p.signed_on) for p in signed],
            kinds=kinds,
            unit="万元",
        ),
        SectionTable(
            title="新注册落地项目",
            columns=cols,
            rows=[row(p, stages.landing_date(p)) for p in landed],
            kinds=kinds,
            unit="万元",
        ),
    ]
    if first:
        tables.append(
            SectionTable(
                title="落地企业首次产生区级税收",
                columns=["项目", "招商小组", "首次纳税月份"],
                rows=[[p.name, p.team.name, p.first_tax_month] for p in first],
                kinds=["text", "text", "text"],
            )
        )
    para = (
        f"上次会议（{since:%Y年%m月%d日}）以来，新签约项目 {len(signed)} 个、新注册落地 {len(landed)} 个，"
        f"{len(first)} 个落地企业经税收库确认首次产生区级税收。"
    )
    return Section(
        key="attraction.since",
        title="二、上次会议以来签约、落地项目",
        order=20,
        paragraphs=[para],
        tables=tables,
    )


def stalled_section(who: Any, today: dt.date) -> Section:
    from peiyu.attraction import warnings

    stalled = queries.stalled(who, days=STALL_DAYS, today=today)
    rows = [
        [p.name, p.team.name, stages.label(p.stage), p.get_status_display(), getattr(p, "stall_reasons", "")]
        for p in stalled
    ]
    warned = []
    for p in queries.visible(who).filter(stage__in=(Stage.SIGNED, Stage.LANDED)):
        for rule, item in warnings.open_warnings(p).items():
            warned.append(
                [p.name, p.team.name, warnings.RULES.get(rule, rule), item.opened_at.date().isoformat()]
            )
    tables = [
        SectionTable(
            title="停滞项目",
            columns=["项目", "招商小组", "阶段", "状态", "原因"],
            rows=rows,
            kinds=["text"] * 5,
        )
    ]
    if warned:
        tables.append(
            SectionTable(
                title="预警项目",
                columns=["项目", "招商小组", "预警", "预警日期"],
                rows=warned,
                kinds=["text", "text", "text", "date"],
            )
        )
    para = f"停滞项目 {len(stalled)} 个（{STALL_DAYS} 天无跟进、预计落地日期已过或标记停滞），预警项目 {len(warned)} 个（签约超过3个月未注册、落地6个月未纳税）。"
    problems = [f"{p.name}（{p.team.name}）：{getattr(p, 'stall_reasons', '')}" for p in stalled[:10]]
    return Section(
        key="attraction.stalled",
        title="三、停滞和预警项目",
        order=30,
        paragraphs=[para],
        tables=tables,
        problems=problems,
    )


def problems_section(who: Any) -> Section:
    visible_ids = queries.visible(who).values("pk")
    items = list(
        FollowUp.objects.filter(project__in=visible_ids, resolved=False)
        .exclude(problem="")
        .select_related("project", "project__team")
        .order_by("date")
    )
    rows = [[f.project.team.name, f.project.name, f.problem, f.date.isoformat()] for f in items]
    return Section(
        key="attraction.problems",
        title="四、需协调解决的问题",
        order=40,
        paragraphs=[
            f"各小组提出需协调解决的问题 {len(items)} 个。" if items else "本期各小组未提出需协调的问题。"
        ],
        tables=[
            SectionTable(
                title="需协调解决的问题",
                columns=["招商小组", "项目", "问题", "提出日期"],
                rows=rows,
                kinds=["text", "text", "text", "date"],
            )
        ],
        problems=[f"{f.project.team.name}·{f.project.name}：{f.problem}" for f in items],
    )


def duplicates_section(who: Any) -> Section:
    dups = queries.duplicates(who)
    rows = [
        [
            p.name,
            p.team.name,
            p.entered_on.isoformat(),
            p.duplicate_of.name if p.duplicate_of else "",
            p.duplicate_of.team.name if p.duplicate_of else "",
        ]
        for p in dups
    ]
    return Section(
        key="attraction.duplicates",
        title="五、重复申报待认定",
        order=50,
        paragraphs=[
            f"同一企业被两个小组登记的重复申报 {len(dups)} 个，按先登记计入，请投促办认定。"
            if dups
            else "本期无重复申报。"
        ],
        tables=[
            SectionTable(
                title="重复申报",
                columns=["申报项目", "申报小组", "登记日期", "计入项目", "计入小组"],
                rows=rows,
                kinds=["text", "text", "date", "text", "text"],
            )
        ],
    )


def rotating_section(who: Any, meeting: Any, year: int) -> Section:
    team = rotating_team(meeting)
    if team is None:
        return Section(
            key="attraction.rotation", title="六、轮值小组汇报", order=60, paragraphs=["尚未设立招商小组。"]
        )
    projects = list(queries.visible(who).filter(team=team))
    counts = {s: sum(1 for p in projects if p.stage == s) for s in stages.ORDER}
    rows = [
        [
            p.name,
            stages.label(p.stage),
            p.get_status_display(),
            p.last_followup.isoformat() if p.last_followup else "",
            p.invest_fen,
        ]
        for p in projects
    ]
    para = (
        f"本次由{team.name}（{team.leader_title or '牵头领导'}）汇报：在库项目 {len(projects)} 个，"
        + "，".join(f"{stages.label(s)} {n} 个" for s, n in counts.items() if n)
        + "。"
    )
    return Section(
        key="attraction.rotation",
        title=f"六、轮值小组汇报：{team.name}",
        order=60,
        paragraphs=[para],
        tables=[
            SectionTable(
                title=f"{team.name}项目",
                columns=["项目", "阶段", "状态", "最近跟进", "计划投资额"],
                rows=rows,
                kinds=["text", "text", "text", "date", "money"],
                unit="万元",
            )
        ],
    )


def build_pack(meeting: Any, who: Any) -> list[Section]:
    """The dispatch pack (without the carried-over decisions, which the core puts first)."""
    today = meeting.date
    year = today.year
    return [
        targets_section(who, year),
        since_section(who, _since(meeting), today),
        stalled_section(who, today),
        problems_section(who),
        duplicates_section(who),
        rotating_section(who, meeting, year),
    ]
