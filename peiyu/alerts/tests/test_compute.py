"""The monthly run on series written with put_month: key set, rules on key enterprises, no duplicate
open warnings month after month, auto-resolve policy, closed episodes, owners, moved-out, import hook."""

import datetime as dt

import pytest

from peiyu.alerts import actions, keyset, rules
from peiyu.alerts.models import (
    AlertSettings,
    KeyEnterpriseOverride,
    Rule,
    Severity,
    Status,
    Warning,
    WarningEvent,
)
from peiyu.alerts.tests.helpers import WAN, load, months
from peiyu.registry.models import EnterpriseEvent
from peiyu.testing.taxlib import put_month

pytestmark = pytest.mark.django_db(transaction=True)


def dip(world, dip_months, low=50 * WAN, end="2025-08"):
    """soft_a1 pays 100 万 a month, ``low`` in ``dip_months``; health_a2 pays 100 万 steadily."""
    e = world["enterprises"]
    span = [m for m in months(end, 24) if m >= "2024-01"]
    a = {m: (low if m in dip_months else 100 * WAN) for m in span}
    b = dict.fromkeys(span, 100 * WAN)
    load({e["soft_a1"]: a, e["health_a2"]: b})
    return e["soft_a1"]


def compute(*ms):
    return [rules.compute_month(m) for m in ms]


def test_key_set_by_threshold_top_n_and_manual(world):
    e = world["enterprises"]
    load(
        {
            e["soft_a1"]: dict.fromkeys(months("2025-05", 12), 10 * WAN),  # 120 万 ≥ 100 万
            e["soft_a2"]: dict.fromkeys(months("2025-05", 12), 5 * WAN),  # 60 万
            e["health_a1"]: dict.fromkeys(months("2025-05", 12), 1 * WAN),
            e["other_a2"]: dict.fromkeys(months("2025-05", 12), 20 * WAN),  # no key industry
        }
    )
    cfg = AlertSettings.current()
    cfg.top_n_per_industry = 0
    ks = keyset.key_set("2025-06", cfg)
    assert set(ks.reasons) == {e["soft_a1"].id, e["other_a2"].id}
    assert ks.sums[e["soft_a1"].id] == 120 * WAN
    cfg.key_threshold_fen = 200 * WAN  # threshold edited: only other_a2 (240 万)
    assert set(keyset.key_set("2025-06", cfg).reasons) == {e["other_a2"].id}
    cfg.top_n_per_industry = 1  # the top firm of each key industry joins
    ks = keyset.key_set("2025-06", cfg)
    assert ks.reasons == {e["other_a2"].id: ["rule"], e["soft_a1"].id: ["top"], e["health_a1"].id: ["top"]}
    # the window is the 12 months before the analysed month: 2025-06 itself does not count
    assert keyset.key_set("2025-05", cfg).sums[e["soft_a1"].id] == 110 * WAN
    # manual: the registry flag and an override add; a remove override wins over everything
    e["health_a2"].is_key = True
    e["health_a2"].save()
    actions.do_key_override(world["admin"], e["soft_a2"], "add", "链主企业，专班要求跟踪")
    actions.do_key_override(world["admin"], e["other_a2"], "remove", "总部结算口径，实际经营在区外")
    ks = keyset.key_set("2025-06", cfg)
    assert set(ks.reasons) == {e["soft_a1"].id, e["health_a1"].id, e["health_a2"].id, e["soft_a2"].id}
    with pytest.raises(actions.ActionError):
        actions.do_key_override(world["admin"], e["soft_a2"], "add", "again")
    with pytest.raises(actions.ActionError):
        actions.do_key_override(world["admin"], e["soft_a2"], "remove", "  ")
    ov = KeyEnterpriseOverride.objects.get(enterprise=e["other_a2"], revoked_at__isnull=True)
    actions.do_revoke_override(world["admin"], ov, "口径已核实")
    assert e["other_a2"].id in keyset.key_set("2025-06", cfg)
    with pytest.raises(actions.ActionError):  # an area officer may not edit the list
        actions.do_key_override(world["area_officer"], e["soft_a2"], "remove", "理由")


