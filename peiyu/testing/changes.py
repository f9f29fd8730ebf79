"""Which rows did a request write? Database triggers on every project table record each insert,
update and delete into a scratch table, on SQLite (temporary triggers of the test connection) and on
PostgreSQL (triggers created inside the test's transaction, rolled back with it).

The POST half of the scope walk uses it: after each POST it asks what changed and checks every
changed row against the persona's CHANGE scope — a read-only leader must change nothing, an area
officer nothing outside the area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

#: Tables whose writes are bookkeeping, not data: the append-only audit log (denied attempts and
#: views are recorded there on purpose), sessions and login throttling, the cache generation counter.
IGNORED_TABLES = {
    "accounts_auditlog",
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "core_generation",
}

LOG = "peiyu_walk_changes"


@dataclass(frozen=True)
class Change:
    table: str
    pk: str
    op: str  # I, U, D
    model: Any

    def __str__(self) -> str:
        verb = {"I": "新增", "U": "修改", "D": "删除"}.get(self.op, self.op)
        return f"{verb} {self.model._meta.label if self.model else self.table}#{self.pk}"


def _tables() -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in IGNORED_TABLES:
            continue
        if not (model.__module__.startswith("peiyu.") or meta.auto_created):
            continue
        if meta.auto_created and not meta.auto_created.__module__.startswith("peiyu."):
            continue
        out[meta.db_table] = (model, str(meta.pk.column))
    return out


class ChangeLog:
    """Install with :meth:`install` inside a test (db access), then :meth:`take` after each request."""

    def __init__(self) -> None:
        self.tables = _tables()

    def install(self) -> None:
        vendor = connection.vendor
        with connection.cursor() as cur:
            if vendor == "sqlite":
                cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {LOG} (tbl TEXT, pk TEXT, op TEXT)")
                for table, (_model, pk) in self.tables.items():
                    for op, when, row in (
                        ("I", "INSERT", "NEW"),
                        ("U", "UPDATE", "NEW"),
                        ("D", "DELETE", "OLD"),
                    ):
                        cur.execute(
                            f'CREATE TEMP TRIGGER IF NOT EXISTS "walk_{op}_{table}" AFTER {when} ON main."{table}" '
                            f"BEGIN INSERT INTO {LOG} VALUES ('{table}', {row}.\"{pk}\", '{op}'); END"
                        )
            elif vendor == "postgresql":
                cur.execute(f"CREATE TABLE IF NOT EXISTS {LOG} (tbl TEXT, pk TEXT, op TEXT)")
                cur.execute(
                    "CREATE OR REPLACE FUNCTION peiyu_walk_log() RETURNS trigger AS $$ BEGIN "
                    f"IF TG_OP = 'DELETE' THEN INSERT INTO {LOG} VALUES (TG_TABLE_NAME, to_jsonb(OLD)->>TG_ARGV[0], 'D'); "
                    "RETURN OLD; END IF; "
                    f"INSERT INTO {LOG} VALUES (TG_TABLE_NAME, to_jsonb(NEW)->>TG_ARGV[0], left(TG_OP, 1)); "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
                for i, (table, (_model, pk)) in enumerate(self.tables.items()):
                    cur.execute(
                        f'CREATE TRIGGER "peiyu_walk_{i}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                        f"FOR EACH ROW EXECUTE FUNCTION peiyu_walk_log('{pk}')"
                    )
            else:  # pragma: no cover - the suite runs on SQLite and PostgreSQL
                raise NotImplementedError(vendor)

    def take(self) -> list[Change]:
        """The rows written since the last call (each row once, last operation wins)."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT tbl, pk, op FROM {LOG}")
            rows = cur.fetchall()
            cur.execute(f"DELETE FROM {LOG}")
        seen: dict[tuple[str, str], str] = {}
        for table, pk, op in rows:
            key = (table, str(pk))
            if seen.get(key) == "I" and op == "U":
                continue  # inserted then updated: still an insert
            seen[key] = op
        return [Change(t, pk, op, self.tables.get(t, (None, ""))[0]) for (t, pk), op in seen.items()]
