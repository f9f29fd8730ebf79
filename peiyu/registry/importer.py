"""Import of the market-supervision registry export (市场监管企业名录).

Accepts .xlsx/.xls/.csv (UTF-8, GBK, GB18030) with title rows above the header and the usual header
synonyms. Each row is validated; valid rows are upserted by credit code (changes become dated
events), invalid rows are reported as ``{row, column, value, message}`` and not stored. ``strict``
rejects the whole file when any row is invalid; a structurally unusable file is rejected whole.

Everything is done in bulk (one read, chunked lookups, ``bulk_create``/``bulk_update``, one grouped
reclassification), so 100,000 rows take seconds. Built on the import kit (:mod:`peiyu.core.imports`):
saved upload, batch record (``RegistryImport`` is the registry's view of ``core.ImportBatch``), report.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.utils import timezone

from peiyu.core.imports import Field, Importer, ImportReport, Row, cells
from peiyu.core.imports.base import first_filled
from peiyu.core.tabular import Header, clean_text, column_letter
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


EXCEL_EPOCH = cells.EXCEL_EPOCH


def parse_date(raw: Any, today: dt.date) -> dt.date:
    """Dates as officials write them (see :func:`peiyu.core.imports.cells.parse_date`); later than
    ``today`` is an error."""
    return cells.parse_date(raw, today)


split_list = cells.split_list
_parse_bool = cells.boolean(true_words=("重点", "重点企业"))


def parse_bool(raw: Any) -> bool:
    return bool(_parse_bool(raw))


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
    return cells.credit_code_message(raw, check.message)


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult(ImportReport):
    """The report of one registry file (the ``--json`` object adds these keys to the common ones)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_key_industry: dict[str, int] = field(default_factory=dict)
    reclassified: int = 0
    events: int = 0

    EXTRA_KEYS: ClassVar[tuple[str, ...]] = (
        "created",
        "updated",
        "unchanged",
        "by_key_industry",
        "reclassified",
        "events",
    )
    COUNT_LABELS: ClassVar[dict[str, str]] = {
        "created": "新增企业",
        "updated": "更新企业",
        "unchanged": "无变化",
    }

    @property
    def file_name(self) -> str:
        return self.file

    @property
    def rejected_whole(self) -> bool:
        return self.status in (RegistryImport.Status.REJECTED, RegistryImport.Status.FAILED)


@dataclass
class _Row:
    row: int  # spreadsheet row number
    code: str
    values: dict[str, Any]


def _field(key: str, **kwargs: Any) -> Field:
    return Field(key, LABELS[key], synonyms=[n for n in SYNONYMS[key] if n != LABELS[key]], **kwargs)


def _parse_name(raw: Any) -> str:
    name = normalize_name(raw)
    if not name:
        raise ValueError("企业名称为空")
    if len(name) > 200:
        raise ValueError(f"企业名称过长（{len(name)} 字，最多 200 字）")
    return name


