"""Attraction pages. Thin: rules live in stages.py, actions.py, queries.py; every list exports to
Excel through its TableSpec (``?format=xlsx``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import audit
from peiyu.accounts import scope as scope_mod
from peiyu.attraction import actions, chain, queries, stages, tables
from peiyu.attraction import audit_actions as A
from peiyu.attraction.forms import FollowUpForm, ProjectForm, StatusForm
from peiyu.attraction.importer import ProjectImporter
from peiyu.attraction.models import CooperationEvent, Fund, Project, Stage, Status, Team
from peiyu.core.imports import views as imports
from peiyu.registry.models import Area, KeyIndustry


def _year(request: Any) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year


def _wants_xlsx(request: Any) -> bool:
    return request.GET.get("format") == "xlsx"


def _project(request: Any, pk: int, action: str = scope_mod.VIEW) -> Project:
    p: Project = scope_mod.get_object_or_404(
        request.user,
        queries.visible(request.user),
        action=action,
        request=request,
        missing="项目不存在",
        pk=pk,
    )
    return p


def _teams_for(user: Any) -> Any:
    if stages.is_office(user):
        return Team.objects.filter(active=True)
    return Team.objects.filter(Q(members=user) | Q(leader=user), active=True).distinct()


@login_required
def index(request: Any) -> HttpResponse:
    user = request.user
    qs = queries.visible(user)
    team = request.GET.get("team", "")
    stage = request.GET.get("stage", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if team.isdigit():
        qs = qs.filter(team_id=int(team))
    if stage in stages.ORDER:
        qs = qs.filter(stage=stage)
    if status in Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(investor__icontains=q))
    rows = [tables.project_row(p, user) for p in qs]
    if any(r["tax12_fen"] for r in rows):
        audit.record_view(request, A.TAX_VIEW, "招商项目库（落地项目税收）", count=len(rows))
    if _wants_xlsx(request):
        audit.record_view(request, A.PROJECTS_EXPORT, "招商项目库", count=len(rows))
        return tables.PROJECTS.xlsx("招商项目库.xlsx", rows, sheet="项目", title="招商项目库")
    counts = queries.by_stage_counts(queries.visible(user))
    return render(
        request,
        "attraction/index.html",
        {
            "table": tables.PROJECTS.render(rows, id="project-table"),
            "stage_counts": [(s, stages.label(s), counts[s]) for s in stages.ORDER],
            "teams": Team.objects.all(),
            "stages": [(s, stages.label(s)) for s in stages.ORDER],
            "statuses": Status.choices,
            "filters": {"team": team, "stage": stage, "status": status, "q": q},
            "can_create": _teams_for(user).exists(),
            "is_office": stages.is_office(user),
            "export_url": f"{request.path}?{request.GET.urlencode()}&format=xlsx",
        },
    )


@login_required
def project_detail(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk)
    user = request.user
    from peiyu.work import queries as work_queries

    if p.tax12_fen:
        audit.record_view(request, A.TAX_VIEW, f"{p.name} 落地税收", credit_code=p.credit_code)
    moves = [(s, stages.label(s)) for s in stages.ORDER if stages.move_refusal(user, p, s) is None]
    nxt = stages.ORDER[stages.index(p.stage) + 1] if p.stage != Stage.TAXPAYING else None
    claims = []
    if p.credit_code:
        claims = list(queries.visible(user).filter(credit_code=p.credit_code).exclude(pk=p.pk))
    years = []
    for i, fen in enumerate(p.tax_by_year or []):
        years.append({"n": i + 1, "actual_fen": fen, "promised_fen": p.promised_tax_fen})
    return render(
        request,
        "attraction/project.html",
        {
            "p": p,
            "stage_label": stages.label(p.stage),
            "enterprise_name": queries.enterprise_name(user, p),
            "logs": p.stage_logs.select_related("by"),
            "followups": p.followups.select_related("by")[:50],
            "items": work_queries.items_of(p, kind="attraction.warning"),
            "can_edit": stages.can_edit(user, p) and scope_mod.can(user, p, scope_mod.CHANGE),
            "is_office": stages.is_office(user),
            "moves": moves,
            "next_stage": nxt,
            "next_missing": stages.missing_labels(stages.missing_for(p, nxt)) if nxt else [],
            "missing": stages.missing_labels(p.missing_fields or []),
            "claims": claims,
            "years": years,
            "status_form": StatusForm(initial={"status": p.status}),
            "followup_form": FollowUpForm(),
            "areas": Area.objects.all(),
            "ladder": [(s, stages.label(s), stages.index(s) <= stages.index(p.stage)) for s in stages.ORDER],
        },
    )


def _without_hidden_code(user: Any, data: Any, teams: Any) -> Any:
    """The posted form, without a credit code of an enterprise outside the user's scope when the
    form comes back with errors (a page must not echo a code the user may not see); a valid form
    keeps it (a team may register a company it brought in)."""
    from peiyu.registry.models import Enterprise

    code = (data.get("credit_code") or "").strip().upper()
    ent = Enterprise.objects.filter(credit_code=code).first() if code else None
    if ent is None or scope_mod.can_see_enterprise(user, ent):
        return data
    if ProjectForm(data, teams=teams).is_valid():
        return data
    data = data.copy()
    data["credit_code"] = ""
    return data


def _project_form_page(request: Any, p: Project | None) -> HttpResponse:
    user = request.user
    teams = _teams_for(user)
    if not teams.exists() and p is None:
        raise PermissionDenied("只有招商小组成员或投促办可以新建项目")
    if p is not None:
        teams = Team.objects.filter(pk=p.team_id)
    if request.method == "POST":
        form = ProjectForm(_without_hidden_code(user, request.POST, teams), teams=teams)
        if form.is_valid():
            fields = form.project_fields()
            reason = form.cleaned_data.get("reason") or ""
            try:
                if p is None:
                    p = actions.do_create_project(
                        user, form.cleaned_data["team"], reason=reason, request=request, **fields
                    )
                    messages.success(request, "项目已建立")
                else:
                    p = actions.do_update_project(user, p, reason=reason, request=request, **fields)
                    messages.success(request, "项目已保存")
                return redirect("attraction:project", pk=p.pk)
            except actions.ActionError as exc:
                form.add_error(None, str(exc))
    else:
        form = ProjectForm(initial=ProjectForm.initial_for(p) if p else {}, teams=teams)
    return render(
        request,
        "attraction/form.html",
        {"form": form, "p": p, "page_title": "修改项目" if p else "新建招商项目"},
    )


@login_required
def project_create(request: Any) -> HttpResponse:
    return _project_form_page(request, None)


@login_required
def project_edit(request: Any, pk: int) -> HttpResponse:
    action = scope_mod.CHANGE if request.method == "POST" else scope_mod.VIEW
    p = _project(request, pk, action)
    if not stages.can_edit(request.user, p):
        raise PermissionDenied("只有本招商小组成员或投促办可以修改该项目")
    return _project_form_page(request, p)


def _done(request: Any, p: Project, fn: Any) -> HttpResponse:
    try:
        fn()
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    return redirect("attraction:project", pk=p.pk)


@login_required
@require_POST
def project_stage(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk, scope_mod.CHANGE)
    to = request.POST.get("to", "")
    reason = request.POST.get("reason", "")

    def go() -> None:
        actions.do_move_stage(request.user, p, to, reason=reason, request=request)
        messages.success(request, f"已进入“{stages.label(to)}”阶段")

    return _done(request, p, go)


@login_required
@require_POST
def project_land(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk, scope_mod.CHANGE)
    if not stages.is_office(request.user):
        raise PermissionDenied("注册落地须由投促办核实确认")
    from peiyu.core.imports import cells

    def go() -> None:
        area = Area.objects.filter(pk=request.POST.get("area_id") or 0).first()
        code = request.POST.get("credit_code", "").strip() or None
        if code:
            try:
                code = cells.credit_code(code)
            except ValueError as exc:
                raise actions.ActionError(str(exc)) from exc
        day = None
        if request.POST.get("registered_on"):
            try:
                day = cells.parse_date(request.POST["registered_on"])
            except ValueError as exc:
                raise actions.ActionError(str(exc)) from exc
        actions.do_confirm_landing(
            request.user,
            p,
            credit_code=code,
            area=area,
            registered_on=day,
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(request, "已确认注册落地")

    return _done(request, p, go)


@login_required
@require_POST
def project_status(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk, scope_mod.CHANGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择状态")
        return redirect("attraction:project", pk=p.pk)
    d = form.cleaned_data

    def go() -> None:
        actions.do_set_status(
            request.user, p, d["status"], reason=d["reason"], lost_to=d["lost_to"], request=request
        )
        messages.success(request, "状态已更新")

    return _done(request, p, go)


@login_required
@require_POST
def project_followup(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk, scope_mod.CHANGE)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写跟进情况")
        return redirect("attraction:project", pk=p.pk)
    d = form.cleaned_data

    def go() -> None:
        actions.do_add_followup(
            request.user, p, text=d["text"], problem=d["problem"], date=d["date"], request=request
        )
        messages.success(request, "已记录跟进")

    return _done(request, p, go)


@login_required
@require_POST
def project_settle(request: Any, pk: int) -> HttpResponse:
    p = _project(request, pk, scope_mod.CHANGE)
    actions.require_office(request.user)

    def go() -> None:
        actions.do_settle_duplicate(request.user, p, reason=request.POST.get("reason", ""), request=request)
        messages.success(request, f"已认定由{p.team.name}计入")

    return _done(request, p, go)


@login_required
def league(request: Any) -> HttpResponse:
    year = _year(request)
    rows = queries.league(year, request.user)
    if any(r["first_year_tax_fen"] for r in rows):
        audit.record_view(request, A.TAX_VIEW, f"{year} 年招商小组排行", year=year)
    if _wants_xlsx(request):
        return tables.LEAGUE.xlsx(
            f"{year}年招商小组排行.xlsx", rows, sheet="排行", title=f"{year} 年招商小组排行"
        )
    option = {
        "tooltip": {},
        "legend": {},
        "xAxis": {"type": "category", "data": [r["name"] for r in rows]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": "当年签约", "type": "bar", "data": [r["signed"] for r in rows]},
            {"name": "签约目标", "type": "bar", "data": [r["target_signed"] for r in rows]},
            {"name": "当年落地", "type": "bar", "data": [r["landed"] for r in rows]},
        ],
    }
    return render(
        request,
        "attraction/league.html",
        {
            "year": year,
            "table": tables.LEAGUE.render(rows, id="league-table"),
            "option": option,
            "share_label": scope_mod.share_label(request.user),
            "limited": scope_mod.scope_for(request.user).is_limited and not stages.is_office(request.user),
        },
    )


@login_required
def duplicates(request: Any) -> HttpResponse:
    rows = [tables.duplicate_row(p) for p in queries.duplicates(request.user)]
    if _wants_xlsx(request):
        return tables.DUPLICATES.xlsx("重复申报项目.xlsx", rows, sheet="重复申报", title="重复申报项目")
    return render(
        request,
        "attraction/simple_list.html",
        {
            "title": "重复申报项目",
            "table": tables.DUPLICATES.render(rows),
            "note": "同一企业被两个小组登记时，先登记的小组计入，另一申报列为重复，由投促办认定。",
        },
    )


@login_required
def funds(request: Any) -> HttpResponse:
    visible = queries.visible(request.user)
    rows = []
    for f in Fund.objects.all():
        ps = [p for p in visible if p.fund_id == f.pk]
        rows.append(
            {
                "name": f.name,
                "manager": f.manager,
                "size_fen": f.size_fen,
                "projects": len(ps),
                "landed": sum(1 for p in ps if stages.index(p.stage) >= stages.index(Stage.LANDED)),
                "invest_fen": sum(p.invest_fen or 0 for p in ps),
                "project_names": "、".join(p.name for p in ps),
            }
        )
    if _wants_xlsx(request):
        return tables.FUNDS.xlsx("基金招商.xlsx", rows, sheet="基金", title="基金—基金—基地")
    return render(
        request,
        "attraction/simple_list.html",
        {"title": "基金招商（基金—基金—基地）", "table": tables.FUNDS.render(rows)},
    )


@login_required
def events(request: Any) -> HttpResponse:
    visible = list(queries.visible(request.user).filter(event__isnull=False))
    rows = []
    for e in CooperationEvent.objects.all():
        ps = [p for p in visible if p.event_id == e.pk]
        rows.append(
            {
                "date": e.date,
                "name": e.name,
                "kind": e.get_kind_display(),
                "city": e.city,
                "institution": e.institution,
                "projects": len(ps),
                "project_names": "、".join(p.name for p in ps),
            }
        )
    if _wants_xlsx(request):
        return tables.EVENTS.xlsx("区域合作活动.xlsx", rows, sheet="活动", title="区域合作（长三角）活动")
    return render(
        request,
        "attraction/simple_list.html",
        {"title": "区域合作（长三角 / 沿沪宁产业创新带）", "table": tables.EVENTS.render(rows)},
    )


@login_required
def chain_map(request: Any) -> HttpResponse:
    industries = list(KeyIndustry.objects.filter(active=True))
    raw = request.GET.get("industry", "")
    industry = next((i for i in industries if str(i.pk) == raw), industries[0] if industries else None)
    option, summary = chain.graph_option(request.user, industry) if industry else (None, {})
    return render(
        request,
        "attraction/chain.html",
        {"industries": industries, "industry": industry, "option": option, "summary": summary},
    )


@login_required
def teams(request: Any) -> HttpResponse:
    return render(
        request,
        "attraction/teams.html",
        {
            "teams": Team.objects.prefetch_related("members", "departments").select_related("leader"),
            "is_office": stages.is_office(request.user),
        },
    )


@scope_mod.permission_required("attraction.manage")
def import_page(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        ProjectImporter,
        title="招商项目台账导入",
        help_text="列：项目名称、招商小组、阶段、状态、产业、投资方、计划投资额（万元）、签约日期、统一社会信用代码、承诺年税收（万元）、渠道、链主企业、基金、拟落地街道、登记日期……",
        report_url=lambda pk: reverse("attraction:import_report", args=[pk]),
    )


@scope_mod.permission_required("attraction.manage")
def import_report(request: Any, pk: int) -> HttpResponse:
    batch = imports.get_batch(ProjectImporter, pk)
    return imports.report_page(
        request,
        batch,
        ProjectImporter,
        back_url=reverse("attraction:import"),
        errors_url=reverse("attraction:import_errors", args=[pk]),
    )


@scope_mod.permission_required("attraction.manage")
def import_errors(request: Any, pk: int) -> HttpResponse:
    return imports.errors_xlsx(request, imports.get_batch(ProjectImporter, pk))


@login_required
def dispatch_meetings(request: Any) -> HttpResponse:
    """The dispatch meetings (招商引资调度会): the list, and the next one scheduled by the 投促办 (the
    pack, minutes and decisions are on the meeting's page of the meetings core)."""
    from peiyu.attraction.dispatch import INTERVAL_DAYS, KIND
    from peiyu.meetings import actions as meeting_actions
    from peiyu.meetings import queries as meeting_queries
    from peiyu.meetings.models import Meeting

    office = stages.is_office(request.user)
    meetings = list(meeting_queries.visible(request.user).filter(kind=KIND).order_by("-date", "-id"))
    if request.method == "POST":
        if not office:
            raise PermissionDenied("调度会由投促办安排")
        from peiyu.core.imports import cells

        last = Meeting.objects.filter(kind=KIND).order_by("-date").first()
        try:
            day = cells.parse_date(request.POST.get("date") or "")
        except ValueError:
            day = (last.date if last else dt.date.today()) + dt.timedelta(days=INTERVAL_DAYS)
        n = Meeting.objects.filter(kind=KIND).count() + 1
        m = meeting_actions.do_schedule_meeting(
            request.user,
            kind=KIND,
            title=f"{day.year}年第{n}次招商引资调度会",
            date=day,
            location=request.POST.get("location", "") or "区政府第一会议室",
            request=request,
        )
        meeting_actions.do_prepare_pack(request.user, m, request=request)
        messages.success(request, "调度会已安排，会议材料已生成")
        return redirect("meetings:detail", pk=m.pk)
    return render(request, "attraction/dispatch.html", {"meetings": meetings, "is_office": office})


@scope_mod.permission_required("attraction.manage")
def team_edit(request: Any, pk: int) -> HttpResponse:
    from peiyu.attraction.forms import TeamForm
    from peiyu.core.money import fen_to_wan

    team = scope_mod.get_object_or_404(request.user, Team, action=scope_mod.CHANGE, request=request, pk=pk)
    if request.method == "POST":
        form = TeamForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            actions.do_save_team(
                request.user,
                team,
                members=list(d["members"]),
                reason=d.get("reason") or "",
                request=request,
                name=d["name"],
                leader=d["leader"],
                leader_title=d["leader_title"],
                target_signed=d["target_signed"],
                target_landed=d["target_landed"],
                target_invest_fen=d["target_invest_wan"],
                order=d["order"],
                active=d["active"],
            )
            messages.success(request, "招商小组已保存")
            return redirect("attraction:teams")
    else:
        form = TeamForm(
            initial={
                "name": team.name,
                "leader": team.leader_id,
                "leader_title": team.leader_title,
                "members": list(team.members.values_list("pk", flat=True)),
                "target_signed": team.target_signed,
                "target_landed": team.target_landed,
                "target_invest_wan": str(fen_to_wan(team.target_invest_fen)),
                "order": team.order,
                "active": team.active,
            }
        )
    return render(
        request, "attraction/form.html", {"form": form, "p": None, "page_title": f"修改招商小组：{team.name}"}
    )
