"""Key-industry classification (重点产业认定).

Rules, in order:

1. An enterprise belongs to **at most one** key industry.
2. An active manual inclusion (手工纳入) beats every rule (the most recent one when several).
3. A manual exclusion (手工剔除) removes that industry from the enterprise's candidates.
4. Among the rules (GB/T 4754 code prefixes of each industry's definition valid on the date),
   the **longest matching prefix wins**; a tie goes to the industry listed first (order, id).

Definitions are versioned by ``valid_from`` and overrides carry ``valid_from`` / ``revoked_at``,
so the classification "as of" any date can be recomputed exactly (:func:`classify_all_as_of`).
The materialised ``Enterprise.key_industry`` is today's classification (:func:`reclassify`).

Industry codes arrive as ``6511``, ``I6511``, ``I 6511``, ``651``, ``6511 软件开发`` or a plain name:
:func:`normalize_industry_code` turns them into the bare GB/T 4754 code (the letter is implied by the
two-digit division and only checked).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.registry.models import (
    Enterprise,
    EnterpriseEvent,
    IndustryCode,
    IndustryDefinition,
    IndustryOverride,
    KeyIndustry,
)

# ---------------------------------------------------------------------------------------------
# GB/T 4754-2017 codes
# ---------------------------------------------------------------------------------------------


@dataclass
class Taxonomy:
    """The code table: code -> (section letter, level, name)."""

    codes: dict[str, tuple[str, int, str]]
    division_section: dict[str, str]  # "65" -> "I"
    by_name: dict[str, str] = field(default_factory=dict)  # name -> most detailed code

    def exists(self, code: str) -> bool:
        return code in self.codes

    def name(self, code: str) -> str:
        row = self.codes.get(code)
        return row[2] if row else ""

    def section(self, code: str) -> str:
        if code[:1].isalpha():
            return code[:1]
        return self.division_section.get(code[:2], "")


def taxonomy() -> Taxonomy:
    """The GB/T 4754 table from the database (loaded by ``peiyu init``), else from the packaged CSV."""
    rows = list(IndustryCode.objects.values_list("code", "section", "level", "name"))
    if not rows:
        from peiyu.registry.reference import _rows

        rows = [
            (r["code"], r["section"], int(r["level"]), r["name"]) for r in _rows("gbt4754_2017_industry.csv")
        ]
    codes = {c: (s, lvl, n) for c, s, lvl, n in rows}
    division_section = {c: s for c, s, lvl, _ in rows if lvl == 2}
    by_name: dict[str, str] = {}
    for c, _s, _lvl, n in sorted(
        rows, key=lambda r: r[2]
    ):  # deeper levels overwrite: a name → its most detailed code
        by_name[n] = c
    return Taxonomy(codes, division_section, by_name)


_CODE_RE = re.compile(r"^([A-Za-z])?\s*[-－_.]?\s*(\d{1,4})(?:\D.*)?$")
_CODE_IN_BRACKETS = re.compile(r"[(（\[【]\s*([A-Za-z]?\s*\d{2,4})\s*[)）\]】]")


class CodeError(ValueError):
    """A Chinese explanation of why an industry code is not usable."""


def normalize_industry_code(raw: Any, tax: Taxonomy, *, allow_section: bool = False) -> str:
    """The bare GB/T 4754 code for any of the usual spellings, or raise :class:`CodeError`.

    ``allow_section`` accepts a lone section letter ("I"), as used in industry prefixes.
    Numbers that came out of Excel lost their leading zero (``111.0`` for ``0111``): a 1- or 3-digit
    number that only exists zero-padded is padded.
    """
    numeric = isinstance(raw, int | float) and not isinstance(raw, bool)
    if raw is None:
        raise CodeError("行业代码为空")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CodeError(f"行业代码“{raw}”不是整数代码")
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        raise CodeError("行业代码为空")
    if allow_section and len(text) == 1 and text.isalpha():
        letter = text.upper()
        if letter in tax.codes:
            return letter
        raise CodeError(f"门类“{letter}”不存在（GB/T 4754-2017 门类为 A–T）")
    m = _CODE_RE.match(text) or None
    if m is None:
        inner = _CODE_IN_BRACKETS.search(text)
        if inner:
            m = _CODE_RE.match(inner.group(1))
    if m is None:
        name = re.sub(r"\s+", "", text)
        if name in tax.by_name:
            code = tax.by_name[name]
            if code.isalpha() and not allow_section:
                raise CodeError(f"“{text}”是门类名称，行业代码至少应到大类（2 位数字）")
            return code
        raise CodeError(f"无法识别行业代码“{text}”（应为 2–4 位数字代码，可带门类字母，如 I6511）")
    letter, digits = (m.group(1) or "").upper(), m.group(2)
    if (len(digits) == 1 and numeric) or (len(digits) == 3 and not letter and digits not in tax.codes):
        padded = "0" + digits
        if padded in tax.codes:
            digits = padded
    if len(digits) < 2:
        raise CodeError(f"行业代码“{text}”过短：至少应到大类（2 位数字）")
    section = tax.division_section.get(digits[:2])
    if section is None:
        raise CodeError(f"行业代码“{text}”不存在：GB/T 4754-2017 没有大类“{digits[:2]}”")
    if letter and letter != section:
        raise CodeError(f"行业代码“{text}”的门类字母“{letter}”与大类“{digits[:2]}”不符（应为 {section}）")
    if digits not in tax.codes:
        level = {3: "中类", 4: "小类"}.get(len(digits), "代码")
        raise CodeError(f"行业代码“{text}”不存在：GB/T 4754-2017 没有{level}“{digits}”")
    return digits


def normalize_prefixes(raw: Iterable[Any] | str, tax: Taxonomy | None = None) -> tuple[list[str], list[str]]:
    """Prefixes of a definition from user input ("64, I65；7340" or a list): (clean list, errors)."""
    tax = tax or taxonomy()
    if isinstance(raw, str):
        items = [p for p in re.split(r"[\s,，;；、/]+", raw) if p]
    else:
        items = [str(p) for p in raw if str(p).strip()]
    out: list[str] = []
    errors: list[str] = []
    for item in items:
        try:
            code = normalize_industry_code(item, tax, allow_section=True)
        except CodeError as exc:
            errors.append(str(exc))
            continue
        if code not in out:
            out.append(code)
    return out, errors


def prefix_keys(code: str, section: str) -> list[str]:
    """The keys a code can match, most specific first: 6511 -> 6511, 651, 65, I."""
    keys = [code[:n] for n in range(len(code), 1, -1)]
    if section:
        keys.append(section)
    return keys


# ---------------------------------------------------------------------------------------------
# Rules as of a date
# ---------------------------------------------------------------------------------------------


@dataclass
class RuleSet:
    """Everything needed to classify on a date: industries in order and their prefixes."""

    as_of: dt.date
    industries: list[tuple[int, str]]  # (id, name) in order
    prefixes: dict[int, list[str]]  # industry id -> prefixes valid on as_of
    definition_ids: dict[int, int | None]
    # prefix -> list of industry ids in industry order (a prefix may appear in several definitions)
    index: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        order = {ind_id: i for i, (ind_id, _) in enumerate(self.industries)}
        index: dict[str, list[int]] = defaultdict(list)
        for ind_id, prefixes in self.prefixes.items():
            for p in prefixes:
                index[p].append(ind_id)
        self.index = {p: sorted(ids, key=order.__getitem__) for p, ids in index.items()}

    def names(self) -> dict[int, str]:
        return dict(self.industries)

    def candidates(self, code: str, section: str) -> list[tuple[str, int]]:
        """Matching (prefix, industry id), best first: longest prefix, then industry order."""
        out = []
        for key in prefix_keys(code, section):
            for ind_id in self.index.get(key, ()):
                out.append((key, ind_id))
        return out


def rules_as_of(as_of: dt.date | None = None, overrides: Mapping[int, list[str]] | None = None) -> RuleSet:
    """The definitions valid on ``as_of`` (default today). ``overrides`` replaces the prefixes of some
    industries (used by :func:`preview`)."""
    as_of = as_of or timezone.localdate()
    industries = list(
        KeyIndustry.objects.filter(active=True).order_by("order", "id").values_list("id", "name")
    )
    ids = {i for i, _ in industries}
    prefixes: dict[int, list[str]] = {}
    def_ids: dict[int, int | None] = {}
    for d in IndustryDefinition.objects.filter(industry_id__in=ids, valid_from__lte=as_of).order_by(
        "industry_id", "-valid_from", "-id"
    ):
        if d.industry_id not in prefixes:
            prefixes[d.industry_id] = [str(p) for p in d.prefixes]
            def_ids[d.industry_id] = d.pk
    for ind_id, new in (overrides or {}).items():
        if ind_id in ids:
            prefixes[ind_id] = list(new)
            def_ids[ind_id] = None
    return RuleSet(as_of, industries, prefixes, def_ids)


@dataclass
class OverrideSet:
    include: dict[int, int]  # enterprise id -> industry id (most recent active inclusion)
    exclude: dict[int, set[int]]  # enterprise id -> excluded industry ids


def overrides_as_of(as_of: dt.date | None = None, enterprise_ids: Iterable[int] | None = None) -> OverrideSet:
    """Manual decisions in force on ``as_of``: valid from on or before it, not revoked by then."""
    as_of = as_of or timezone.localdate()
    qs = IndustryOverride.objects.filter(valid_from__lte=as_of, industry__active=True)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=list(enterprise_ids))
    include: dict[int, int] = {}
    exclude: dict[int, set[int]] = defaultdict(set)
    rows = qs.order_by("created_at", "id").values_list("enterprise_id", "industry_id", "kind", "revoked_at")
    for ent_id, ind_id, kind, revoked_at in rows:
        if revoked_at is not None and timezone.localdate(revoked_at) <= as_of:
            continue
        if kind == IndustryOverride.Kind.INCLUDE:
            include[ent_id] = ind_id  # later rows win
        else:
            exclude[ent_id].add(ind_id)
    return OverrideSet(include, dict(exclude))


def decide(
    code: str, section: str, ent_id: int | None, rules: RuleSet, ov: OverrideSet
) -> tuple[int | None, str]:
    """(industry id or None, basis) for one enterprise."""
    if ent_id is not None and ent_id in ov.include:
        return ov.include[ent_id], "手工纳入"
    excluded = ov.exclude.get(ent_id, set()) if ent_id is not None else set()
    if code:
        for prefix, ind_id in rules.candidates(code, section):
            if ind_id not in excluded:
                return ind_id, f"行业代码前缀 {prefix}"
    if excluded:
        return None, "手工剔除"
    return None, ""


def _code_sections(codes: Iterable[str], tax: Taxonomy | None = None) -> dict[str, str]:
    tax = tax or taxonomy()
    return {c: tax.section(c) for c in set(codes) if c}


@dataclass
class Classification:
    industry_id: int | None
    industry: str
    basis: str
    as_of: dt.date


def classify(enterprise: Enterprise, as_of: dt.date | None = None) -> Classification:
    """The key industry of one enterprise on a date (default today), without saving anything.

    For a past date the enterprise's industry code on that date is recovered from its events."""
    as_of = as_of or timezone.localdate()
    rules = rules_as_of(as_of)
    ov = overrides_as_of(as_of, [enterprise.pk]) if enterprise.pk else OverrideSet({}, {})
    code = enterprise.industry_code
    if enterprise.pk and as_of < timezone.localdate():
        code = _codes_as_of(as_of, [enterprise.pk]).get(enterprise.pk, code)
    tax = taxonomy()
    ind_id, basis = decide(code, tax.section(code) if code else "", enterprise.pk, rules, ov)
    return Classification(ind_id, rules.names().get(ind_id, "") if ind_id else "", basis, as_of)


