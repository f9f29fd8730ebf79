"""Test support: targets for the scope walk's populated world (see peiyu.testing.walk)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    """One target of each kind and subject, a responsible department, a report with an attachment."""
    from django.core.files.base import ContentFile

    from peiyu.accounts.models import Department
    from peiyu.targets.actions import do_create_plan, do_report_value, do_save_plan_line, do_save_target
    from peiyu.targets.models import Target, TargetKind

    admin = world["admin"]
    year = int(world["months"][-1][:4]) if world.get("months") else 2025
    dept, _ = Department.objects.get_or_create(name="区投促办", defaults={"short_name": "投促办"})
    soft, a2 = world["industries"]["soft"], world["areas"]["a2"]
    specs = [
        ("智能软件产业区级税收", TargetKind.AMOUNT, {"key_industry": soft, "target_fen": 50_000_000}, []),
        (
            "生命健康产业区级税收",
            TargetKind.GROWTH,
            {"key_industry": world["industries"]["health"], "growth_pct": Decimal("8")},
            [],
        ),
        ("桃浦镇区级税收", TargetKind.AMOUNT, {"area": a2, "target_fen": 30_000_000}, []),
        ("全区区级税收", TargetKind.GROWTH, {"growth_pct": Decimal("6")}, []),
        (
            "四大重点产业占区级税收比重",
            TargetKind.SHARE,
            {"target_value": Decimal("4"), "unit": "个百分点"},
            [dept],
        ),
        ("新增税收亿元楼", TargetKind.REPORTED, {"target_value": Decimal("3"), "unit": "幢"}, [dept]),
    ]
    targets = {}
    for order, (name, kind, fields, depts) in enumerate(specs):
        targets[name] = do_save_target(
            admin, Target(year=year, name=name, kind=kind, order=order, **fields), depts
        )
    do_report_value(
        admin,
        targets["新增税收亿元楼"],
        month=f"{year}-03",
        value=1,
        note="演示",
        attachment=ContentFile(b"walk", name="walk.txt"),
        department=dept,
    )
    plan = do_create_plan(admin, name="411倍增计划", base_year=year - 5, final_year=year)
    do_save_plan_line(admin, plan, soft, base_fen=100_000_000, goal_fen=200_000_000)
    world["targets"] = targets