def test_open_warning_is_updated_not_duplicated_and_auto_resolved(world):
    ent = dip(world, {"2025-04", "2025-05", "2025-06"})
    res = compute("2025-04", "2025-05", "2025-06", "2025-07")
    assert res[0].created == 0 and res[1].created == 1  # yoy_drop from 2025-05
    ws = Warning.objects.filter(enterprise=ent, rule=Rule.YOY_DROP)
    assert ws.count() == 1
    w = ws.get()
    assert (w.first_month, w.last_month, w.status) == ("2025-05", "2025-07", Status.NEW)
    assert w.severity == Severity.MEDIUM  # 2025-07: 200 vs 300, -33%
    assert w.evidence["sum_fen"] == 200 * WAN and w.evidence["prev_sum_fen"] == 300 * WAN
    compute("2025-07")  # idempotent: running the same month again changes nothing
    assert Warning.objects.filter(enterprise=ent).count() == 2  # yoy_drop and consecutive_decline
    assert WarningEvent.objects.filter(warning=w).count() == 3  # created, updated 06, updated 07
    compute("2025-08")  # 250 vs 300: the condition no longer holds
    w.refresh_from_db()
    assert w.status == Status.RESOLVED and w.auto_closed and not w.condition_holds
    assert w.cleared_month == "2025-08" and "条件已消除" in w.resolution
    kinds = list(WarningEvent.objects.filter(warning=w).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "updated", "updated", "auto_closed"]
    assert Warning.objects.filter(enterprise=world["enterprises"]["health_a2"]).count() == 0


def test_warning_being_worked_is_marked_cleared_but_stays_open(world):
    ent = dip(world, {"2025-04", "2025-05", "2025-06"})
    compute("2025-05")
    w = Warning.objects.get(enterprise=ent, rule=Rule.YOY_DROP)
    actions.do_acknowledge(world["admin"], w)
    compute("2025-06", "2025-07", "2025-08")
    w.refresh_from_db()
    assert w.status == Status.ACKNOWLEDGED and not w.condition_holds and w.cleared_month == "2025-08"
    assert WarningEvent.objects.filter(warning=w, kind="cleared").count() == 1


def test_auto_resolve_can_be_switched_off(world):
    ent = dip(world, {"2025-04", "2025-05", "2025-06"})
    cfg = AlertSettings.current()
    actions.do_update_settings(world["admin"], {"auto_resolve": False})
    compute("2025-05", "2025-06", "2025-07", "2025-08")
    w = Warning.objects.get(enterprise=ent, rule=Rule.YOY_DROP)
    assert w.status == Status.NEW and not w.condition_holds
    assert cfg.auto_resolve  # the old instance; the run reads the saved settings


def test_closed_warning_suppresses_the_same_episode_and_recurrence_is_new(world):
    dips = {"2025-04", "2025-05", "2025-06", "2025-10", "2025-11", "2025-12"}
    ent = dip(world, dips, end="2025-12")
    compute("2025-05")
    w = Warning.objects.get(enterprise=ent, rule=Rule.YOY_DROP)
    actions.do_dismiss(world["admin"], w, "企业年中调整结算方式，已电话核实")
    compute("2025-06", "2025-07")
    assert Warning.objects.filter(enterprise=ent, rule=Rule.YOY_DROP).count() == 1
    w.refresh_from_db()
    assert w.last_month == "2025-07" and w.status == Status.DISMISSED
    compute("2025-08", "2025-09", "2025-10", "2025-11")
    ws = list(Warning.objects.filter(enterprise=ent, rule=Rule.YOY_DROP).order_by("id"))
    assert len(ws) == 2 and ws[1].first_month == "2025-11" and ws[1].status == Status.NEW


def test_rules_apply_to_key_enterprises_only_and_follow_overrides(world):
    e = world["enterprises"]
    small = dict.fromkeys(months("2025-06", 20), 1 * WAN)
    for m in months("2025-06", 3):
        small[m] = 0
    load({e["soft_a2"]: small})
    actions.do_update_settings(world["admin"], {"top_n_per_industry": 0})
    compute("2025-06")
    assert not Warning.objects.filter(enterprise=e["soft_a2"]).exists()
    actions.do_key_override(world["admin"], e["soft_a2"], "add", "拟上市企业，重点跟踪")
    compute("2025-06")
    assert set(Warning.objects.filter(enterprise=e["soft_a2"]).values_list("rule", flat=True)) == {
        Rule.YOY_DROP,
        Rule.CONSECUTIVE_DECLINE,
    }


def test_disabled_rule_is_not_computed(world):
    ent = dip(world, {"2025-04", "2025-05", "2025-06"})
    actions.do_update_settings(world["admin"], {"decline_enabled": False})
    compute("2025-06")
    assert set(Warning.objects.filter(enterprise=ent).values_list("rule", flat=True)) == {Rule.YOY_DROP}


def test_stopped_paying_and_spike_end_to_end(world):
    e = world["enterprises"]
    stop = dict.fromkeys(months("2025-04", 12), 80 * WAN)
    spk = dict.fromkeys(months("2025-06", 13), 30 * WAN)
    spk["2025-06"] = 400 * WAN
    load({e["soft_a2"]: stop, e["health_a1"]: spk})
    compute("2025-06")
    got = {(w.enterprise_id, w.rule, w.severity) for w in Warning.objects.all()}
    assert (e["soft_a2"].id, Rule.STOPPED_PAYING, Severity.HIGH) in got
    assert (e["health_a1"].id, Rule.SPIKE, Severity.INFO) in got
    assert not any(r == Rule.STOPPED_PAYING and eid == e["health_a1"].id for eid, r, _ in got)


