"""Registry pages. Thin: scope comes from peiyu.accounts.scope, rules from classify/actions/importer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from peiyu.accounts import audit, scope
from peiyu.accounts.scope import admin_required
from peiyu.core.imports import views as import_views
from peiyu.core.pagecache import reused_page
from peiyu.registry import actions, classify, queries
from peiyu.registry import audit_actions as A
from peiyu.registry.models import (
    Area,
    Enterprise,
    EnterpriseEvent,
    EnterpriseStatus,
    IndustryCode,
    IndustryDefinition,
    IndustryOverride,
    KeyIndustry,
    RegistryImport,
)
from peiyu.registry.tables import ENTERPRISES, enterprise_rows

PAGE_SIZE = 50
EXPORT_LIMIT = 200000


def profile_sections(request: Any, enterprise: Any) -> list[dict[str, Any]]:
    """The sections of the enterprise profile (一企一档) the installed apps contribute
    (``profile_section(request, enterprise)`` in their ``profile.py``), by ``order``. The enterprise
    is already checked against the user's scope; a section that shows tax figures records the view
    in the audit log."""
    from peiyu.core import contrib

    out = []
    for _cfg, make in contrib.attributes("profile", "profile_section"):
        section = make(request, enterprise)
        if section:
            out.append(section)
    return sorted(out, key=lambda s: s.get("order", 100))


def _divisions() -> list[tuple[str, str]]:
    return list(IndustryCode.objects.filter(level=2).order_by("code").values_list("code", "name"))


@login_required
@reused_page
def enterprise_list(request):
    f = queries.Filters.from_query(request.GET)
    qs = queries.search(request.user, f)
    if request.GET.get("export") == "xlsx":
        return _export(request, f, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/list.html",
        {
            "page_title": "企业查询",
            "f": f,
            "page": page,
            "table": ENTERPRISES.render(
                enterprise_rows(page), id="enterprise-table", classes="table-striped"
            ),
            "industries": KeyIndustry.objects.filter(active=True),
            "areas": Area.objects.all(),
            "divisions": _divisions(),
            "statuses": EnterpriseStatus.choices,
            "sorts": [
                ("name", "名称"),
                ("-established", "成立日期（新→旧）"),
                ("established", "成立日期（旧→新）"),
                ("industry", "行业代码"),
                ("area", "街道镇"),
                ("key_industry", "重点产业"),
                ("code", "信用代码"),
            ],
        },
    )


def _export(request, f: queries.Filters, qs):
    rows = qs[:EXPORT_LIMIT]
    names = dict(IndustryCode.objects.values_list("code", "name"))
    audit.record_view(request, A.ENTERPRISES_EXPORT, "企业名录导出", filters=f.__dict__, count=qs.count())
    title = f"企业名录（{scope.describe(request.user)}，{timezone.localdate():%Y-%m-%d} 导出）"
    return ENTERPRISES.xlsx(
        f"企业名录_{timezone.localdate():%Y%m%d}.xlsx",
        enterprise_rows(rows.iterator(chunk_size=2000), names),
        sheet="企业名录",
        title=title,
    )


@login_required
@reused_page
def enterprise_detail(request, credit_code: str):
    enterprise = scope.get_enterprise_or_404(request.user, credit_code.strip().upper())
    audit.record_view(
        request, A.PROFILE_VIEW, f"一企一档：{enterprise.name}", credit_code=enterprise.credit_code
    )
    events = list(enterprise.events.select_related("created_by").order_by("-date", "-id")[:200])
    overrides = list(enterprise.overrides.select_related("industry", "created_by").order_by("-created_at"))
    ind_name = (
        IndustryCode.objects.filter(code=enterprise.industry_code).values_list("name", flat=True).first()
    )
    path = []
    code = enterprise.industry_code
    if code:
        path = list(
            IndustryCode.objects.filter(code__in=[code[:n] for n in range(2, len(code) + 1)])
            .order_by("level")
            .values_list("code", "name")
        )
    as_of = None
    if request.GET.get("as_of"):
        try:
            day = dt.date.fromisoformat(request.GET["as_of"])
            as_of = classify.classify(enterprise, day)
        except ValueError:
            messages.error(request, f"日期“{request.GET['as_of'][:20]}”格式不正确（应为 2023-06-30）")
    return render(
        request,
        "registry/detail.html",
        {
            "page_title": enterprise.name,
            "e": enterprise,
            "industry_name": ind_name or "",
            "industry_path": path,
            "events": events,
            "classification_events": [ev for ev in events if ev.kind == EnterpriseEvent.Kind.KEY_INDUSTRY],
            "status_events": [ev for ev in events if ev.kind == EnterpriseEvent.Kind.STATUS],
            "other_events": [
                ev
                for ev in events
                if ev.kind not in (EnterpriseEvent.Kind.KEY_INDUSTRY, EnterpriseEvent.Kind.STATUS)
            ],
            "overrides": overrides,
            "industries": KeyIndustry.objects.filter(active=True),
            "sections": profile_sections(request, enterprise),
            "can_edit": request.user.is_admin,
            "today": timezone.localdate(),
            "areas": Area.objects.all(),
            "statuses": EnterpriseStatus.choices,
            "as_of": as_of,
        },
    )


def _editable_enterprise(request, credit_code: str) -> Enterprise:
    return scope.get_enterprise_or_404(request.user, credit_code)


@require_POST
@admin_required
def override(request, credit_code: str):
    enterprise = _editable_enterprise(request, credit_code)
    industry = KeyIndustry.objects.filter(pk=request.POST.get("industry") or 0).first()
    if industry is None:
        messages.error(request, "请选择重点产业")
        return redirect("registry:detail", credit_code=enterprise.credit_code)
    try:
        valid_from = _parse_date(request.POST.get("valid_from"))
        actions.do_override(
            request.user,
            enterprise,
            industry,
            request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            valid_from=valid_from,
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        enterprise.refresh_from_db()
        now_in = enterprise.key_industry.name if enterprise.key_industry is not None else "非重点产业"
        messages.success(request, f"已保存手工认定；该企业现为：{now_in}")
    return redirect("registry:detail", credit_code=enterprise.credit_code)


@require_POST
@admin_required
def revoke_override(request, pk: int):
    ov = get_object_or_404(IndustryOverride.objects.select_related("enterprise", "industry"), pk=pk)
    enterprise = _editable_enterprise(request, ov.enterprise.credit_code)
    try:
        actions.do_revoke_override(request.user, ov, reason=request.POST.get("reason", ""))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已撤销手工认定")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("registry:detail", args=[enterprise.credit_code])
    return redirect(target)


@require_POST
@admin_required
def key_flag(request, credit_code: str):
    enterprise = _editable_enterprise(request, credit_code)
    actions.do_set_key_flag(
        request.user, enterprise, request.POST.get("is_key") == "1", reason=request.POST.get("reason", "")
    )
    messages.success(request, "已更新重点企业标记")
    return redirect("registry:detail", credit_code=enterprise.credit_code)


@require_POST
@admin_required
def edit(request, credit_code: str):
    """Correct registry fields by hand (status with its date, industry code, area, address)."""
    enterprise = _editable_enterprise(request, credit_code)
    post = request.POST
    changes: dict[str, Any] = {}
    for field in ("status", "industry_code", "address"):
        if field in post:
            changes[field] = post[field].strip()
    if "area" in post:
        changes["area"] = Area.objects.filter(pk=post["area"]).first() if post["area"].isdigit() else None
    try:
        changed = actions.do_update_enterprise(
            request.user,
            enterprise,
            reason=post.get("reason", "").strip(),
            event_date=_parse_date(post.get("event_date")),
            source="手工修改",
            **changes,
        )
    except actions.ActionError as exc:
        messages.error(request, str(exc))
    else:
        labels = {f.name: str(f.verbose_name) for f in Enterprise._meta.fields}
        messages.success(
            request, "已修改：" + "、".join(labels.get(f, f) for f in changed) if changed else "没有变化"
        )
    return redirect("registry:detail", credit_code=enterprise.credit_code)


def _parse_date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise actions.ActionError(f"日期“{raw}”格式不正确（应为 2025-01-01）") from None


@login_required
def industries(request):
    """Key-industry definitions: current and past versions, counts, manual decisions; admins edit
    prefixes, preview the effect, then save a new version."""
    inds = list(KeyIndustry.objects.order_by("order", "id"))
    today = timezone.localdate()
    rules = classify.rules_as_of(today)
    counts = classify.counts_by_industry(Enterprise.objects.all())
    visible_counts = classify.counts_by_industry(scope.enterprises(request.user))
    defs = IndustryDefinition.objects.select_related("created_by").order_by(
        "industry_id", "-valid_from", "-id"
    )
    history: dict[int, list[IndustryDefinition]] = {}
    for d in defs:
        history.setdefault(d.industry_id, []).append(d)
    rows = [
        {
            "industry": ind,
            "prefixes": rules.prefixes.get(ind.pk, []),
            "current_id": rules.definition_ids.get(ind.pk),
            "history": history.get(ind.pk, []),
            "count": counts.get(ind.name, 0),
            "visible": visible_counts.get(ind.name, 0),
        }
        for ind in inds
    ]
    code_names = dict(IndustryCode.objects.values_list("code", "name"))
    for r in rows:
        r["prefix_names"] = [(p, code_names.get(p, "")) for p in r["prefixes"]]
    overrides = scope.restrict(
        request.user,
        IndustryOverride.objects.filter(revoked_at__isnull=True).select_related(
            "enterprise", "industry", "created_by"
        ),
    ).order_by("-created_at")[:300]
    ctx: dict[str, Any] = {
        "page_title": "重点产业口径",
        "rows": rows,
        "overrides": overrides,
        "can_edit": request.user.is_admin,
        "today": today,
        "form": {"industry": "", "prefixes": "", "valid_from": today.isoformat(), "reason": ""},
    }
    if request.method == "POST":
        return _industries_post(request, ctx)
    return render(request, "registry/industries.html", ctx)


def _industries_post(request, ctx: dict[str, Any]):
    industry: KeyIndustry | None
    if request.POST.get("action") == "create":
        if not request.user.is_admin:
            return render(request, "registry/forbidden.html", {"page_title": "无权操作"}, status=403)
        try:
            industry, result = actions.do_create_industry(
                request.user,
                request.POST.get("name", ""),
                request.POST.get("prefixes", ""),
                reason=request.POST.get("reason", ""),
                valid_from=_parse_date(request.POST.get("valid_from")),
            )
        except actions.ActionError as exc:
            ctx["create_error"] = str(exc)
            ctx["create_form"] = {k: request.POST.get(k, "") for k in ("name", "prefixes", "reason")}
            return render(request, "registry/industries.html", ctx, status=400)
        messages.success(
            request, f"已新增重点产业“{industry.name}”，认定企业 {result.entered.get(industry.name, 0)} 家"
        )
        return redirect("registry:industries")
    form = {k: (request.POST.get(k) or "").strip() for k in ("industry", "prefixes", "valid_from", "reason")}
    ctx["form"] = form
    industry = KeyIndustry.objects.filter(pk=form["industry"] or 0).first()
    if industry is None:
        ctx["form_error"] = "请选择要调整的重点产业"
        return render(request, "registry/industries.html", ctx, status=400)
    prefixes, errors = classify.normalize_prefixes(form["prefixes"])
    try:
        valid_from = _parse_date(form["valid_from"]) or timezone.localdate()
    except actions.ActionError as exc:
        errors.append(str(exc))
        valid_from = timezone.localdate()
    if not prefixes and not errors:
        errors.append("口径至少需要一个行业代码前缀")
    if errors:
        ctx["form_error"] = "；".join(errors)
        return render(request, "registry/industries.html", ctx, status=400)
    previewed = f"{industry.pk}:{','.join(prefixes)}:{valid_from.isoformat()}"
    ctx["previewed"] = previewed
    if request.POST.get("action") == "save":
        if not request.user.is_admin:
            return render(request, "registry/forbidden.html", {"page_title": "无权操作"}, status=403)
        if request.POST.get("previewed") != previewed:
            ctx["form_error"] = "口径与预览时不同，请先预览修改后的口径再保存"
            request.POST = request.POST.copy()
            request.POST["action"] = "preview"
            return _industries_post(request, ctx)
        try:
            _definition, result = actions.do_save_definition(
                request.user, industry, prefixes, valid_from=valid_from, reason=form["reason"]
            )
        except actions.ActionError as exc:
            ctx["form_error"] = str(exc)
            return render(request, "registry/industries.html", ctx, status=400)
        moved = "，".join(f"{k} +{v}" for k, v in result.entered.items()) or "无企业进入"
        left = "，".join(f"{k} -{v}" for k, v in result.left.items()) or "无企业退出"
        messages.success(
            request,
            f"已保存“{industry.name}”新口径（自 {valid_from:%Y-%m-%d} 起）：{'、'.join(prefixes)}。今日认定变化 {result.changed} 家（{moved}；{left}）",
        )
        return redirect("registry:industries")
    prev = classify.preview({industry.pk: prefixes}, valid_from)
    visible = set(
        scope.enterprises(request.user)
        .filter(
            credit_code__in=[
                s["credit_code"] for r in prev.rows for s in r.entering_sample + r.leaving_sample
            ]
        )
        .values_list("credit_code", flat=True)
    )
    for r in prev.rows:
        r.entering_sample = [s for s in r.entering_sample if s["credit_code"] in visible]
        r.leaving_sample = [s for s in r.leaving_sample if s["credit_code"] in visible]
    ctx["preview"] = prev
    ctx["preview_industry"] = industry
    ctx["preview_prefixes"] = prefixes
    ctx["preview_current"] = classify.rules_as_of(valid_from).prefixes.get(industry.pk, [])
    return render(request, "registry/industries.html", ctx)


IMPORT_HELP = (
    "按统一社会信用代码新增或更新企业；名称、街道镇、行业代码、登记状态的变化记为带日期的变更事件"
    "（迁出等状态变更优先取“变更日期/迁出日期”列）。可识别的表头：统一社会信用代码/社会信用代码，"
    "企业名称/名称，国民经济行业代码/行业代码/行业，所属街道/街道/街镇，登记状态/经营状态，成立日期，"
    "注册地址/住所，曾用名，变更日期。表头上方可有标题行。"
)


@admin_required
def import_page(request):
    from peiyu.registry.importer import RegistryImporter

    return import_views.upload_page(
        request,
        RegistryImporter,
        options=lambda r: {"strict": r.POST.get("strict") == "1"},
        title="名录导入",
        help_text=IMPORT_HELP,
        template="registry/import.html",
        report_url=lambda pk: reverse("registry:import_detail", args=[pk]),
    )


@admin_required
def import_detail(request, pk: int):
    from peiyu.registry.importer import RegistryImporter

    batch = import_views.get_batch(RegistryImporter, pk)
    return import_views.report_page(
        request,
        batch,
        RegistryImporter,
        errors_url=reverse("registry:import_errors", args=[pk]) if batch.errors else "",
        back_url=reverse("registry:import"),
        back_label="名录导入",
        context={
            "extra_template": "registry/_import_extra.html",
            "by_key_industry": (batch.report or {}).get("by_key_industry", {}),
        },
    )


@admin_required
def import_errors(request, pk: int):
    batch = get_object_or_404(RegistryImport, pk=pk)
    return import_views.errors_xlsx(request, batch, audit_action=A.IMPORT_ERRORS_VIEW)


@login_required
def lookup(request):
    """Scoped enterprise lookup for autocompletes: HTML options for htmx, or JSON with ?format=json."""
    q = request.GET.get("q", "")[:100]
    found = queries.lookup(
        request.user,
        q,
        limit=min(int(request.GET.get("limit") or 20), 50)
        if (request.GET.get("limit") or "").isdigit()
        else 20,
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "results": [
                    {
                        "credit_code": e.credit_code,
                        "name": e.name,
                        "area": e.area.name if e.area_id else "",
                        "key_industry": e.key_industry.name if e.key_industry_id else "",
                        "status": e.status,
                        "url": reverse("registry:detail", args=[e.credit_code]),
                    }
                    for e in found
                ]
            },
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "registry/_lookup.html", {"results": found, "q": q})
