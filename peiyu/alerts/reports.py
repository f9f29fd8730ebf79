"""Warnings in the monthly analysis report: what fired this month, what is still open, what is
overdue — the reader's scope only (the same :class:`~peiyu.alerts.models.Warning` rows as 预警列表)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from peiyu.core.sections import Section, SectionTable

ORDER = 110


def monthly_section(who: Any, month: str) -> Section | None:
    from peiyu.accounts import scope as scope_mod
    from peiyu.alerts.models import SEVERITY_ORDER, AlertSettings, Rule, Severity, Warning

    qs = scope_mod.restrict(who, Warning.objects.all()).select_related("enterprise", "item__owner")
    fired = list(qs.filter(last_month=month))
    open_ = list(qs.filter(is_open=True, first_month__lte=month))
    if not fired and not open_:
        return None
    new = [w for w in fired if w.first_month == month]
    days = AlertSettings.current().overdue_days
    overdue = [w for w in open_ if w.is_overdue(days)]
    rules = Counter(w.get_rule_display() for w in fired)
    paragraphs = [
        f"{int(month[5:])}月重点企业预警 {len(fired)} 条（其中新触发 {len(new)} 条），"
        + ("按规则：" + "、".join(f"{k} {v} 条" for k, v in rules.most_common()) + "；" if rules else "")
        + f"目前尚未关闭的预警 {len(open_)} 条，其中超过 {days} 天无处理记录的 {len(overdue)} 条。"
    ]
    ordered = sorted(open_, key=lambda w: (SEVERITY_ORDER.get(w.severity, 9), w.first_month, w.pk))
    table = SectionTable(
        title="表：未关闭的重点企业预警",
        columns=["企业", "预警规则", "级别", "首次触发", "状态", "责任人"],
        rows=[
            [
                w.enterprise.name,
                w.get_rule_display(),
                w.get_severity_display(),
                w.first_month,
                w.get_status_display(),
                (w.owner.display_name or w.owner.username) if w.owner is not None else "未分派",
            ]
            for w in ordered[:15]
        ],
        note=f"共 {len(open_)} 条，按级别列出前 15 条。" if len(open_) > 15 else "",
    )
    problems = []
    high = [w for w in open_ if w.severity == Severity.HIGH]
    if high:
        names = "、".join(w.enterprise.name for w in high[:5])
        problems.append(f"高级别预警 {len(high)} 条尚未关闭（{names}等），建议责任人上门走访、核实原因。")
    stopped = [w for w in open_ if w.rule in (Rule.STOPPED_PAYING, Rule.MOVED_OUT)]
    if stopped:
        problems.append(
            f"{len(stopped)} 户企业出现停止缴税或迁出迹象（"
            + "、".join(w.enterprise.name for w in stopped[:5])
            + "），建议会同街道镇开展稳商留商工作。"
        )
    if overdue:
        problems.append(f"{len(overdue)} 条预警超过 {days} 天无处理记录，建议督办。")
    return Section(
        key="alerts.warnings",
        title="重点企业预警",
        order=ORDER,
        paragraphs=paragraphs,
        tables=[table] if open_ else [],
        problems=problems,
        link="/alerts/warnings/",
    )
