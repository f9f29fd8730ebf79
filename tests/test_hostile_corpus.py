"""The hostile corpus (issue 19): more than 80 hostile and malformed files, generated here (see
:mod:`peiyu.testing.hostile`), fed to every importer — the tax import, the enterprise registry, the
targets and the user roster. Each is refused with a Chinese message (exit code 2) or accepted with
the right figures; none crashes (no internal error), none writes anything but the run's own record
(database triggers of :mod:`peiyu.testing.changes` see every row written), and each stays under
its memory limit (Python allocations by tracemalloc, the process's peak RSS by ``resource``)."""

from __future__ import annotations

import re
import resource
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from peiyu.testing import hostile as h

CJK = re.compile(r"[\u4e00-\u9fff]")
PY_LIMIT = 160 * 1024 * 1024  # Python allocations while one file is imported
RSS_GROWTH_LIMIT = 600 * 1024  # KB the process's peak RSS may grow by for one file
BOOKKEEPING = {"core_importbatch", "core_upload", "taxes_taxbatch", "registry_importrecord"}

# ---------------------------------------------------------------------------------------------
# The good table of each importer: the hostile files are built around it


GOOD: dict[str, list[list[Any]]] = {
    "taxes": [
        ["2025年3月重点企业税收明细"],
        ["纳税人识别号", "纳税人名称", "增值税", "企业所得税", "区级收入"],
        ["91310107MA1G000001", "上海甲有限公司", 1000.01, 200, 300],
        ["91310107MA1G000002", "上海乙有限公司", 50, 0, 10],
        ["合计", "", 1050.01, 200, 310],
    ],
    "registry": [
        ["统一社会信用代码", "企业名称", "行业", "街镇", "登记状态", "成立日期"],
        ["91310107MA1G0000X1", "上海甲有限公司", "6520", "长寿路街道", "存续", "2021-03-05"],
    ],
    "targets": [
        ["产业/指标", "年度", "区级税收目标（万元）", "增长目标(%)", "目标值", "责任部门", "单位", "备注"],
        ["智能软件", 2025, 1234.56, None, None, None, None, None],
    ],
    "users": [
        ["用户名", "姓名", "角色", "范围"],
        ["hostile01", "测试", "区领导", ""],
    ],
}


# The new apps' importers (module, class): a header of their own columns is enough for the hostile
# files, which fail before any row is looked at.
APP_IMPORTERS = {
    "attraction.projects": ("peiyu.attraction.importer", "ProjectImporter"),
    "carriers.buildings": ("peiyu.carriers.importer", "BuildingImporter"),
    "carriers.tenants": ("peiyu.carriers.importer", "TenantImporter"),
    "policies.ledger": ("peiyu.policies.importer", "LedgerImporter"),
    "services.requests": ("peiyu.services.importer", "RequestImporter"),
    "services.visits": ("peiyu.services.importer", "VisitImporter"),
    "taskforce.measures": ("peiyu.taskforce.importer", "MeasureImporter"),
    "taskforce.liaison": ("peiyu.taskforce.importer", "LiaisonImporter"),
}


def _importer_class(kind: str) -> Any:
    import importlib

    module, name = APP_IMPORTERS[kind]
    return getattr(importlib.import_module(module), name)


def _app_good(kind: str) -> list[list[Any]]:
    labels = [f.label for f in _importer_class(kind).fields][:8]
    labels += [f"备注{k}" for k in range(3 - len(labels))] if len(labels) < 3 else []
    return [labels, ["测试"] * len(labels)]


def run_import(kind: str, path: Path, world: dict) -> tuple[str, str, int]:
    """(status, message, exit code) of one importer on one file."""
    if kind == "taxes":
        from peiyu.taxes.actions import do_import_tax_file

        r = do_import_tax_file(world["admin"], path, path.name)
        errors = " ".join(e["message"] for e in r.get("errors") or [])
        code = 0 if r["status"] == "accepted" else 2
        return r["status"], f"{r.get('message', '')} {errors}", code
    if kind == "registry":
        from peiyu.registry.importer import RegistryImporter

        importer: Any = RegistryImporter(strict=True)
    elif kind == "targets":
        from peiyu.targets.importer import TargetImporter

        importer = TargetImporter()
    elif kind in APP_IMPORTERS:
        importer = _importer_class(kind)()
    else:
        from peiyu.accounts.roster import RosterImporter

        importer = RosterImporter()
    report = importer.run(path, path.name, user=world["admin"])
    errors = " ".join(str(e.get("message", "")) for e in report.errors or [])
    return str(report.status), f"{report.message} {errors}", report.exit_code


