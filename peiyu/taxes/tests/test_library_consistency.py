"""Staying consistent (issue 19 §4): a missing or damaged Parquet file degrades the pages of that
month with a clear message (no 500), /healthz reports it, ``peiyu check`` finds it and repairs what
it can; what a killed import leaves (orphan version folders, .tmp files) is removed."""

from __future__ import annotations

import io
import os
import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from peiyu.taxes import library
from peiyu.taxes.actions import do_import_tax_file
from peiyu.taxes.models import SharingRatio, TaxBatch
from peiyu.taxes.tests import taxfiles as tf


@pytest.fixture
def two_months(world, tmp_path):
    SharingRatio.objects.create(tax_type="增值税", valid_from="2020-01", district_pct=Decimal("25"))
    ents = list(world["enterprises"].values())
    for month in ("2025-02", "2025-03"):
        ps = [tf.Payer(e.credit_code, e.name, {"增值税": 100_000_00}) for e in ents]
        y, m = month.split("-")
        path = tf.write_wide(
            tmp_path / f"{month}.xlsx", ps, title=f"{y}年{int(m)}月税收", district_label=None
        )
        assert do_import_tax_file(world["admin"], path)["status"] == "accepted"
    return world


def _damage(month: str) -> None:
    b = TaxBatch.objects.get(month=month, is_active=True)
    assert b.version is not None
    library.fact_path(b.month, b.version).write_bytes(b"PAR1 not parquet any more")


@pytest.mark.django_db
def test_a_damaged_month_degrades_pages_and_healthz(two_months, client):
    _damage("2025-03")
    client.force_login(two_months["admin"])
    r = client.get("/taxes/")
    assert r.status_code == 200
    assert "2025-03" in r.content.decode() and "暂不可用" in r.content.decode()
    h = client.get("/healthz").json()
    assert h["status"] == "degraded" and h["tax_library"]["damaged_months"][0]["month"] == "2025-03"


@pytest.mark.django_db
def test_a_missing_file_is_named_by_check(two_months):
    b = TaxBatch.objects.get(month="2025-02", is_active=True)
    assert b.version is not None
    os.remove(library.fact_path(b.month, b.version))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("check", stdout=out)
    assert exc.value.returncode == 2
    assert "2025-02 第 1 版" in out.getvalue() and "缺失" in out.getvalue()


@pytest.mark.django_db
def test_check_removes_what_a_killed_import_left_and_rebuilds_derived(two_months):
    orphan = library.root() / "facts" / "month=2025-04" / "version=1"
    orphan.mkdir(parents=True)
    (orphan / "facts.parquet.tmp").write_bytes(b"half")
    old = time.time() - 3600
    for p in (orphan / "facts.parquet.tmp", orphan):
        os.utime(p, (old, old))
    fresh = library.root() / "facts" / "month=2025-05" / "version=1"  # an import running now
    fresh.mkdir(parents=True)
    out = io.StringIO()
    call_command("check", "--repair", stdout=out)
    text = out.getvalue()
    assert "一致" in text and "已清理" in text and "派生表" in text
    assert not orphan.exists() and fresh.exists()
    call_command("check", stdout=io.StringIO())  # consistent now: exit code 0


@pytest.mark.django_db
def test_healthz_ok(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
