"""Scope-walk objects: a building in each area with tenants from both areas (so a sub-district's
building page holds an enterprise outside its scope that must not show), a park focused on 智能软件,
an incubator under 区科委 with a scored evaluation, a 租税联动 rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.carriers import actions
    from peiyu.carriers.models import Kind, Level

    admin = world["admin"]
    a1, a2 = world["areas"]["a1"], world["areas"]["a2"]
    ents = world["enterprises"]
    kewei = world["departments"]["kewei"]

    def carrier(name: str, area: Any, **kw: Any) -> Any:
        data = {
            "name": name,
            "area": area,
            "gross_area_m2": Decimal(20000),
            "leasable_area_m2": Decimal(16000),
            **kw,
        }
        return actions.do_save_carrier(admin, None, data, reason="走查")

    b1 = carrier("走查长寿大厦", a1, kind=Kind.BUILDING)
    b2 = carrier("走查桃浦大厦", a2, kind=Kind.BUILDING)
    park = carrier("走查软件园", a2, kind=Kind.PARK, focus_industry=world["industries"]["soft"])
    inc = carrier("走查孵化器", a1, kind=Kind.INCUBATOR, level=Level.MUNICIPAL, department=kewei)
    start = dt.date(2023, 1, 1)
    for b, keys in (
        (b1, ["soft_a1", "health_a1", "other_a2"]),
        (b2, ["soft_a2", "health_a2", "health_a1"]),
        (park, ["soft_a1", "soft_a2"]),
        (inc, ["health_a1", "health_a2"]),
    ):
        for key in keys:
            actions.do_add_tenancy(admin, b, ents[key], area_m2=Decimal(800), move_in=start, reason="走查")
    actions.do_save_space(admin, b2, {"floor": "8F", "unit": "01", "area_m2": Decimal(500), "offered": True})
    actions.do_save_space(admin, b1, {"floor": "9F", "unit": "02", "area_m2": Decimal(300), "offered": True})
    actions.do_save_rent_rule(
        admin,
        None,
        {
            "name": "走查租税联动",
            "base_year": 2024,
            "pct": Decimal(50),
            "cap_per_m2_yuan": Decimal(1000),
            "cap_per_firm_fen": 100_000_000,
            "min_area_m2": Decimal(100),
            "key_industry_only": True,
        },
    )
    scheme = actions.do_create_scheme(admin, 2024)
    evaluation = scheme.evaluations.get(incubator=inc)
    actions.do_prefill_evaluation(admin, evaluation)
    actions.do_score_evaluation(admin, evaluation)
