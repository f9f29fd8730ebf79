"""The closed loop on the tracked-work mechanism: every state transition (and the illegal ones
refused), reasons required, reassignment, overdue, inbox, audit and history rows."""

import datetime as dt

import pytest
from django.utils import timezone

from peiyu.accounts.models import AuditLog
from peiyu.alerts import actions, queries
from peiyu.alerts.models import FollowUpKind, Rule, Status, Warning
from peiyu.testing.factories import UserFactory
from peiyu.work.models import Event, Item

pytestmark = pytest.mark.django_db


def make_warning(ent, rule=Rule.YOY_DROP, owner=None, **kw):
    return actions.create_warning(
        ent,
        rule,
        severity=kw.pop("severity", "high"),
        first_month="2025-05",
        last_month="2025-06",
        evidence={"months": ["2025-04", "2025-05", "2025-06"]},
        summary="测试预警",
        owner=owner,
        owner_basis="area" if owner else "",
        **kw,
    )


def history(w):
    """The warning's history after its creation: (step, from, to), oldest first."""
    return list(
        Event.objects.filter(item__warning=w)
        .exclude(kind=Event.Kind.OPENED)
        .order_by("id")
        .values_list("label", "from_status", "to_status")
    )


def backdate_activity(w, days):
    Item.objects.filter(warning=w).update(last_activity_at=timezone.now() - dt.timedelta(days=days))


