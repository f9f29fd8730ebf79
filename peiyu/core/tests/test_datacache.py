"""The data cache: a value is reused until any row (or the tax library) changes, never across users,
and reading a page (which writes the audit log) does not throw it away."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from peiyu.accounts.audit import record
from peiyu.core import datacache
from peiyu.core.signals import tax_library_changed
from peiyu.registry.models import Enterprise
from peiyu.testing.factories import EnterpriseFactory, UserFactory


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


@pytest.mark.django_db
def test_reused_until_a_row_changes_by_save_update_or_raw_sql():
    user = UserFactory()
    ent = EnterpriseFactory()
    compute = Counter()
    assert datacache.cached("t", user, compute) == 1
    assert datacache.cached("t", user, compute) == 1  # reused
    ent.name = "上海改名测试有限公司"
    ent.save()
    assert datacache.cached("t", user, compute) == 2
    Enterprise.objects.filter(pk=ent.pk).update(name="上海批量更新有限公司")  # no post_save
    assert datacache.cached("t", user, compute) == 3
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE registry_enterprise SET name = %s WHERE id = %s", ["上海原始语句有限公司", ent.pk]
        )
    assert datacache.cached("t", user, compute) == 4
    Enterprise.objects.filter(pk=ent.pk).delete()
    assert datacache.cached("t", user, compute) == 5
    tax_library_changed.send(sender=None)  # Parquet files, not rows
    assert datacache.cached("t", user, compute) == 6


@pytest.mark.django_db
def test_reading_writes_the_audit_log_without_invalidating():
    user = UserFactory()
    compute = Counter()
    datacache.cached("t", user, compute)
    record(user, "taxes.dashboard.view", object_type="view", object_repr="产业税收")
    assert datacache.cached("t", user, compute) == 1


@pytest.mark.django_db
def test_never_shared_between_users_or_after_a_scope_change():
    a, b = UserFactory(), UserFactory()
    assert datacache.cached("t", a, lambda: "a") == "a"
    assert datacache.cached("t", b, lambda: "b") == "b"
    assert datacache.user_key(a) != datacache.user_key(b)
    before = datacache.user_key(a)
    a.access_epoch += 1
    assert datacache.user_key(a) != before


@pytest.mark.django_db
def test_disabled_by_setting(settings):
    settings.PEIYU_DATA_CACHE = False
    user = UserFactory()
    compute = Counter()
    datacache.cached("t", user, compute)
    assert datacache.cached("t", user, compute) == 2


@pytest.mark.django_db(transaction=True)
def test_other_processes_see_a_change_when_it_commits_and_not_a_rolled_back_one(monkeypatch):
    # the shared token is a file in the data folder; other test processes may write it too, so
    # what is counted here is this process's writes of it
    EnterpriseFactory()
    shared: list[str] = []
    monkeypatch.setattr(datacache, "_write", lambda: shared.append("w"))
    with transaction.atomic():
        Enterprise.objects.update(name="上海事务内更新有限公司")
        Enterprise.objects.update(name="上海事务内再次更新有限公司")
        assert shared == []  # not yet: other processes must not see uncommitted rows
    assert shared == ["w"]  # committed: once per transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        Enterprise.objects.update(name="上海回滚更新有限公司")
        raise RuntimeError
    assert shared == ["w"]  # nothing was committed: others keep their values
    Enterprise.objects.update(name="上海自动提交有限公司")  # autocommit: at once
    assert shared == ["w", "w"]


def test_the_token_file_changes_on_each_write(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = datacache.generation()
    datacache._write()
    second = datacache.generation()
    datacache._write()
    assert len({first, second, datacache.generation()}) == 3


@pytest.mark.django_db
def test_a_login_stamp_keeps_the_cache_but_a_user_change_does_not(client):
    from django.contrib.auth.models import update_last_login

    user = UserFactory()
    compute = Counter()
    datacache.cached("t", user, compute)
    update_last_login(None, user)  # what every login does
    assert datacache.cached("t", user, compute) == 1
    user.display_name = "改名"
    user.save(update_fields=["display_name"])
    assert datacache.cached("t", user, compute) == 2
    user.last_login = None
    user.display_name = "再改名"
    user.save(update_fields=["last_login", "display_name"])  # more than the stamp: a change
    assert datacache.cached("t", user, compute) == 3
