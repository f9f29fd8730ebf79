"""The task-force meeting pack (专班例会材料), built from the data as the preparer sees it.

The meetings core puts the previous meeting's decisions first; then: the industry's tax and its
target gap against time progress (and seasonal progress), the month's biggest movers and the firms
behind the change, new and overdue warnings, information reports of the month, liaison coverage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable
from peiyu.taskforce import queries
from peiyu.taskforce.models import TaskForce

MOVERS = 5


def _num(v: Any) -> Any:
    return None if v is None else float(v)


def _fmt_pct(v: Any) -> str:
    return "—" if v is None else f"{float(v):+.1f}%"


def taskforce_of(meeting: Any) -> TaskForce | None:
    owner = meeting.owner
    if isinstance(owner, TaskForce):
        return owner
    if meeting.industry_id:
        return TaskForce.objects.filter(industry_id=meeting.industry_id).first()
    return None


def month_of(meeting: Any) -> str | None:
    from peiyu.taxes import analytics

    if meeting.data_month and meeting.data_month in analytics.months_available():
        return str(meeting.data_month)
    return queries.data_month(meeting.date)


def tax_section(who: Any, tf: TaskForce, month: str | None) -> Section:
    if month is None:
        return Section(
            key="taskforce.tax", title="产业税收与目标进度", order=10, paragraphs=["税收库暂无数据。"]
        )
    t = queries.industry_tax(who, tf, month) or {}
    y, m = int(month[:4]), int(month[5:7])
    paras = [
        f"{y}年1—{m}月，{tf.industry.name}产业实现区级税收 {format_wan(t.get('ytd_fen', 0))} 万元，"
        f"同比 {_fmt_pct(t.get('yoy_pct'))}；{m}月当月 {format_wan(t.get('month_fen', 0))} 万元，"
        f"同比 {_fmt_pct(t.get('month_yoy_pct'))}。"
    ]
    rows = []
    problems = []
    for p in queries.targets_progress(who, tf, month):
        rows.append(
            [
                p.target.name,
                p.target_fen,
                p.actual_fen,
                _num(p.completion_pct),
                _num(p.time_progress_pct),
                _num(p.seasonal_progress_pct),
                _num(p.gap_pp),
                p.status_label,
            ]
        )
        paras.append(
            f"{p.target.name}：{p.sentence}"
            + (f"，{p.seasonal_sentence}" if p.seasonal_sentence else "")
            + "。"
        )
        if p.status == "red":
            problems.append(f"{p.target.name}明显滞后于时间进度（{p.sentence}）")
        if p.target_fen and p.actual_fen is not None and p.completion_pct is not None:
            gap_fen = int(p.target_fen * p.time_progress_pct / 100) - p.actual_fen
            if gap_fen > 0:
                paras.append(f"按时间进度尚差 {format_wan(gap_fen)} 万元。")
    tables = []
    if rows:
        tables.append(
            SectionTable(
                title="目标完成与时间进度",
                columns=[
                    "指标",
                    "年度目标",
                    "累计完成",
                    "完成率（%）",
                    "时间进度（%）",
                    "季节性进度（%）",
                    "差距（百分点）",
                    "状态",
                ],
                rows=rows,
                kinds=["text", "money", "money", "percent", "percent", "percent", "points", "text"],
                unit="万元",
            )
        )
    else:
        paras.append("本产业本年度尚未下达税收目标。")
    return Section(
        key="taskforce.tax",
        title="产业税收与目标进度",
        order=10,
        paragraphs=paras,
        tables=tables,
        problems=problems,
    )


def movers_section(who: Any, tf: TaskForce, month: str | None) -> Section | None:
    from peiyu.taxes import analytics

    if month is None:
        return None
    result = analytics.enterprise_rows(who, month, industry_id=tf.industry_id)
    rows = [r for r in result["rows"] if r.get("matched")]
    for r in rows:
        r["month_change"] = r["month_fen"] - r["month_last_year_fen"]
    up = sorted(
        (r for r in rows if r["month_change"] > 0), key=lambda r: (-r["month_change"], r["credit_code"])
    )[:MOVERS]
    down = sorted(
        (r for r in rows if r["month_change"] < 0), key=lambda r: (r["month_change"], r["credit_code"])
    )[:MOVERS]

    def table(title: str, items: list[dict[str, Any]]) -> SectionTable:
        return SectionTable(
            title=title,
            columns=["企业", "街道镇", "当月", "上年同月", "增减", "累计", "累计同比（%）"],
            rows=[
                [
                    r["name"],
                    r.get("area") or "",
                    r["month_fen"],
                    r["month_last_year_fen"],
                    r["month_change"],
                    r["ytd_fen"],
                    r["yoy_pct"],
                ]
                for r in items
            ],
            kinds=["text", "text", "money", "money", "money", "money", "percent"],
            unit="万元",
        )

    dec = analytics.decomposition(who, month, industry_id=tf.industry_id, top=3)
    parts = []
    for p in dec["parts"]:
        firms = "、".join(f["name"] for f in p.get("top", []))
        parts.append([p["label"], p["enterprises"], p["fen"], firms])
    m = int(month[5:7])
    paras = [
        f"{m}月当月同比增收最多的是"
        + ("、".join(f"{r['name']}（+{format_wan(r['month_change'])} 万元）" for r in up[:3]) or "（无）")
        + "；减收最多的是"
        + ("、".join(f"{r['name']}（{format_wan(r['month_change'])} 万元）" for r in down[:3]) or "（无）")
        + "。",
        f"累计同比变动 {format_wan(dec['change_fen'])} 万元，其中"
        + "，".join(
            f"{p['label']} {format_wan(p['fen'])} 万元（{p['enterprises']} 户）" for p in dec["parts"]
        )
        + "。",
    ]
    return Section(
        key="taskforce.movers",
        title="本月增减变动较大的企业",
        order=20,
        paragraphs=paras,
        tables=[
            table("当月同比增收前列", up),
            table("当月同比减收前列", down),
            SectionTable(
                title="累计增减因素分解",
                columns=["因素", "企业数", "影响额", "主要企业"],
                rows=parts,
                kinds=["text", "integer", "money", "text"],
                unit="万元",
            ),
        ],
        problems=[
            f"{r['name']}当月同比减收 {format_wan(-r['month_change'])} 万元，建议走访了解原因"
            for r in down[:3]
        ],
    )


def warnings_section(who: Any, tf: TaskForce, month: str | None) -> Section:
    from peiyu.alerts import queries as alerts

    qs = queries.warnings(who, tf)
    new = list(qs.filter(first_month=month).order_by("severity", "enterprise__name")[:20]) if month else []
    overdue = list(alerts.overdue(qs.filter(item__is_open=True)).order_by("item__last_activity_at")[:20])
    open_n = qs.filter(item__is_open=True).count()

    def rows(ws: list[Any]) -> list[list[Any]]:
        return [
            [
                w.enterprise.name,
                w.get_rule_display(),
                w.get_severity_display(),
                w.summary,
                w.item.get_status_display() if w.item_id else "",
                str(w.item.owner) if w.item_id and w.item.owner_id else "未分派",
            ]
            for w in ws
        ]

    cols = ["企业", "规则", "级别", "说明", "状态", "责任人"]
    return Section(
        key="taskforce.warnings",
        title="预警：新增与超期未处理",
        order=30,
        paragraphs=[
            f"本产业未关闭预警 {open_n} 条，其中{month or '本月'}新增 {len(new)} 条，超期未处理 {len(overdue)} 条。"
        ],
        tables=[
            SectionTable(title="本月新增预警", columns=cols, rows=rows(new)),
            SectionTable(title="超期未处理预警", columns=cols, rows=rows(overdue)),
        ],
        problems=[f"{w.enterprise.name}预警超期未处理" for w in overdue[:5]],
    )


def projects_section(who: Any, tf: TaskForce) -> Section | None:
    """Projects in the attraction pipeline and open enterprise requests of the industry."""
    pipe = queries.pipeline(who, tf)
    reqs = queries.requests(who, tf)
    if pipe is None and reqs is None:
        return None
    paras: list[str] = []
    tables: list[SectionTable] = []
    problems: list[str] = []
    if pipe is not None:
        paras.append(
            f"本产业在库招商项目 {pipe['total']} 个（"
            + "，".join(f"{label} {n}" for label, n in pipe["stages"])
            + f"），停滞或逾期未落地 {len(pipe['stalled'])} 个。"
        )
        if pipe["stalled"]:
            tables.append(
                SectionTable(
                    title="停滞或逾期未落地项目",
                    columns=["项目", "阶段", "原因"],
                    rows=[
                        [p.name, p.get_stage_display(), getattr(p, "stall_reasons", "")]
                        for p in pipe["stalled"][:15]
                    ],
                )
            )
            problems.append(f"{len(pipe['stalled'])} 个招商项目停滞，请招商小组说明推进计划")
    if reqs is not None:
        paras.append(f"本产业企业未办结诉求 {len(reqs['open'])} 件，其中超期 {len(reqs['overdue'])} 件。")
        if reqs["open"]:
            tables.append(
                SectionTable(
                    title="未办结企业诉求",
                    columns=["企业", "诉求", "受理时间", "状态"],
                    rows=[
                        [
                            r.enterprise.name,
                            r.content[:60],
                            r.received_at.date().isoformat(),
                            ("超期" if r in reqs["overdue"] else "")
                            + (r.item.get_status_display() if r.item else ""),
                        ]
                        for r in reqs["open"][:15]
                    ],
                    kinds=["text", "text", "date", "text"],
                )
            )
        if reqs["overdue"]:
            problems.append(f"{len(reqs['overdue'])} 件企业诉求超期未办结")
    return Section(
        key="taskforce.projects",
        title="招商项目与企业诉求",
        order=35,
        paragraphs=paras,
        tables=tables,
        problems=problems,
    )


def reports_section(who: Any, tf: TaskForce, month: str | None) -> Section | None:
    if month is None:
        return None
    reps = list(queries.reports(who, tf).filter(period=month))
    if not reps:
        return None
    late = [r for r in reps if r.is_late()]
    missing = [r for r in reps if not r.is_submitted]
    return Section(
        key="taskforce.reports",
        title="信息报送情况",
        order=40,
        paragraphs=[
            f"{month} 应报 {len(reps)} 份，已报 {len(reps) - len(missing)} 份，逾期 {len(late)} 份。"
        ],
        tables=[
            SectionTable(
                title="报送明细",
                columns=["报送单位", "模板", "期限", "报送时间", "状态"],
                rows=[
                    [
                        r.unit_name,
                        r.template.name,
                        r.due.isoformat(),
                        r.submitted_at.date().isoformat() if r.submitted_at else "",
                        ("逾期" if r.is_late() else "按时")
                        if r.is_submitted
                        else ("逾期未报" if r.is_late() else "待报"),
                    ]
                    for r in reps
                ],
                kinds=["text", "text", "date", "date", "text"],
            )
        ],
        problems=[f"{r.unit_name}{r.template.name}逾期未报" for r in missing if r.is_late()],
    )


def liaison_section(who: Any, tf: TaskForce, month: str | None) -> Section:
    cov = queries.coverage(who, tf, month)
    para = (
        f"本产业重点企业 {cov['key']} 家，已明确联络员 {cov['with_liaison']} 家"
        + (f"（{cov['liaison_pct']}%）" if cov["liaison_pct"] is not None else "")
        + f"，近 {cov['days']} 天联系 {cov['contacted']} 家。"
    )
    return Section(
        key="taskforce.liaison",
        title="定向联络覆盖",
        order=50,
        paragraphs=[para],
        problems=[f"{cov['without_liaison']} 家重点企业尚无联络员"] if cov["without_liaison"] else [],
    )


def build(meeting: Any, who: Any) -> list[Section]:
    tf = taskforce_of(meeting)
    if tf is None:
        return []
    month = month_of(meeting)
    sections: list[Section | None] = [
        tax_section(who, tf, month),
        movers_section(who, tf, month),
        warnings_section(who, tf, month),
        projects_section(who, tf),
        reports_section(who, tf, month),
        liaison_section(who, tf, month),
    ]
    return [s for s in sections if s is not None]


def default_title(tf: TaskForce, date: dt.date) -> str:
    return f"{tf.name}{date.year}年{date.month}月例会"
