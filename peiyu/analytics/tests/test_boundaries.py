"""The engine boundary, checked on the source tree: only the DuckDB engine module imports duckdb or
writes ``read_parquet``, and every production function that runs SQL through a Runner is a
registered analytics query (so the engine agreement test, which iterates the registry, misses none).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import peiyu
from peiyu.analytics import queries
from peiyu.analytics.registry import registered_functions

ROOT = Path(peiyu.__file__).resolve().parent
ENGINE = ROOT / "analytics" / "duckdb.py"
DYNAMIC_IMPORT = re.compile(r"""(__import__|import_module)\(\s*["']duckdb""")


def production_modules(root: Path) -> list[Path]:
    """Every Python file of the product: not tests, not migrations."""
    return sorted(
        p
        for p in root.rglob("*.py")
        if "tests" not in p.relative_to(root).parts and "migrations" not in p.relative_to(root).parts
    )


def engine_leaks(root: Path, engine: Path) -> list[str]:
    """``path: what`` for every production module other than ``engine`` that imports duckdb or
    writes read_parquet (in code, strings or comments)."""
    found = []
    for path in production_modules(root):
        if path == engine:
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root)
        if "read_parquet" in text:
            found.append(f"{rel}: read_parquet")
        for node in ast.walk(ast.parse(text)):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n == "duckdb" or n.startswith("duckdb.") for n in names):
                found.append(f"{rel}:{getattr(node, 'lineno', 0)}: import duckdb")
        if DYNAMIC_IMPORT.search(text):
            found.append(f"{rel}: dynamic import of duckdb")
    return found


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def runner_users(root: Path) -> set[tuple[str, str]]:
    """``(module, qualname)`` of every production function (outside peiyu/analytics) whose body
    constructs a ``Runner``."""
    out: set[tuple[str, str]] = set()
    for path in production_modules(root):
        if path.is_relative_to(root / "analytics"):
            continue
        module = _module_name(root, path)

        def visit(node: ast.AST, prefix: str, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    qual = f"{prefix}{child.name}"
                    if not isinstance(child, ast.ClassDef) and _constructs_runner(child):
                        out.add((module, qual))
                    visit(child, f"{qual}.<locals>." if not isinstance(child, ast.ClassDef) else f"{qual}.")

        visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return out


def _constructs_runner(func: ast.AST) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Name) and f.id == "Runner") or (
                isinstance(f, ast.Attribute) and f.attr == "Runner"
            ):
                return True
    return False


def test_only_the_duckdb_engine_imports_duckdb_or_writes_read_parquet():
    assert ENGINE.exists()
    assert engine_leaks(ROOT, ENGINE) == []
    text = ENGINE.read_text(encoding="utf-8")
    assert "import duckdb" in text and "read_parquet" in text  # the scan looks at the right file


def test_the_scan_catches_a_leak(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "app" / "tests").mkdir(parents=True)
    (pkg / "engine.py").write_text("import duckdb\n")
    (pkg / "app" / "views.py").write_text("import duckdb.typing\nSQL = \"SELECT * FROM read_parquet('x')\"\n")
    (pkg / "app" / "other.py").write_text("m = __import__('duckdb')\n")
    (pkg / "app" / "tests" / "test_x.py").write_text("import duckdb\n")
    leaks = engine_leaks(pkg, pkg / "engine.py")
    assert sorted(leaks) == [
        "app/other.py: dynamic import of duckdb",
        "app/views.py: read_parquet",
        "app/views.py:1: import duckdb",
    ]


def test_every_function_that_builds_a_runner_is_a_registered_query():
    users = runner_users(ROOT)
    assert ("peiyu.taxes.analytics", "grouped") in users  # the scan finds the known ones
    assert ("peiyu.alerts.analytics", "window_sums") in users
    missing = sorted(users - registered_functions())
    assert missing == [], f"register these with @analytics.query: {missing}"


def test_every_registered_query_has_a_unique_app_qualified_name():
    names = list(queries())
    assert len(names) == len(set(names)) >= 10
    for name in names:
        app, _, what = name.partition(".")
        assert app and what, name
