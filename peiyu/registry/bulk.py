"""Fast bulk inserts for large registry loads (100,000 rows).

Django's ``bulk_create`` prepares every value through the field machinery and, on SQLite, is held
to 999 parameters per statement (about 50 enterprises per INSERT). Here values are adapted once per
column type and sent with one ``executemany`` of a prepared INSERT, which SQLite and PostgreSQL
(psycopg pipelines it) both run quickly. Only for plain column values; defaults are filled in from
the model fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import connection, models

CHUNK = 5000


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        cache: dict[Any, Any] = {}

        def adapt_json(v: Any) -> Any:
            key = tuple(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else None
            if key is None:
                return field.get_db_prep_save(v, connection)
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = field.get_db_prep_save(v, connection)
            return hit

        return adapt_json
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda v: v


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> int:
    """INSERT rows (tuples in ``fields`` order; FKs by ``<name>_id``). ``constants`` gives columns with
    the same value in every row; every other concrete column gets its model default. Returns the
    number of rows."""
    meta = model._meta
    constants = constants or {}
    # concrete columns only: a reverse relation has no column to insert into
    given = [
        cast(models.Field, meta.get_field(f[:-3] if f.endswith("_id") and not _is_field(meta, f) else f))
        for f in fields
    ]
    others = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.attname not in {g.attname for g in given} and f.name not in fields
    ]
    columns = [cast(str, f.column) for f in [*given, *others]]  # concrete fields have a column
    adapters = [_adapter(g) for g in given]
    defaults = []
    for f in others:
        value = constants[f.name] if f.name in constants else f.get_default()
        defaults.append(_adapter(f)(value) if value is not None else None)
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(meta.db_table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    tail = tuple(defaults)
    count = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(
                tuple(a(v) if v is not None else None for a, v in zip(adapters, row, strict=True)) + tail
            )
            if len(batch) >= CHUNK:
                cur.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            count += len(batch)
    return count


def _is_field(meta: Any, name: str) -> bool:
    try:
        meta.get_field(name)
        return True
    except Exception:
        return False