def test_happy_path_new_acknowledged_following_resolved(world):
    officer = world["area_officer"]
    w = make_warning(world["enterprises"]["soft_a2"], owner=officer)
    actions.do_acknowledge(officer, w, "已知悉")
    w = Warning.objects.get(pk=w.pk)
    assert w.status == Status.ACKNOWLEDGED
    fu = actions.do_follow_up(
        officer, w, kind="visit", date=timezone.localdate(), note="走访财务总监，订单下滑", contact="王总"
    )
    assert fu.method == FollowUpKind.VISIT and fu.created_by == officer and fu.contact == "王总"
    actions.do_follow_up(
        officer, w, kind="call", date=timezone.localdate() - dt.timedelta(days=1), note="电话回访"
    )
    w = Warning.objects.get(pk=w.pk)
    assert w.status == Status.FOLLOWING and w.item.notes.count() == 2
    actions.do_resolve(officer, w, "订单恢复，税收回升")
    w = Warning.objects.get(pk=w.pk)
    assert w.status == Status.RESOLVED and w.resolution == "订单恢复，税收回升" and w.closed_by == officer
    assert history(w) == [
        ("确认", "new", "acknowledged"),
        ("跟进", "acknowledged", "following"),
        ("跟进", "following", "following"),
        ("解决", "following", "resolved"),
    ]
    audit = list(
        AuditLog.objects.filter(object_type="alerts.warning", object_id=str(w.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(audit) == sorted(
        [
            "alerts.warning.acknowledge",
            "alerts.warning.follow_up",
            "alerts.warning.follow_up",
            "alerts.warning.resolve",
        ]
    )
    last = AuditLog.objects.filter(action="alerts.warning.resolve").get()
    assert (
        last.before["status"] == "following"
        and last.after["status"] == "resolved"
        and last.reason == "订单恢复，税收回升"
    )


def test_dismiss_from_new_and_follow_up_directly(world):
    admin = world["admin"]
    w = make_warning(world["enterprises"]["soft_a1"])
    actions.do_follow_up(admin, w, kind="call", date=timezone.localdate(), note="电话")
    w = Warning.objects.get(pk=w.pk)
    assert w.status == Status.FOLLOWING
    assert w.owner == admin and w.owner_basis == "claimed"  # taking up an unassigned warning claims it
    w2 = make_warning(world["enterprises"]["soft_a1"], rule=Rule.SPIKE)
    actions.do_dismiss(admin, w2, "一次性股权转让所得")
    w2 = Warning.objects.get(pk=w2.pk)
    assert w2.status == Status.DISMISSED


@pytest.mark.parametrize(
    ("start", "step"),
    [
        (Status.NEW, "resolve"),  # something must have been looked at first
        (Status.FOLLOWING, "acknowledge"),  # no way back
        (Status.RESOLVED, "acknowledge"),
        (Status.RESOLVED, "followup"),
        (Status.RESOLVED, "dismiss"),
        (Status.DISMISSED, "resolve"),
        (Status.DISMISSED, "followup"),
    ],
)
def test_illegal_transitions_are_refused(world, start, step):
    admin = world["admin"]
    w = make_warning(world["enterprises"]["soft_a1"], status=start)
    calls = {
        "acknowledge": lambda: actions.do_acknowledge(admin, w),
        "followup": lambda: actions.do_follow_up(admin, w, kind="call", date=timezone.localdate(), note="x"),
        "resolve": lambda: actions.do_resolve(admin, w, "理由"),
        "dismiss": lambda: actions.do_dismiss(admin, w, "理由"),
    }
    with pytest.raises(actions.ActionError):
        calls[step]()
    w = Warning.objects.get(pk=w.pk)
    assert w.status == start
    assert history(w) == []
    assert not AuditLog.objects.filter(object_type="alerts.warning").exists()


def test_reasons_and_notes_are_required(world):
    admin = world["admin"]
    w = make_warning(world["enterprises"]["soft_a1"], status=Status.ACKNOWLEDGED)
    for call in (
        lambda: actions.do_resolve(admin, w, "   "),
        lambda: actions.do_dismiss(admin, w, ""),
        lambda: actions.do_follow_up(admin, w, kind="visit", date=timezone.localdate(), note=" "),
        lambda: actions.do_follow_up(
            admin, w, kind="visit", date=timezone.localdate() + dt.timedelta(days=2), note="未来"
        ),
        lambda: actions.do_follow_up(admin, w, kind="fax", date=timezone.localdate(), note="x"),
    ):
        with pytest.raises(actions.ActionError):
            call()
    w = Warning.objects.get(pk=w.pk)
    assert w.status == Status.ACKNOWLEDGED


def test_who_may_act_and_reassign(world):
    e = world["enterprises"]
    w = make_warning(e["soft_a2"], owner=world["area_officer"])
    with pytest.raises(actions.ActionError):  # outside the outsider's scope
        actions.do_acknowledge(world["outsider"], w)
    staff = UserFactory(username="svc2", role="service")
    e["soft_a1"].liaison = staff
    e["soft_a1"].save()
    w1 = make_warning(e["soft_a1"], owner=world["industry_officer"])
    with pytest.raises(actions.ActionError):  # service staff sees it but neither owns nor manages it
        actions.do_acknowledge(staff, w1)
    actions.do_reassign(world["industry_officer"], w1, staff, "联络员熟悉企业")
    w1 = Warning.objects.get(pk=w1.pk)
    assert w1.owner == staff and w1.owner_basis == "manual"
    actions.do_acknowledge(staff, w1)  # now the owner
    with pytest.raises(actions.ActionError):  # the new owner must be able to see the enterprise
        actions.do_reassign(
            world["admin"], w, world["industry_officer"].__class__.objects.get(username="outsider_p")
        )
    with pytest.raises(actions.ActionError):
        actions.do_reassign(world["admin"], w, world["area_officer"])  # same owner
    assert AuditLog.objects.filter(action="alerts.warning.reassign").count() == 1
    assert Event.objects.filter(item__warning=w1, kind="reassigned").get().note.startswith("由 ")


def test_overdue_after_configured_days_and_reset_by_action(world):
    admin = world["admin"]
    w = make_warning(world["enterprises"]["soft_a1"])
    backdate_activity(w, 15)
    w = Warning.objects.select_related("item").get(pk=w.pk)
    assert w.is_overdue(14) and not w.is_overdue(16)
    assert list(queries.overdue(Warning.objects.all(), 14)) == [w]
    actions.do_update_settings(admin, {"overdue_days": 20})
    assert not queries.overdue(Warning.objects.all()).exists()
    actions.do_update_settings(admin, {"overdue_days": 14})
    actions.do_acknowledge(admin, w)
    assert not queries.overdue(Warning.objects.all()).exists()  # touched: no longer overdue
    closed = make_warning(world["enterprises"]["health_a1"], status=Status.RESOLVED)
    backdate_activity(closed, 99)
    assert not queries.overdue(Warning.objects.all()).exists()  # closed warnings are never overdue


def test_settings_are_admin_only_validated_and_audited(world):
    with pytest.raises(actions.ActionError):
        actions.do_update_settings(world["industry_officer"], {"yoy_drop_pct": 20})
    with pytest.raises(actions.ActionError):
        actions.do_update_settings(world["admin"], {"yoy_drop_pct": 0})
    with pytest.raises(actions.ActionError):
        actions.do_update_settings(world["admin"], {"no_such": 1})
    actions.do_update_settings(world["admin"], {"yoy_drop_pct": 25}, reason="专班建议更敏感")
    row = AuditLog.objects.get(action="alerts.settings.update")
    assert (
        row.before == {"yoy_drop_pct": 30}
        and row.after == {"yoy_drop_pct": 25}
        and row.reason == "专班建议更敏感"
    )


def test_inbox_mine_plus_unassigned_for_managers(world):
    e = world["enterprises"]
    officer = world["area_officer"]
    mine = make_warning(e["soft_a2"], owner=officer)
    unassigned = make_warning(e["health_a2"])
    make_warning(e["health_a1"])  # outside the officer's area
    make_warning(e["other_a2"], owner=world["admin"])  # someone else's
    make_warning(e["soft_a2"], rule=Rule.SPIKE, owner=officer, status=Status.RESOLVED)  # closed
    assert set(queries.inbox(officer)) == {mine, unassigned}
    staff = UserFactory(username="svc3", role="service")
    e["health_a2"].liaison = staff
    e["health_a2"].save()
    assert set(queries.inbox(staff)) == set()  # service staff: only what is assigned to them
    counts = queries.counts(officer)
    assert counts["open"] == 3 and counts["mine"] == 1 and counts["unassigned"] == 1


def test_assignable_users_are_those_whose_scope_covers_the_enterprise(world):
    e = world["enterprises"]
    staff = UserFactory(username="svc4", role="service")
    e["soft_a2"].liaison = staff
    e["soft_a2"].save()
    inactive = UserFactory(username="old_taopu", role="area", is_active=False)
    inactive.areas.set([world["areas"]["a2"]])
    w = make_warning(e["soft_a2"])
    names = {u.username for u in actions.assignable_users(w)}
    assert names == {"admin_p", "software_p", "taopu_p", "svc4"}  # never the read-only leader_p
    w1 = make_warning(e["health_a1"])  # 区科委 (生命健康) and the firm's 店小二
    assert {u.username for u in actions.assignable_users(w1)} == {"admin_p", "kewei_p", "service_p"}


def test_filters_ignore_non_ascii_digits(world):
    admin = world["admin"]
    make_warning(world["enterprises"]["soft_a1"])
    assert queries.filtered(admin, {"industry": "²", "area": "٣", "status": "open"}).count() == 1
    assert queries.filtered(admin, {"industry": str(world["industries"]["health"].pk)}).count() == 0


def test_order_in_sql_matches_the_rule(world):
    """Open before closed, then severity, newest month, oldest activity: computed by the database
    (a page reads only its rows), the same order as the rule written out in Python."""
    from peiyu.alerts.models import OPEN_STATUSES, SEVERITY_ORDER

    ents = list(world["enterprises"].values())
    made = []
    for i, (sev, month, days, closed) in enumerate(
        [
            ("low", "2025-06", 3, False),
            ("high", "2025-04", 9, False),
            ("high", "2025-06", 2, False),
            ("high", "2025-06", 8, False),
            ("medium", "2025-05", 1, True),
            ("info", "2025-06", 5, False),
            ("high", "2025-06", 4, True),
        ]
    ):
        w = make_warning(ents[i % len(ents)], rule=list(Rule)[i // len(ents)], severity=sev)
        Warning.objects.filter(pk=w.pk).update(last_month=month)
        backdate_activity(w, days)
        if closed:
            Item.objects.filter(warning=w).update(status=Status.RESOLVED, is_open=False)
        made.append(w.pk)
    got = [w.pk for w in queries.ordered(queries.visible(world["admin"]).filter(pk__in=made))]
    rows = list(queries.visible(world["admin"]).filter(pk__in=made))
    expected = sorted(
        rows,
        key=lambda w: (
            0 if w.status in OPEN_STATUSES else 1,
            SEVERITY_ORDER.get(w.severity, 9),
            -int(w.last_month.replace("-", "")),
            w.last_activity_at,
        ),
    )
    assert got == [w.pk for w in expected]
    assert got[0] != made[0]  # the rule really reorders them
