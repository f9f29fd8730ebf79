"""One column spec, three renderings: the page table, the Excel sheet and the API rows show the same
headers and the same values; Excel exports print well and never evaluate formula-like text."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from peiyu.core.export import Column as XColumn
from peiyu.core.export import Table, build_workbook, neutralise
from peiyu.core.tables import Column, TableSpec, display

SPEC = TableSpec(
    Column("name", "企业名称", url="url"),
    Column("code", "统一社会信用代码", mono=True),
    Column("ytd_fen", "累计区级税收（万元）", "money", total=True),
    Column("yuan_fen", "金额（元）", "yuan"),
    Column("yoy_pct", "同比（%）", "percent", signed=True),
    Column("share_pct", "占比（%）", "percent"),
    Column("gap_pp", "差距（百分点）", "points"),
    Column("firms", "企业数", "integer", total=True),
    Column("value", "目标值", "decimal"),
    Column("since", "成立日期", "date"),
    Column("key", "重点企业", "bool"),
    Column("address", "注册地址", screen=False),
)

ROWS = [
    {
        "name": "上海长寿软件有限公司",
        "url": "/registry/e/x/",
        "code": "91310107MA1G000013",
        "ytd_fen": 123_456_789,
        "yuan_fen": 1_234_56,
        "yoy_pct": -10.0,
        "share_pct": 12.34,
        "gap_pp": 1.5,
        "firms": 1200,
        "value": Decimal("3.50"),
        "since": dt.date(2015, 3, 5),
        "key": True,
        "address": '=HYPERLINK("http://evil")',
    },
    {
        "name": "+86 上海桃浦医药",
        "url": None,
        "code": "91310107MA1G000021",
        "ytd_fen": 5_000_000,
        "yuan_fen": 0,
        "yoy_pct": None,
        "share_pct": None,
        "gap_pp": -0.5,
        "firms": 3,
        "value": None,
        "since": None,
        "key": False,
        "address": "@SUM(A1:A9)",
    },
]


def page_cells(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    """Header texts and body cell texts of one table in rendered HTML."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, table_id
    body = table.group(0)

    def text(fragment: str) -> str:
        return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()

    head = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", body, re.S)]
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    assert tbody
    rows = [
        [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody.group(1), re.S)
    ]
    return head, rows


def excel_text(cell: openpyxl.cell.cell.Cell, column: Column) -> str:
    """What Excel shows for a cell, following its number format (enough for our formats)."""
    v = cell.value
    if v is None:
        return display(column, None)
    fmt = cell.number_format
    if isinstance(v, dt.datetime):
        return f"{v:%Y-%m-%d}" if fmt == "yyyy-mm-dd" else f"{v:%Y-%m-%d %H:%M:%S}"
    if fmt == "#,##0.00":
        return f"{Decimal(str(v)).quantize(Decimal('0.01')):,}"
    if fmt == "#,##0":
        return f"{int(v):,}"
    if fmt == '0.0"%"':
        return f"{v:.1f}%"
    if fmt.startswith('+0.0"%"'):
        return f"{v:+.1f}%"
    if fmt.startswith("+0.0;"):
        return f"{v:+.1f}"
    if fmt == "#,##0.##":
        return f"{Decimal(str(v)).normalize():,f}"
    return str(v)


def workbook(spec: TableSpec, rows, **kwargs) -> openpyxl.worksheet.worksheet.Worksheet:
    data = build_workbook([spec.table(rows, sheet="表", title="标题", notes=["说明"], **kwargs)])
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_page_excel_and_api_share_headers_and_values():
    html = render_to_string("core/table.html", {"table": SPEC.render(ROWS, id="t")})
    head, body = page_cells(html, "t")
    ws = workbook(SPEC, ROWS)
    sheet = [list(r) for r in ws.iter_rows()]
    header_row = 2  # title, note, header
    excel_head = [c.value for c in sheet[header_row]]
    api = SPEC.api_rows(ROWS)

    assert excel_head == SPEC.headers() == [c.label for c in SPEC.columns]
    assert head == SPEC.headers(screen=True) == [h for h in excel_head if h != "注册地址"]
    assert list(api[0]) == [c.key for c in SPEC.columns]
    screen = SPEC.screen_columns()
    for i in range(len(ROWS)):
        for j, col in enumerate(SPEC.columns):
            xcell = sheet[header_row + 1 + i][j]
            shown = excel_text(xcell, col)
            if col.screen:
                assert body[i][screen.index(col)] == shown, (col.key, body[i], shown)
            assert display(col, api[i][col.key]) == shown, col.key
    # the API keeps exact figures: fen as integers, percentages as numbers, dates as ISO text
    assert api[0]["ytd_fen"] == 123_456_789 and api[0]["yoy_pct"] == -10.0 and api[0]["since"] == "2015-03-05"
    assert api[1]["yoy_pct"] is None and api[0]["key"] is True
    # the total row (the page's <tfoot>, the sheet's last row) sums the total columns
    assert "128.46" in html and "1,203" in html
    last = [c.value for c in sheet[header_row + 1 + len(ROWS)]]
    assert last[0] == "合计" and last[2] == pytest.approx((123_456_789 + 5_000_000) / 1_000_000)
    assert last[7] == 1203


