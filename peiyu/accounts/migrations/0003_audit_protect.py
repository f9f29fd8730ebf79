# Audit rows are append-only at the database level too: triggers abort UPDATE and DELETE (and
# TRUNCATE on PostgreSQL) of accounts_auditlog. The SQL is written out here so that this migration
# never changes; peiyu.accounts.triggers holds the same statements for flush and post_migrate.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MESSAGE = "audit log is append-only (审计记录只可追加，不可修改或删除)"
SQLITE_CREATE = [
    "CREATE TRIGGER IF NOT EXISTS peiyu_audit_no_update BEFORE UPDATE ON accounts_auditlog "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    "CREATE TRIGGER IF NOT EXISTS peiyu_audit_no_delete BEFORE DELETE ON accounts_auditlog "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS peiyu_audit_no_update;", "DROP TRIGGER IF EXISTS peiyu_audit_no_delete;"]
POSTGRES_CREATE = [
    "CREATE OR REPLACE FUNCTION peiyu_audit_append_only() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; "
    "$$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS peiyu_audit_no_change ON accounts_auditlog;",
    "CREATE TRIGGER peiyu_audit_no_change BEFORE UPDATE OR DELETE ON accounts_auditlog "
    "FOR EACH ROW EXECUTE FUNCTION peiyu_audit_append_only();",
    "DROP TRIGGER IF EXISTS peiyu_audit_no_truncate ON accounts_auditlog;",
    "CREATE TRIGGER peiyu_audit_no_truncate BEFORE TRUNCATE ON accounts_auditlog "
    "FOR EACH STATEMENT EXECUTE FUNCTION peiyu_audit_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS peiyu_audit_no_change ON accounts_auditlog;",
    "DROP TRIGGER IF EXISTS peiyu_audit_no_truncate ON accounts_auditlog;",
    "DROP FUNCTION IF EXISTS peiyu_audit_append_only();",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditlog",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
