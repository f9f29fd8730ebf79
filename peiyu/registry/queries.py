"""Finding enterprises: one search used by the list page, the export, the autocomplete and the API.

Always starts from :func:`peiyu.accounts.scope.enterprises`, so nobody finds what they may not see.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from peiyu.accounts import scope
from peiyu.registry.models import Enterprise, EnterpriseStatus

SORTS = {
    "name": "name",
    "-name": "-name",
    "code": "credit_code",
    "-code": "-credit_code",
    "established": "established",
    "-established": "-established",
    "industry": "industry_code",
    "-industry": "-industry_code",
    "area": "area__order",
    "-area": "-area__order",
    "key_industry": "key_industry__order",
    "-key_industry": "-key_industry__order",
    "status": "status",
    "-status": "-status",
}


@dataclass
class Filters:
    q: str = ""
    industry: str = ""  # key industry id, or "none" for enterprises outside every key industry
    division: str = ""  # GB/T 4754 2-digit division (or a longer code prefix)
    area: str = ""  # area id
    status: str = ""  # one status, or "active" (存续+在业) / "gone"
    key: str = ""  # "1" key enterprises only
    sort: str = "name"

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        get = data.get
        return cls(
            q=(get("q") or "").strip()[:100],
            industry=(get("industry") or "").strip(),
            division=(get("division") or "").strip()[:4],
            area=(get("area") or "").strip(),
            status=(get("status") or "").strip(),
            key=(get("key") or "").strip(),
            sort=(get("sort") or "name").strip(),
        )


def text_query(q: str) -> Q:
    """Name (contains), credit code (prefix, normalised) and pinyin initials (contains, for Latin input)."""
    raw = unicodedata.normalize("NFKC", q).strip()
    if not raw:
        return Q()
    # former names live in a JSON list: stored as UTF-8 text (PostgreSQL) or with \\u escapes (SQLite)
    escaped = json.dumps(raw)[1:-1]
    cond = Q(name__icontains=raw) | Q(former_names__icontains=raw)
    if escaped != raw:
        cond |= Q(former_names__icontains=escaped)
    compact = re.sub(r"[\s\-]+", "", raw).upper()
    if re.fullmatch(r"[0-9A-Z]+", compact):
        cond |= Q(credit_code__startswith=compact)
        if re.fullmatch(r"[A-Z]+", compact):
            cond |= Q(name_initials__contains=compact)
    return cond


def search(user: Any, f: Filters) -> QuerySet[Enterprise]:
    qs = scope.enterprises(user, Enterprise.objects.select_related("area", "key_industry"))
    if f.q:
        qs = qs.filter(text_query(f.q))
    if f.industry == "none":
        qs = qs.filter(key_industry__isnull=True)
    elif f.industry.isdigit():
        qs = qs.filter(key_industry_id=int(f.industry))
    elif f.industry:  # a slug or a name (API users)
        qs = qs.filter(Q(key_industry__slug=f.industry) | Q(key_industry__name=f.industry))
    if f.division and re.fullmatch(r"\d{2,4}", f.division):
        qs = qs.filter(industry_code__startswith=f.division)
    elif f.division and re.fullmatch(r"[A-Ta-t]", f.division):
        from peiyu.registry.classify import taxonomy

        divs = [d for d, s in taxonomy().division_section.items() if s == f.division.upper()]
        cond = Q(pk__in=[])
        for d in divs:
            cond |= Q(industry_code__startswith=d)
        qs = qs.filter(cond)
    if f.area.isdigit():
        qs = qs.filter(area_id=int(f.area))
    elif f.area == "none":
        qs = qs.filter(area__isnull=True)
    if f.status in EnterpriseStatus.values:
        qs = qs.filter(status=f.status)
    elif f.status == "active":
        qs = qs.filter(status__in=[EnterpriseStatus.EXISTING, EnterpriseStatus.OPERATING])
    elif f.status == "gone":
        qs = qs.exclude(status__in=[EnterpriseStatus.EXISTING, EnterpriseStatus.OPERATING])
    if f.key == "1":
        qs = qs.filter(is_key=True)
    order = SORTS.get(f.sort, "name")
    return qs.order_by(order, "id")


def lookup(user: Any, q: str, limit: int = 20) -> list[Enterprise]:
    """Autocomplete: best matches first (exact code, name prefix, then the rest)."""
    q = (q or "").strip()
    if len(q) < 1:
        return []
    qs = scope.enterprises(user, Enterprise.objects.select_related("area", "key_industry")).filter(
        text_query(q)
    )
    from django.db.models.functions import Length

    return list(qs.order_by(Length("name"), "name")[:limit])
