"""Test hook for the scope walk (``peiyu.testing.walk.populated_world``): a 交办事项 on every
enterprise (its title names the enterprise, so a leak shows), owned by the admin, with notes and
history; the one on the enterprise outside everyone's scope but the admin's is the planted
out-of-scope object."""

from __future__ import annotations

from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peiyu.work import actions, jobs, notify, reminders

    admin = world["admin"]
    for key, ent in world["enterprises"].items():
        item = actions.do_open_item(
            admin, ent, kind="work.task", title=f"走查：协调{ent.name}用地需求", owner=admin
        )
        actions.do_add_note(
            admin,
            item,
            text=f"走查：已联系{ent.name}",
            method="call",
            files=[SimpleUploadedFile(f"{ent.name}走访记录.txt", ent.name.encode())],
        )
        notify.notify(admin, f"走查：{ent.name} 的事项", url=f"/work/items/{item.pk}/", item=item)
        world.setdefault("work_items", {})[key] = item
    reminders.daily_run()
    jobs.start("work.selftest", user=admin, units=1, pause=0)
