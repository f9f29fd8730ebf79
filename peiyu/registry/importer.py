"""Import of the market-supervision registry export (市场监管企业名录).

Accepts .xlsx/.xls/.csv (UTF-8, GBK, GB18030) with title rows above the header and the usual header
synonyms. Each row is validated; valid rows are upserted by credit code (changes become dated
events), invalid rows are reported as ``{row, column, value, message}`` and not stored. ``strict``
rejects the whole file when any row is invalid; a structurally unusable file is rejected whole.

Everything is done in bulk (one read, chunked lookups, ``bulk_create``/``bulk_update``, one grouped
reclassification), so 100,000 rows take seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts import audit
from peiyu.core.tabular import TableError, clean_text, column_letter, find_header, is_blank_row, read_sheets
from peiyu.registry import audit_actions as A
from peiyu.registry import classify, uscc
from peiyu.registry.bulk import insert_rows
from peiyu.registry.models import (
    GONE_STATUSES,
    Area,
    Enterprise,
    EnterpriseEvent,
    EnterpriseStatus,
    KeyIndustry,
    RegistryImport,
)
from peiyu.registry.names import initials, normalize_name

SYNONYMS: dict[str, list[str]] = {
    "credit_code": [
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "统一社会信用代码/注册号",
        "统一社会信用代码（注册号）",
        "USCC",
    ],
    "name": ["企业名称", "名称", "市场主体名称", "主体名称", "企业（机构）名称", "单位名称", "企业名"],
    "industry": [
        "国民经济行业代码",
        "行业代码",
        "行业",
        "所属行业",
        "国民经济行业",
        "国民经济行业分类",
        "国民经济行业分类代码",
        "国标行业代码",
        "行业分类代码",
        "行业门类代码",
    ],
    "area": [
        "所属街道",
        "街道",
        "街镇",
        "所属街镇",
        "街道镇",
        "所属街道镇",
        "管辖街镇",
        "属地街镇",
        "所在街镇",
        "属地",
    ],
    "status": ["登记状态", "经营状态", "企业状态", "状态", "企业登记状态", "主体状态"],
    "established": ["成立日期", "成立时间", "设立日期", "注册日期", "核准设立日期", "成立年月"],
    "address": ["注册地址", "住所", "地址", "住所（经营场所）", "经营场所", "注册地", "企业地址", "住所地"],
    "former_names": ["曾用名", "原名称", "历史名称", "企业曾用名"],
    "change_date": [
        "变更日期",
        "迁出日期",
        "状态变更日期",
        "注销日期",
        "吊销日期",
        "核准日期",
        "最近变更日期",
    ],
    "tags": ["标签", "企业标签"],
    "is_key": ["重点企业", "是否重点企业"],
    "liaison": ["联络员", "服务专员", "企业服务专员", "联系干部", "包联干部"],
}
REQUIRED = ("credit_code", "name")
LABELS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "industry": "国民经济行业代码",
    "area": "所属街道",
    "status": "登记状态",
    "established": "成立日期",
    "address": "注册地址",
    "former_names": "曾用名",
    "change_date": "变更日期",
    "tags": "标签",
    "is_key": "重点企业",
    "liaison": "联络员",
}
MAX_STORED_ERRORS = 20000


# ---------------------------------------------------------------------------------------------
# Cell parsers (each returns a value or raises ValueError with a Chinese message)
# ---------------------------------------------------------------------------------------------

_STATUS_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"吊销.*未注销"), EnterpriseStatus.REVOKED),
    (re.compile(r"注销|撤销"), EnterpriseStatus.CANCELLED),
    (re.compile(r"吊销"), EnterpriseStatus.REVOKED),
    (re.compile(r"迁出|迁往|迁移|已迁"), EnterpriseStatus.MOVED_OUT),
    (re.compile(r"在业|营业"), EnterpriseStatus.OPERATING),
    (re.compile(r"存续|在营|开业|在册|正常|确立|登记成立|设立"), EnterpriseStatus.EXISTING),
]


def parse_status(raw: Any) -> str:
    text = (
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_text(raw)))
        .replace("(", "（")
        .replace(")", "）")
    )
    if not text:
        raise ValueError("登记状态为空")
    if text in EnterpriseStatus.values:
        return text
    for pattern, status in _STATUS_RULES:
        if pattern.search(text):
            return status
    raise ValueError(f"无法识别登记状态“{text}”（应为 存续、在业、迁出、注销、吊销 之一）")


_DATE_PATTERNS = [
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw: Any, today: dt.date) -> dt.date:
    """Dates as officials write them: Excel dates and serial numbers, 2021-03-05, 2021/3/5, 2021.3.5,
    2021年3月5日, 20210305, 2021-03 (first of the month)."""
    value: dt.date | None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
        if 19000101 <= number <= 21001231 and number.is_integer():
            return parse_date(str(int(number)), today)
        if not (1 <= number < 80000):
            raise ValueError(f"日期“{raw}”无法识别")
        value = EXCEL_EPOCH + dt.timedelta(days=int(number))
    else:
        text = unicodedata.normalize("NFKC", clean_text(raw)).strip()
        if not text:
            raise ValueError("日期为空")
        if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial that went through text
            return parse_date(float(text), today)
        value = None
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise ValueError(f"日期“{text}”不存在") from None
                break
        if value is None:
            m = _MONTH_PATTERN.match(text)
            if m and 1 <= int(m.group(2)) <= 12:
                value = dt.date(int(m.group(1)), int(m.group(2)), 1)
        if value is None:
            raise ValueError(f"无法识别日期“{text}”（可用 2021-03-05、2021/3/5、2021年3月5日）")
    if value > today:
        raise ValueError(f"日期“{value:%Y-%m-%d}”晚于今天")
    if value.year < 1800:
        raise ValueError(f"日期“{value:%Y-%m-%d}”不合理")
    return value


def split_list(raw: Any) -> list[str]:
    text = clean_text(raw)
    return [p.strip() for p in re.split(r"[;；,，、|\n]+", text) if p.strip()]


def parse_bool(raw: Any) -> bool:
    text = clean_text(raw).lower()
    if text in ("是", "y", "yes", "1", "true", "√", "重点", "重点企业"):
        return True
    if text in ("否", "n", "no", "0", "false", "", "×"):
        return False
    raise ValueError(f"“{text}”应为 是 或 否")


class AreaResolver:
    """Area names as they appear in files: 长寿路街道, 上海市普陀区长寿路街道, 普陀区长寿路, 长寿路, 真如镇."""

    PREFIXES = ("上海市普陀区", "上海普陀区", "普陀区", "上海市", "上海")

    def __init__(self, areas: list[Area]) -> None:
        self.names = {a.name: a.pk for a in areas}
        aliases: dict[str, set[int]] = {}
        for a in areas:
            for alias in {a.name, re.sub(r"(街道|镇|乡)$", "", a.name), a.code, a.code[:9]}:
                if alias:
                    aliases.setdefault(alias, set()).add(a.pk)
            if a.name.endswith("镇街道"):  # 真如镇街道 is still called 真如镇
                aliases.setdefault(a.name[: -len("街道")], set()).add(a.pk)
        self.aliases = {k: next(iter(v)) for k, v in aliases.items() if len(v) == 1}

    def resolve(self, raw: Any) -> int:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_text(raw)))
        if not text:
            raise ValueError("街道镇为空")
        if text in self.names:
            return self.names[text]
        if text in ("普陀区", "上海市普陀区", "上海普陀区", "上海市"):
            raise ValueError(f"只填写到“{text}”，缺少街道镇")
        bare = text
        for prefix in self.PREFIXES:
            if bare.startswith(prefix) and len(bare) > len(prefix):
                bare = bare[len(prefix) :]
                break
        for candidate in (
            bare,
            re.sub(r"(街道办事处|办事处)$", "街道", bare),
            re.sub(r"(街道|镇|乡)$", "", bare),
        ):
            if candidate in self.names:
                return self.names[candidate]
            if candidate in self.aliases:
                return self.aliases[candidate]
        known = "、".join(self.names) if len(self.names) <= 15 else f"{len(self.names)} 个街道镇"
        raise ValueError(f"街道镇“{text}”不在本区（已知：{known}）")


def credit_code_message(raw: Any, check: uscc.CodeCheck) -> str:
    text = clean_text(raw)
    numeric = isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 1e14
    if numeric or re.fullmatch(r"\d(\.\d+)?E\+\d+", text, flags=re.I):
        return (
            "统一社会信用代码被 Excel 存成了数字（科学计数法），末几位已丢失；请把该列设为文本格式后重新导出"
        )
    return f"统一社会信用代码“{text}”无效：{check.message}"


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    file_name: str
    status: str = RegistryImport.Status.ACCEPTED
    message: str = ""
    rows: int = 0
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    by_key_industry: dict[str, int] = field(default_factory=dict)
    reclassified: int = 0
    events: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header label as found
    seconds: float = 0.0
    batch_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rejected_whole(self) -> bool:
        return self.status == RegistryImport.Status.REJECTED

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "file": self.file_name,
            "rows": self.rows,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
            "by_key_industry": self.by_key_industry,
            "reclassified": self.reclassified,
            "events": self.events,
            "columns": self.columns,
            "seconds": round(self.seconds, 2),
            "batch_id": self.batch_id,
        }


@dataclass
class _Row:
    row: int  # spreadsheet row number
    code: str
    values: dict[str, Any]


def _pick_sheet(sheets: list[Any]) -> tuple[Any, Any]:
    """The first sheet with a recognisable header (an export often has a notes sheet in front)."""
    first_error: TableError | None = None
    for sheet in sheets:
        try:
            return sheet, find_header(sheet.rows, SYNONYMS, REQUIRED)
        except TableError as exc:
            first_error = first_error or exc
    raise first_error or TableError("文件中没有工作表")


def import_file(
    path: str | Path,
    filename: str | None = None,
    *,
    user: Any = None,
    strict: bool = False,
    today: dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a registry file; never raises for bad input (the result says what happened)."""
    started = time.perf_counter()
    path = Path(path)
    name = filename or path.name
    today = today or timezone.localdate()
    result = ImportResult(name)
    sha = ""
    try:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
    except OSError:
        pass
    t0 = time.perf_counter()
    try:
        sheets = read_sheets(path, name)
        sheet, header = _pick_sheet(sheets)
    except TableError as exc:
        result.status = RegistryImport.Status.REJECTED
        result.message = f"文件无法使用：{exc}"
        return _finish(result, user, strict, sha, started)
    result.timings["read"] = time.perf_counter() - t0
    result.columns = {
        LABELS[k]: f"{header.labels[j]}（{column_letter(j)} 列）" for k, j in header.columns.items()
    }

    t0 = time.perf_counter()
    rows = _validate(sheet.rows, header, result, today, on_progress)
    result.timings["validate"] = time.perf_counter() - t0
    if not result.rows:
        result.status = RegistryImport.Status.REJECTED
        result.message = "文件无法使用：表头下没有数据行"
        return _finish(result, user, strict, sha, started)
    if strict and result.errors:
        result.status = RegistryImport.Status.REJECTED
        result.message = f"严格模式：有 {result.rejected} 行不合格，整个文件未导入"
        result.accepted = 0
        return _finish(result, user, strict, sha, started)
    t0 = time.perf_counter()
    with transaction.atomic():
        _store(rows, header, result, user, today)
        t1 = time.perf_counter()
        result.status = RegistryImport.Status.PARTIAL if result.rejected else RegistryImport.Status.ACCEPTED
        result.message = (
            f"共 {result.rows} 行：接受 {result.accepted} 行（新增 {result.created}，更新 {result.updated}，"
            f"无变化 {result.unchanged}），拒绝 {result.rejected} 行"
        )
        _finish(result, user, strict, sha, started, in_transaction=True)
        t2 = time.perf_counter()
    result.timings["store"] = t1 - t0
    result.timings["commit_and_signal_listeners"] = time.perf_counter() - t2
    return result