# ---------------------------------------------------------------------------------------------
# The files


@dataclass
class Case:
    name: str
    build: Callable[[Path, list[list[Any]]], Path]
    expect: str  # a word the refusal names (the message is Chinese); "" accepted
    check: Callable[[dict], None] | None = None


def _xlsx(name: str, **kw: Any) -> Callable[[Path, list[list[Any]]], Path]:
    return lambda d, rows: h.write_xlsx(d / name, [rows], **kw)


def _bytes(name: str, data: bytes) -> Callable[[Path, list[list[Any]]], Path]:
    def build(d: Path, rows: list[list[Any]]) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return build


def _text(name: str, make: Callable[[str], bytes]) -> Callable[[Path, list[list[Any]]], Path]:
    def build(d: Path, rows: list[list[Any]]) -> Path:
        (d / name).write_bytes(make(h.csv_text(rows)))
        return d / name

    return build


def _truncated(d: Path, rows: list[list[Any]]) -> Path:
    good = h.write_xlsx(d / "good.xlsx", [rows])
    return h.truncated(d / "truncated.xlsx", good, 0.6)


def _unbalanced(d: Path, rows: list[list[Any]]) -> Path:
    lines = h.csv_text(rows).split("\r\n")
    lines[1] = '"' + lines[1]  # the opening quote of the first data row is never closed
    (d / "quote.csv").write_text("\r\n".join(lines), encoding="utf-8")
    return d / "quote.csv"


def _quote_closed_later(d: Path, rows: list[list[Any]]) -> Path:
    rows = [list(r) for r in rows] + [list(rows[-1])]
    lines = h.csv_text(rows).split("\r\n")
    lines[1] = lines[1].replace(",", ',"', 1)  # a quote opened in row 2 …
    lines[-2] = lines[-2] + '"'  # … closed at the end of the last row: every row between swallowed
    (d / "quote2.csv").write_text("\r\n".join(lines), encoding="utf-8")
    return d / "quote2.csv"


def _mixed(d: Path, rows: list[list[Any]]) -> Path:
    text = h.csv_text(rows).split("\r\n")
    data = (
        "\r\n".join(text[:2]).encode("utf-8") + b"\r\n" + "\r\n".join(text[2:] + ["中文备注行"]).encode("gbk")
    )
    (d / "mixed.csv").write_bytes(data)
    return d / "mixed.csv"


def _cut_mid_row(d: Path, rows: list[list[Any]]) -> Path:
    """A download interrupted inside a data row: the rest of the file (合计 included) is gone."""
    data = next(r for r in reversed(rows) if r[0] not in ("合计",))
    rows = [list(r) for r in rows if r[0] not in ("合计",)] + [list(data)]
    text = h.csv_text(rows)
    at = text.rstrip("\r\n").rfind("\r\n") + 2  # the start of the last line …
    cut = text[: at + len(text[at:].split(",")[0]) + 2]  # … cut after its first cell and a bit
    (d / "cut.csv").write_text(cut, encoding="utf-8")
    return d / "cut.csv"


def _nul(d: Path, rows: list[list[Any]]) -> Path:
    (d / "nul.csv").write_bytes(h.csv_text(rows).encode("utf-8").replace(b"\r\n", b"\x00\r\n", 2))
    return d / "nul.csv"


def _huge_csv_cell(d: Path, rows: list[list[Any]]) -> Path:
    rows = [list(r) for r in rows]
    rows[-1][1] = "x" * 1_000_000
    (d / "huge.csv").write_text(h.csv_text(rows), encoding="utf-8")
    return d / "huge.csv"


def _only_hidden(d: Path, rows: list[list[Any]]) -> Path:
    return h.write_xlsx(d / "hidden.xlsx", [rows], states=["hidden"])


def _error_cell(value: str) -> Callable[[Path, list[list[Any]]], Path]:
    def build(d: Path, rows: list[list[Any]]) -> Path:
        rows = [list(r) for r in rows]
        last = next(i for i in range(len(rows) - 1, 0, -1) if rows[i][0] not in ("合计",))
        rows[last][2] = ("e", value)
        return h.write_xlsx(d / "error.xlsx", [rows])

    return build


