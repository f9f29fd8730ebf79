"""Salons and 银企对接 events: attendees (each seen within its own scope) and follow-ups on
tracked work; financing funnel by month, bank and product; listing sheet with plan steps."""

import datetime as dt

import pytest
from django.utils import timezone

from peiyu.services import actions, queries
from peiyu.services.models import FinancingStage, Product

pytestmark = pytest.mark.django_db


def test_event_attendance_and_followups(world, client):
    officer = world["area_officer"]
    a2 = world["areas"]["a2"]
    ev = actions.do_create_event(
        officer, kind="bank", theme="桃浦镇银企对接会", date=timezone.localdate(), area=a2
    )
    actions.do_add_attendance(officer, ev, world["enterprises"]["soft_a2"], note="意向授信 500 万元")
    actions.do_add_attendance(world["admin"], ev, world["enterprises"]["soft_a1"])  # another area's firm
    with pytest.raises(actions.ActionError):
        actions.do_add_attendance(officer, ev, world["enterprises"]["health_a1"])
    with pytest.raises(actions.ActionError):
        actions.do_create_event(
            officer, kind="salon", theme="x", date=timezone.localdate(), area=world["areas"]["a1"]
        )
    item = actions.do_add_event_followup(
        officer, ev, title="跟进授信审批", due=timezone.localdate() + dt.timedelta(days=7)
    )
    assert item.kind == "services.followup" and item.owner == officer
    client.force_login(officer)
    page = client.get(f"/services/events/{ev.pk}/").content.decode()
    assert "上海桃浦软件有限公司" in page and "上海长寿软件有限公司" not in page and "另有 1 家" in page
    client.force_login(world["industry_officer"])
    assert client.get(f"/services/events/{ev.pk}/").status_code == 404


def test_financing_funnel(world):
    admin = world["admin"]
    ent = world["enterprises"]["soft_a2"]
    day = dt.date(2025, 3, 5)
    apps = [
        actions.do_save_financing(
            admin, ent, product=Product.PUHUI, bank="上海银行", amount_asked_fen=500_000_000, applied_on=day
        )
        for _ in range(4)
    ]
    actions.do_advance_financing(admin, apps[0], FinancingStage.MATCHED)
    actions.do_advance_financing(admin, apps[1], FinancingStage.SIGNED)
    actions.do_advance_financing(admin, apps[2], FinancingStage.GRANTED, amount_granted_fen=300_000_000)
    with pytest.raises(actions.ActionError):
        actions.do_advance_financing(admin, apps[0], FinancingStage.APPLIED)
    f = queries.funnel(admin, 2025)
    assert (f["total"]["applied"], f["total"]["matched"], f["total"]["signed"], f["total"]["granted"]) == (
        4,
        3,
        2,
        1,
    )
    assert f["total"]["granted_fen"] == 300_000_000
    assert f["bank"][0]["key"] == "上海银行" and f["month"][0]["key"] == "2025-03"
    assert queries.funnel(world["industry_officer"], 2025)["total"]["applied"] == 4
    assert queries.funnel(world["department"], 2025)["total"]["applied"] == 0


def test_listing_sheet_and_plan(world):
    officer = world["area_officer"]
    ent = world["enterprises"]["soft_a2"]
    sheet = actions.do_save_listing_sheet(
        officer, ent, changes={"stage": "restructure", "broker": "海通证券", "blockers": "股权代持"}
    )
    item = actions.do_add_listing_step(
        officer, sheet, title="完成股改审计", due=timezone.localdate() - dt.timedelta(days=1)
    )
    assert item.kind == "services.listing" and item.is_overdue()
    with pytest.raises(actions.ActionError):
        actions.do_save_listing_sheet(officer, world["enterprises"]["soft_a1"], changes={})
    with pytest.raises(actions.ActionError):
        actions.do_save_listing_sheet(officer, ent, changes={"stage": "moon"})