def _validate(
    grid: list[list[Any]],
    header: Any,
    result: ImportResult,
    today: dt.date,
    on_progress: Callable[[int, int], None] | None,
) -> list[_Row]:
    cols = header.columns
    labels = {k: f"{header.labels[j]}（{column_letter(j)}）" for k, j in cols.items()}
    tax = classify.taxonomy()
    area_resolver = AreaResolver(list(Area.objects.all()))
    code_cache: dict[Any, tuple[str, str]] = {}
    status_cache: dict[Any, tuple[str, str]] = {}
    area_cache: dict[Any, tuple[int | None, str]] = {}
    seen: dict[str, int] = {}
    out: list[_Row] = []
    liaisons: dict[str, int] = {}
    if "liaison" in cols:
        from django.contrib.auth import get_user_model

        for uid, username, display in (
            get_user_model().objects.filter(is_active=True).values_list("id", "username", "display_name")
        ):
            liaisons[username] = uid
            if display:
                liaisons[display] = -1 if display in liaisons and liaisons[display] != uid else uid
    errors = result.errors
    total = len(grid) - header.first_data_row
    width = max(cols.values()) + 1

    def err(rownum: int, key: str, value: Any, message: str) -> None:
        errors.append({"row": rownum, "column": labels[key], "value": clean_text(value), "message": message})

    for i in range(header.first_data_row, len(grid)):
        raw = grid[i]
        if is_blank_row(raw):
            continue
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        rownum = i + 1
        filled = [clean_text(c) for c in raw if clean_text(c)]
        if any(c in ("合计", "总计", "小计") for c in filled[:3]):
            continue  # a total line
        if len(filled) == 1 and not clean_text(raw[cols["name"]]):
            continue  # a note line below the table (注：…, 制表人：…, 数据来源：…)
        result.rows += 1
        n_errors = len(errors)
        values: dict[str, Any] = {}
        cc_raw = raw[cols["credit_code"]]
        check = uscc.validate(cc_raw)
        code = check.code
        if not check.ok:
            err(rownum, "credit_code", cc_raw, credit_code_message(cc_raw, check))
        elif code in seen:
            err(
                rownum, "credit_code", cc_raw, f"统一社会信用代码“{code}”与第 {seen[code]} 行重复，本行未导入"
            )
        name = normalize_name(raw[cols["name"]])
        if not name:
            err(rownum, "name", raw[cols["name"]], "企业名称为空")
        elif len(name) > 200:
            err(rownum, "name", name, f"企业名称过长（{len(name)} 字，最多 200 字）")
        values["name"] = name
        if "industry" in cols:
            v = raw[cols["industry"]]
            if clean_text(v):
                key = v if not isinstance(v, str) else v.strip()
                hit = code_cache.get(key)
                if hit is None:
                    try:
                        hit = (classify.normalize_industry_code(v, tax), "")
                    except classify.CodeError as exc:
                        hit = ("", str(exc))
                    code_cache[key] = hit
                if hit[1]:
                    err(rownum, "industry", v, hit[1] + "（GB/T 4754-2017）")
                else:
                    values["industry_code"] = hit[0]
        if "area" in cols:
            v = raw[cols["area"]]
            if clean_text(v):
                hit_a = area_cache.get(v)
                if hit_a is None:
                    try:
                        hit_a = (area_resolver.resolve(v), "")
                    except ValueError as exc:
                        hit_a = (None, str(exc))
                    area_cache[v] = hit_a
                if hit_a[1]:
                    err(rownum, "area", v, hit_a[1])
                else:
                    values["area_id"] = hit_a[0]
        if "status" in cols:
            v = raw[cols["status"]]
            if clean_text(v):
                hit_s = status_cache.get(v)
                if hit_s is None:
                    try:
                        hit_s = (parse_status(v), "")
                    except ValueError as exc:
                        hit_s = ("", str(exc))
                    status_cache[v] = hit_s
                if hit_s[1]:
                    err(rownum, "status", v, hit_s[1])
                else:
                    values["status"] = hit_s[0]
        for key in ("established", "change_date"):
            if key in cols:
                v = raw[cols[key]]
                if clean_text(v):
                    try:
                        values[key] = parse_date(v, today)
                    except ValueError as exc:
                        err(rownum, key, v, str(exc))
        if "address" in cols:
            values["address"] = unicodedata.normalize("NFKC", clean_text(raw[cols["address"]]))[:300]
        if "former_names" in cols:
            values["former_names"] = [normalize_name(n) for n in split_list(raw[cols["former_names"]])]
        if "tags" in cols:
            values["tags"] = split_list(raw[cols["tags"]])
        if "liaison" in cols:
            v = clean_text(raw[cols["liaison"]])
            if v:
                hit_l = liaisons.get(v)
                if hit_l is None:
                    err(rownum, "liaison", v, f"联络员“{v}”不是本系统用户（填写用户名或姓名）")
                elif hit_l == -1:
                    err(rownum, "liaison", v, f"有多名用户叫“{v}”，请改填用户名")
                else:
                    values["liaison_id"] = hit_l
        if "is_key" in cols:
            try:
                values["is_key"] = parse_bool(raw[cols["is_key"]])
            except ValueError as exc:
                err(rownum, "is_key", raw[cols["is_key"]], str(exc))
        if len(errors) > n_errors:
            result.rejected += 1
            if len(errors) > MAX_STORED_ERRORS:
                del errors[MAX_STORED_ERRORS:]
            continue
        seen[code] = rownum
        out.append(_Row(rownum, code, values))
        if on_progress and result.rows % 5000 == 0:
            on_progress(result.rows, total)
    if on_progress:
        on_progress(total, total)
    result.accepted = len(out)
    return out


