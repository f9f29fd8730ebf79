"""The data migration that moved warnings onto tracked work keeps every warning's loop: owner,
status, closing, every history row (who, when, what) and every follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("alerts", "0002_alertsettings_series_min_fen")]


@pytest.mark.django_db(transaction=True)
def test_warnings_keep_their_owner_status_history_and_follow_ups():
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Enterprise = old.get_model("registry", "Enterprise")
    Warning = old.get_model("alerts", "Warning")
    WarningEvent = old.get_model("alerts", "WarningEvent")
    FollowUp = old.get_model("alerts", "FollowUp")
    officer = User.objects.create(username="taopu_m", role="area")
    ent = Enterprise.objects.create(credit_code="91310107MA1G000001", name="上海迁移测试有限公司")
    t0 = timezone.now() - dt.timedelta(days=20)
    w = Warning.objects.create(
        enterprise=ent,
        rule="yoy_drop",
        severity="high",
        status="following",
        first_month="2025-05",
        last_month="2025-06",
        summary="同比下降 40%",
        owner=officer,
        owner_basis="area",
        created_at=t0,
        last_activity_at=t0 + dt.timedelta(days=3),
    )
    closed = Warning.objects.create(
        enterprise=ent,
        rule="spike",
        status="dismissed",
        first_month="2025-04",
        last_month="2025-04",
        owner=officer,
        created_at=t0,
        last_activity_at=t0,
        closed_at=t0 + dt.timedelta(days=1),
        closed_by=officer,
        resolution="一次性入库",
    )
    rows = [
        ("created", "", "new", "2025-05", None, t0),
        ("updated", "", "", "2025-06", None, t0 + dt.timedelta(days=1)),
        ("acknowledged", "new", "acknowledged", "", officer, t0 + dt.timedelta(days=2)),
        ("followup", "acknowledged", "following", "", officer, t0 + dt.timedelta(days=3)),
    ]
    for kind, frm, to, month, user, when in rows:
        WarningEvent.objects.create(
            warning=w, kind=kind, from_status=frm, to_status=to, month=month, user=user, time=when, note=kind
        )
    FollowUp.objects.create(
        warning=w,
        kind="visit",
        date=dt.date(2025, 7, 1),
        contact="王总",
        note="走访财务总监",
        created_by=officer,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(leaf)

    from peiyu.alerts.models import Warning as W
    from peiyu.work.models import Event, Note

    w2 = W.objects.select_related("item").get(pk=w.pk)
    item = w2.item
    assert item.kind == "alerts.warning" and item.source_id == w.pk
    assert (w2.status, w2.owner.username, w2.owner_basis) == ("following", "taopu_m", "area")
    assert w2.is_open and item.is_open and item.last_activity_at == t0 + dt.timedelta(days=3)
    assert item.opened_at == t0 and item.entered_at == t0 + dt.timedelta(days=3)
    assert item.due_at == item.last_activity_at + dt.timedelta(days=14)  # the default overdue days
    history = list(
        Event.objects.filter(item=item)
        .order_by("time")
        .values_list("label", "from_status", "to_status", "user__username", "time")
    )
    assert history == [
        ("生成预警", "", "new", None, t0),
        ("月度更新", "", "", None, t0 + dt.timedelta(days=1)),
        ("确认", "new", "acknowledged", "taopu_m", t0 + dt.timedelta(days=2)),
        ("跟进", "acknowledged", "following", "taopu_m", t0 + dt.timedelta(days=3)),
    ]
    assert Event.objects.get(item=item, label="月度更新").month == "2025-06"
    note = Note.objects.get(item=item)
    assert (note.method, note.date, note.contact, note.text, note.created_by.username) == (
        "visit",
        dt.date(2025, 7, 1),
        "王总",
        "走访财务总监",
        "taopu_m",
    )
    c = W.objects.select_related("item").get(pk=closed.pk)
    assert not c.is_open and c.status == "dismissed" and c.resolution == "一次性入库"
    assert c.closed_by.username == "taopu_m" and c.item.due_at is None
