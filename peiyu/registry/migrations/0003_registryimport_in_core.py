"""The registry's import records move into the shared ``core.ImportBatch`` (kind "registry"):
every row is copied with its id (so audit rows naming a batch still find it), then the old table is
dropped and ``RegistryImport`` becomes a proxy of ``ImportBatch``."""

from django.core.management.color import no_style
from django.db import migrations


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("registry", "RegistryImport")
    Batch = apps.get_model("core", "ImportBatch")
    batches = [
        Batch(
            id=old.id,
            kind="registry",
            file_name=old.file_name,
            sha256=old.sha256,
            user_id=old.uploaded_by_id,
            started_at=old.created_at,
            finished_at=old.created_at,
            status=old.status,
            message=old.message,
            rows=old.rows,
            accepted=old.accepted,
            rejected=old.rejected,
            counts={
                "created": old.created,
                "updated": old.updated,
                "unchanged": (old.report or {}).get("unchanged", 0),
            },
            options={"strict": old.strict},
            errors=old.errors or [],
            report={
                "status": old.status,
                "message": old.message,
                "file": old.file_name,
                "sha256": old.sha256,
                "rows": old.rows,
                "accepted": old.accepted,
                "rejected": old.rejected,
                "created": old.created,
                "updated": old.updated,
                "error_total": len(old.errors or []),
                "seconds": old.seconds,
                **(old.report or {}),
            },
            seconds=old.seconds,
        )
        for old in Old.objects.all().iterator()
    ]
    if not batches:
        return
    Batch.objects.bulk_create(batches, batch_size=200)
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Batch]):
        schema_editor.execute(sql)


def copy_back(apps, schema_editor):
    Old = apps.get_model("registry", "RegistryImport")
    Batch = apps.get_model("core", "ImportBatch")
    for b in Batch.objects.filter(kind="registry").iterator():
        Old.objects.create(
            id=b.id,
            file_name=b.file_name,
            sha256=b.sha256,
            status=b.status if b.status in ("accepted", "partial", "rejected") else "rejected",
            strict=bool((b.options or {}).get("strict")),
            message=b.message,
            rows=b.rows,
            accepted=b.accepted,
            created=(b.counts or {}).get("created", 0),
            updated=(b.counts or {}).get("updated", 0),
            rejected=b.rejected,
            errors=b.errors,
            report={k: (b.report or {}).get(k) for k in ("by_key_industry", "columns", "unchanged")},
            seconds=b.seconds,
            uploaded_by_id=b.user_id,
            created_at=b.started_at,
        )
    Batch.objects.filter(kind="registry").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_upload_importbatch"),
        ("registry", "0002_registryimport"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="RegistryImport"),
        migrations.CreateModel(
            name="RegistryImport",
            fields=[],
            options={
                "verbose_name": "名录导入批次",
                "verbose_name_plural": "名录导入批次",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("core.importbatch",),
        ),
    ]
