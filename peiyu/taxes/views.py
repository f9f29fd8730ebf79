"""Tax analytics pages: dashboard, industry and area drill-downs, enterprise list, growth
decomposition, top-N and concentration. Thin views: every figure comes from
:mod:`peiyu.taxes.analytics` (scoped there); pages listing enterprises are written to the audit log.
Every table exports to Excel (``?export=xlsx``); filters update the page body through htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from peiyu.accounts import audit
from peiyu.accounts import scope as scope_mod
from peiyu.core.export import xlsx_response
from peiyu.core.pagecache import reused_page
from peiyu.registry.models import Area, KeyIndustry
from peiyu.taxes import analytics, charts, tables
from peiyu.taxes import audit_actions as A
from peiyu.taxes.query import TaxQuery

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


# ---------------------------------------------------------------------------------------------
# Helpers


def profile_url(credit_code: str) -> str | None:
    """The registry profile of an enterprise, when the registry pages are installed."""
    try:
        return reverse("registry:detail", args=[credit_code])
    except NoReverseMatch:
        return None


class Filters:
    """The page's :class:`~peiyu.taxes.query.TaxQuery` (bad values fall back with a message) and
    the filter form's choices."""

    def __init__(self, request: Any, *, industry: Any = None, area: Any = None) -> None:
        self.request = request
        self.scope = scope_mod.scope_for(request.user)
        self.query, problems = TaxQuery.from_params(request.GET, industry=industry, area=area)
        for problem in problems:
            if problem.notice:
                messages.warning(request, problem.notice)
        self.months = list(self.query.months)
        self.month = self.query.month
        self.industry = self.query.industry
        self.area = self.query.area
        self.industry_id = self.query.industry_id
        self.area_id = self.query.area_id

    def industries(self) -> Any:
        qs = KeyIndustry.objects.filter(active=True).order_by("order", "id")
        if not self.scope.everything and not self.scope.area_ids and not self.scope.enterprise_ids:
            qs = qs.filter(id__in=self.scope.industry_ids)
        return qs

    def areas(self) -> Any:
        qs = Area.objects.order_by("order", "code")
        if not self.scope.everything and not self.scope.industry_ids and not self.scope.enterprise_ids:
            qs = qs.filter(id__in=self.scope.area_ids)
        return qs

    def label(self) -> str:
        return self.query.label()

    def context(self) -> dict[str, Any]:
        return {
            "months": list(reversed(self.months)),
            "month": self.month,
            "industry": self.industry,
            "area": self.area,
            "industry_choices": self.industries(),
            "area_choices": self.areas(),
            "filter_label": self.label(),
        }


