"""Warnings move onto the tracked-work mechanism (peiyu.work): each warning gets an Item holding its
owner, status and closing fields; its WarningEvent rows become the item's Events and its FollowUp
rows the item's Notes, every row kept (who, when, what). Then the moved columns and tables go."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models

LABELS = {
    "created": ("opened", "生成预警"),
    "updated": ("source", "月度更新"),
    "cleared": ("source", "条件已消除"),
    "acknowledged": ("transition", "确认"),
    "followup": ("transition", "跟进"),
    "resolved": ("transition", "解决"),
    "dismissed": ("transition", "排除"),
    "reassigned": ("reassigned", "转派"),
    "auto_closed": ("transition", "自动关闭"),
}
OPEN = ("new", "acknowledged", "following")


def forward(apps, schema_editor):
    Warning = apps.get_model("alerts", "Warning")
    WarningEvent = apps.get_model("alerts", "WarningEvent")
    FollowUp = apps.get_model("alerts", "FollowUp")
    AlertSettings = apps.get_model("alerts", "AlertSettings")
    Item = apps.get_model("work", "Item")
    Event = apps.get_model("work", "Event")
    Note = apps.get_model("work", "Note")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Warning.objects.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="alerts", model="warning")
    cfg = AlertSettings.objects.filter(pk=1).first()
    days = cfg.overdue_days if cfg else 14
    for w in Warning.objects.order_by("id").iterator(chunk_size=500):
        last_change = (
            WarningEvent.objects.filter(warning=w)
            .exclude(to_status="")
            .exclude(from_status=models.F("to_status"))
            .order_by("-time")
            .values_list("time", flat=True)
            .first()
        )
        is_open = w.status in OPEN
        item = Item.objects.create(
            kind="alerts.warning",
            title=f"{w.summary or w.rule}"[:300],
            source_type=ct,
            source_id=w.pk,
            owner_id=w.owner_id,
            status=w.status,
            is_open=is_open,
            opened_at=w.created_at,
            entered_at=last_change or w.created_at,
            last_activity_at=w.last_activity_at,
            due_at=(w.last_activity_at + dt.timedelta(days=days)) if is_open else None,
            closed_at=w.closed_at,
            closed_by_id=w.closed_by_id,
            resolution=w.resolution,
            data={"owner_basis": w.owner_basis} if w.owner_basis else {},
        )
        Warning.objects.filter(pk=w.pk).update(item=item, is_open=is_open)
        Event.objects.bulk_create(
            [
                Event(
                    item=item,
                    time=e.time,
                    kind=LABELS.get(e.kind, ("source", e.kind))[0],
                    label=LABELS.get(e.kind, ("source", e.kind))[1],
                    user_id=e.user_id,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    note=e.note,
                    data={"month": e.month} if e.month else {},
                )
                for e in WarningEvent.objects.filter(warning=w).order_by("time", "id")
            ]
        )
        Note.objects.bulk_create(
            [
                Note(
                    item=item,
                    method=f.kind,
                    date=f.date,
                    contact=f.contact,
                    text=f.note,
                    created_at=f.created_at,
                    created_by_id=f.created_by_id,
                )
                for f in FollowUp.objects.filter(warning=w).order_by("id")
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_alertsettings_series_min_fen"),
        ("work", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="warning",
            name="item",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="warning",
                to="work.item",
                verbose_name="督办事项",
            ),
        ),
        migrations.AddField(
            model_name="warning",
            name="is_open",
            field=models.BooleanField(db_index=True, default=True, verbose_name="未关闭"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="warning", name="one_open_warning_per_enterprise_rule"),
        migrations.RemoveIndex(model_name="warning", name="alerts_warn_status_e97870_idx"),
        migrations.RemoveField(model_name="warning", name="status"),
        migrations.RemoveField(model_name="warning", name="owner"),
        migrations.RemoveField(model_name="warning", name="owner_basis"),
        migrations.RemoveField(model_name="warning", name="last_activity_at"),
        migrations.RemoveField(model_name="warning", name="closed_at"),
        migrations.RemoveField(model_name="warning", name="closed_by"),
        migrations.RemoveField(model_name="warning", name="resolution"),
        migrations.DeleteModel(name="FollowUp"),
        migrations.DeleteModel(name="WarningEvent"),
        migrations.AddConstraint(
            model_name="warning",
            constraint=models.UniqueConstraint(
                condition=models.Q(is_open=True),
                fields=("enterprise", "rule"),
                name="one_open_warning_per_enterprise_rule",
            ),
        ),
    ]
