"""Registry import, end to end: a generated 100,000-row market-supervision export (.xlsx with a title
row, synonyms in the header, text-formatted codes, a few deliberately bad rows), imported into an
empty registry (all created), then imported again with 2% of rows changed (updates + dated events).

Baseline measured in the same run: iterating the same file with openpyxl in read-only mode (the
usual "just read the spreadsheet" cost). Result keys: seconds for each phase and the ratio
``first_import / openpyxl_read``.

    python -m bench.run registry_import         (PEIYU_BENCH_ROWS=100000 by default)
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("PEIYU_BENCH_ROWS", "100000"))
HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "成立日期",
    "登记状态",
    "行业代码",
    "住所",
    "所属街镇",
    "变更日期",
]


def make_rows(n: int, seed: int = 7) -> list[list[Any]]:
    from peiyu.registry.demo import AREA_WEIGHTS, STATUSES, RegistryGenerator, small_classes

    rng = random.Random(seed)
    gen = RegistryGenerator(rng, small_classes())
    areas = list(AREA_WEIGHTS)
    status_forms = {
        "存续": ["存续（在营、开业、在册）", "存续", "在营（开业）企业"],
        "在业": ["在业"],
        "迁出": ["迁出"],
        "注销": ["注销", "已注销"],
        "吊销": ["吊销，未注销", "吊销"],
    }
    rows = []
    for i in range(n):
        key, code = gen.industry()
        est = gen.established()
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        industry = rng.choice([code, f"{_section(code)}{code}", f"{_section(code)} {code}"])
        area = rng.choice(areas)
        area = rng.choice([area, f"上海市普陀区{area}"])
        date_cell: Any = (
            est if rng.random() < 0.8 else est.strftime(rng.choice(["%Y/%m/%d", "%Y年%m月%d日", "%Y-%m-%d"]))
        )
        rows.append(
            [
                i + 1,
                gen.credit_code(est),
                gen.name(key),
                "张三",
                date_cell,
                rng.choice(status_forms[status]),
                industry,
                gen.address(),
                area,
                est + dt.timedelta(days=400) if status == "迁出" and est.year < 2024 else None,
            ]
        )
    # a few bad rows, as real exports have them
    for j in range(0, n, max(n // 20, 1))[1:]:
        rows[j][1] = rows[j][1][:-1] + ("0" if rows[j][1][-1] != "0" else "1")  # wrong check character
    return rows


_SECTIONS: dict[str, str] = {}


def _section(code: str) -> str:
    if not _SECTIONS:
        from peiyu.registry.classify import taxonomy

        _SECTIONS.update(taxonomy().division_section)
    return _SECTIONS.get(code[:2], "")


def write_xlsx(path: Path, rows: list[list[Any]], title: str = "上海市普陀区市场主体名录（导出）") -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("名录")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, title)
    for j, h in enumerate(HEADER):
        ws.write_string(1, j, h)
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, int):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))
    wb.close()


def openpyxl_read(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for row in wb.worksheets[0].iter_rows(values_only=True):
        n += 1 if row else 0
    wb.close()
    return n


def main() -> dict[str, Any]:
    from peiyu.registry.importer import import_file
    from peiyu.registry.models import Enterprise

    work = Path(tempfile.mkdtemp(prefix="peiyu-bench-registry-"))
    t = time.perf_counter()
    rows = make_rows(ROWS)
    path = work / "registry.xlsx"
    write_xlsx(path, rows)
    generate_s = time.perf_counter() - t

    t = time.perf_counter()
    openpyxl_rows = openpyxl_read(path)
    openpyxl_s = time.perf_counter() - t

    Enterprise.objects.all().delete()
    t = time.perf_counter()
    first = import_file(path)
    first_s = time.perf_counter() - t

    # second file: 2% of rows changed (status to 迁出 with a date, new industry code, new area)
    rng = random.Random(11)
    for row in rng.sample(rows, len(rows) // 50):
        what = rng.random()
        if what < 0.4:
            row[5], row[9] = "迁出", dt.date(2025, 6, 30)
        elif what < 0.7:
            row[6] = "6511"
        else:
            row[8] = "桃浦镇"
    path2 = work / "registry2.xlsx"
    write_xlsx(path2, rows)
    t = time.perf_counter()
    second = import_file(path2)
    second_s = time.perf_counter() - t

    return {
        "rows": ROWS,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_file_s": round(generate_s, 2),
        "openpyxl_read_only_s": round(openpyxl_s, 2),
        "openpyxl_rows": openpyxl_rows,
        "first_import_s": round(first_s, 2),
        "first_import_phases_s": {k: round(v, 2) for k, v in first.timings.items()},
        "first": {
            k: first.as_dict()[k] for k in ("accepted", "created", "updated", "rejected", "by_key_industry")
        },
        "second_import_s": round(second_s, 2),
        "second": {
            k: second.as_dict()[k]
            for k in ("accepted", "created", "updated", "unchanged", "rejected", "events")
        },
        "ratio_first_import_vs_openpyxl_read": round(first_s / openpyxl_s, 2) if openpyxl_s else None,
        "rows_per_second_first_import": round(ROWS / first_s) if first_s else None,
    }