def _error_cell_xls(value: int) -> Callable[[Path, list[list[Any]]], Path]:
    """An old .xls (BIFF, as 金三 and many older systems export) with one error cell: calamine
    reads it as a blank, so only a BIFF reader sees it."""

    def build(d: Path, rows: list[list[Any]]) -> Path:
        import xlwt

        last = next(i for i in range(len(rows) - 1, 0, -1) if rows[i][0] not in ("合计",))
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Sheet1")
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if (i, j) == (last, 2):
                    ws.row(i).set_cell_error(j, value)
                elif v is not None:
                    ws.write(i, j, v)
        wb.save(str(d / "error.xls"))
        return d / "error.xls"

    return build


def _too_big(d: Path, rows: list[list[Any]]) -> Path:
    (d / "big.csv").write_text(h.csv_text(rows) + "," * 5000 + "\r\n", encoding="utf-8")
    return d / "big.csv"


def _csv_many_columns(d: Path, rows: list[list[Any]]) -> Path:
    rows = [list(r) for r in rows]
    rows[-1] = rows[-1] + ["1"] * 20_000
    (d / "cols.csv").write_text(h.csv_text(rows), encoding="utf-8")
    return d / "cols.csv"


def _sst_bomb(d: Path, rows: list[list[Any]]) -> Path:
    return h.xlsx_shared_string_bomb(d / "sst.xlsx", megabytes=24)


def _sheet_bomb(d: Path, rows: list[list[Any]]) -> Path:
    return h.xlsx_sheet_bomb(d / "rows.xlsx", megabytes=24)


