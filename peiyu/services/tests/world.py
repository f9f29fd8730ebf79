"""Scope-walk world: requests, visits, a listing sheet and a financing application for every
enterprise (requests routed to the enterprise's own sub-district; one routed to 区科委 for the
department persona's enterprise), so every services page and export carries data to check."""

from __future__ import annotations

from typing import Any


def populate_world(world: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from peiyu.services import actions
    from peiyu.services.models import Category, Product

    actions.ensure_categories()
    cat = Category.objects.get(code="space")
    admin = world["admin"]
    today = timezone.localdate()
    for key, ent in world["enterprises"].items():
        dept = world["departments"]["kewei"] if key.startswith("health") else None
        req = actions.do_create_request(
            admin, ent, category=cat, content=f"走查诉求：{key} 需要场地", department=dept, green=False
        )
        if key.endswith("a1"):
            req = actions.do_accept_request(admin, req)
            actions.do_reply_request(admin, req, "走查答复")
        actions.do_record_visit(
            admin, ent, date=today - dt.timedelta(days=3), findings=f"走查走访：{key}", flags=["expansion"]
        )
        sheet = actions.do_save_listing_sheet(admin, ent, changes={"stage": "nurture", "board": "科创板"})
        actions.do_add_listing_step(admin, sheet, title="完成股改", due=today + dt.timedelta(days=30))
        actions.do_save_financing(
            admin, ent, product=Product.PUHUI, bank="走查银行", amount_asked_fen=100_000_000, applied_on=today
        )
    # a service event (salon) per sub-district, attended by the area's enterprises
    for area in world["areas"].values():
        ev = actions.do_create_event(
            admin, kind="salon", theme=f"走查沙龙：{area.name}", date=today, area=area
        )
        for ent in world["enterprises"].values():
            if ent.area_id == area.pk:
                actions.do_add_attendance(admin, ev, ent, note="走查对接")
    # a service meeting per sub-district, with its pack prepared (the area's requests and visits)
    from peiyu.meetings.actions import do_prepare_pack
    from peiyu.services.meetings import do_schedule_area_meeting

    for area in world["areas"].values():
        m = do_schedule_area_meeting(admin, area, form="例会", date=today)
        do_prepare_pack(admin, m)
