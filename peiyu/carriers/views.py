"""Pages of the carriers app (thin: figures in :mod:`economy`, :mod:`rent`, :mod:`evaluation`,
matching in :mod:`matching`, the map in :mod:`mapsvg`, writes in :mod:`actions`)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peiyu.accounts import scope
from peiyu.accounts.audit import record_view
from peiyu.carriers import actions, economy, mapsvg, matching, rent, tables
from peiyu.carriers import audit_actions as A
from peiyu.carriers import evaluation as ev
from peiyu.carriers.forms import (
    CarrierForm,
    EndTenancyForm,
    MapForm,
    RentRuleForm,
    SchemeForm,
    SettingsForm,
    TenancyForm,
    wan_to_fen,
)
from peiyu.carriers.importer import BuildingImporter, IncubatorImporter, TenantImporter
from peiyu.carriers.models import (
    Carrier,
    CarrierSettings,
    Evaluation,
    Kind,
    RentRule,
    Scheme,
    Status,
    Tenancy,
)
from peiyu.core.imports import views as imports

KIND_PAGES = {
    "": ("楼宇经济", Kind.BUILDING),
    "parks": ("园区", Kind.PARK),
    "incubators": ("孵化器", Kind.INCUBATOR),
    "platforms": ("科创平台", Kind.PLATFORM),
}


def _year(request: Any) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    from peiyu.taxes.analytics import latest_month

    latest = latest_month()
    return int(latest[:4]) if latest else dt.date.today().year


def _through(request: Any, year: int) -> str | None:
    """The month to date asked for (``through=YYYY-MM`` of the year, in the library), else None."""
    raw = request.GET.get("through", "")
    return raw if raw in economy.library_months(year) else None


def _years() -> list[int]:
    from peiyu.taxes.analytics import months_available

    return sorted({int(m[:4]) for m in months_available()}, reverse=True)


def _carrier(request: Any, pk: int, action: str = scope.VIEW) -> Carrier:
    return scope.get_object_or_404(
        request.user,
        Carrier.objects.select_related("area", "focus_industry", "park", "department"),
        action=action,
        request=request,
        missing="载体不存在",
        pk=pk,
    )


def _fail(request: Any, exc: Exception) -> None:
    messages.error(request, str(exc))


# ---------------------------------------------------------------------------------------------
# Lists


@login_required
def carrier_list(request: Any, kind_page: str = "") -> HttpResponse:
    title, kind = KIND_PAGES[kind_page]
    year = _year(request)
    sort = request.GET.get("sort", "tax")
    cfg = CarrierSettings.current()
    qs = economy.visible_carriers(request.user, kind)
    if request.GET.get("area", "").isdigit():
        qs = qs.filter(area_id=int(request.GET["area"]))
    through = _through(request, year)
    figs = economy.ranked(economy.figures(request.user, qs, year, through=through, cfg=cfg), sort)
    if kind == Kind.PARK:
        spec, rows = tables.PARKS, [economy.focus_row(f) for f in figs]
    else:
        spec, rows = tables.BUILDINGS, [f.table_row() for f in figs]
    record_view(request, A.BUILDINGS_VIEW, f"{year} 年{title}税收", year=year, kind=kind)
    if request.GET.get("export") == "xlsx":
        record_view(request, A.BUILDINGS_EXPORT, f"导出 {year} 年{title}", year=year, kind=kind)
        return spec.xlsx(
            f"{title}_{year}.xlsx",
            rows,
            sheet=title,
            title=f"{year} 年{title}税收（{cfg.get_basis_display()}）",
            notes=[f"{scope.share_label(request.user)}；入驻企业自入驻当月起至迁出前一月计入。"],
        )
    tiers = {
        "yi": sum(1 for f in figs if f.tier == economy.TIER_YI),
        "qianwan": sum(1 for f in figs if f.tier == economy.TIER_QIANWAN),
    }
    candidates = [f for f in figs if f.candidate]
    base = reverse(f"carriers:{kind_page or 'index'}")
    return render(
        request,
        "carriers/list.html",
        {
            "page_title": f"{title}（{year} 年）",
            "kind_page": kind_page,
            "year": year,
            "years": _years(),
            "sort": sort,
            "basis": cfg.get_basis_display(),
            "months": figs[0].months if figs else economy.library_months(year, through),
            "month_choices": economy.library_months(year),
            "through": through,
            "table": spec.render(
                rows,
                id="carrier-table",
                header_links={
                    "tax_fen": (f"{base}?year={year}&sort=tax", "carrier-table"),
                    "growth_pct": (f"{base}?year={year}&sort=growth", "carrier-table"),
                    "tax_per_m2_yuan": (f"{base}?year={year}&sort=per_m2", "carrier-table"),
                },
            ),
            "tiers": tiers,
            "candidates": candidates,
            "count": len(figs),
            "share_label": scope.share_label(request.user),
            "can_manage": scope.has_permission(request.user, "carriers.manage"),
            "export_url": f"{base}?year={year}&sort={sort}&through={through or ''}&export=xlsx",
            "chart": _ranking_chart(figs[:15]),
        },
    )


def _ranking_chart(figs: list[economy.CarrierFigures]) -> dict[str, Any] | None:
    if not figs:
        return None
    names = [f.carrier.name for f in reversed(figs)]
    return {
        "_fenAxis": True,
        "grid": {"left": 140, "right": 20, "top": 10, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": names},
        "series": [{"type": "bar", "name": "税收", "data": [f.tax_fen for f in reversed(figs)]}],
    }


# ---------------------------------------------------------------------------------------------
# One carrier


@login_required
def detail(request: Any, pk: int) -> HttpResponse:
    carrier = _carrier(request, pk)
    year = _year(request)
    through = _through(request, year)
    [fig] = economy.figures(request.user, [carrier], year, through=through)
    shown = {t.tenancy.pk: t for t in fig.tenants}
    visible_ids = (
        set(scope.enterprises(request.user).values_list("pk", flat=True))
        if not scope.scope_for(request.user).everything
        else None
    )
    tenancies = [
        t
        for ts in economy.carrier_tenancies([carrier]).values()
        for t in ts
        if visible_ids is None or t.enterprise_id in visible_ids
    ]
    rows: list[dict[str, Any]] = []
    for t in sorted(
        tenancies,
        key=lambda t: (
            t.move_out is not None,
            -(shown[t.pk].tax_fen if t.pk in shown else 0),
            t.enterprise.name,
        ),
    ):
        f = shown.get(t.pk)
        rows.append(
            {
                "pk": t.pk,
                "name": t.enterprise.name,
                "credit_code": t.enterprise.credit_code,
                "url": reverse("registry:detail", args=[t.enterprise.credit_code]),
                "industry": t.enterprise.key_industry.name if t.enterprise.key_industry else "",
                "area_m2": t.area_m2,
                "move_in": t.move_in,
                "move_out": t.move_out,
                "months": len(f.months) if f else 0,
                "tax_fen": f.tax_fen if f else 0,
                "district_fen": f.district_fen if f else 0,
                "prev_tax_fen": f.prev_tax_fen if f else 0,
                "carrier": t.carrier.name,
                "graduated": t.graduated,
            }
        )
    record_view(
        request, A.BUILDING_VIEW, f"{carrier.name} {year} 年入驻企业税收", carrier=carrier.pk, year=year
    )
    if request.GET.get("export") == "xlsx":
        record_view(
            request, A.BUILDINGS_EXPORT, f"导出 {carrier.name} 入驻企业", carrier=carrier.pk, year=year
        )
        return tables.TENANTS.xlsx(
            f"{carrier.name}_入驻企业_{year}.xlsx",
            rows,
            sheet="入驻企业",
            title=f"{carrier.name} {year} 年入驻企业税收",
        )
    moves_in = [r for r in rows if r["move_in"].year == year]
    moves_out = [r for r in rows if r["move_out"] and r["move_out"].year == year]
    can_change = scope.can(request.user, carrier, scope.CHANGE)
    evaluations = (
        list(
            scope.restrict(request.user, carrier.evaluations.select_related("scheme")).order_by(
                "-scheme__year"
            )
        )
        if carrier.kind == Kind.INCUBATOR
        else []
    )
    return render(
        request,
        "carriers/detail.html",
        {
            "page_title": carrier.name,
            "carrier": carrier,
            "fig": fig,
            "row": fig.table_row(),
            "year": year,
            "years": _years(),
            "month_choices": economy.library_months(year),
            "through": through,
            "tenants": tables.TENANTS.render(rows, id="tenant-table"),
            "tenant_rows": rows,
            "moves_in": moves_in,
            "moves_out": moves_out,
            "mix": fig.industry_mix(),
            "members": list(carrier.members.filter(active=True)),
            "spaces": list(carrier.spaces.all()),
            "can_change": can_change,
            "form": TenancyForm(),
            "end_form": EndTenancyForm(),
            "evaluations": evaluations,
            "share_label": scope.share_label(request.user),
            "match_url": reverse("carriers:match"),
        },
    )


@login_required
@require_POST
def tenant_add(request: Any, pk: int) -> HttpResponse:
    carrier = _carrier(request, pk, scope.CHANGE)
    form = TenancyForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[k].label}：{'，'.join(str(x) for x in v)}" for k, v in form.errors.items()
            ),
        )
        return redirect("carriers:detail", pk=carrier.pk)
    code = form.cleaned_data["credit_code"].strip().upper()
    ent = scope.enterprises(request.user, action=scope.CHANGE).filter(credit_code=code).first()
    if ent is None:
        messages.error(request, f"统一社会信用代码“{code}”不在企业名录中，或该企业不在您的办理范围内")
        return redirect("carriers:detail", pk=carrier.pk)
    try:
        actions.do_add_tenancy(
            request.user,
            carrier,
            ent,
            area_m2=form.cleaned_data["area_m2"],
            move_in=form.cleaned_data["move_in"],
            move_out=form.cleaned_data["move_out"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, f"已登记 {ent.name} 入驻")
    except actions.CarrierError as exc:
        _fail(request, exc)
    return redirect("carriers:detail", pk=carrier.pk)


@login_required
@require_POST
def space_add(request: Any, pk: int) -> HttpResponse:
    carrier = _carrier(request, pk, scope.CHANGE)
    floor = request.POST.get("floor", "").strip()[:20]
    unit = request.POST.get("unit", "").strip()[:40]
    try:
        area = Decimal(request.POST.get("area_m2", "").strip())
    except InvalidOperation:
        area = Decimal(0)
    if not area.is_finite() or area <= 0 or area > 1_000_000:
        messages.error(request, "请填写单元面积（㎡）")
        return redirect("carriers:detail", pk=carrier.pk)
    actions.do_save_space(
        request.user,
        carrier,
        {
            "floor": floor,
            "unit": unit,
            "area_m2": area.quantize(Decimal("0.01")),
            "offered": bool(request.POST.get("offered")),
        },
        request=request,
    )
    messages.success(request, f"已添加单元 {floor}{unit}")
    return redirect("carriers:detail", pk=carrier.pk)


@login_required
@require_POST
def tenant_end(request: Any, pk: int) -> HttpResponse:
    tenancy = scope.get_object_or_404(
        request.user,
        Tenancy.objects.select_related("carrier", "enterprise"),
        action=scope.CHANGE,
        request=request,
        pk=pk,
    )
    scope.require_change(request.user, tenancy.carrier, request=request)
    form = EndTenancyForm(request.POST)
    if form.is_valid():
        try:
            actions.do_end_tenancy(
                request.user,
                tenancy,
                form.cleaned_data["move_out"],
                graduated=form.cleaned_data["graduated"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, f"已登记 {tenancy.enterprise.name} 迁出")
        except actions.CarrierError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "请填写迁出日期")
    return redirect("carriers:detail", pk=tenancy.carrier_id)


@login_required
def edit(request: Any, pk: int | None = None) -> HttpResponse:
    carrier = _carrier(request, pk, scope.CHANGE) if pk else None
    if carrier is None and not scope.has_permission(request.user, "carriers.manage"):
        return scope.forbidden_response(request, "只有管理员和街道镇可以新增载体。")
    from peiyu.registry.models import Area

    sc = scope.scope_for(request.user, scope.CHANGE)
    areas = Area.objects.all() if sc.everything else Area.objects.filter(pk__in=sc.area_ids)
    form = CarrierForm(request.POST or None, instance=carrier, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        if not sc.everything and (data.get("area") is None or data["area"].pk not in sc.area_ids):
            form.add_error("area", "只能选择您所在的街道镇")
        else:
            try:
                obj = actions.do_save_carrier(
                    request.user,
                    Carrier.objects.get(pk=carrier.pk) if carrier else None,
                    data,
                    request=request,
                )
                messages.success(request, f"已保存 {obj.name}")
                return redirect("carriers:detail", pk=obj.pk)
            except actions.CarrierError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "carriers/form.html",
        {"page_title": f"修改 {carrier.name}" if carrier else "新增载体", "form": form, "carrier": carrier},
    )


# ---------------------------------------------------------------------------------------------
# Matching, map, 租税联动


@login_required
def match(request: Any) -> HttpResponse:
    from peiyu.registry.models import Area, KeyIndustry

    need = matching.SpaceNeed.of(request.GET)
    results = matching.spaces_for(need) if need.area_m2 > 0 else []
    rows = [
        {
            "name": m.carrier.name,
            "url": m.url,
            "kind": m.carrier.get_kind_display(),
            "area": m.carrier.area.name if m.carrier.area else "",
            "focus": m.carrier.focus_industry.name if m.carrier.focus_industry else "",
            "vacancy_m2": m.vacancy_m2,
            "reasons": "；".join(m.reasons),
        }
        for m in results
    ]
    return render(
        request,
        "carriers/match.html",
        {
            "page_title": "空间需求匹配",
            "need": need,
            "areas": Area.objects.order_by("order", "name"),
            "industries": KeyIndustry.objects.filter(active=True).order_by("order"),
            "table": tables.MATCHES.render(rows, id="match-table") if need.area_m2 > 0 else None,
            "count": len(rows),
            "back": request.GET.get("back", "") if str(request.GET.get("back", "")).startswith("/") else "",
        },
    )


@login_required
def map_page(request: Any) -> HttpResponse:
    year = _year(request)
    carriers = list(economy.visible_carriers(request.user, None))
    figs = economy.figures(request.user, [c for c in carriers if c.kind == Kind.BUILDING], year)
    tiers = {f.carrier.pk: f.tier for f in figs}
    svg, unplaced, layer = mapsvg.draw(carriers, tiers)
    return render(
        request,
        "carriers/map.html",
        {
            "page_title": "载体分布图",
            "svg": svg,
            "unplaced": unplaced,
            "layer": layer,
            "year": year,
            "legend": [(Kind(k).label, c) for k, c in mapsvg.COLORS.items()],
            "form": MapForm() if scope.is_admin(request.user) else None,
        },
    )


@scope.admin_required
@require_POST
def map_load(request: Any) -> HttpResponse:
    form = MapForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择 GeoJSON 文件")
        return redirect("carriers:map")
    raw = form.cleaned_data["file"].read()
    if len(raw) > 20 * 1024 * 1024:
        messages.error(request, "文件超过 20 MB")
        return redirect("carriers:map")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        layer = actions.do_load_map(request.user, form.cleaned_data["name"], data, request=request)
        messages.success(request, f"已导入边界“{layer.name}”（{len(data['features'])} 个区域）")
    except (UnicodeDecodeError, json.JSONDecodeError):
        messages.error(request, "文件不是有效的 GeoJSON（JSON 格式错误）")
    except actions.CarrierError as exc:
        _fail(request, exc)
    return redirect("carriers:map")


@login_required
def rent_page(request: Any) -> HttpResponse:
    year = _year(request)
    rules = list(RentRule.objects.filter(active=True))
    rule = next((r for r in rules if str(r.pk) == request.GET.get("rule")), rules[0] if rules else None)
    rows = [r.as_dict() for r in rent.calculate(request.user, rule, year)] if rule else []
    if rule:
        record_view(
            request, A.RENT_CALC_VIEW, f"{year} 年租税联动测算（{rule.name}）", year=year, rule=rule.pk
        )
    if rule and request.GET.get("export") == "xlsx":
        record_view(
            request, A.RENT_CALC_EXPORT, f"导出 {year} 年租税联动测算（{rule.name}）", year=year, rule=rule.pk
        )
        from peiyu.core.export import xlsx_response

        ledger = [
            {
                **r,
                "policy": rule.name,
                "clause": "租税联动房租补贴",
                "paid_on": "",
                "department": "区商务委",
                "year": year,
                "note": r["why"],
            }
            for r in rows
            if r["qualifies"] and r["support_fen"] > 0
        ]
        return xlsx_response(
            f"租税联动测算_{year}.xlsx",
            [
                tables.RENT.table(
                    rows,
                    sheet="测算",
                    title=f"{year} 年租税联动支持测算（{rule.name}）",
                    notes=[_rule_text(rule)],
                ),
                tables.LEDGER.table(
                    ledger,
                    sheet="兑现台账",
                    title=f"{year} 年租税联动兑现台账（待填兑现日期后导入政策兑现台账）",
                ),
            ],
        )
    return render(
        request,
        "carriers/rent.html",
        {
            "page_title": f"租税联动测算（{year} 年）",
            "year": year,
            "years": _years(),
            "rules": rules,
            "rule": rule,
            "rule_text": _rule_text(rule) if rule else "",
            "table": tables.RENT.render(rows, id="rent-table"),
            "qualified": sum(1 for r in rows if r["qualifies"]),
            "support_fen": sum(r["support_fen"] for r in rows),
            "share_label": scope.share_label(request.user),
        },
    )


def _rule_text(rule: RentRule) -> str:
    from peiyu.core.money import format_wan

    inds = "、".join(rule.industries.values_list("name", flat=True)) or (
        "重点产业" if rule.key_industry_only else "全部产业"
    )
    return (
        f"支持 = 企业区级税收较 {rule.base_year} 年增量 × {rule.pct.normalize():f}%，"
        f"每平方米不超过 {rule.cap_per_m2_yuan.normalize():f} 元、单个企业不超过 {format_wan(rule.cap_per_firm_fen)} 万元；"
        f"限 {inds} 企业，租用面积不少于 {rule.min_area_m2.normalize():f} ㎡"
    )


# ---------------------------------------------------------------------------------------------
# Settings (administrators)


@scope.admin_required
def settings_page(request: Any) -> HttpResponse:
    cfg = CarrierSettings.current()
    initial = {"yi_wan": Decimal(cfg.yi_fen) / 1_000_000, "qianwan_wan": Decimal(cfg.qianwan_fen) / 1_000_000}
    form = SettingsForm(request.POST or None, instance=cfg, initial=initial, prefix="s")
    rule = (
        RentRule.objects.filter(pk=request.GET.get("rule") or 0).first() if request.GET.get("rule") else None
    )
    rule_form = RentRuleForm(
        None,
        instance=rule,
        initial={"cap_firm_wan": Decimal(rule.cap_per_firm_fen) / 1_000_000} if rule else {},
        prefix="r",
    )
    if request.method == "POST" and request.POST.get("what") == "settings" and form.is_valid():
        try:
            actions.do_update_settings(
                request.user,
                {
                    "basis": form.cleaned_data["basis"],
                    "candidate_pct": form.cleaned_data["candidate_pct"],
                    "yi_fen": wan_to_fen(form.cleaned_data["yi_wan"]),
                    "qianwan_fen": wan_to_fen(form.cleaned_data["qianwan_wan"]),
                },
                request=request,
            )
            messages.success(request, "已保存楼宇经济设置")
            return redirect("carriers:settings")
        except actions.CarrierError as exc:
            form.add_error(None, str(exc))
    if request.method == "POST" and request.POST.get("what") == "rule":
        rule = RentRule.objects.filter(pk=request.POST.get("rule_id") or 0).first()
        rule_form = RentRuleForm(request.POST, instance=rule, prefix="r")
        if rule_form.is_valid():
            data = {
                k: rule_form.cleaned_data[k]
                for k in (
                    "name",
                    "base_year",
                    "pct",
                    "cap_per_m2_yuan",
                    "min_area_m2",
                    "key_industry_only",
                    "active",
                    "note",
                )
            }
            data["cap_per_firm_fen"] = wan_to_fen(rule_form.cleaned_data["cap_firm_wan"])
            try:
                actions.do_save_rent_rule(
                    request.user, rule, data, industries=rule_form.cleaned_data["industries"], request=request
                )
                messages.success(request, "已保存租税联动规则")
                return redirect("carriers:settings")
            except actions.CarrierError as exc:
                rule_form.add_error(None, str(exc))
    return render(
        request,
        "carriers/settings.html",
        {
            "page_title": "楼宇经济设置",
            "form": form,
            "rule_form": rule_form,
            "rule": rule,
            "rules": RentRule.objects.all(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Incubators: evaluation


@login_required
def incubators(request: Any) -> HttpResponse:
    schemes = list(Scheme.objects.all())
    year_raw = request.GET.get("year", "")
    scheme = next((s for s in schemes if str(s.year) == year_raw), schemes[0] if schemes else None)
    evs = (
        list(
            scope.restrict(request.user, Evaluation.objects.filter(scheme=scheme)).select_related(
                "incubator", "incubator__area"
            )
        )
        if scheme
        else []
    )
    evs.sort(key=lambda e: (e.score is None, -(e.score or 0), e.incubator.name))
    rows = [_ranking_row(e) for e in evs]
    if scheme and request.GET.get("export") == "xlsx":
        return tables.RANKING.xlsx(
            f"孵化器评价排名_{scheme.year}.xlsx",
            rows,
            sheet="排名",
            title=f"{scheme.year} 年度科技企业孵化器绩效评价排名",
        )
    incs = list(economy.visible_carriers(request.user, Kind.INCUBATOR))
    levels: dict[str, int] = {}
    for c in incs:
        levels[c.get_level_display()] = levels.get(c.get_level_display(), 0) + 1
    can_eval = scope.has_permission(request.user, "carriers.evaluate")
    return render(
        request,
        "carriers/incubators.html",
        {
            "page_title": "孵化器绩效评价",
            "schemes": schemes,
            "scheme": scheme,
            "ranking": tables.RANKING.render(rows, id="ranking-table"),
            "incubators": incs,
            "levels": levels,
            "can_evaluate": can_eval,
            "is_admin": scope.is_admin(request.user),
            "scheme_form": _scheme_form(scheme) if scheme and scope.is_admin(request.user) else None,
            "publishable": sum(1 for e in evs if e.status == Status.SCORED),
            "next_year": (schemes[0].year + 1) if schemes else dt.date.today().year - 1,
        },
    )


def _scheme_form(scheme: Scheme, data: Any = None) -> SchemeForm:
    w = Decimal(1_000_000)
    return SchemeForm(
        data,
        instance=scheme,
        initial={
            "support_a_wan": Decimal(scheme.support_a_fen) / w,
            "support_b_wan": Decimal(scheme.support_b_fen) / w,
            "support_c_wan": Decimal(scheme.support_c_fen) / w,
            "cap_wan": Decimal(scheme.cap_fen) / w,
        },
    )


def _ranking_row(e: Evaluation) -> dict[str, Any]:
    return {
        "name": e.incubator.name,
        "url": reverse("carriers:evaluation", args=[e.pk]),
        "level": e.incubator.get_level_display(),
        "area": e.incubator.area.name if e.incubator.area else "",
        "score": e.score,
        "grade": e.grade,
        "support_fen": e.support_fen,
        "status": e.get_status_display(),
        "publicity_end": e.publicity_end,
    }


@scope.admin_required
@require_POST
def scheme_new(request: Any) -> HttpResponse:
    raw = request.POST.get("year", "")
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        messages.error(request, "请填写年度")
        return redirect("carriers:incubators")
    try:
        scheme = actions.do_create_scheme(request.user, int(raw), request=request)
        messages.success(request, f"已新建 {scheme.year} 年度评价方案（默认指标与权重，可修改）")
        return redirect(f"{reverse('carriers:incubators')}?year={scheme.year}")
    except actions.CarrierError as exc:
        _fail(request, exc)
    return redirect("carriers:incubators")


@scope.admin_required
@require_POST
def scheme_edit(request: Any, year: int) -> HttpResponse:
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is None:
        raise Http404("评价方案不存在")
    form = _scheme_form(scheme, request.POST)
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("grade_a", "grade_b", "grade_c", "publicity_days")}
        for g in "abc":
            data[f"support_{g}_fen"] = wan_to_fen(form.cleaned_data[f"support_{g}_wan"])
        data["cap_fen"] = wan_to_fen(form.cleaned_data["cap_wan"])
        try:
            actions.do_update_scheme(request.user, scheme, data, request=request)
            messages.success(request, "已保存评价方案，未确定的评价已按新分数线重新定级")
        except actions.CarrierError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "方案数值有误")
    return redirect(f"{reverse('carriers:incubators')}?year={year}")


@login_required
@require_POST
def scheme_publicity(request: Any, year: int) -> HttpResponse:
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is None:
        raise Http404("评价方案不存在")
    if not scope.has_permission(request.user, "carriers.evaluate"):
        return scope.forbidden_response(request, "只有管理员和区科委可以公示评价结果。")
    mine = scope.restrict(request.user, scheme.evaluations.all(), scope.CHANGE)
    try:
        moved = actions.do_start_publicity(request.user, scheme, evaluations=mine, request=request)
        messages.success(
            request, f"已公示 {len(moved)} 家孵化器的评价结果，公示至 {moved[0].publicity_end:%Y-%m-%d}"
        )
    except actions.CarrierError as exc:
        _fail(request, exc)
    return redirect(f"{reverse('carriers:incubators')}?year={year}")


def _evaluation(request: Any, pk: int, action: str = scope.VIEW) -> Evaluation:
    return scope.get_object_or_404(
        request.user,
        Evaluation.objects.select_related("scheme", "incubator", "incubator__area"),
        action=action,
        request=request,
        missing="评价不存在",
        pk=pk,
    )


@login_required
def evaluation_page(request: Any, pk: int) -> HttpResponse:
    e = _evaluation(request, pk)
    rows = ev.value_rows(e)
    groups: dict[str, Decimal] = {}
    for r in rows:
        groups[r["group"]] = groups.get(r["group"], Decimal(0)) + r["points"]
    can_change = scope.can(request.user, e, scope.CHANGE) and scope.has_permission(
        request.user, "carriers.evaluate"
    )
    return render(
        request,
        "carriers/evaluation.html",
        {
            "page_title": str(e),
            "e": e,
            "rows": rows,
            "groups": groups,
            "result": ev.result_of(e),
            "can_change": can_change,
            "editable": can_change and e.status in (Status.DRAFT, Status.SCORED),
            "today": dt.date.today(),
        },
    )


EVALUATION_ACTIONS = ("prefill", "values", "score", "objection", "finalize")


@login_required
@require_POST
def evaluation_action(request: Any, pk: int, what: str) -> HttpResponse:
    e = _evaluation(request, pk, scope.CHANGE)
    if not scope.has_permission(request.user, "carriers.evaluate"):
        return scope.forbidden_response(request, "只有管理员和区科委可以办理孵化器评价。")
    try:
        if what == "prefill":
            n = actions.do_prefill_evaluation(request.user, e, request=request)
            messages.success(request, f"已按企业名录和税收库预填 {n} 项指标")
        elif what == "values":
            for ind in e.scheme.indicators.all():
                key = f"value_{ind.pk}"
                if key not in request.POST:
                    continue
                raw = request.POST.get(key, "").strip()
                evidence = request.POST.get(f"evidence_{ind.pk}", "")
                try:
                    value = Decimal(raw) if raw else None
                except InvalidOperation:
                    raise actions.CarrierError(f"「{ind.name}」的数值“{raw}”不是数字") from None
                actions.do_set_indicator_value(
                    request.user, e, ind, value, evidence=evidence, request=request
                )
            actions.do_score_evaluation(request.user, e, request=request)
            messages.success(request, "已保存指标并重新评分")
        elif what == "score":
            r = actions.do_score_evaluation(request.user, e, request=request)
            messages.success(request, f"得分 {r.score}，等级 {r.grade}")
        elif what == "objection":
            actions.do_record_objection(request.user, e, request.POST.get("text", ""), request=request)
            messages.success(request, "已登记公示异议")
        elif what == "finalize":
            actions.do_finalize_evaluation(request.user, e, request=request)
            messages.success(request, "评价结果已确定")
        else:
            raise Http404("未知操作")
    except actions.CarrierError as exc:
        _fail(request, exc)
    return redirect("carriers:evaluation", pk=e.pk)


@login_required
def evaluation_docx(request: Any, pk: int) -> HttpResponse:
    from peiyu.carriers.reports import evaluation_sections
    from peiyu.core.documents import docx_response, render_docx

    e = _evaluation(request, pk)
    record_view(request, A.EVALUATION_EXPORT, f"{e} 评价报告", evaluation=e.pk)
    data = render_docx(
        title=f"{e.incubator.name}{e.scheme.year}年度绩效评价报告",
        sections=evaluation_sections(e),
        issuer="普陀区科学技术委员会",
        basis="依据普陀区科技企业孵化器年度绩效评价办法",
    )
    return docx_response(f"孵化器评价报告_{e.incubator.name}_{e.scheme.year}.docx", data)


# ---------------------------------------------------------------------------------------------
# Imports


IMPORTERS = {"buildings": BuildingImporter, "tenants": TenantImporter, "incubators": IncubatorImporter}
IMPORT_HELP = {
    "buildings": "列：楼宇名称、地址、所属街道、建筑面积（㎡）、可租面积（㎡）、业主、物业（可选：等级、类型、所属园区、主导产业、经度、纬度）。同名楼宇将被更新。",
    "tenants": "列：楼宇名称（或孵化器名称）、统一社会信用代码、企业名称、租用面积（㎡）、入驻日期（入孵日期）、迁出日期（毕业日期）、是否毕业。",
    "incubators": "列：孵化器名称、所属街道、级别（国家级/市级/区级）、运营机构、地址、孵化面积（㎡）。",
}
IMPORT_TITLES = {
    "buildings": "楼宇名录导入",
    "tenants": "入驻企业/在孵企业导入",
    "incubators": "孵化器名录导入",
}


def _import_allowed(request: Any) -> HttpResponse | None:
    if not scope.has_permission(request.user, "carriers.manage"):
        return scope.forbidden_response(request, "只有管理员和街道镇可以导入载体数据。")
    return None


@login_required
def import_page(request: Any, what: str = "buildings") -> HttpResponse:
    if what not in IMPORTERS:
        raise Http404("未知的导入类型")
    denied = _import_allowed(request)
    if denied:
        return denied
    return imports.upload_page(
        request,
        IMPORTERS[what],
        title=IMPORT_TITLES[what],
        help_text=IMPORT_HELP[what],
        report_url=lambda pk: reverse(f"carriers:import_{what}_report", args=[pk]),
        context={"import_links": [(reverse(f"carriers:import_{k}"), IMPORT_TITLES[k]) for k in IMPORTERS]},
    )


@login_required
def import_report(request: Any, what: str, pk: int) -> HttpResponse:
    if what not in IMPORTERS:
        raise Http404("未知的导入类型")
    denied = _import_allowed(request)
    if denied:
        return denied
    batch = imports.get_batch(IMPORTERS[what], pk)
    if not scope.is_admin(request.user) and batch.user_id != request.user.pk:
        raise Http404("导入记录不存在")
    return imports.report_page(
        request,
        batch,
        IMPORTERS[what],
        back_url=reverse(f"carriers:import_{what}"),
        errors_url=reverse(f"carriers:import_{what}_errors", args=[pk]),
    )


@login_required
def import_errors(request: Any, what: str, pk: int) -> HttpResponse:
    if what not in IMPORTERS:
        raise Http404("未知的导入类型")
    denied = _import_allowed(request)
    if denied:
        return denied
    batch = imports.get_batch(IMPORTERS[what], pk)
    if not scope.is_admin(request.user) and batch.user_id != request.user.pk:
        raise Http404("导入记录不存在")
    return imports.errors_xlsx(request, batch)
