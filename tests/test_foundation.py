"""The foundation: configuration from the environment, the peiyu command, migrations in step with models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def run_peiyu(
    *args: str, env: dict[str, str] | None = None, timeout: int = 180
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "peiyu", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"模型改动缺少迁移文件：\n{out.getvalue()}") if exc.code else None


def test_help_lists_commands_in_plain_words():
    result = run_peiyu("--help")
    assert result.returncode == 0, result.stderr
    for name in ("init", "serve", "demo", "import-enterprises", "import-tax", "stats"):
        assert f"  {name}" in result.stdout
    assert "导入税务部门月度企业税收文件" in result.stdout


def test_init_creates_database_and_reference_data_in_the_data_dir(tmp_path):
    result = run_peiyu("init", "--json", env={"PEIYU_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    loaded = payload["loaded"]
    core = {k: loaded[k] for k in ("departments", "industry_codes", "areas", "key_industries")}
    assert core == {"departments": 20, "industry_codes": 1971, "areas": 10, "key_industries": 4}
    # apps contribute their own reference data (services' request categories come with a migration)
    assert "service_categories" in loaded
    assert (tmp_path / "peiyu.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()
    # idempotent: a second run loads nothing new and keeps the same secret key
    key = (tmp_path / "secret_key").read_text()
    again = run_peiyu("init", "--json", env={"PEIYU_DATA_DIR": str(tmp_path)})
    second = json.loads(again.stdout.strip().splitlines()[-1])["loaded"]
    assert set(second) == set(loaded)
    assert set(second.values()) == {0}
    assert (tmp_path / "secret_key").read_text() == key


def test_debug_is_off_unless_asked(tmp_path):
    code = "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='peiyu.settings';from django.conf import settings;print(settings.DEBUG)"
    env = {k: v for k, v in os.environ.items() if k != "PEIYU_DEBUG"}
    env["PEIYU_DATA_DIR"] = str(tmp_path)
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    on = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "PEIYU_DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() == "False" and on.stdout.strip() == "True"


def test_database_url_selects_postgresql(tmp_path):
    code = (
        "import os;os.environ['DJANGO_SETTINGS_MODULE']='peiyu.settings';from django.conf import settings;"
        "d=settings.DATABASES['default'];print(d['ENGINE'], d['NAME'], d['HOST'])"
    )
    env = {
        **os.environ,
        "PEIYU_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@db.example:5432/peiyu",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["django.db.backends.postgresql", "peiyu", "db.example"]


def test_reference_data_is_package_data_not_read_from_shared():
    from importlib import resources

    files = {p.name for p in resources.files("peiyu.core").joinpath("data").iterdir()}
    assert {"gbt4754_2017_industry.csv", "putuo_subdistricts.csv"} <= files
    import re

    opens_shared = re.compile(
        r"""["'][^"'\n]*\.\./shared"""
    )  # a string literal naming ../shared (not a comment)
    for path in ROOT.joinpath("peiyu").rglob("*.py"):
        assert not opens_shared.search(path.read_text(encoding="utf-8")), path


def test_static_vendor_files_come_from_npm():
    package = json.loads((ROOT / "package.json").read_text())
    assert {"@tabler/core", "echarts", "htmx.org"} <= set(package["dependencies"])
    assert (ROOT / "package-lock.json").exists()
    vendor = ROOT / "peiyu" / "web" / "static" / "vendor"
    for rel in (
        "tabler/tabler.min.css",
        "tabler/tabler.min.js",
        "htmx/htmx.min.js",
        "echarts/echarts.min.js",
    ):
        assert (vendor / rel).stat().st_size > 1000, rel