_EVENT_KIND = {
    "name": EnterpriseEvent.Kind.NAME,
    "area_id": EnterpriseEvent.Kind.AREA,
    "industry_code": EnterpriseEvent.Kind.INDUSTRY_CODE,
    "status": EnterpriseEvent.Kind.STATUS,
}
_FIELDS = (
    "name",
    "industry_code",
    "area_id",
    "status",
    "established",
    "address",
    "former_names",
    "tags",
    "is_key",
    "liaison_id",
)


def _store(rows: list[_Row], header: Any, result: ImportResult, user: Any, today: dt.date) -> None:
    started = time.perf_counter()
    real_user = user if getattr(user, "is_authenticated", False) else None
    user_id = real_user.pk if real_user else None
    source = f"名录导入：{result.file_name}"[:200]
    area_names = dict(Area.objects.values_list("id", "name"))
    existing: dict[str, dict[str, Any]] = {}
    codes = [r.code for r in rows]
    wanted_fields = ("id", "credit_code", "name_initials", *_FIELDS)
    if len(codes) > 20000:
        wanted = set(codes)
        for e in Enterprise.objects.values(*wanted_fields).iterator(chunk_size=5000):
            if e["credit_code"] in wanted:
                existing[e["credit_code"]] = e
    else:
        for i in range(0, len(codes), 900):
            for e in Enterprise.objects.filter(credit_code__in=codes[i : i + 900]).values(*wanted_fields):
                existing[e["credit_code"]] = e
    new_rows: list[tuple[Any, ...]] = []  # in _INSERT_FIELDS order
    rules = classify.rules_as_of(timezone.localdate())
    no_overrides = classify.OverrideSet({}, {})
    tax = classify.taxonomy()
    class_cache: dict[str, tuple[int | None, str]] = {}

    def new_class(code: str) -> tuple[int | None, str]:
        hit = class_cache.get(code)
        if hit is None:
            hit = class_cache[code] = classify.decide(
                code, tax.section(code) if code else "", None, rules, no_overrides
            )
        return hit

    new_values: list[dict[str, Any]] = []
    changed: list[Enterprise] = []
    changed_fields: set[str] = set()
    events: list[EnterpriseEvent] = []
    reclass_ids: list[int] = []
    now = timezone.now()
    for r in rows:
        v = r.values
        ent = existing.get(r.code)
        if ent is None:
            new_rows.append(
                (
                    r.code,
                    v["name"],
                    initials(v["name"]),
                    v.get("former_names", []),
                    v.get("industry_code", ""),
                    v.get("area_id"),
                    v.get("address", ""),
                    v.get("status", EnterpriseStatus.EXISTING),
                    v.get("established"),
                    v.get("tags", []),
                    v.get("is_key", False),
                    v.get("liaison_id"),
                    *new_class(v.get("industry_code", "")),
                )
            )
            new_values.append(v)
            continue
        diffs: list[str] = []
        for f in _FIELDS:
            if f not in v:
                continue
            value = v[f]
            old = ent[f]
            if f in ("address",) and not value:
                continue  # an empty cell never erases what we know
            if f == "former_names":
                merged = list(dict.fromkeys([*(old or []), *value]))
                if merged != (old or []):
                    ent["former_names"] = merged
                    diffs.append(f)
                continue
            if f == "tags":
                if sorted(value) != sorted(old or []):
                    ent["tags"] = value
                    diffs.append(f)
                continue
            if value == old:
                continue
            diffs.append(f)
            kind = _EVENT_KIND.get(f)
            if kind:
                date = today
                if f == "status":
                    date = v.get("change_date") or today
                elif f == "industry_code":
                    reclass_ids.append(ent["id"])
                shown_old = area_names.get(old, "") if f == "area_id" else (old or "")
                shown_new = area_names.get(value, "") if f == "area_id" else (value or "")
                events.append(
                    EnterpriseEvent(
                        enterprise_id=ent["id"],
                        date=date,
                        kind=kind,
                        before=str(shown_old)[:200],
                        after=str(shown_new)[:200],
                        source=source,
                        created_by=real_user,
                    )
                )
            ent[f] = value
            if f == "name":
                ent["name_initials"] = initials(value)
                if old and old not in ent["former_names"]:
                    ent["former_names"] = [*ent["former_names"], old]
                    diffs.append("former_names")
                diffs.append("name_initials")
        if diffs:
            changed.append(Enterprise(updated_at=now, **ent))
            changed_fields.update(diffs)
        else:
            result.unchanged += 1
    t0 = time.perf_counter()
    result.timings["compare"] = t0 - started
    order = sorted(
        range(len(new_rows)), key=lambda k: new_rows[k][0]
    )  # key order: cheaper unique-index inserts
    new_rows = [new_rows[k] for k in order]
    new_values = [new_values[k] for k in order]
    insert_rows(Enterprise, _INSERT_FIELDS, new_rows, constants={"created_at": now, "updated_at": now})
    result.timings["insert_enterprises"] = time.perf_counter() - t0
    new_ids: list[int] = []
    if new_rows:
        codes_new = [t[0] for t in new_rows]
        ids: dict[str, int] = {}
        if len(codes_new) > 20000:
            wanted = set(codes_new)
            ids = {c: i for c, i in Enterprise.objects.values_list("credit_code", "id") if c in wanted}
        else:
            for k in range(0, len(codes_new), 900):
                ids.update(
                    Enterprise.objects.filter(credit_code__in=codes_new[k : k + 900]).values_list(
                        "credit_code", "id"
                    )
                )
        new_ids = [ids[c] for c in codes_new]
    if changed:
        Enterprise.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}), batch_size=500)
    event_rows = [
        (e.enterprise_id, e.date, e.kind, e.before, e.after, e.source, e.created_by_id) for e in events
    ]
    for ent_id, t, v in zip(new_ids, new_rows, new_values, strict=True):
        event_rows.append((ent_id, today, EnterpriseEvent.Kind.CREATED, "", t[7], source, user_id))
        if v.get("change_date") and t[7] in GONE_STATUSES:
            event_rows.append(
                (ent_id, v["change_date"], EnterpriseEvent.Kind.STATUS, "", t[7], source, user_id)
            )
    t0 = time.perf_counter()
    insert_rows(EnterpriseEvent, _EVENT_FIELDS, event_rows)
    result.timings["insert_events"] = time.perf_counter() - t0
    result.created = len(new_rows)
    result.updated = len(changed)
    result.events = len(event_rows)
    # new enterprises were classified on insert (no manual decisions exist for them yet)
    rc = classify.reclassify(reclass_ids, user=user, source=source, notify=False)
    result.reclassified = rc.changed
    changed_ids = {e.pk for e in changed}
    touched = new_ids + list(changed_ids)
    if touched:
        classify.notify_dimension_changed(touched if len(touched) <= 10000 else None, source)
    # by_key_industry: accepted enterprises of this file, by the industry they are in now
    accepted_ids = set(new_ids) | {existing[r.code]["id"] for r in rows if r.code in existing}
    counts: dict[int, int] = {}
    if len(accepted_ids) > 5000:
        pairs = Enterprise.objects.filter(key_industry__isnull=False).values_list("id", "key_industry_id")
        for ent_id, ind_id in pairs:
            if ent_id in accepted_ids:
                counts[ind_id] = counts.get(ind_id, 0) + 1
    else:
        ordered = list(accepted_ids)
        for k in range(0, len(ordered), 900):
            for ind_id in Enterprise.objects.filter(
                pk__in=ordered[k : k + 900], key_industry__isnull=False
            ).values_list("key_industry_id", flat=True):
                counts[ind_id] = counts.get(ind_id, 0) + 1
    result.by_key_industry = {
        name: counts.get(ind_id, 0)
        for ind_id, name in KeyIndustry.objects.order_by("order", "id").values_list("id", "name")
    }


