"""Meetings for the scope walk: one per industry and one per area, each with a decision."""

from __future__ import annotations

import datetime as dt
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.meetings import actions
    from peiyu.meetings.tests.factories import meeting

    admin = world["admin"]
    made = []
    for key, ind in world["industries"].items():
        m = meeting(admin, industry=ind, title=f"走查{ind.name}例会", date=dt.date(2025, 3, 10))
        actions.do_add_decision(admin, m, text=f"走查：{key} 议定事项", due=dt.date(2025, 4, 30))
        actions.do_prepare_pack(admin, m)
        made.append(m)
    for key, area in world["areas"].items():
        m = meeting(admin, area=area, title=f"走查{area.name}会商", date=dt.date(2025, 3, 12))
        actions.do_add_decision(admin, m, text=f"走查：{key} 议定事项", unit=area, due=dt.date(2025, 4, 30))
        made.append(m)
    world["meetings"] = made