def _codes_as_of(as_of: dt.date, enterprise_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Industry codes that changed after ``as_of``: enterprise id -> the code it had on ``as_of``."""
    qs = EnterpriseEvent.objects.filter(kind=EnterpriseEvent.Kind.INDUSTRY_CODE, date__gt=as_of)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=list(enterprise_ids))
    out: dict[int, str] = {}
    # the earliest change after the date carries, in ``before``, the code in force on the date
    for ent_id, before in qs.order_by("-date", "-id").values_list("enterprise_id", "before"):
        out[ent_id] = before
    return out


def _all_rows(enterprise_ids: Iterable[int] | None = None) -> list[tuple[int, str, int | None, str]]:
    qs = Enterprise.objects.all()
    fields = ("id", "industry_code", "key_industry_id", "classification_basis")
    if enterprise_ids is not None and len(ids := list(enterprise_ids)) > 20000:
        wanted = set(ids)
        return [r for r in qs.values_list(*fields) if r[0] in wanted]
    if enterprise_ids is not None:
        rows: list[tuple[int, str, int | None, str]] = []
        for i in range(0, len(ids), 500):
            rows += list(
                qs.filter(pk__in=ids[i : i + 500]).values_list(
                    "id", "industry_code", "key_industry_id", "classification_basis"
                )
            )
        return rows
    return list(qs.values_list("id", "industry_code", "key_industry_id", "classification_basis"))


def compute(
    rows: Iterable[tuple[int, str]], rules: RuleSet, ov: OverrideSet, sections: dict[str, str]
) -> dict[int, tuple[int | None, str]]:
    """Classify many (id, code) rows; the rule part is computed once per distinct code."""
    by_code: dict[str, tuple[int | None, str]] = {}
    out: dict[int, tuple[int | None, str]] = {}
    for ent_id, code in rows:
        if ent_id in ov.include or ent_id in ov.exclude:
            out[ent_id] = decide(code, sections.get(code, ""), ent_id, rules, ov)
            continue
        hit = by_code.get(code)
        if hit is None:
            hit = by_code[code] = decide(code, sections.get(code, ""), None, rules, ov)
        out[ent_id] = hit
    return out


def classify_all_as_of(as_of: dt.date, enterprise_ids: Iterable[int] | None = None) -> dict[int, int | None]:
    """enterprise id -> key industry id as it was (or will be) on ``as_of``; reproducible for past dates
    (definitions, overrides and industry codes are all taken as they stood on that date)."""
    rows = _all_rows(enterprise_ids)
    codes = {r[0]: r[1] for r in rows}
    if as_of < timezone.localdate():
        codes.update({k: v for k, v in _codes_as_of(as_of, enterprise_ids).items() if k in codes})
    rules = rules_as_of(as_of)
    ov = overrides_as_of(as_of, enterprise_ids)
    result = compute(codes.items(), rules, ov, _code_sections(codes.values()))
    return {k: v[0] for k, v in result.items()}


# ---------------------------------------------------------------------------------------------
# Materialising today's classification
# ---------------------------------------------------------------------------------------------


@dataclass
class ReclassifyResult:
    checked: int = 0
    changed: int = 0
    entered: dict[str, int] = field(default_factory=dict)  # industry name -> enterprises that entered
    left: dict[str, int] = field(default_factory=dict)
    changed_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "changed": self.changed, "entered": self.entered, "left": self.left}


def notify_dimension_changed(enterprise_ids: Iterable[int] | None = None, reason: str = "") -> None:
    """Send ``dimension_changed`` once the current transaction commits (at once outside one)."""
    from peiyu.core.signals import dimension_changed

    ids = None if enterprise_ids is None else list(enterprise_ids)
    transaction.on_commit(
        lambda: dimension_changed.send(sender=Enterprise, enterprise_ids=ids, reason=reason)
    )


def reclassify(
    enterprise_ids: Iterable[int] | None = None,
    *,
    user: Any = None,
    source: str = "",
    record_events: bool = True,
    skip_events_for: Iterable[int] = (),
    notify: bool = True,
) -> ReclassifyResult:
    """Recompute today's key industry for some (default: all) enterprises and store the changes.

    Changes are written grouped by (industry, basis) with one UPDATE per group and chunk, so 100,000
    enterprises take about a second. Each changed enterprise gets a dated ``key_industry`` event
    (except those in ``skip_events_for``, e.g. just created). Sends ``dimension_changed`` on commit
    when anything changed."""
    today = timezone.localdate()
    ids = None if enterprise_ids is None else list(enterprise_ids)
    result = ReclassifyResult()
    with transaction.atomic():
        rows = _all_rows(ids)
        result.checked = len(rows)
        if not rows:
            return result
        rules = rules_as_of(today)
        ov = overrides_as_of(today, None if ids is None or len(ids) > 5000 else ids)
        sections = _code_sections(r[1] for r in rows)
        decided = compute(((r[0], r[1]) for r in rows), rules, ov, sections)
        names = dict(KeyIndustry.objects.values_list("id", "name"))
        groups: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        events: list[EnterpriseEvent] = []
        skip = set(skip_events_for)
        for ent_id, _code, cur_ind, cur_basis in rows:
            new_ind, new_basis = decided[ent_id]
            if new_ind == cur_ind and new_basis == cur_basis:
                continue
            groups[(new_ind, new_basis)].append(ent_id)
            if new_ind != cur_ind:
                result.changed += 1
                result.changed_ids.append(ent_id)
                if new_ind is not None:
                    result.entered[names[new_ind]] = result.entered.get(names[new_ind], 0) + 1
                if cur_ind is not None:
                    old_name = names.get(cur_ind, str(cur_ind))
                    result.left[old_name] = result.left.get(old_name, 0) + 1
                if record_events and ent_id not in skip:
                    events.append(
                        EnterpriseEvent(
                            enterprise_id=ent_id,
                            date=today,
                            kind=EnterpriseEvent.Kind.KEY_INDUSTRY,
                            before=names.get(cur_ind, str(cur_ind)) if cur_ind else "（非重点产业）",
                            after=f"{names[new_ind]}（{new_basis}）"
                            if new_ind
                            else f"（非重点产业）{new_basis}",
                            source=source[:200],
                            created_by=user if getattr(user, "is_authenticated", False) else None,
                        )
                    )
        now = timezone.now()
        for (ind_id, basis), members in groups.items():
            for i in range(0, len(members), 500):
                Enterprise.objects.filter(pk__in=members[i : i + 500]).update(
                    key_industry_id=ind_id, classification_basis=basis, updated_at=now
                )
        EnterpriseEvent.objects.bulk_create(events, batch_size=2000)
        if result.changed and notify:
            notify_dimension_changed(
                result.changed_ids if len(result.changed_ids) <= 10000 else None, source or "重新认定"
            )
    return result


# ---------------------------------------------------------------------------------------------
# Previewing a definition change
# ---------------------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    industry_id: int
    name: str
    before: int
    after: int
    entering: int
    leaving: int
    entering_sample: list[dict[str, str]]
    leaving_sample: list[dict[str, str]]

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass
class Preview:
    as_of: dt.date
    rows: list[PreviewRow]
    changed: int  # enterprises whose industry would change
    proposed: dict[int, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "changed": self.changed,
            "industries": [
                {
                    "id": r.industry_id,
                    "name": r.name,
                    "before": r.before,
                    "after": r.after,
                    "entering": r.entering,
                    "leaving": r.leaving,
                    "entering_sample": r.entering_sample,
                    "leaving_sample": r.leaving_sample,
                }
                for r in self.rows
            ],
        }


def preview(proposed: Mapping[int, list[str]], as_of: dt.date | None = None, *, sample: int = 10) -> Preview:
    """The effect of replacing some industries' prefixes, on the date the change would take effect
    (default today): enterprises entering and leaving each industry, with samples. Saves nothing.

    Compares the classification under the definitions valid on ``as_of`` with the same but for the
    proposed prefixes (manual decisions apply to both)."""
    as_of = as_of or timezone.localdate()
    rows = list(Enterprise.objects.values_list("id", "industry_code"))
    sections = _code_sections(r[1] for r in rows)
    ov = overrides_as_of(as_of)
    current = rules_as_of(as_of)
    future = rules_as_of(as_of, overrides=proposed)
    before = compute(rows, current, ov, sections)
    after = compute(rows, future, ov, sections)
    counts_before: dict[int | None, int] = defaultdict(int)
    counts_after: dict[int | None, int] = defaultdict(int)
    entering: dict[int, list[int]] = defaultdict(list)
    leaving: dict[int, list[int]] = defaultdict(list)
    changed = 0
    for ent_id, _ in rows:
        b, a = before[ent_id][0], after[ent_id][0]
        counts_before[b] += 1
        counts_after[a] += 1
        if a != b:
            changed += 1
            if a is not None:
                entering[a].append(ent_id)
            if b is not None:
                leaving[b].append(ent_id)
    wanted = {i for ids in entering.values() for i in ids[:sample]} | {
        i for ids in leaving.values() for i in ids[:sample]
    }
    info = {
        e["id"]: e
        for e in Enterprise.objects.filter(pk__in=wanted).values("id", "credit_code", "name", "industry_code")
    }

    def _sample(ids: list[int]) -> list[dict[str, str]]:
        return [
            {
                "credit_code": info[i]["credit_code"],
                "name": info[i]["name"],
                "industry_code": info[i]["industry_code"],
            }
            for i in ids[:sample]
            if i in info
        ]

    out = [
        PreviewRow(
            ind_id,
            name,
            counts_before.get(ind_id, 0),
            counts_after.get(ind_id, 0),
            len(entering.get(ind_id, [])),
            len(leaving.get(ind_id, [])),
            _sample(entering.get(ind_id, [])),
            _sample(leaving.get(ind_id, [])),
        )
        for ind_id, name in current.industries
    ]
    return Preview(as_of, out, changed, {k: list(v) for k, v in proposed.items()})


def counts_by_industry(qs: Any) -> dict[str, int]:
    """{industry name: enterprises} for a queryset (already scoped by the caller), in industry order."""
    from django.db.models import Count

    names = dict(KeyIndustry.objects.order_by("order", "id").values_list("id", "name"))
    got = dict(
        qs.filter(key_industry__isnull=False)
        .values_list("key_industry")
        .annotate(n=Count("id"))
        .values_list("key_industry", "n")
    )
    return {name: got.get(ind_id, 0) for ind_id, name in names.items()}
