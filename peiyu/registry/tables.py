"""The enterprise list, declared once: the page (a screen subset), the Excel export and the API rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from peiyu.core.tables import Column, TableSpec

ENTERPRISES = TableSpec(
    Column("name", "企业名称", url="url", badge=lambda r: "重点" if r["is_key"] else None),
    Column("credit_code", "统一社会信用代码", mono=True, width=22),
    Column("industry_code", "行业代码"),
    Column("industry_name", "行业名称", screen=False),
    Column("key_industry", "重点产业"),
    Column("basis", "认定依据", screen=False),
    Column("area", "街道镇"),
    Column("status", "登记状态"),
    Column("established", "成立日期", "date"),
    Column("is_key", "重点企业", "bool", screen=False),
    Column("address", "注册地址", screen=False),
    Column("tags", "标签", screen=False),
    empty="没有符合条件的企业（仅显示您数据范围内的企业）",
)

# The API's enterprise row: these columns of the same spec (its field set is a contract).
API_ENTERPRISE = ENTERPRISES.only(
    "credit_code", "name", "key_industry", "area", "status", "industry_code", "established", "is_key"
)


def enterprise_rows(
    enterprises: Iterable[Any], industry_names: dict[str, str] | None = None
) -> Iterable[dict[str, Any]]:
    """Enterprises (with ``area`` and ``key_industry`` selected) as the list's rows. Without
    ``industry_names`` the names of the codes met are looked up."""
    items = enterprises if industry_names is not None else list(enterprises)
    if industry_names is None:
        from peiyu.registry.models import IndustryCode

        codes = {e.industry_code for e in items if e.industry_code}
        industry_names = dict(IndustryCode.objects.filter(code__in=codes).values_list("code", "name"))
    for e in items:
        yield {
            "credit_code": e.credit_code,
            "name": e.name,
            "url": reverse("registry:detail", args=[e.credit_code]),
            "industry_code": e.industry_code,
            "industry_name": industry_names.get(e.industry_code, ""),
            "key_industry": e.key_industry.name if e.key_industry_id else None,
            "basis": e.classification_basis,
            "area": e.area.name if e.area_id else None,
            "status": e.status,
            "established": e.established,
            "is_key": e.is_key,
            "address": e.address,
            "tags": "、".join(e.tags or []),
        }
