"""Conditions attached to an award, checked against the data: a move-out recorded in the registry
and a stop of tax payments open a clawback item for the issuing department, with the amount to
recover pro rata to the commitment not served; awards outside their period or without conditions
are left alone; a breach is found once."""

import datetime as dt

from peiyu.policies import actions
from peiyu.policies.models import Breach
from peiyu.policies.tests.helpers import WAN, clause, paid, policy
from peiyu.registry.models import EnterpriseEvent
from peiyu.testing.taxlib import put_month


def move_out(ent, day):
    ent.status = "迁出"
    ent.save(update_fields=["status"])
    EnterpriseEvent.objects.create(enterprise=ent, date=day, kind="status", before="存续", after="迁出")


def test_move_out_within_the_commitment_opens_a_clawback(world):
    e = world["enterprises"]
    c = clause(policy(world), commitment_years=5)
    free = clause(policy(world, name="无承诺政策"), commitment_years=0)
    a = paid(c, e["health_a1"], 2021, 60 * WAN, paid_on=dt.date(2021, 9, 30))
    paid(free, e["health_a1"], 2021, 10 * WAN)
    old = paid(c, e["health_a2"], 2015, 30 * WAN, paid_on=dt.date(2015, 6, 30))  # commitment ended 2020
    move_out(e["health_a1"], dt.date(2023, 3, 15))
    move_out(e["health_a2"], dt.date(2023, 3, 10))

    res = actions.do_check_conditions(world["admin"], "2023-03")
    assert [b["award_id"] for b in res.breaches] == [a.pk]
    b = Breach.objects.get()
    assert b.kind == "moved_out" and "2023-03-15" in b.detail
    # paid 2021-09, 60 months committed, 18 served: 42/60 of 60 万 to recover
    assert b.recover_fen == 60 * WAN * 42 // 60
    assert b.item.kind == "policies.clawback" and b.item.unit == world["departments"]["kewei"]
    assert old.breaches.count() == 0
    # found once
    assert actions.do_check_conditions(world["admin"], "2023-04").breaches == []
    # the department follows it up; the leader cannot
    b = actions.do_advance_breach(world["department"], b, "recovering")
    b.item.refresh_from_db()
    assert b.item.status == "recovering"


def test_stopped_paying_tax(world):
    e = world["enterprises"]
    c = clause(policy(world), commitment_years=3, require_tax=True)
    a = paid(c, e["health_a2"], 2022, 20 * WAN, paid_on=dt.date(2022, 12, 20))
    keep = paid(c, e["health_a1"], 2022, 20 * WAN, paid_on=dt.date(2022, 12, 20))
    for m in ("2023-01", "2023-02", "2023-03"):
        put_month(m, [(e["health_a1"].credit_code, e["health_a1"].name, "增值税", 2 * WAN, WAN)])
    res = actions.do_check_conditions(None, "2023-03")
    assert [b["award_id"] for b in res.breaches] == [a.pk]
    assert res.breaches[0]["kind"] == "stopped_paying"
    assert keep.breaches.count() == 0


def test_a_tax_import_runs_the_check_in_the_background(world, django_capture_on_commit_callbacks):
    from peiyu.work.models import Job

    e = world["enterprises"]
    c = clause(policy(world), commitment_years=5)
    paid(c, e["health_a1"], 2024, 10 * WAN, paid_on=dt.date(2024, 5, 1))
    move_out(e["health_a1"], dt.date(2025, 6, 3))
    with django_capture_on_commit_callbacks(execute=True):
        put_month("2025-06", [(e["soft_a1"].credit_code, e["soft_a1"].name, "增值税", 2 * WAN, WAN)])
    job = Job.objects.get(kind="policies.conditions")
    assert job.status == Job.Status.DONE and job.result["breaches"][0]["kind"] == "moved_out"
    assert Breach.objects.get().recover_fen == 10 * WAN * (60 - 13) // 60