class RegistryImporter(Importer):
    """Valid rows are upserted by credit code, invalid rows reported (``strict``: any invalid row
    refuses the whole file)."""

    kind = "registry"
    title = "企业名录"
    audit_action = A.ENTERPRISES_IMPORT
    audit_refused = True
    report_class = ImportResult
    file_problem_prefix = "文件无法使用："
    fields: ClassVar[list[Field]] = [
        _field("credit_code", required=True, parse=cells.credit_code, blank_message="统一社会信用代码为空"),
        _field("name", required=True, parse=_parse_name, blank_message="企业名称为空"),
        _field("industry", parse="parse_industry", cache=True),
        _field("area", parse="parse_area", cache=True),
        _field("status", parse=parse_status, cache=True),
        _field("established", parse="parse_date", cache=True),
        _field("address"),
        _field("former_names"),
        _field("change_date", parse="parse_date", cache=True),
        _field("tags"),
        _field("is_key", parse=parse_bool),
        _field("liaison"),
    ]

    def __init__(
        self,
        *,
        strict: bool = False,
        today: dt.date | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__(on_progress=on_progress)
        self.strict = strict
        self.partial = not strict
        self.today = today or timezone.localdate()

    def options(self) -> dict[str, Any]:
        return {"strict": self.strict}

    # -- cells

    def parse_industry(self, raw: Any) -> str:
        try:
            return classify.normalize_industry_code(raw, self.taxonomy)
        except classify.CodeError as exc:
            raise ValueError(f"{exc}（GB/T 4754-2017）") from None

    def parse_area(self, raw: Any) -> int:
        return self.area_resolver.resolve(raw)

    def parse_date(self, raw: Any) -> dt.date:
        return parse_date(raw, self.today)

    # -- rows

    def prepare(self) -> None:
        assert self.header is not None
        self.taxonomy = classify.taxonomy()
        self.area_resolver = AreaResolver(list(Area.objects.all()))
        self.seen: dict[str, int] = {}
        self.liaisons: dict[str, int] = {}
        if "liaison" in self.header.columns:
            from django.contrib.auth import get_user_model

            for uid, username, display in (
                get_user_model().objects.filter(is_active=True).values_list("id", "username", "display_name")
            ):
                self.liaisons[username] = uid
                if display:
                    taken = display in self.liaisons and self.liaisons[display] != uid
                    self.liaisons[display] = -1 if taken else uid

    def skip_row(self, row: list[Any]) -> bool:
        assert self.header is not None
        filled = first_filled(row, 4)
        if any(c in ("合计", "总计", "小计") for c in filled[:3]):
            return True  # a total line
        j = self.header.columns["name"]
        # a note line below the table (注：…, 制表人：…, 数据来源：…)
        return len(filled) == 1 and not clean_text(row[j] if j < len(row) else None)

    def clean(self, row: Row) -> _Row:
        parsed = row.values
        code = parsed["credit_code"] or ""
        if code and code in self.seen:
            row.error("credit_code", f"统一社会信用代码“{code}”与第 {self.seen[code]} 行重复，本行未导入")
        values: dict[str, Any] = {"name": parsed["name"] or ""}
        for key, name in (
            ("industry", "industry_code"),
            ("area", "area_id"),
            ("status", "status"),
            ("established", "established"),
            ("change_date", "change_date"),
        ):
            if parsed[key] is not None:
                values[name] = parsed[key]
        if row.has("address"):
            values["address"] = unicodedata.normalize("NFKC", clean_text(row.raw("address")))[:300]
        if row.has("former_names"):
            values["former_names"] = [normalize_name(n) for n in split_list(row.raw("former_names"))]
        if row.has("tags"):
            values["tags"] = split_list(row.raw("tags"))
        liaison = row["liaison"]
        if liaison:
            hit = self.liaisons.get(liaison)
            if hit is None:
                row.error("liaison", f"联络员“{liaison}”不是本系统用户（填写用户名或姓名）", liaison)
            elif hit == -1:
                row.error("liaison", f"有多名用户叫“{liaison}”，请改填用户名", liaison)
            else:
                values["liaison_id"] = hit
        if row.has("is_key"):
            values["is_key"] = bool(row["is_key"])
        if row.ok:
            self.seen[code] = row.number
        return _Row(row.number, code, values)

    def columns_report(self, header: Header) -> dict[str, str]:
        return {LABELS[k]: f"{header.labels[j]}（{column_letter(j)} 列）" for k, j in header.columns.items()}

    def rejected_message(self, report: ImportReport) -> str:
        if self.strict:
            return f"严格模式：有 {report.rejected} 行不合格，整个文件未导入"
        return f"共 {report.rows} 行，全部不合格，未导入任何企业"

    def accepted_message(self, report: ImportReport) -> str:
        assert isinstance(report, ImportResult)
        return (
            f"共 {report.rows} 行：接受 {report.accepted} 行（新增 {report.created}，更新 {report.updated}，"
            f"无变化 {report.unchanged}），拒绝 {report.rejected} 行"
        )

    def audit_detail(self, report: ImportReport) -> dict[str, Any]:
        assert isinstance(report, ImportResult)
        return {
            "status": report.status,
            "rows": report.rows,
            "accepted": report.accepted,
            "created": report.created,
            "updated": report.updated,
            "rejected": report.rejected,
            "sha256": report.sha256,
            "strict": self.strict,
        }

    def store(self, items: list[_Row], report: ImportReport) -> None:
        assert isinstance(report, ImportResult)
        report.accepted = len(items)
        _store(items, report, self.user, self.today)


def import_file(
    path: str | Path,
    filename: str | None = None,
    *,
    user: Any = None,
    strict: bool = False,
    today: dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    upload: Any = None,
    request: Any = None,
) -> ImportResult:
    """Import a registry file; never raises for bad input (the result says what happened)."""
    importer = RegistryImporter(strict=strict, today=today, on_progress=on_progress)
    report = importer.run(path, filename, user=user, request=request, upload=upload)
    assert isinstance(report, ImportResult)
    return report


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


def _store(rows: list[_Row], result: ImportResult, user: Any, today: dt.date) -> None:
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
