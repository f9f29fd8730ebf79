"""``flush`` erases every table, the audit log included. Django's own command would be stopped by the
audit table's append-only triggers, so this one lifts them for the duration of the flush only and
puts them back (the test suite's transactional tests flush after each test)."""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

from peiyu.accounts import triggers


class Command(flush.Command):
    peiyu_hidden = True  # Django's flush, for the test suite; not a Peiyu command

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        ops = connection.ops
        original = ops.execute_sql_flush

        def execute_sql_flush(sql_list):
            triggers.remove(connection)
            try:
                return original(sql_list)
            finally:
                triggers.install(connection)

        ops.execute_sql_flush = execute_sql_flush
        try:
            return super().handle(**options)
        finally:
            del ops.execute_sql_flush
