"""Derived figures cached until the data changes: the home page's panels and other read-mostly results.

A **generation** token changes whenever a statement writes to the database: every INSERT,
UPDATE, DELETE or REPLACE through Django's connections, bulk and raw statements included (a
connection execute wrapper sees them), except writes to the tables that change while merely
reading a page (audit log, sessions, login throttling, the job queue). The writing process sees
its own writes at once (a per-process counter); the others through a token file in the data folder
(``cache-generation``), written at once in autocommit and on commit inside a transaction, so a
rolled-back write changes nothing for them. ``tax_library_changed`` and ``dimension_changed``
(Parquet files, not rows) write it too. All gunicorn workers and ``peiyu worker`` share the file;
no new server is needed.

Values live in the process's local-memory cache (nothing leaves the process) for at most ``TTL``
seconds, which bounds how stale a figure derived from the clock (overdue counts) can be. Keys
always contain the user and their access epoch: a value is never served to another user or after
a scope change.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")
TTL = 120  # seconds
# rows written as a side effect of reading a page: they must not invalidate what the page shows
QUIET_TABLES = ("accounts_auditlog", "django_session", "django_admin_log", "axes_", "django_tasks")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_MISSING = object()


def _path() -> Path:
    return Path(settings.DATA_DIR) / "cache-generation"


_local = [0]  # writes seen by this process (all threads): its own changes count at once


def generation() -> str:
    """The current data generation: the shared token and this process's own write count."""
    try:
        with open(_path(), encoding="ascii") as fh:
            shared = fh.read(64)
    except OSError:
        shared = ""
    return f"{shared}.{_local[0]}"


def bump(conn: Any = None) -> None:
    """A write happened: this process sees it at once; the other processes when it is committed
    (at once outside a transaction; inside one, on commit, registered once per savepoint level)."""
    _local[0] += 1
    conn = conn or transaction.get_connection()
    if not conn.in_atomic_block:
        _write()
        return
    outer, level = conn.atomic_blocks[0], tuple(conn.savepoint_ids)
    seen = getattr(conn, "_peiyu_dc_level", None)
    if seen is None or seen[0] is not outer or seen[1] != level:
        conn._peiyu_dc_level = (outer, level)  # holds the block: its id cannot be reused meanwhile
        conn.on_commit(_write)


def _write() -> None:
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        tmp.write_text(uuid.uuid4().hex[:16], encoding="ascii")
        os.replace(tmp, path)
    except OSError:  # a read-only data folder: caching still expires by TTL
        pass


# a login stamping the user's last_login (Django's update_last_login): not data any page is built from
_LAST_LOGIN = re.compile(r"^\s*update accounts_user set last_login = (%s|\?) where ")


def _writes(sql: str) -> bool:
    """Whether ``sql`` changes rows that pages show (not the audit log, sessions, throttling, jobs,
    nor a login's last_login stamp: 200 people logging in must not throw every page away 200 times)."""
    head = sql.lstrip()[:7].upper()
    if not head.startswith(_WRITES):
        return False
    target = sql[:200].replace('"', "").replace("`", "").lower()
    if _LAST_LOGIN.match(target):
        return False
    for word in ("into ", "update ", "from "):
        at = target.find(word)
        if at >= 0:
            table = target[at + len(word) :].lstrip()
            return not table.startswith(QUIET_TABLES)
    return True


def execute_wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _writes(sql):
        bump(context.get("connection") if isinstance(context, dict) else None)
    return result


def install(connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch this connection's writes."""
    if execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(execute_wrapper)


def on_data_change(sender: Any = None, **kwargs: Any) -> None:
    _local[0] += 1
    _write()  # files already written: every process sees them now


def user_key(user: Any) -> str:
    """Who a value is for: the user and their access epoch (role, scope, password changes)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anon"
    return f"u{user.pk}e{getattr(user, 'access_epoch', 0)}"


def enabled() -> bool:
    return bool(getattr(settings, "PEIYU_DATA_CACHE", True))


def cached(name: str, user: Any, compute: Callable[[], T], ttl: int = TTL) -> T:
    """``compute()`` for ``user``, reused until the data changes (or ``ttl`` passes)."""
    if not enabled():
        return compute()
    cache = caches["default"]
    key = f"peiyu:dc:{generation()}:{user_key(user)}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, ttl)
    return value  # type: ignore[return-value]