_INSERT_FIELDS = (
    "credit_code",
    "name",
    "name_initials",
    "former_names",
    "industry_code",
    "area_id",
    "address",
    "status",
    "established",
    "tags",
    "is_key",
    "liaison_id",
    "key_industry_id",
    "classification_basis",
)
_EVENT_FIELDS = ("enterprise_id", "date", "kind", "before", "after", "source", "created_by_id")


def _finish(
    result: ImportResult, user: Any, strict: bool, sha: str, started: float, *, in_transaction: bool = False
) -> ImportResult:
    result.seconds = time.perf_counter() - started
    if result.rejected_whole:
        result.accepted = result.created = result.updated = result.unchanged = 0
        result.by_key_industry = {}
    batch = RegistryImport.objects.create(
        file_name=result.file_name[:255],
        sha256=sha,
        status=result.status,
        strict=strict,
        message=result.message,
        rows=result.rows,
        accepted=result.accepted,
        created=result.created,
        updated=result.updated,
        rejected=result.rejected,
        errors=result.errors,
        report={
            "by_key_industry": result.by_key_industry,
            "columns": result.columns,
            "unchanged": result.unchanged,
        },
        seconds=round(result.seconds, 2),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    result.batch_id = batch.pk
    audit.record(
        user,
        A.ENTERPRISES_IMPORT,
        batch,
        detail={
            "status": result.status,
            "rows": result.rows,
            "accepted": result.accepted,
            "created": result.created,
            "updated": result.updated,
            "rejected": result.rejected,
            "sha256": sha,
            "strict": strict,
        },
        reason=result.message,
    )
    return result
