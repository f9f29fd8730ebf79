"""Migration registry 0003: the registry's import records move into core.ImportBatch with their ids,
counts and errors, and the report pages keep working on them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0002_registryimport"), ("core", "0002_upload_importbatch")]
AFTER = [("registry", "0003_registryimport_in_core")]


@pytest.mark.django_db(transaction=True)
def test_registry_import_records_are_copied_into_import_batches():
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes()
    try:
        _check_copy(executor)
    finally:
        # every app back at its latest migration: later tests in this process need all tables
        MigrationExecutor(connection).migrate(leaf)


def _check_copy(executor: MigrationExecutor) -> None:
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Old = old_apps.get_model("registry", "RegistryImport")
    kept = Old.objects.create(
        id=41,
        file_name="名录_2025.xlsx",
        sha256="ab" * 32,
        status="partial",
        strict=False,
        message="共 3 行：接受 2 行",
        rows=3,
        accepted=2,
        created=1,
        updated=1,
        rejected=1,
        errors=[{"row": 5, "column": "统一社会信用代码（A）", "value": "BAD", "message": "长度应为 18 位"}],
        report={"by_key_industry": {"智能软件": 1}, "columns": {"企业名称": "名称（B 列）"}, "unchanged": 0},
        seconds=1.5,
    )
    Old.objects.create(id=42, file_name="严格.csv", status="rejected", strict=True, message="严格模式")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from peiyu.core.models import ImportBatch
    from peiyu.registry.models import RegistryImport

    batch = RegistryImport.objects.get(pk=41)
    assert batch.kind == "registry" and batch.status == "partial" and batch.file_name == "名录_2025.xlsx"
    assert (batch.rows, batch.accepted, batch.rejected, batch.created, batch.updated) == (3, 2, 1, 1, 1)
    assert batch.errors[0]["value"] == "BAD" and batch.report["by_key_industry"] == {"智能软件": 1}
    assert batch.started_at == kept.created_at and not batch.strict
    assert RegistryImport.objects.get(pk=42).strict
    # new batches continue after the copied ids (the sequence was reset on PostgreSQL)
    new = ImportBatch.objects.create(kind="registry", file_name="新.xlsx")
    assert new.pk > 42
