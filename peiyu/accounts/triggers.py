"""Database-level append-only protection for the audit table (SQLite and PostgreSQL).

Used by migration 0003 and by the ``flush`` command (which must erase the whole database)."""

from __future__ import annotations

from typing import Any

TABLE = "accounts_auditlog"
MESSAGE = "audit log is append-only (审计记录只可追加，不可修改或删除)"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS peiyu_audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS peiyu_audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS peiyu_audit_no_update;",
    "DROP TRIGGER IF EXISTS peiyu_audit_no_delete;",
]
POSTGRES_CREATE = [
    "CREATE OR REPLACE FUNCTION peiyu_audit_append_only() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; "
    "$$ LANGUAGE plpgsql;",
    f"DROP TRIGGER IF EXISTS peiyu_audit_no_change ON {TABLE};",
    f"CREATE TRIGGER peiyu_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION peiyu_audit_append_only();",
    f"DROP TRIGGER IF EXISTS peiyu_audit_no_truncate ON {TABLE};",
    f"CREATE TRIGGER peiyu_audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION peiyu_audit_append_only();",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS peiyu_audit_no_change ON {TABLE};",
    f"DROP TRIGGER IF EXISTS peiyu_audit_no_truncate ON {TABLE};",
]


def _statements(vendor: str, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return []


def install(connection: Any) -> bool:
    """Create the triggers (idempotent); False when the vendor is unsupported or the table is absent."""
    if TABLE not in connection.introspection.table_names():
        return False
    statements = _statements(connection.vendor, True)
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)
    return bool(statements)


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, False):
            cur.execute(sql)


def installed(connection: Any) -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger' AND tbl_name=%s", [TABLE])
            return cur.fetchone()[0] >= 2
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
            return cur.fetchone()[0] >= 2
    return False


def reinstall_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: put the triggers back if a later migration rebuilt the table (SQLite rebuilds a
    table on many ALTERs, which drops its triggers)."""
    from django.db import connections

    install(connections[using])
