"""Matching a space need (an attraction project's, an enterprise's space request) to carriers with
enough vacancy: ``spaces_for(need)``.

``need`` is a :class:`SpaceNeed`, a mapping or any object with the attributes ``area_m2`` (or
``space_m2`` / ``need_m2``, or a text ``space_need`` such as an attraction project's "写字楼 2000 平方米"), ``industry`` (a KeyIndustry, its id or slug; optional) and ``area``
(the sub-district: an Area, its id or name; optional). Carriers (buildings, parks, incubators) with
vacancy ≥ the area come first when they are in the wanted sub-district and focus on the wanted
industry. Carrier names, addresses and vacancy are not enterprise data: every signed-in user may
see the matches (the page ``carriers:match`` takes the same keys as GET parameters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from peiyu.carriers.models import Carrier, Kind, Space


@dataclass
class SpaceNeed:
    area_m2: Decimal = Decimal(0)
    industry_id: int | None = None
    area_id: int | None = None
    kinds: tuple[str, ...] = (Kind.BUILDING, Kind.PARK, Kind.INCUBATOR)

    @classmethod
    def of(cls, need: Any) -> SpaceNeed:
        if isinstance(need, SpaceNeed):
            return need

        def get(*names: str) -> Any:
            for n in names:
                if isinstance(need, Mapping):
                    if need.get(n) not in (None, ""):
                        return need[n]
                elif getattr(need, n, None) not in (None, ""):
                    return getattr(need, n)
            return None

        return cls(
            area_m2=_decimal(get("area_m2", "space_m2", "need_m2", "space_area_m2", "space_need")),
            industry_id=_industry_id(get("industry", "key_industry", "industry_id", "key_industry_id")),
            area_id=_area_id(get("area", "sub_district", "area_id")),
        )

    def query(self) -> str:
        params: dict[str, Any] = {"area_m2": str(self.area_m2)}
        if self.industry_id:
            params["industry"] = self.industry_id
        if self.area_id:
            params["area"] = self.area_id
        return urlencode(params)


AREA_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?\s*(?:平方米|平米|㎡|m2|m²|平)?", re.IGNORECASE)


def _decimal(value: Any) -> Decimal:
    """An area in m²: a number, or the first area in a text such as "写字楼 2000 平方米"
    (an attraction project's 空间需求) or "1.5万平方米"."""
    if value in (None, ""):
        return Decimal(0)
    text = str(value).replace(",", "").replace("，", "").strip()
    try:
        out = Decimal(text.replace("㎡", "").strip())
    except InvalidOperation:
        m = AREA_TEXT.search(text)
        if m is None:
            return Decimal(0)
        out = Decimal(m.group(1)) * (10000 if m.group(2) else 1)
    return out if out.is_finite() and out > 0 else Decimal(0)


def _industry_id(value: Any) -> int | None:
    from peiyu.registry.models import KeyIndustry

    if value is None:
        return None
    if isinstance(value, KeyIndustry):
        return value.pk
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    found = KeyIndustry.objects.filter(slug=text).values_list("pk", flat=True).first()
    found = found or KeyIndustry.objects.filter(name=text).values_list("pk", flat=True).first()
    return found


def _area_id(value: Any) -> int | None:
    from peiyu.registry.models import Area

    if value is None:
        return None
    if isinstance(value, Area):
        return value.pk
    text = str(value).strip()
    if text.isdigit() and len(text) < 9:
        return int(text)
    found = Area.objects.filter(code=text).values_list("pk", flat=True).first()
    return found or Area.objects.filter(name=text).values_list("pk", flat=True).first()


@dataclass
class Match:
    carrier: Carrier
    vacancy_m2: Decimal
    spaces: list[Space] = field(default_factory=list)  # offered units not currently leased
    same_area: bool = False
    same_industry: bool = False

    @property
    def reasons(self) -> list[str]:
        out = [f"空置 {self.vacancy_m2.normalize():f} ㎡"]
        if self.same_area:
            out.append("位于所需街道镇")
        if self.same_industry:
            out.append("主导产业相符")
        if self.spaces:
            out.append(f"可招租单元 {len(self.spaces)} 个")
        return out

    @property
    def url(self) -> str:
        return reverse("carriers:detail", args=[self.carrier.pk])


def spaces_for(need: Any, *, limit: int = 50) -> list[Match]:
    """Carriers with vacancy ≥ the needed area, best first (wanted sub-district, then focus
    industry, then the smallest vacancy that fits)."""
    n = SpaceNeed.of(need)
    carriers = (
        Carrier.objects.filter(active=True, kind__in=n.kinds, leasable_area_m2__gt=0)
        .select_related("area", "focus_industry")
        .prefetch_related("tenancies", "spaces")
    )
    out = []
    for c in carriers:
        current = [t for t in c.tenancies.all() if t.is_current(_today())]
        leased = sum((t.area_m2 for t in current), Decimal(0))
        vacancy = max(Decimal(0), c.leasable_area_m2 - leased)
        if vacancy <= 0 or vacancy < n.area_m2:
            continue
        taken = {t.space_id for t in current if t.space_id}
        spaces = [s for s in c.spaces.all() if s.offered and s.pk not in taken]
        out.append(
            Match(
                c,
                vacancy,
                spaces,
                same_area=bool(n.area_id and c.area_id == n.area_id),
                same_industry=bool(n.industry_id and c.focus_industry_id == n.industry_id),
            )
        )
    out.sort(key=lambda m: (not m.same_area, not m.same_industry, m.vacancy_m2, m.carrier.name))
    return out[:limit]


def match_url(need: Any) -> str:
    """The page ``carriers:match`` for a need (for other apps to link to)."""
    return reverse("carriers:match") + "?" + SpaceNeed.of(need).query()


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()