GENERIC: list[Case] = [
    Case("empty", _bytes("empty.csv", b""), "空"),
    Case("junk-as-xlsx", _bytes("junk.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8), "Excel"),
    Case("binary-as-csv", _bytes("binary.csv", bytes(range(256)) * 40), ""),
    Case("truncated-xlsx", _truncated, "Excel"),
    Case("cell-at-XFD1048576", lambda d, r: h.xlsx_far_cell(d / "far.xlsx", r), "上限"),
    Case(
        "cell-at-XFD1048576-no-dimension",
        lambda d, r: h.xlsx_far_cell(d / "far2.xlsx", r, with_dimension=False),
        "上限",
    ),
    Case("dimension-claims-16384-columns", lambda d, r: h.xlsx_lying_dimension(d / "dim.xlsx", r), "上限"),
    Case("cell-in-column-ZZZ", lambda d, r: h.xlsx_wide_cell(d / "zzz.xlsx", r), "上限"),
    Case("shared-string-bomb", _sst_bomb, "压缩"),
    Case("blank-row-bomb", _sheet_bomb, "压缩"),
    Case("40000-character-cell", lambda d, r: h.xlsx_long_cell(d / "long.xlsx", r), "超长"),
    Case("1MB-csv-cell", _huge_csv_cell, "超长"),
    Case("unbalanced-quote", _unbalanced, "引号"),
    Case("quote-closed-rows-later", _quote_closed_later, "引号"),
    Case("nul-bytes", _nul, ""),
    Case("csv-cut-mid-row", _cut_mid_row, "不完整"),
    Case("mixed-encodings", _mixed, "编码"),
    Case(
        "entity-bomb-xml-2003",
        lambda d, r: _bytes("lol.xls", h.xml_spreadsheet(r, doctype=h.BILLION_LAUGHS))(d, r),
        "DTD",
    ),
    Case(
        "html-without-table",
        _bytes("page.xls", "<html><body><p>无表格</p></body></html>".encode("gbk")),
        "表格",
    ),
    Case("only-hidden-sheets", _only_hidden, "隐藏"),
    Case("error-cell-NA", _error_cell("#N/A"), "错误值"),
    Case("error-cell-in-old-xls", _error_cell_xls(0x2A), "错误值"),  # #N/A (xlwt takes the code)
    Case(
        "header-only",
        lambda d, r: h.write_xlsx(
            d / "header.xlsx", [r[: next(i for i, x in enumerate(r) if len(x) > 2) + 1]]
        ),
        "",
    ),
    Case("20000-columns-csv", _csv_many_columns, ""),
    Case("over-the-size-limit", _too_big, "过大"),
]


def _tax_rows(**changes: Any) -> list[list[Any]]:
    rows = [list(r) for r in GOOD["taxes"]]
    for (i, j), v in changes.get("cells", {}).items():
        rows[i][j] = v
    return rows


def _tax_xlsx(name: str, rows: list[list[Any]], **kw: Any) -> Callable[[Path, list[list[Any]]], Path]:
    return lambda d, _r: h.write_xlsx(d / name, [rows], **kw)


def _tax_csv(
    name: str, rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ","
) -> Callable[[Path, list[list[Any]]], Path]:
    return lambda d, _r: _bytes(name, h.csv_text(rows, delimiter).encode(encoding))(d, _r)


def _figures(total: int, district: int) -> Callable[[dict], None]:
    def check(report: dict) -> None:
        assert (report["total_fen"], report["district_fen"]) == (total, district), report

    return check


HIDDEN_ADDED = [
    ["纳税人识别号", "纳税人名称", "增值税", "企业所得税", "区级收入"],
    ["91310107MA1G000009", "隐藏", 999999, 0, 0],
]
WIDE_NO_TOTAL = [r for r in GOOD["taxes"] if r[0] != "合计"]
LONG = [
    ["普陀区2025年3月入库明细"],
    ["社会信用代码", "企业名称", "征收项目", "入库日期", "实缴金额", "区级"],
    ["91310107MA1G000001", "甲", "增值税", "2025-03-05", 100, 25],
    ["91310107MA1G000002", "乙", "企业所得税", "2025-03-18", 300, 60],
]

TAX_CASES: list[Case] = [
    # accepted, with the right figures
    Case("good-xlsx", _tax_xlsx("good.xlsx", GOOD["taxes"]), "", _figures(1250_01, 310_00)),
    Case(
        "hidden-sheet-added",
        _tax_xlsx("hid.xlsx", GOOD["taxes"])
        if False
        else (
            lambda d, _r: h.write_xlsx(
                d / "hid.xlsx",
                [GOOD["taxes"], HIDDEN_ADDED],
                names=["明细", "附表"],
                states=["visible", "hidden"],
            )
        ),
        "",
        _figures(1250_01, 310_00),
    ),
    Case(
        "very-hidden-sheet-added",
        lambda d, _r: h.write_xlsx(
            d / "vhid.xlsx", [GOOD["taxes"], HIDDEN_ADDED], states=["visible", "veryHidden"]
        ),
        "",
        _figures(1250_01, 310_00),
    ),
    Case(
        "utf16-unicode-text",
        _bytes(
            "unicode.txt", "\r\n".join("\t".join(str(c) for c in r) for r in GOOD["taxes"]).encode("utf-16")
        ),
        "",
        _figures(1250_01, 310_00),
    ),
    Case("semicolon-csv", _tax_csv("semi.csv", GOOD["taxes"], delimiter=";"), "", _figures(1250_01, 310_00)),
    Case("gbk-csv", _tax_csv("gbk.csv", GOOD["taxes"], "gbk"), "", _figures(1250_01, 310_00)),
    Case(
        "xml-spreadsheet-2003",
        _bytes("2003.xls", h.xml_spreadsheet(GOOD["taxes"])),
        "",
        _figures(1250_01, 310_00),
    ),
    Case("long-with-dates", _tax_csv("long.csv", LONG), "", _figures(400_00, 85_00)),
    Case(
        "formula-with-cached-value",
        _tax_xlsx("f.xlsx", _tax_rows(cells={(3, 2): ("f", ("25*2", 50))})),
        "",
        _figures(1250_01, 310_00),
    ),
    # refused, naming where
    Case(
        "numeric-18-digit-ids",
        _tax_xlsx("num.xlsx", _tax_rows(cells={(2, 0): 913101071234567890, (3, 0): 913101071234567891.0})),
        "精度",
    ),
    Case(
        "numeric-20-digit-id",
        _tax_xlsx("num20.xlsx", _tax_rows(cells={(2, 0): 91310107123456789012})),
        "精度",
    ),
    Case(
        "duplicate-tax-column",
        _tax_csv(
            "dupcol.csv",
            [
                ["2025年3月"],
                ["纳税人识别号", "纳税人名称", "增值税", "增值税"],
                ["91310107MA1G000001", "甲", 1, 2],
            ],
        ),
        "两次",
    ),
    Case("duplicate-taxpayer-rows", _tax_csv("duprow.csv", WIDE_NO_TOTAL + [WIDE_NO_TOTAL[2]]), "已出现"),
    Case("div0-as-text", _tax_csv("div0.csv", _tax_rows(cells={(2, 2): "#DIV/0!"})), "金额无法识别"),
    Case("div0-error-cell", _tax_xlsx("div0.xlsx", _tax_rows(cells={(2, 2): ("e", "#DIV/0!")})), "错误值"),
    Case(
        "future-month",
        _tax_csv("future.csv", _tax_rows(cells={(0, 0): "2099年3月重点企业税收明细"})),
        "晚于当前月份",
    ),
    Case(
        "negative-month-total",
        _tax_csv(
            "neg.csv",
            [
                ["2025年3月"],
                ["纳税人识别号", "纳税人名称", "增值税", "区级收入"],
                ["91310107MA1G000001", "甲", -100, -20],
            ],
        ),
        "负数",
    ),
    Case(
        "unknown-tax-type",
        _tax_csv("unknown.csv", LONG[:3] + [["91310107MA1G000002", "乙", "火星税", "2025-03-18", 300, 60]]),
        "不在税种表中",
    ),
    Case("total-row-disagrees", _tax_csv("total.csv", _tax_rows(cells={(4, 2): 1050.02})), "不符"),
    Case(
        "two-months-of-dates",
        _tax_csv("dates.csv", LONG[:3] + [["91310107MA1G000002", "乙", "企业所得税", "2025-04-01", 300, 60]]),
        "同一月份",
    ),
    Case(
        "multi-month-title", _tax_csv("q1.csv", _tax_rows(cells={(0, 0): "2025年1-3月累计税收"})), "多个月份"
    ),
    Case(
        "no-month-anywhere",
        _tax_csv("nomonth.csv", _tax_rows(cells={(0, 0): "重点企业税收明细"})),
        "无法确定所属月份",
    ),
    Case(
        "scientific-notation-id", _tax_csv("sci.csv", _tax_rows(cells={(2, 0): "9.13101E+17"})), "科学计数法"
    ),
    Case("chinese-in-id", _tax_csv("cn.csv", _tax_rows(cells={(2, 0): "九一三一"})), "无效"),
    Case("amount-with-words", _tax_csv("words.csv", _tax_rows(cells={(2, 2): "一千元"})), "金额无法识别"),
    Case(
        "no-amount-columns",
        _tax_csv(
            "noamount.csv",
            [["2025年3月"], ["纳税人识别号", "纳税人名称", "备注"], ["91310107MA1G000001", "甲", "x"]],
        ),
        "金额列",
    ),
    Case("no-id-column", _tax_csv("noid.csv", [["2025年3月"], ["企业", "增值税"], ["甲", 1]]), "表头"),
    Case(
        "html-table-mismatched-total",
        _bytes(
            "page.xls",
            (
                "<table>"
                + "".join(
                    "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
                    for r in _tax_rows(cells={(4, 3): 201})
                )
                + "</table>"
            ).encode("gbk"),
        ),
        "不符",
    ),
]

CASES: list[tuple[str, Case]] = [(kind, c) for kind in GOOD for c in GENERIC] + [
    ("taxes", c) for c in TAX_CASES
]


def test_the_corpus_holds_more_than_80_files():
    assert len(CASES) >= 80


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "case"), CASES, ids=[f"{k}:{c.name}" for k, c in CASES])
def test_hostile_file(kind, case, world, tmp_path, monkeypatch):
    from peiyu.testing.changes import ChangeLog

    if case.name == "over-the-size-limit":
        from peiyu.core import tabular
        from peiyu.core.imports import base

        monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 4096)
        monkeypatch.setattr(base.Importer, "max_bytes", 4096)
    path = case.build(tmp_path, GOOD[kind] if kind in GOOD else _app_good(kind))
    log = ChangeLog()
    log.install()
    log.take()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        status, message, code = run_import(kind, path, world)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert status != "failed", f"internal error: {message}"
    assert peak < PY_LIMIT, f"{peak / 1e6:.0f} MB of Python allocations"
    assert rss_growth < RSS_GROWTH_LIMIT, f"peak RSS grew by {rss_growth / 1024:.0f} MB"
    changes = log.take()
    if case.check is not None or (case.expect == "" and status == "accepted"):
        assert status == "accepted" and code == 0, message
        if case.check is not None:
            from peiyu.taxes.models import TaxBatch

            b = TaxBatch.objects.get(status="accepted", is_active=True)
            case.check({"total_fen": b.total_fen, "district_fen": b.district_fen})
        return
    assert status in ("rejected", "held") and code == 2, message
    assert CJK.search(message), message
    if case.expect:
        assert case.expect in message, message
    written = {c.table for c in changes} - BOOKKEEPING
    assert not written, f"a refused file wrote {sorted(written)}"