def test_total_row_on_the_page_matches_excel():
    bound = SPEC.render(ROWS)
    assert bound.total is not None
    texts = [c.text for c in bound.total]
    assert texts[0] == "合计" and texts[2] == "128.46" and texts[7] == "1,203"
    ws = workbook(SPEC, ROWS, totals={"name": "全区", "ytd_fen": 999_000_000, "firms": 7})
    last = [c.value for c in list(ws.iter_rows())[-1]]
    assert last[0] == "全区" and last[2] == pytest.approx(999.0) and last[7] == 7
    assert SPEC.render(ROWS, totals={"name": "全区", "ytd_fen": 999_000_000}).total[2].text == "999.00"


def test_signed_values_are_coloured_and_links_badges_and_row_attributes_render():
    spec = TableSpec(
        Column("name", "企业", url="url", badge=lambda r: "重点" if r["key"] else None),
        Column("yoy_pct", "同比（%）", "percent", signed=True),
        numbered="排名",
    )
    bound = spec.render(ROWS, id="x", start=11, row_attrs=lambda r: {"data-code": r["code"]})
    html = render_to_string("core/table.html", {"table": bound})
    assert (
        '<a href="/registry/e/x/">上海长寿软件有限公司</a> <span class="badge' in html
        and "重点</span>" in html
    )
    assert 'class="num down"' in html and "-10.0%" in html and 'data-code="91310107MA1G000021"' in html
    head, body = page_cells(html, "x")
    assert head == ["排名", "企业", "同比（%）"] and body[0][0] == "11" and body[1][0] == "12"
    assert [c.value for c in list(workbook(spec, ROWS).iter_rows())[2]] == ["排名", "企业", "同比（%）"]
    empty = render_to_string("core/table.html", {"table": spec.render([], empty="没有数据行")})
    assert 'colspan="3"' in empty and "没有数据行" in empty


def test_formula_like_text_is_written_as_text_never_as_a_formula():
    ws = workbook(SPEC, ROWS)
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://evil")', "@SUM(A1:A9)", "+86 上海桃浦医药"):
        cell = cells[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert not cells["上海长寿软件有限公司"].quotePrefix
    assert neutralise("=1+1") == "'=1+1" and neutralise("-5") == "'-5" and neutralise("甲") == "甲"


def test_exports_print_on_a4_fit_to_width_with_repeated_header_and_page_numbers():
    ws = workbook(SPEC, ROWS)
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "landscape"  # twelve columns are wide
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 = default
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"  # the header row (below the title and the note)
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.oddHeader.left.text and "&D" in ws.oddHeader.right.text  # the title on every page
    assert ws.print_options.horizontalCentered
    narrow = openpyxl.load_workbook(
        io.BytesIO(build_workbook([Table("窄", [XColumn("名称", "name")], [{"name": "甲"}])]))
    ).active
    assert narrow.page_setup.orientation in (None, "portrait")


def test_derived_specs_keep_labels_and_values():
    relabelled = SPEC.relabel(ytd_fen="2025年累计（万元）")
    assert relabelled.headers()[2] == "2025年累计（万元）" and SPEC.headers()[2] == "累计区级税收（万元）"
    assert SPEC.only("code", "name").headers() == ["统一社会信用代码", "企业名称"]
    assert "注册地址" not in SPEC.without("address").headers()
    with pytest.raises(KeyError):
        SPEC.relabel(nope="x")
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("x", "x", "money_wan")
    schema = SPEC.only("name", "ytd_fen", "yoy_pct").schema("TestRow")
    props = schema.model_json_schema()["properties"]
    assert set(props) == {"name", "ytd_fen", "yoy_pct"} and "（分）" in props["ytd_fen"]["description"]


def test_the_registry_list_page_export_and_api_agree(world, login):
    """A real list: the page's headers are the export's (screen subset), an enterprise's values
    read the same in all three, and the API row is the same spec's columns."""
    from peiyu.registry.tables import API_ENTERPRISE, ENTERPRISES

    client = login(world["admin"])
    ent = world["enterprises"]["soft_a2"]
    html = client.get(reverse("registry:list"), {"q": ent.credit_code}).content.decode()
    head, body = page_cells(html, "enterprise-table")
    assert head == ENTERPRISES.headers(screen=True)
    ws = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("registry:list"), {"export": "xlsx", "q": ent.credit_code}).content)
    ).active
    rows = [list(r) for r in ws.iter_rows()]
    header_index = next(i for i, r in enumerate(rows) if r[0].value == "企业名称")
    assert [c.value for c in rows[header_index]] == ENTERPRISES.headers()
    excel_row = rows[header_index + 1]
    api = client.get("/api/v1/enterprises", {"q": ent.credit_code})
    assert api.status_code == 200
    api_row = api.json()["results"][0]
    assert list(api_row) == [c.key for c in API_ENTERPRISE.columns]
    screen = ENTERPRISES.screen_columns()
    for j, col in enumerate(ENTERPRISES.columns):
        shown = excel_text(excel_row[j], col)
        if col.screen:
            assert body[0][screen.index(col)].removesuffix(" 重点") == shown, col.key
        if col.key in api_row:
            assert display(col, api_row[col.key]) == shown, col.key
