"""Policy pages: the catalogue, a policy and its clauses, the 免申即享 list of a clause, the ledger of
awards and each award's approval steps, breaches and clawback, the yearly evaluation (page, Excel,
Word report per round), the "never reached" gap and the ledger import. Views are thin: the rules are
in rules.py, actions.py, evaluate.py and importer.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import audit, scope
from peiyu.accounts.models import Department
from peiyu.core.imports import views as imports
from peiyu.policies import actions, evaluate, queries, report, rules
from peiyu.policies import analytics as pa
from peiyu.policies import audit_actions as A
from peiyu.policies.forms import ApplyForm, ClauseForm, PolicyForm, StepForm
from peiyu.policies.importer import LedgerImporter
from peiyu.policies.models import Award, AwardStatus, Breach, Clause, Policy
from peiyu.policies.tables import AWARDS, BREACHES, ELIGIBLE, EVALUATION, GAP, POLICIES, PUBLICITY
from peiyu.work.actions import ActionError


def _year(request: Any, default: int) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


def _default_award_year() -> int:
    """The latest award year whose year before and year after are both in the library."""
    years = set(pa.years_with_data())
    usable = [y for y in years if y - 1 in years and y + 1 in years]
    return max(usable) if usable else (max(years) - 1 if years else dt.date.today().year - 1)


def _manage_or_403(request: Any, policy: Policy | None) -> None:
    if not actions.may_manage(request.user, policy):
        scope.denied(request, request.user, policy, action=scope.CHANGE)
        raise PermissionDenied("只有政策主管部门或系统管理员可以维护该政策")


def _policy_row(p: Policy, totals: dict[int, dict[str, int]]) -> dict[str, Any]:
    t = totals.get(p.pk, {})
    valid = "—"
    if p.valid_from or p.valid_to:
        valid = f"{p.valid_from or ''}—{p.valid_to or ''}"
    return {
        "name": p.name + ("（待完善）" if p.from_ledger else ""),
        "url": reverse("policies:policy", args=[p.pk]),
        "doc_number": p.doc_number,
        "kind": p.get_kind_display(),
        "department": p.department.name if p.department is not None else "—",
        "round": p.round or "—",
        "valid": valid,
        "clauses": p.clauses.count(),
        "recipients": t.get("recipients", 0),
        "paid_fen": t.get("paid_fen", 0),
    }


# ---------------------------------------------------------------------------------------------
# Catalogue


@login_required
def index(request: Any) -> HttpResponse:
    qs = queries.policies(request.user)
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    totals = queries.policy_totals(request.user, qs)
    rows = [_policy_row(p, totals) for p in qs]
    return render(
        request,
        "policies/index.html",
        {
            "page_title": "产业政策（3+5+X）",
            "table": POLICIES.render(rows, id="policy-table"),
            "can_manage": actions.may_manage(request.user),
            "kind": kind,
            "open_awards": queries.open_award_count(request.user),
        },
    )


@login_required
def policy_detail(request: Any, pk: int) -> HttpResponse:
    p = scope.get_object_or_404(request.user, Policy, request=request, pk=pk)
    clauses = list(p.clauses.all())
    for c in clauses:
        c.described = [rules.describe(x) for x in c.conditions]  # type: ignore[attr-defined]
    awards = queries.awards(request.user).filter(clause__policy=p)
    if request.GET.get("format") == "xlsx":
        audit.record_view(request, A.AWARDS_EXPORT, f"{p.name} 兑现台账")
        return AWARDS.xlsx(
            f"{p.name}_兑现台账.xlsx", queries.award_rows(awards), sheet="兑现台账", title=p.name
        )
    by_year: dict[int, dict[str, Any]] = {}
    for a in awards.filter(status=AwardStatus.PAID):
        slot = by_year.setdefault(a.year, {"year": a.year, "paid_fen": 0, "firms": set()})
        slot["paid_fen"] += a.amount_fen
        slot["firms"].add(a.enterprise_id)
    from peiyu.core.money import pct

    for slot in by_year.values():
        slot["budget_pct"] = pct(slot["paid_fen"], p.budget_fen) if p.budget_fen else None
    return render(
        request,
        "policies/policy.html",
        {
            "page_title": p.name,
            "policy": p,
            "clauses": clauses,
            "can_manage": actions.may_manage(request.user, p),
            "years": sorted(by_year.values(), key=lambda s: s["year"]),
            "awards": AWARDS.render(queries.award_rows(awards[:200]), id="award-table"),
        },
    )


@login_required
def policy_edit(request: Any, pk: int | None = None) -> HttpResponse:
    p = scope.get_object_or_404(request.user, Policy, request=request, pk=pk) if pk else None
    _manage_or_403(request, p)
    depts = Department.objects.all()
    if not scope.is_admin(request.user):
        depts = depts.filter(pk__in=scope.scope_for(request.user).department_ids)
    form = PolicyForm(request.POST or None, instance=p, departments=depts)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_policy(request.user, p, form.data_dict(), request=request)
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "政策已保存")
            return redirect("policies:policy", saved.pk)
    return render(
        request,
        "policies/form.html",
        {"page_title": "修改政策" if p else "新增政策", "form": form, "back": p},
    )


@login_required
def clause_edit(request: Any, policy_pk: int, pk: int | None = None) -> HttpResponse:
    p = scope.get_object_or_404(request.user, Policy, request=request, pk=policy_pk)
    c = scope.get_object_or_404(request.user, Clause, request=request, pk=pk, policy=p) if pk else None
    _manage_or_403(request, p)
    form = ClauseForm(request.POST or None, instance=c)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_clause(request.user, p, c, form.data_dict(), request=request)
        except (ActionError, rules.RuleError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "条款已保存")
            return redirect("policies:clause", saved.pk)
    return render(
        request,
        "policies/form.html",
        {"page_title": f"{p.name}：{'修改条款' if c else '新增条款'}", "form": form, "back": p},
    )


@login_required
def clause_detail(request: Any, pk: int) -> HttpResponse:
    c = scope.get_object_or_404(request.user, Clause.objects.select_related("policy"), request=request, pk=pk)
    year = _year(request, dt.date.today().year)
    rows: list[dict[str, Any]] = []
    decidable = rules.decidable(c)
    if decidable:
        have = set(Award.objects.filter(clause=c, year=year).values_list("enterprise_id", flat=True))
        for r in actions.eligible_rows(request.user, c, year):
            e = r["enterprise"]
            rows.append(
                {
                    "credit_code": e.credit_code,
                    "name": e.name,
                    "tax_last_year_fen": r["tax_last_year_fen"],
                    "basis": "；".join(f"{k} {v}" for k, v in r["basis"].items()),
                    "amount_fen": r["amount_fen"],
                    "listed": "是" if e.pk in have else "否",
                }
            )
        audit.record_view(request, A.ELIGIBLE_VIEW, f"{c} {year} 年符合条件企业", year=year)
        if request.GET.get("format") == "xlsx":
            return ELIGIBLE.xlsx(
                f"{c.title}_{year}_符合条件企业.xlsx", rows, sheet="符合条件企业", title=str(c)
            )
    awards = queries.awards(request.user).filter(clause=c)
    return render(
        request,
        "policies/clause.html",
        {
            "page_title": str(c),
            "clause": c,
            "year": year,
            "described": [rules.describe(x) for x in c.conditions],
            "decidable": decidable,
            "eligible": ELIGIBLE.render(rows, id="eligible-table") if decidable else None,
            "eligible_count": len(rows),
            "can_manage": actions.may_manage(request.user, c.policy),
            "awards": AWARDS.render(queries.award_rows(awards[:200]), id="award-table"),
        },
    )


@require_POST
@login_required
def clause_list(request: Any, pk: int) -> HttpResponse:
    c = scope.get_object_or_404(request.user, Clause.objects.select_related("policy"), request=request, pk=pk)
    _manage_or_403(request, c.policy)
    raw = str(request.POST.get("year", ""))
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year
    try:
        res = actions.do_list_eligible(request.user, c, year, request=request)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{year} 年符合条件 {res.eligible} 家，新列入免申即享名单 {res.listed} 家，已通知确认"
        )
    return redirect(f"{reverse('policies:clause', args=[c.pk])}?year={year}")


# ---------------------------------------------------------------------------------------------
# Awards


@login_required
def awards(request: Any) -> HttpResponse:
    qs = queries.awards(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    status = request.GET.get("status", "")
    if status in AwardStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("open") == "1":
        qs = qs.filter(item__is_open=True)
    if request.GET.get("format") == "xlsx":
        audit.record_view(request, A.AWARDS_EXPORT, "政策兑现台账")
        return AWARDS.xlsx(
            "政策兑现台账.xlsx", queries.award_rows(qs), sheet="兑现台账", title="政策兑现台账"
        )
    rows = queries.award_rows(qs[:500])
    return render(
        request,
        "policies/awards.html",
        {
            "page_title": "政策兑现台账",
            "table": AWARDS.render(rows, id="award-table"),
            "statuses": AwardStatus.choices,
            "status": status,
            "year": year,
            "count": qs.count(),
            "breaches": BREACHES.render(
                _breach_rows(queries.breaches(request.user)[:100]), id="breach-table"
            ),
        },
    )


def _breach_rows(qs: Any) -> list[dict[str, Any]]:
    return [
        {
            "url": reverse("policies:breach", args=[b.pk]),
            "enterprise": b.award.enterprise.name,
            "policy": b.award.clause.policy.name,
            "kind": b.get_kind_display(),
            "month": b.month,
            "recover_fen": b.recover_fen,
            "status": b.item.get_status_display() if b.item and hasattr(b.item, "get_status_display") else "",
        }
        for b in qs
    ]


NEXT_STEPS = {
    "eligible": [("publicity", "企业已确认，进入公示"), ("declined", "企业放弃")],
    "submitted": [("publicity", "审核通过，进入公示"), ("rejected", "不予支持")],
    "publicity": [("approved", "公示期满无异议"), ("rejected", "公示有异议，不予支持")],
    "approved": [("paid", "资金已拨付")],
}


@login_required
def award_detail(request: Any, pk: int) -> HttpResponse:
    a = scope.get_object_or_404(
        request.user,
        Award.objects.select_related("clause__policy", "enterprise", "item"),
        request=request,
        pk=pk,
    )
    from peiyu.work import queries as wq

    steps = []
    if a.item is not None and a.item.is_open:
        steps = [
            (s, label) for s, label in NEXT_STEPS.get(a.status, []) if wq.can_act(request.user, a.item, s)
        ]
    return render(
        request,
        "policies/award.html",
        {
            "page_title": f"政策兑现 #{a.pk}",
            "award": a,
            "steps": steps,
            "today": dt.date.today(),
            "breaches": list(a.breaches.select_related("item")),
        },
    )


@require_POST
@login_required
def award_step(request: Any, pk: int) -> HttpResponse:
    a = scope.get_object_or_404(
        request.user,
        Award.objects.select_related("clause__policy", "item"),
        action=scope.CHANGE,
        request=request,
        pk=pk,
    )
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择办理步骤")
        return redirect("policies:award", a.pk)
    try:
        actions.do_advance_award(
            request.user,
            a,
            form.cleaned_data["to"],
            on=form.cleaned_data.get("on"),
            reason=form.cleaned_data.get("reason") or "",
            request=request,
        )
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("policies:award", a.pk)


@login_required
def apply(request: Any) -> HttpResponse:
    if not scope.has_permission(request.user, "change"):
        scope.denied(request, request.user, what="登记政策兑现申请")
        raise PermissionDenied(scope.read_only_message(request.user))
    clauses = queries.clauses(request.user).filter(auto=False)
    mine = scope.enterprises(request.user, action=scope.CHANGE)
    initial_code = request.GET.get("credit_code", "").strip().upper()
    initial = {"credit_code": initial_code if mine.filter(credit_code=initial_code).exists() else ""}
    data = request.POST.copy() if request.method == "POST" else None
    ent = None
    unknown = False
    if data is not None:
        code = str(data.get("credit_code", "")).strip().upper()
        ent = mine.filter(credit_code=code).first() if code else None
        if code and ent is None:
            data["credit_code"] = ""  # never echo a code outside the scope
            unknown = True
    form = ApplyForm(data, clauses=clauses, initial=initial)
    valid = data is not None and form.is_valid()
    if unknown:
        form.errors.pop("credit_code", None)
        form.add_error("credit_code", "您的办理范围内没有该统一社会信用代码的企业")
    elif valid and ent is not None:
        try:
            award = actions.do_apply_award(
                request.user,
                form.cleaned_data["clause"],
                ent,
                year=form.cleaned_data["year"],
                amount_fen=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记申请，进入审核")
            return redirect("policies:award", award.pk)
    return render(
        request, "policies/form.html", {"page_title": "登记政策兑现申请", "form": form, "back": None}
    )


@login_required
def breach_detail(request: Any, pk: int) -> HttpResponse:
    b = scope.get_object_or_404(
        request.user,
        Breach.objects.select_related("award__clause__policy", "award__enterprise", "item"),
        request=request,
        pk=pk,
    )
    from peiyu.work import flows
    from peiyu.work import queries as wq

    steps = []
    if b.item is not None and b.item.is_open:
        flow = flows.get(b.item.kind)
        steps = [
            (s, flow.verb(s))
            for s in flow.transitions.get(b.item.status, ())
            if wq.can_act(request.user, b.item, s)
        ]
    return render(
        request, "policies/breach.html", {"page_title": f"兑现违约 #{b.pk}", "breach": b, "steps": steps}
    )


@require_POST
@login_required
def breach_step(request: Any, pk: int) -> HttpResponse:
    b = scope.get_object_or_404(
        request.user,
        Breach.objects.select_related("award__clause__policy", "item"),
        action=scope.CHANGE,
        request=request,
        pk=pk,
    )
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            actions.do_advance_breach(
                request.user,
                b,
                form.cleaned_data["to"],
                reason=form.cleaned_data.get("reason") or "",
                request=request,
            )
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已办理")
    return redirect("policies:breach", b.pk)


@login_required
def publicity(request: Any) -> HttpResponse:
    """公示名单: the awards in their public notice (the list the department posts), exportable."""
    qs = queries.awards(request.user).filter(status=AwardStatus.PUBLICITY).order_by("publicity_end", "id")
    rows = [
        {
            **r,
            "publicity": f"{a.publicity_start:%Y-%m-%d} 至 {a.publicity_end:%Y-%m-%d}"
            if a.publicity_start
            else "",
        }
        for a, r in zip(qs, queries.award_rows(qs), strict=True)
    ]
    table = PUBLICITY
    if request.GET.get("format") == "xlsx":
        audit.record_view(request, A.AWARDS_EXPORT, "政策兑现公示名单")
        return table.xlsx(
            "政策兑现公示名单.xlsx",
            rows,
            sheet="公示名单",
            title="产业政策兑现公示名单",
            notes=["公示期内对公示对象有异议的，请向政策主管部门实名反映。"],
        )
    return render(
        request,
        "policies/publicity.html",
        {
            "page_title": "政策兑现公示名单",
            "table": table.render(rows, id="publicity-table"),
            "count": len(rows),
        },
    )


# ---------------------------------------------------------------------------------------------
# Evaluation, gap


def evaluation_rows(ev: evaluate.Evaluation) -> list[dict[str, Any]]:
    rows = []
    for p in ev.policies:
        d = p.as_dict()
        d["url"] = reverse("policies:policy", args=[p.policy_id])
        d["interval"] = (
            "—" if p.effect_low_pp is None else f"{p.effect_low_pp:+.1f} 至 {p.effect_high_pp:+.1f}"
        )
        rows.append(d)
    return rows


@login_required
def evaluation(request: Any) -> HttpResponse:
    year = _year(request, _default_award_year())
    ev = evaluate.evaluate(request.user, year)
    rows = evaluation_rows(ev)
    audit.record_view(request, A.EVALUATION_VIEW, f"{year} 年政策绩效评估", year=year)
    if request.GET.get("format") == "xlsx":
        audit.record_view(request, A.EVALUATION_EXPORT, f"{year} 年政策绩效评估（Excel）", year=year)
        return EVALUATION.xlsx(
            f"政策绩效评估_{year}.xlsx",
            rows,
            sheet="绩效评估",
            title=f"{year} 年兑现政策绩效评估（{year - 1} 与 {year + 1} 年区级税收对比）",
            notes=[*ev.notes, "成效 = 受益企业增长 − 按重点产业和上年税收规模匹配的未受益企业增长"],
        )
    rounds = sorted({r for r in queries.policies(request.user).values_list("round", flat=True) if r})
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["受益企业增长（%）", "可比企业增长（%）"]},
        "xAxis": {"type": "category", "data": [p.name[:12] for p in ev.policies]},
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "name": "受益企业增长（%）",
                "type": "bar",
                "data": [p.recipients_growth_pct for p in ev.policies],
            },
            {
                "name": "可比企业增长（%）",
                "type": "bar",
                "data": [p.comparison_growth_pct for p in ev.policies],
            },
        ],
    }
    return render(
        request,
        "policies/evaluation.html",
        {
            "page_title": f"{year} 年政策绩效评估",
            "year": year,
            "ev": ev,
            "table": EVALUATION.render(rows, id="evaluation-table"),
            "sentences": [evaluate.sentence(p, year) for p in ev.policies],
            "rounds": rounds,
            "chart": chart if ev.policies else None,
            "share_label": scope.share_label(request.user),
            "years": list(pa.years_with_data()),
        },
    )


@login_required
def round_report(request: Any) -> HttpResponse:
    from peiyu.core.documents import docx_response

    name = request.GET.get("round", "")
    data = report.round_docx(request.user, name)
    audit.record_view(request, A.EVALUATION_EXPORT, f"{name or '全部'} 政策评估报告（Word）", round=name)
    return docx_response(f"产业政策评估报告_{name or '全部'}.docx", data)


@login_required
def gap(request: Any) -> HttpResponse:
    year = _year(request, dt.date.today().year)
    found = queries.never_reached(request.user, year)
    rows = [
        {
            "credit_code": g["enterprise"].credit_code,
            "name": g["enterprise"].name,
            "area": g["enterprise"].area.name if g["enterprise"].area_id else "",
            "industry": g["enterprise"].key_industry.name if g["enterprise"].key_industry_id else "",
            "clauses": "、".join(g["clauses"]),
            "amount_fen": g["amount_fen"],
        }
        for g in found
    ]
    audit.record_view(request, A.GAP_VIEW, f"{year} 年政策未覆盖企业", year=year)
    if request.GET.get("format") == "xlsx":
        return GAP.xlsx(
            f"政策未覆盖企业_{year}.xlsx",
            rows,
            sheet="未覆盖企业",
            title=f"{year} 年符合免申即享条件但从未享受政策的企业",
        )
    return render(
        request,
        "policies/gap.html",
        {
            "page_title": f"{year} 年政策未覆盖企业",
            "year": year,
            "table": GAP.render(rows, id="gap-table"),
            "count": len(rows),
        },
    )


# ---------------------------------------------------------------------------------------------
# Ledger import (administrators)


@scope.admin_required
def import_page(request: Any) -> HttpResponse:
    return imports.upload_page(
        request,
        LedgerImporter,
        title="政策兑现台账导入",
        help_text="列：统一社会信用代码、企业名称、政策名称、条款、兑现金额（元；表头或“单位：万元”可改为万元）、兑现日期；"
        "可选：文号、主管部门、兑现年度、备注。台账中尚未入库的政策和条款自动新建并列出，请随后完善。",
        report_url=lambda pk: reverse("policies:import_report", args=[pk]),
    )


@scope.admin_required
def import_report(request: Any, pk: int) -> HttpResponse:
    batch = imports.get_batch(LedgerImporter, pk)
    return imports.report_page(
        request,
        batch,
        LedgerImporter,
        back_url=reverse("policies:import"),
        errors_url=reverse("policies:import_errors", args=[pk]),
    )


@scope.admin_required
def import_errors(request: Any, pk: int) -> HttpResponse:
    return imports.errors_xlsx(request, imports.get_batch(LedgerImporter, pk))