def _respond(request: Any, template: str, body: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its body for an htmx request (filters swap ``#tax-body``); a month
    whose library file is missing or damaged is named in a warning (its figures are left out)."""
    from django.contrib import messages

    from peiyu.taxes import library

    context.setdefault("body_template", body)
    degraded = library.degraded_message(library.damaged_active())
    if degraded and not request.headers.get("HX-Request"):
        messages.warning(request, degraded)
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, body, context)
    return render(request, template, context)


def _no_data(request: Any, title: str) -> HttpResponse:
    return render(request, "taxes/no_data.html", {"page_title": title})


def _wants_export(request: Any) -> bool:
    return request.GET.get("export") == "xlsx"


def _link_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["profile_url"] = profile_url(r["credit_code"]) if r.get("matched") else None
    return rows


def _linked(rows: list[dict[str, Any]], url: Any) -> list[dict[str, Any]]:
    """Each breakdown row with the page it drills into (``url(row)`` for rows with an id)."""
    for r in rows:
        r["url"] = url(r) if r.get("id") else None
    return rows


# ---------------------------------------------------------------------------------------------
# Dashboard


@login_required
@reused_page
def dashboard(request: Any) -> HttpResponse:
    t = tables.scoped(request.user)
    f = Filters(request)
    if not f.month:
        return _no_data(request, "产业税收总览")
    stats = analytics.industry_stats(request.user, f.month)
    rows = [*stats["industries"], *stats["others"]]
    types = analytics.tax_types(request.user, f.month)
    monthly = analytics.monthly_compare(request.user, f.month)
    areas = analytics.area_stats(request.user, f.month)
    title = f"{f.label()} 产业税收总览"
    if _wants_export(request):
        year = monthly["year"]
        return xlsx_response(
            f"产业税收总览_{f.month}.xlsx",
            [
                t.BY_INDUSTRY.table(
                    rows,
                    sheet="分产业",
                    title=title,
                    notes=["金额为区级税收，单位万元；累计为当年 1 月至所选月份。"],
                    totals=stats["district"],
                ),
                t.BY_AREA.table(areas, sheet="分街道镇", title=title),
                t.TAX_TYPES.table(types, sheet="分税种", title=title),
                t.MONTHLY.relabel(this=f"{year}年（万元）", last=f"{year - 1}年（万元）").table(
                    [
                        {"label": lb, "this": this, "last": last}
                        for lb, this, last in zip(
                            monthly["labels"], monthly["this_year"], monthly["last_year"], strict=True
                        )
                    ],
                    sheet="分月对比",
                    title=title,
                ),
            ],
        )
    month_q = f"?month={f.month}"
    _linked(rows, lambda r: reverse("taxes:industry", args=[r["id"]]) + month_q)
    _linked(areas, lambda r: reverse("taxes:area", args=[r["id"]]) + month_q)
    context = {
        "page_title": "产业税收总览",
        "stats": stats,
        "rows": rows,
        "types": types,
        "areas_rows": areas,
        "industry_table": t.BY_INDUSTRY.render(rows, id="industry-table", totals=stats["district"]),
        "area_table": t.BY_AREA.render(areas, id="area-table"),
        "type_table": t.TAX_TYPES.render(types, id="type-table"),
        "chart_monthly": charts.year_compare(monthly),
        "chart_industries": charts.share_pie("累计区级税收构成（分产业）", rows, "name", "ytd_fen"),
        "chart_types": charts.share_pie("累计区级税收构成（分税种）", types, "tax_type", "ytd_fen"),
        "chart_mom": charts.month_vs_prev(stats["industries"]),
        **f.context(),
    }
    return _respond(request, "taxes/dashboard.html", "taxes/_dashboard_body.html", context)


# ---------------------------------------------------------------------------------------------
# Drill-down: industry → area → enterprise


def _top_table(top: dict[str, Any], title: str, who: Any) -> Any:
    return tables.scoped(who).TOP.table(
        top["rows"],
        sheet="重点企业前十",
        title=title,
        notes=[f"前十户累计占比：{top['top10_share_pct'] or 0:.1f}%"],
    )


@login_required
@reused_page
def industry(request: Any, pk: int) -> HttpResponse:
    t = tables.scoped(request.user)
    ind = KeyIndustry.objects.filter(pk=pk).first()
    if ind is None:
        raise Http404("产业不存在")
    if not scope_mod.can_open_industry_page(request.user, ind.id):
        raise Http404("产业不存在")
    f = Filters(request, industry=ind)
    if not f.month:
        return _no_data(request, ind.name)
    summary = analytics.totals(request.user, f.month, industry_id=ind.id)
    areas = analytics.area_stats(request.user, f.month, industry_id=ind.id)
    types = analytics.tax_types(request.user, f.month, industry_id=ind.id)
    top = analytics.top_enterprises(request.user, f.month, 10, industry_id=ind.id)
    _link_rows(top["rows"])
    audit.record_view(
        request, A.INDUSTRY_VIEW, f"产业税收 {ind.name} {f.month}", month=f.month, industry=ind.id
    )
    title = f"{f.label()} 产业税收"
    if _wants_export(request):
        return xlsx_response(
            f"{ind.name}_{f.month}.xlsx",
            [
                t.BY_AREA.table(areas, sheet="分街道镇", title=title),
                _top_table(top, title, request.user),
                t.TAX_TYPES.table(types, sheet="分税种", title=title),
            ],
        )
    base = reverse("taxes:enterprises") + f"?month={f.month}&industry={ind.id}"
    _linked(areas, lambda r: f"{base}&area={r['id']}")
    context = {
        "page_title": f"{ind.name} · 产业税收",
        "ind": ind,
        "summary": summary,
        "areas_rows": areas,
        "types": types,
        "top": top,
        "area_table": t.BY_AREA.render(areas, id="area-table"),
        "top_table": t.TOP.render(top["rows"], id="top-table"),
        "type_table": t.TAX_TYPES.without("month_fen").render(types, id="type-table"),
        "chart_monthly": charts.year_compare(
            analytics.monthly_compare(request.user, f.month, industry_id=ind.id)
        ),
        "chart_areas": charts.share_pie("累计区级税收构成（分街道镇）", areas, "name", "ytd_fen"),
        **f.context(),
    }
    return _respond(request, "taxes/industry.html", "taxes/_industry_body.html", context)


@login_required
@reused_page
def area(request: Any, pk: int) -> HttpResponse:
    t = tables.scoped(request.user)
    obj = Area.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("街道镇不存在")
    if not scope_mod.can_open_area_page(request.user, obj.id):
        raise Http404("街道镇不存在")
    f = Filters(request, area=obj)
    if not f.month:
        return _no_data(request, obj.name)
    summary = analytics.totals(request.user, f.month, area_id=obj.id)
    inds = analytics.industry_breakdown(request.user, f.month, area_id=obj.id)
    top = analytics.top_enterprises(request.user, f.month, 10, area_id=obj.id)
    _link_rows(top["rows"])
    audit.record_view(request, A.AREA_VIEW, f"街道镇税收 {obj.name} {f.month}", month=f.month, area=obj.id)
    title = f"{f.label()} 税收"
    if _wants_export(request):
        return xlsx_response(
            f"{obj.name}_{f.month}.xlsx",
            [
                t.BY_INDUSTRY.table(inds, sheet="分产业", title=title),
                _top_table(top, title, request.user),
            ],
        )
    base = reverse("taxes:enterprises") + f"?month={f.month}&area={obj.id}"
    _linked(inds, lambda r: f"{base}&industry={r['id']}")
    context = {
        "page_title": f"{obj.name} · 税收",
        "area_obj": obj,
        "summary": summary,
        "industry_rows": inds,
        "top": top,
        "industry_table": t.BY_INDUSTRY.render(inds, id="industry-table"),
        "top_table": t.TOP.render(top["rows"], id="top-table"),
        "chart_monthly": charts.year_compare(
            analytics.monthly_compare(request.user, f.month, area_id=obj.id)
        ),
        "chart_industries": charts.share_pie("累计区级税收构成（分产业）", inds, "name", "ytd_fen"),
        **f.context(),
    }
    return _respond(request, "taxes/area.html", "taxes/_area_body.html", context)


# ---------------------------------------------------------------------------------------------
# Enterprise list

SORT_LABELS = {
    "-ytd": "累计（高→低）",
    "ytd": "累计（低→高）",
    "-month": "本月（高→低）",
    "-change": "增收最多",
    "change": "减收最多",
    "-yoy": "同比增幅最高",
    "yoy": "同比降幅最大",
    "name": "企业名称",
}


@login_required
@reused_page
def enterprises(request: Any) -> HttpResponse:
    t = tables.scoped(request.user)
    f = Filters(request)
    if not f.month:
        return _no_data(request, "企业税收明细")
    q, sort = f.query.q, f.query.sort
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    kwargs: dict[str, Any] = {"industry_id": f.industry_id, "area_id": f.area_id, "q": q, "sort": sort}
    if _wants_export(request):
        result = analytics.enterprise_rows(request.user, f.month, limit=EXPORT_LIMIT, **kwargs)
        audit.record_view(
            request,
            A.ENTERPRISES_EXPORT,
            f"导出企业税收明细 {f.label()}",
            month=f.month,
            rows=len(result["rows"]),
            q=q,
        )
        return t.ENTERPRISES.xlsx(
            f"企业税收明细_{f.month}.xlsx",
            result["rows"],
            sheet="企业税收明细",
            title=f"{f.label()} 企业税收明细",
            notes=["金额为区级税收，单位万元；累计为当年 1 月至所选月份；上年同期按当前产业口径（同口径）。"],
        )
    result = analytics.enterprise_rows(
        request.user, f.month, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **kwargs
    )
    _link_rows(result["rows"])
    audit.record_view(request, A.ENTERPRISES_VIEW, f"企业税收明细 {f.label()}", month=f.month, page=page, q=q)
    pages = max(1, (result["count"] + PAGE_SIZE - 1) // PAGE_SIZE)
    context = {
        "page_title": "企业税收明细",
        "result": result,
        "rows": result["rows"],
        "q": q,
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "page": page,
        "pages": pages,
        "prev_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "first_index": (page - 1) * PAGE_SIZE,
        "enterprise_table": t.ENTERPRISES.render(
            result["rows"], id="enterprise-table", start=(page - 1) * PAGE_SIZE + 1
        ),
        **f.context(),
    }
    return _respond(request, "taxes/enterprises.html", "taxes/_enterprises_body.html", context)


# ---------------------------------------------------------------------------------------------
# Growth decomposition and top-N


@login_required
@reused_page
def decomposition(request: Any) -> HttpResponse:
    t = tables.scoped(request.user)
    f = Filters(request)
    if not f.month:
        return _no_data(request, "增长分解")
    dec = analytics.decomposition(request.user, f.month, industry_id=f.industry_id, area_id=f.area_id, top=10)
    audit.record_view(request, A.DECOMPOSITION_VIEW, f"增长分解 {f.label()}", month=f.month)
    title = f"{f.label()} 累计区级税收增长分解"
    if _wants_export(request):
        detail = [{"part": p["label"], **firm} for p in dec["parts"] for firm in p["top"]]
        return xlsx_response(
            f"增长分解_{f.month}.xlsx",
            [
                t.DECOMPOSITION.table(
                    _decomposition_rows(dec),
                    sheet="分解",
                    title=title,
                    notes=["各构成之和等于本年累计与上年同期累计之差（同口径，区级税收）。"],
                ),
                t.DECOMPOSITION_FIRMS.table(detail, sheet="主要企业", title=title),
            ],
        )
    for p in dec["parts"]:
        for firm in p["top"]:
            firm["profile_url"] = profile_url(firm["credit_code"])
        p["table"] = t.DECOMPOSITION_FIRMS.render(p["top"])
    context = {
        "page_title": "增长分解",
        "dec": dec,
        "decomposition_table": t.DECOMPOSITION.render(_decomposition_rows(dec), id="decomposition-table"),
        "chart_waterfall": charts.waterfall(dec),
        **f.context(),
    }
    return _respond(request, "taxes/decomposition.html", "taxes/_decomposition_body.html", context)


def _decomposition_rows(dec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": "上年同期累计", "fen": dec["prev_ytd_fen"]},
        *dec["parts"],
        {"label": "本年累计", "fen": dec["ytd_fen"]},
    ]


@login_required
@reused_page
def top(request: Any) -> HttpResponse:
    t = tables.scoped(request.user)
    f = Filters(request)
    if not f.month:
        return _no_data(request, "重点税源与集中度")
    try:
        n = max(1, min(int(request.GET.get("n", "20")), 200))
    except ValueError:
        n = 20
    by = "month" if request.GET.get("by") == "month" else "ytd"
    result = analytics.top_enterprises(
        request.user, f.month, n, industry_id=f.industry_id, area_id=f.area_id, by=by
    )
    _link_rows(result["rows"])
    audit.record_view(request, A.TOP_VIEW, f"重点税源前 {n} 户 {f.label()}", month=f.month, n=n)
    title = f"{f.label()} 重点税源前 {n} 户（按{'本月' if by == 'month' else '累计'}区级税收）"
    if _wants_export(request):
        return t.TOP.xlsx(
            f"重点税源_{f.month}.xlsx",
            result["rows"],
            sheet="重点税源",
            title=title,
            notes=[f"前十户占比：{result['top10_share_pct'] or 0:.1f}%；纳税企业 {result['count']} 户。"],
        )
    context = {
        "page_title": "重点税源与集中度",
        "result": result,
        "n": n,
        "n_choices": sorted({10, 20, 50, 100, 200, n}),
        "by": by,
        "top_table": t.TOP.render(result["rows"], id="top-table"),
        "chart_top": charts.top_bar(result["rows"][:20], "ytd_fen" if by == "ytd" else "month_fen"),
        **f.context(),
    }
    return _respond(request, "taxes/top.html", "taxes/_top_body.html", context)


# ---------------------------------------------------------------------------------------------
# One enterprise's monthly tax (the profile section's table) as Excel


@login_required
def enterprise_export(request: Any, credit_code: str) -> HttpResponse:
    t = tables.scoped(request.user)
    enterprise = scope_mod.get_enterprise_or_404(request.user, credit_code)
    series = analytics.enterprise_monthly(request.user, enterprise.id, analytics.latest_month())
    audit.record_view(
        request,
        A.ENTERPRISE_EXPORT,
        f"导出企业税收 {enterprise.name}",
        credit_code=enterprise.credit_code,
    )
    rows = [
        {
            **r,
            "source": "；".join(
                f"批次#{s['batch_id']} {s['file_name']} v{s['version']} 第{s['first_row']}"
                + (f"–{s['last_row']}" if s["last_row"] != s["first_row"] else "")
                + f"行（{s['rows']}行）"
                for s in r["sources"]
            ),
        }
        for r in series["rows"]
    ]
    year = series["year"] or ""
    return t.ENTERPRISE_MONTHS.relabel(district_fen=f"{year}年区级税收（万元）").xlsx(
        f"{enterprise.name}_税收_{year}.xlsx",
        rows,
        sheet="月度税收",
        title=f"{enterprise.name}（{enterprise.credit_code}）月度税收",
        notes=["来源为税收库中该月当前版本的导入批次与文件行号。"],
    )
