"""Task-force objects for the scope walk: a task force per industry with a meeting (pack prepared,
a decision), a report template with issued reports, a contact log, measures of two units, and a
publicity event — each outside some persona's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from peiyu.accounts.models import Department
    from peiyu.meetings import actions as meeting_actions
    from peiyu.taskforce import actions
    from peiyu.taskforce.tests.factories import measure, plan, taskforce

    admin = world["admin"]
    soft = taskforce(world, "soft", areas=[world["areas"]["a2"]])
    health = taskforce(world, "health")
    month = (world.get("months") or ["2025-03"])[-1]
    for tf in (soft, health):
        m = actions.do_schedule_taskforce_meeting(admin, tf, date=dt.date(2025, 4, 10), data_month=month)
        meeting_actions.do_add_decision(admin, m, text=f"走查：{tf.name}议定事项", due=dt.date(2025, 4, 30))
        meeting_actions.do_prepare_pack(admin, m)
        t = actions.do_save_template(
            admin,
            tf,
            name="月度工作信息",
            departments=[world["departments"]["kewei"]],
            areas=[world["areas"]["a2"]],
        )
        actions.do_issue_reports(admin, t, month)
        actions.do_save_publicity(
            admin, taskforce=tf, date=dt.date(2025, 5, 20), theme=f"走查：{tf.name}发布会"
        )
    for ent in world["enterprises"].values():
        actions.do_log_contact(admin, ent, date=dt.date(2025, 4, 1), summary=f"走查：联络{ent.name}")
    p = plan()
    shangwu, _ = Department.objects.get_or_create(name="区商务委")
    measure(p, "1", world["departments"]["kewei"], dt.date(2025, 3, 31), text="走查：科委措施")
    measure(p, "2", shangwu, dt.date(2025, 3, 31), text="走查：商务委措施")
    world["taskforces"] = [soft, health]
