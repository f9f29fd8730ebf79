"""Test hook for the scope walk (``peiyu.testing.walk.populated_world``): a policy of 区科委 with a
免申即享 clause, a paid award for every enterprise (so the ledger, the profiles, the evaluation and
the exports carry every firm's name for the walker to check), one award in review, and a breach."""

from __future__ import annotations

import datetime as dt
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.policies import actions
    from peiyu.policies.models import (
        Award,
        AwardOrigin,
        AwardStatus,
        Breach,
        BreachKind,
        Clause,
        Policy,
        PolicyKind,
    )

    kewei = world["departments"]["kewei"]
    general = Policy.objects.create(
        name="走查普惠政策",
        doc_number="普府规〔2024〕1号",
        kind=PolicyKind.GENERAL,
        department=kewei,
        round="2024—2026年",
    )
    special = Policy.objects.create(
        name="走查软件专项政策",
        kind=PolicyKind.INDUSTRY,
        key_industry=world["industries"]["soft"],
        round="2024—2026年",
    )
    auto = Clause.objects.create(
        policy=general,
        title="经营贡献奖励",
        conditions=[{"field": "tax_last_year", "op": ">=", "value": 1}],
        fixed_fen=100_000_00,
        auto=True,
        commitment_years=5,
        require_tax=True,
    )
    rent = Clause.objects.create(policy=special, title="房租补贴", commitment_years=3)
    awards = []
    for key, ent in world["enterprises"].items():
        clause = rent if key.startswith("soft") else auto
        awards.append(
            Award.objects.create(
                clause=clause,
                enterprise=ent,
                year=2024,
                amount_fen=50_000_00,
                status=AwardStatus.PAID,
                origin=AwardOrigin.LEDGER,
                paid_on=dt.date(2024, 6, 30),
            )
        )
    pending = actions.do_apply_award(
        world["admin"], auto, world["enterprises"]["health_a2"], year=2025, amount_fen=30_000_00
    )
    breach = Breach.objects.create(
        award=awards[-1], kind=BreachKind.MOVED_OUT, month="2025-03", detail="走查", recover_fen=10_000_00
    )
    from peiyu.work import actions as work

    item = work.open_items(
        world["admin"], [work.ItemSpec(breach, "policies.clawback", "兑现违约追回（走查）", unit=kewei)]
    )[0]
    breach.item = item
    breach.save(update_fields=["item"])
    world["policies"] = {"general": general, "special": special, "pending": pending, "breach": breach}
