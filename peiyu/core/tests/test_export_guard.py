"""Every Excel/CSV export goes through :mod:`peiyu.core.export`, which neutralises formula-like text
(issue 19 §5): no other module writes a workbook or a CSV file for download."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from peiyu.core import export

ROOT = Path(export.__file__).resolve().parents[1]
WRITERS = re.compile(r"xlsxwriter\.Workbook\(|openpyxl\.Workbook\(|csv\.writer\(|text/csv")
ALLOWED = {"core/export.py", "taxes/demo.py"}  # the demo writes a sample input file, not an export


def test_no_export_bypasses_core_export():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or rel.startswith("testing/") or rel in ALLOWED:
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert not offenders, f"exports must use peiyu.core.export: {offenders}"


def test_formula_like_text_is_written_inert():
    cols = [export.Column("名称", "name")]
    rows = [{"name": t} for t in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "＝HYPERLINK()", "正常文字")]
    data = export.build_workbook([export.Table("表", cols, rows)])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value in {r["name"] for r in rows}]
    assert len(cells) == len(rows)
    for c in cells:
        assert c.data_type == "s"  # text, never a formula
        assert c.quotePrefix == (c.value != "正常文字"), c.value
    assert export.neutralise("=1+1") == "'=1+1" and export.neutralise("正常") == "正常"
