"""Reading the pipeline: scoped project lists, the year view (``peiyu attraction --year``), the team
league table, and the helpers other apps call:

- :func:`landed_enterprise_ids` (``year=None``: every landed company; a year: landed that year);
- :func:`projects_for` (an enterprise's projects, for 一企一档 and other apps).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from peiyu.accounts import scope
from peiyu.attraction import stages
from peiyu.attraction.models import Project, Stage, Status, Team

RELATED = ("team", "industry", "area", "enterprise", "anchor", "fund", "event", "duplicate_of__team")


def visible(user: Any, action: str = scope.VIEW) -> QuerySet[Project]:
    return scope.restrict(user, Project.objects.select_related(*RELATED), action)


def landed_enterprise_ids(year: int | None = None) -> set[int]:
    """Enterprises that landed through a credited project (注册落地 or 纳税); with ``year``, those
    whose landing date falls in that year. Unscoped ids (callers apply their own scope)."""
    qs = Project.objects.filter(stage__in=(Stage.LANDED, Stage.TAXPAYING), enterprise__isnull=False)
    qs = qs.filter(duplicate_of__isnull=True, is_relocation=False)
    out = set()
    for p in qs.only("enterprise_id", "stage", "registered_on", "signed_on", "entered_on"):
        day = stages.landing_date(p)
        if year is None or (day is not None and day.year == year):
            out.add(int(p.enterprise_id))  # type: ignore[arg-type]
    return out


def projects_for(enterprise: Any, user: Any = None) -> list[Project]:
    """The projects that landed (or plan to land) as ``enterprise`` or name it as their 以商引商
    source, oldest first; restricted to ``user``'s scope when given."""
    from django.db.models import Q

    qs = Project.objects.select_related(*RELATED).filter(
        Q(enterprise=enterprise) | Q(credit_code=enterprise.credit_code) | Q(source_enterprise=enterprise)
    )
    if user is not None:
        qs = scope.restrict(user, qs)
    return list(qs.order_by("entered_at", "pk"))


def enterprise_name(user: Any, p: Project) -> str:
    """The landed company's name for ``user``: shown when the user may see the enterprise or works
    on the project (its team, the 投促办), else left out."""
    ent = p.enterprise
    if ent is None:
        return ""
    if user is None or scope.can_see_enterprise(user, ent) or stages.can_edit(user, p):
        return ent.name
    return "（已登记企业）"


def credited_team(p: Project) -> str | None:
    return p.team.name if p.is_credited else None


