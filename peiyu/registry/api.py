"""Registry API: one enterprise by credit code and a scoped search. Everything through scope."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from peiyu.accounts import scope
from peiyu.registry import queries
from peiyu.registry.tables import API_ENTERPRISE, enterprise_rows

PREFIX = ""
router = Router(tags=["企业名录"])
PAGE_SIZE = 100


# One row of the enterprise list: the same columns as the page and the Excel export.
EnterpriseOut = API_ENTERPRISE.schema("EnterpriseOut")


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseOut]  # type: ignore[valid-type]


def _out(e) -> dict:
    return API_ENTERPRISE.api_row(next(iter(enterprise_rows([e]))))


@router.get("enterprises", response=EnterprisePage, summary="查询企业（仅限数据范围内）")
def search_enterprises(
    request,
    q: str = "",
    industry: str = "",
    area: str = "",
    division: str = "",
    status: str = "",
    page: int = 1,
):
    f = queries.Filters(q=q.strip()[:100], industry=industry, area=area, division=division[:4], status=status)
    qs = queries.search(request.auth, f)
    count = qs.count()
    pages = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    rows = qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "results": API_ENTERPRISE.api_rows(enterprise_rows(rows)),
    }


@router.get("enterprises/{credit_code}", response=EnterpriseOut, summary="一家企业（范围外返回 404）")
def get_enterprise(request, credit_code: str):
    try:
        e = scope.get_enterprise_or_404(request.auth, credit_code.strip().upper())
    except Http404:
        raise Http404("企业不存在或不在您的数据范围内") from None
    return _out(e)