def test_moved_out_applies_to_any_recent_payer(world):
    e = world["enterprises"]
    load(
        {
            e["other_a2"]: dict.fromkeys(months("2025-03", 6), 1 * WAN),  # small, not key
            e["health_a1"]: dict.fromkeys(months("2024-03", 6), 1 * WAN),  # last paid 15 months ago
        }
    )
    actions.do_update_settings(world["admin"], {"top_n_per_industry": 0})
    for key in ("other_a2", "health_a1"):
        e[key].status = "迁出"
        e[key].save()
    EnterpriseEvent.objects.create(
        enterprise=e["other_a2"], date=dt.date(2025, 7, 10), kind="status", before="存续", after="迁出"
    )
    compute("2025-05")  # the move was registered in July: not yet known at May's run
    assert not Warning.objects.filter(rule=Rule.MOVED_OUT).exists()
    compute("2025-06")
    w = Warning.objects.get(rule=Rule.MOVED_OUT)
    assert (
        w.enterprise_id == e["other_a2"].id and w.severity == Severity.LOW
    )  # not key, below the 10 万元 floor
    assert w.evidence["status"] == "迁出" and w.evidence["since"] == "2025-07-10"
    assert w.evidence["last_paid_month"] == "2025-03" and w.evidence["sum_fen"] == 6 * WAN
    # back in business: the condition clears
    e["other_a2"].status = "存续"
    e["other_a2"].save()
    compute("2025-07")
    w.refresh_from_db()
    assert not w.condition_holds and w.status == Status.RESOLVED


def test_owner_order_liaison_area_taskforce(world):
    from peiyu.testing.factories import UserFactory

    e = world["enterprises"]
    find = rules.OwnerFinder()
    assert find(e["soft_a2"]) == (world["area_officer"], "area")  # 桃浦镇 has an area officer
    assert find(e["soft_a1"]) == (world["industry_officer"], "taskforce")  # 长寿路: none; software task force
    assert find(e["health_a1"]) == (world["service_officer"], "liaison")  # the world's 店小二
    e["health_a1"].liaison = None
    e["health_a1"].save()
    assert rules.OwnerFinder()(e["health_a1"]) == (None, "")
    staff = UserFactory(username="svc1", role="service")
    e["soft_a2"].liaison = staff
    e["soft_a2"].save()
    assert rules.OwnerFinder()(e["soft_a2"]) == (staff, "liaison")
    staff.is_active = False
    staff.save()
    e["soft_a2"].refresh_from_db()
    assert rules.OwnerFinder()(e["soft_a2"]) == (world["area_officer"], "area")


def test_new_warning_gets_owner_and_import_computes_latest_month(world):
    e = world["enterprises"]
    hist = dict.fromkeys(months("2025-05", 17), 100 * WAN)
    load({e["soft_a2"]: hist})
    assert not Warning.objects.exists()
    # the import of June (nothing paid in May... June) triggers the run for the latest month
    put_month("2025-06", [(e["health_a1"].credit_code, e["health_a1"].name, "增值税", 2, 1)])
    w = Warning.objects.get(enterprise=e["soft_a2"], rule=Rule.YOY_DROP)
    assert w.last_month == "2025-06" and w.owner == world["area_officer"] and w.owner_basis == "area"
    from peiyu.accounts.models import AuditLog

    assert AuditLog.objects.filter(action="alerts.warnings.compute", object_id="2025-06").exists()


def test_taxpayer_registered_outside_the_district_counts_as_moved_out(world):
    from peiyu.taxes.models import TaxpayerLink

    e = world["enterprises"]["health_a2"]
    load({e: dict.fromkeys(months("2025-06", 14), 50 * WAN)})
    TaxpayerLink.objects.create(
        taxpayer_id=e.credit_code,
        name=e.name,
        status="outside",
        enterprise=e,
        first_month="2024-05",
        last_month="2025-04",
    )
    compute("2025-06")
    w = Warning.objects.get(enterprise=e, rule=Rule.MOVED_OUT)
    assert w.evidence["source"] == "taxpayer_link" and w.evidence["status"] == "区外"
    assert "税务登记已转至区外" in w.summary


def test_database_refuses_a_second_open_warning(world):
    from django.db import IntegrityError, transaction

    e = world["enterprises"]["soft_a1"]
    kw = {"enterprise": e, "rule": Rule.SPIKE, "first_month": "2025-06", "last_month": "2025-06"}
    Warning.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.create(**kw)
    Warning.objects.create(**kw, status=Status.RESOLVED)  # closed ones may repeat (history)