def in_year(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


def year_view(year: int, user: Any = None) -> dict[str, Any]:
    """The ``peiyu attraction --year YYYY --json`` object (``user=None``: the whole district).
    ``stage`` and ``status`` are the Chinese words of the pipeline (线索 接洽 在谈 签约 注册落地 纳税;
    正常 延期 停滞 流失 终止)."""
    qs = Project.objects.select_related(*RELATED) if user is None else visible(user)
    projects = []
    teams: dict[int, dict[str, Any]] = {}
    for t in Team.objects.all():
        teams[t.pk] = {"name": t.name, "projects": 0, "signed": 0, "landed": 0, "credited_landed": 0}
    for p in qs.order_by("team__order", "entered_at", "pk"):
        stage = stages.stage_as_of(p, year)
        if stage is None:
            continue
        first = p.first_tax_month if (p.first_tax_month and p.first_tax_month <= f"{year}-12") else None
        projects.append(
            {
                "name": p.name,
                "team": p.team.name,
                "credited_team": credited_team(p),
                "stage": stages.label(stage),  # the words: 线索 … 纳税, 正常 … 终止
                "status": str(Status(p.status).label),
                "credit_code": p.credit_code or None,
                "first_tax_month": first,
                "district_tax_first_12m_fen": p.tax12_fen if first else None,
                "duplicate_of": p.duplicate_of.name if p.duplicate_of is not None else None,
            }
        )
        row = teams[p.team_id]
        row["projects"] += 1
        if in_year(p.signed_on, year) and stages.index(p.stage) >= stages.index(Stage.SIGNED):
            row["signed"] += 1
        if in_year(stages.landing_date(p), year):
            row["landed"] += 1
            if p.is_credited:
                row["credited_landed"] += 1
    return {"year": year, "teams": list(teams.values()), "projects": projects}


def league(year: int, user: Any = None) -> list[dict[str, Any]]:
    """The team league table: projects by stage at the end of the year, signed investment (credited:
    a capital increase counts only the increase), landed (credited) and first-year tax."""
    qs = Project.objects.select_related("team") if user is None else visible(user)
    rows: dict[int, dict[str, Any]] = {}
    for t in Team.objects.filter(active=True):
        rows[t.pk] = {
            "team": t,
            "name": t.name,
            "leader": (t.leader.display_name or t.leader.username)
            if t.leader is not None
            else t.leader_title,
            "by_stage": dict.fromkeys(stages.ORDER, 0),
            "projects": 0,
            "signed": 0,
            "signed_invest_fen": 0,
            "landed": 0,
            "taxpaying": 0,
            "first_year_tax_fen": 0,
            "duplicates": 0,
            "target_signed": t.target_signed,
            "target_landed": t.target_landed,
            "target_invest_fen": t.target_invest_fen,
        }
    for p in qs:
        row = rows.get(p.team_id)
        if row is None:
            continue
        stage = stages.stage_as_of(p, year)
        if stage is None:
            continue
        row["projects"] += 1
        row["by_stage"][stage] += 1
        if p.duplicate_of_id:
            row["duplicates"] += 1
        if not p.is_credited:
            continue
        if in_year(p.signed_on, year) and stages.index(p.stage) >= stages.index(Stage.SIGNED):
            row["signed"] += 1
            row["signed_invest_fen"] += p.credited_invest_fen
        if in_year(stages.landing_date(p), year):
            row["landed"] += 1
        if p.first_tax_month and p.first_tax_month[:4] == str(year):
            row["taxpaying"] += 1
        if p.first_tax_month and p.first_tax_month <= f"{year}-12" and p.tax_by_year:
            row["first_year_tax_fen"] += int(p.tax_by_year[0])
    out = list(rows.values())
    for r in out:
        r["signed_pct"] = round(100 * r["signed"] / r["target_signed"]) if r["target_signed"] else None
        r["landed_pct"] = round(100 * r["landed"] / r["target_landed"]) if r["target_landed"] else None
        r["lead"] = r["by_stage"]["lead"] + r["by_stage"]["contact"]
        r["talks"] = r["by_stage"]["talks"]
    out.sort(key=lambda r: (-r["landed"], -r["signed_invest_fen"], r["team"].order))
    return out


def duplicates(user: Any) -> list[Project]:
    """Losing claims of duplicate registrations, for the 投促办 to settle."""
    return list(visible(user).filter(duplicate_of__isnull=False).order_by("credit_code", "entered_at"))


def stalled(user: Any, *, days: int = 30, today: dt.date | None = None) -> list[Project]:
    """Open projects (before 注册落地, not lost or ended) with no follow-up for ``days`` days, or
    whose estimated landing date has passed, or marked 停滞."""
    today = today or dt.date.today()
    out = []
    for p in (
        visible(user)
        .filter(stage__in=(Stage.LEAD, Stage.CONTACT, Stage.TALKS, Stage.SIGNED))
        .exclude(status__in=(Status.LOST, Status.ENDED))
    ):
        last = p.last_followup or p.entered_on
        reasons = []
        if p.status == Status.STALLED:
            reasons.append("标记为停滞")
        if last and (today - last).days > days:
            reasons.append(f"{(today - last).days} 天无跟进")
        if p.estimated_landing and p.estimated_landing < today:
            reasons.append(f"预计落地日期 {p.estimated_landing} 已过")
        if reasons:
            p.stall_reasons = "；".join(reasons)  # type: ignore[attr-defined]
            out.append(p)
    return out


def by_stage_counts(qs: QuerySet[Project]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for s in qs.values_list("stage", flat=True):
        counts[s] += 1
    return {s: counts.get(s, 0) for s in stages.ORDER}
