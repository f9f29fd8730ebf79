"""Factories for the carriers' tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from peiyu.carriers.models import Carrier, Kind, Tenancy


def building(name: str, area: Any, gross: int = 10000, leasable: int = 8000, **kw: Any) -> Carrier:
    return Carrier.objects.create(
        kind=kw.pop("kind", Kind.BUILDING),
        name=name,
        area=area,
        gross_area_m2=Decimal(gross),
        leasable_area_m2=Decimal(leasable),
        **kw,
    )


def tenant(
    carrier: Carrier, enterprise: Any, move_in: str, move_out: str | None = None, area: int = 500, **kw: Any
) -> Tenancy:
    return Tenancy.objects.create(
        carrier=carrier,
        enterprise=enterprise,
        area_m2=Decimal(area),
        move_in=dt.date.fromisoformat(move_in),
        move_out=dt.date.fromisoformat(move_out) if move_out else None,
        **kw,
    )
