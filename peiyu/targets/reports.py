"""Targets in the monthly analysis report: each visible target against time progress, with the
year-end projection and its range (the same :mod:`peiyu.targets.progress` the 目标看板 shows)."""

from __future__ import annotations

from typing import Any

from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable

ORDER = 20


def visible(who: Any) -> Any:
    """The targets the reader sees (a Scope or a user): the board's rule, district targets only for
    district-wide readers."""
    from peiyu.accounts import scope as scope_mod
    from peiyu.analytics import as_scope
    from peiyu.targets.models import Target

    s = as_scope(who)
    qs = Target.objects.all()
    return qs if s.everything else scope_mod.restrict(s, qs).distinct()


def board(who: Any, month: str) -> list[Any]:
    from peiyu.targets import progress
    from peiyu.targets.models import TargetSettings

    year = int(month[:4])
    targets = list(
        visible(who)
        .filter(year=year)
        .select_related("key_industry", "area")
        .prefetch_related("departments")
        .order_by("order", "id")
    )
    if not targets:
        return []
    actuals = progress.Actuals(year)
    settings = TargetSettings.current()
    return [progress.compute(t, month, actuals, settings) for t in targets]


def _figure(r: Any) -> str:
    t = r.target
    if r.target_fen is not None:
        return f"年度目标 {format_wan(r.target_fen)} 万元，累计完成 {format_wan(r.actual_fen)} 万元"
    tv = "—" if r.target_value is None else f"{r.target_value:g}"
    av = "—" if r.actual_value is None else f"{r.actual_value:g}"
    return f"目标 {tv}{t.unit}，完成 {av}{t.unit}"


def projection_words(r: Any) -> str:
    if r.projection_fen is None:
        return ""
    out = f"按季节规律预计全年 {format_wan(r.projection_fen)} 万元"
    if r.projection_low_fen is not None and r.projection_low_fen != r.projection_high_fen:
        out += f"（区间 {format_wan(r.projection_low_fen)}—{format_wan(r.projection_high_fen)} 万元）"
    if r.target_fen:
        out += "，可完成年度目标" if r.projection_fen >= r.target_fen else "，按此测算难以完成年度目标"
    return out


def monthly_section(who: Any, month: str) -> Section | None:
    rows = board(who, month)
    if not rows:
        return None
    return progress_section(rows, month)


def progress_section(rows: list[Any], month: str, *, title: str = "目标完成情况") -> Section:
    """The targets of a board as a document section (the monthly report and the board's Word
    export): one sentence per target with its projection, the table, a chart against time progress."""
    from peiyu.targets import progress

    counts = progress.status_counts(rows)
    paragraphs = [
        f"截至{int(month[5:])}月，时间进度 {progress.time_progress(month):.1f}%。共 {len(rows)} 项目标，"
        f"快于进度 {counts['green']} 项、略慢于进度 {counts['yellow']} 项、明显滞后 {counts['red']} 项、"
        f"暂无数据 {counts['none']} 项。"
    ]
    problems = []
    for r in rows:
        t = r.target
        dept = f"（{t.department_names()}）" if t.departments.all() else ""
        text = f"{t.name}{dept}：{_figure(r)}，{r.sentence}。"
        extra = projection_words(r)
        if extra:
            text += extra + "。"
        paragraphs.append(text)
        if r.status == "red":
            problems.append(f"{t.name}{r.sentence}，建议责任单位{dept or ''}制定赶超措施。")
    table = SectionTable(
        title="表：年度目标完成情况",
        columns=["指标", "年度目标", "累计完成", "完成率（%）", "时间进度（%）", "差距（百分点）", "状态"],
        kinds=["text", "text", "text", "percent", "percent", "decimal", "text"],
        rows=[
            [
                r.target.name,
                format_wan(r.target_fen) + " 万元"
                if r.target_fen is not None
                else ("—" if r.target_value is None else f"{r.target_value:g}{r.target.unit}"),
                format_wan(r.actual_fen) + " 万元"
                if r.actual_fen is not None
                else ("—" if r.actual_value is None else f"{r.actual_value:g}{r.target.unit}"),
                None if r.completion_pct is None else float(r.completion_pct),
                float(r.time_progress_pct),
                progress.fmt1(r.gap_pp),
                r.status_label,
            ]
            for r in rows
        ],
    )
    tp = float(progress.time_progress(month))
    with_completion = [r for r in rows if r.completion_pct is not None]
    chart = None
    if with_completion:
        chart = {
            "title": {"text": "目标完成率与时间进度（%）"},
            "xAxis": {"type": "category", "data": [r.target.name for r in with_completion]},
            "yAxis": {"type": "value", "name": "%"},
            "series": [
                {"type": "bar", "name": "完成率", "data": [float(r.completion_pct) for r in with_completion]},
                {
                    "type": "line",
                    "name": "时间进度",
                    "data": [tp] * len(with_completion),
                    "lineStyle": {"type": "dashed"},
                    "itemStyle": {"color": "#d63939"},
                },
            ],
        }
    return Section(
        key="targets.progress",
        title=title,
        chart=chart,
        order=ORDER,
        paragraphs=paragraphs,
        tables=[table],
        problems=problems,
        link=f"/targets/?year={month[:4]}&month={int(month[5:])}",
    )
