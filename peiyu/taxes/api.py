"""Read-only tax API under /api/v1/ (scoped to the caller; money in fen, district level 区级 unless
named ``*_total_fen``). Bad parameters get 400 with a Chinese ``detail``; enterprise-level calls are
written to the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ninja import Router, Schema, Status

from peiyu.accounts import audit
from peiyu.analytics import params
from peiyu.core.pagecache import reused_api
from peiyu.taxes import analytics
from peiyu.taxes import audit_actions as A
from peiyu.taxes.query import TaxQuery

PREFIX = ""
router = Router(tags=["产业税收"])

MAX_PAGE_SIZE = 500


class Error(Schema):
    detail: str


class Measures(Schema):
    id: int | None = None
    name: str
    month_fen: int
    month_total_fen: int
    prev_month_fen: int
    mom_pct: float | None
    month_last_year_fen: int
    month_yoy_pct: float | None
    ytd_fen: int
    prev_ytd_fen: int
    yoy_pct: float | None
    ytd_total_fen: int
    prev_ytd_total_fen: int
    total_yoy_pct: float | None
    change_fen: int
    taxpayers: int
    share_pct: float | None = None


class IndustryStats(Schema):
    month: str
    industries: list[Measures]
    others: list[Measures]
    district: Measures


class EnterpriseRow(Schema):
    credit_code: str
    name: str | None
    key_industry: str | None
    key_industry_id: int | None
    area: str | None
    area_id: int | None
    status: str | None
    is_key: bool
    matched: bool
    month_fen: int
    month_total_fen: int
    prev_month_fen: int
    mom_pct: float | None
    month_last_year_fen: int
    month_yoy_pct: float | None
    ytd_fen: int
    prev_ytd_fen: int
    yoy_pct: float | None
    ytd_total_fen: int
    prev_ytd_total_fen: int
    change_fen: int


class EnterprisePage(Schema):
    month: str
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[EnterpriseRow]


class Months(Schema):
    months: list[str]
    latest: str | None


class Part(Schema):
    key: str
    label: str
    help: str
    fen: int
    enterprises: int


class Decomposition(Schema):
    month: str
    measure: str
    prev_ytd_fen: int
    ytd_fen: int
    change_fen: int
    yoy_pct: float | None
    parts: list[Part]


class BadParameter(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _query(**values: Any) -> TaxQuery:
    """The request's :class:`TaxQuery`; the first bad parameter is a 400 (404 for a month the
    library does not have), with the same Chinese message as the pages and the CLI."""
    q, problems = TaxQuery.from_params(values)
    if problems:
        raise BadParameter(problems[0].message, problems[0].status)
    return q


def _int(value: Any, what: str, default: int, lo: int, hi: int) -> int:
    number, problem = params.integer(params.clean(value), what, default, lo, hi, what)
    if problem is not None:
        raise BadParameter(problem.message)
    return number


def _fail(exc: BadParameter) -> Status[dict[str, str]]:
    return Status(exc.status, {"detail": str(exc)})


@router.get(
    "stats/industries",
    response={200: IndustryStats, 400: Error, 404: Error},
    summary="重点产业税收统计（同 peiyu stats industries --json）",
)
@reused_api
def stats_industries(request: Any, month: str | None = None) -> Any:
    """``month`` = YYYY-MM（默认最新月份）。``*_fen`` 为区级税收（分），``ytd_total_fen`` 为税收总额；
    ``yoy_pct`` = (累计 / 上年同期累计 − 1) × 100，四舍五入到一位小数，上年同期为 0 时为 null。"""
    try:
        q = _query(month=month)
    except BadParameter as exc:
        return _fail(exc)
    return analytics.industry_stats(request.auth, q.require_month())


@router.get("tax/months", response=Months, summary="税收库中可用的月份")
def tax_months(request: Any) -> Any:
    months = analytics.months_available()
    return {"months": months, "latest": months[-1] if months else None}


@router.get(
    "tax/enterprises",
    response={200: EnterprisePage, 400: Error, 404: Error},
    summary="企业税收明细（分页，按数据范围，查看留痕）",
)
@reused_api
def tax_enterprises(
    request: Any,
    month: str | None = None,
    industry: str | None = None,
    area: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
) -> Any:
    """``industry``/``area`` 可为编号或名称；``q`` 按企业名称或信用代码查找；``sort`` 为
    ytd、month、prev_ytd、change、yoy、mom、total、name、code 之一，前加 ``-`` 表示降序（默认 -ytd）；
    ``page`` 从 1 开始，``page_size`` 默认 100、最大 500。"""
    try:
        tq = _query(month=month, industry=industry, area=area, q=q, sort=sort)
        page_no = _int(page, "页码", 1, 1, 1_000_000)
        size = _int(page_size, "每页条数", 100, 1, MAX_PAGE_SIZE)
    except BadParameter as exc:
        return _fail(exc)
    m = tq.require_month()
    result = analytics.enterprise_rows(
        request.auth,
        m,
        industry_id=tq.industry_id,
        area_id=tq.area_id,
        q=tq.q,
        sort=tq.sort,
        limit=size,
        offset=(page_no - 1) * size,
    )
    audit.record_view(
        request,
        A.ENTERPRISES_API,
        f"企业税收明细 API {m}",
        month=m,
        industry=tq.industry_id,
        area=tq.area_id,
        q=tq.q,
        page=page_no,
        rows=len(result["rows"]),
    )

    def link(p: int) -> str:
        query = request.GET.copy()
        query["page"] = str(p)
        return request.build_absolute_uri(request.path + "?" + urlencode(sorted(query.items())))

    return {
        "month": m,
        "count": result["count"],
        "page": page_no,
        "page_size": size,
        "next": link(page_no + 1) if page_no * size < result["count"] else None,
        "previous": link(page_no - 1) if page_no > 1 and result["count"] else None,
        "results": result["rows"],
    }


@router.get(
    "stats/decomposition",
    response={200: Decomposition, 400: Error, 404: Error},
    summary="累计增收分解：新进入税基、退出税基、持续纳税企业增收/减收（各部分之和等于增减额）",
)
def stats_decomposition(
    request: Any, month: str | None = None, industry: str | None = None, area: str | None = None
) -> Any:
    try:
        q = _query(month=month, industry=industry, area=area)
    except BadParameter as exc:
        return _fail(exc)
    return analytics.decomposition(
        request.auth, q.require_month(), industry_id=q.industry_id, area_id=q.area_id
    )
