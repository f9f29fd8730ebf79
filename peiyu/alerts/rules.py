"""The warning rules and the monthly run that turns their findings into warnings.

Each rule is a plain function of one enterprise's monthly district-level tax (fen, a month with no
row is 0) and the settings; it returns a :class:`Finding` (severity, evidence numbers, a Chinese
sentence) or None. :func:`detect` applies them for a month; :func:`compute_month` writes the
results:

- a finding with no open warning of that enterprise × rule creates one (owner assigned, see
  :func:`owner_for`); with an open warning it updates that warning (``last_month``, evidence,
  severity): never a duplicate (a database constraint backs this up);
- a closed warning whose condition has kept holding since it was closed suppresses a new warning
  for the same uninterrupted episode (an official who closed "企业已说明原因" is not asked again
  next month); once the condition lapses a later recurrence is a new warning;
- an open warning whose condition no longer holds is marked "条件已消除" (``condition_holds`` False,
  ``cleared_month``). If nobody has touched it yet (status ``new``) and ``auto_resolve`` is on, it is
  closed as resolved by the system with that reason; a warning someone is working on stays open for
  its owner to close with a note. Nothing is ever deleted.

Rules use only the months up to the analysed month, so running an old month reproduces what the
system would have said then.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peiyu.accounts import scope as scope_mod
from peiyu.alerts import audit_actions as A
from peiyu.alerts.keyset import KeySet, key_set
from peiyu.alerts.models import (
    OPEN_STATUSES,
    AlertSettings,
    Rule,
    Severity,
    Status,
    Warning,
    WarningEvent,
)
from peiyu.analytics import shift_month
from peiyu.core.money import format_wan, growth_pct
from peiyu.taxes import analytics

log = logging.getLogger(__name__)
shift = shift_month

Values = Callable[[str], int]


@dataclass
class Finding:
    enterprise_id: int
    rule: str
    severity: str
    evidence: dict[str, Any]
    summary: str


def months_back(month: str, n: int) -> list[str]:
    """The ``n`` months ending with ``month``, oldest first."""
    return [shift(month, -i) for i in range(n - 1, -1, -1)]


# ---------------------------------------------------------------------------------------------
# The rules (pure functions)


def yoy_drop(v: Values, month: str, cfg: AlertSettings) -> tuple[str, dict, str] | None:
    """The last ``yoy_drop_months`` months together at least ``yoy_drop_pct``% below the same months
    a year earlier (and that base positive)."""
    months = months_back(month, cfg.yoy_drop_months)
    prev_months = [shift(m, -12) for m in months]
    cur = sum(v(m) for m in months)
    prev = sum(v(m) for m in prev_months)
    if prev <= 0 or cur * 100 > prev * (100 - cfg.yoy_drop_pct):
        return None
    change = growth_pct(cur, prev)
    severity = Severity.HIGH if cur * 100 <= prev * (100 - cfg.yoy_drop_high_pct) else Severity.MEDIUM
    evidence = {
        "months": months,
        "values_fen": [v(m) for m in months],
        "prev_months": prev_months,
        "prev_values_fen": [v(m) for m in prev_months],
        "sum_fen": cur,
        "prev_sum_fen": prev,
        "change_pct": change,
        "threshold_pct": cfg.yoy_drop_pct,
    }
    text = (
        f"{months[0]}至{months[-1]}区级税收 {format_wan(cur)} 万元，较上年同期 {format_wan(prev)} 万元"
        f"下降 {abs(change or 0):.1f}%（阈值 {cfg.yoy_drop_pct}%）"
    )
    return severity, evidence, text


def consecutive_decline(v: Values, month: str, cfg: AlertSettings) -> tuple[str, dict, str] | None:
    """Each of the last ``decline_months`` months below the same month a year earlier (by more than
    ``decline_min_pct``%), each base positive."""
    months = months_back(month, cfg.decline_months)
    changes = []
    for m in months:
        cur, prev = v(m), v(shift(m, -12))
        if prev <= 0 or cur * 100 >= prev * (100 - cfg.decline_min_pct):
            return None
        changes.append(growth_pct(cur, prev))
    evidence = {
        "months": months,
        "values_fen": [v(m) for m in months],
        "prev_months": [shift(m, -12) for m in months],
        "prev_values_fen": [v(shift(m, -12)) for m in months],
        "changes_pct": changes,
        "min_pct": cfg.decline_min_pct,
    }
    text = (
        f"连续 {len(months)} 个月区级税收低于上年同月（同比 "
        + "、".join(f"{c:+.1f}%" for c in changes)
        + "）"
    )
    return Severity.LOW, evidence, text


def stopped_paying(v: Values, month: str, cfg: AlertSettings) -> tuple[str, dict, str] | None:
    """Nothing paid (≤ 0) in the last ``stop_quiet_months`` months after paying in each of the
    ``stop_paid_months`` months before."""
    quiet = months_back(month, cfg.stop_quiet_months)
    paid = months_back(shift(quiet[0], -1), cfg.stop_paid_months)
    if any(v(m) > 0 for m in quiet) or any(v(m) <= 0 for m in paid):
        return None
    evidence: dict[str, Any] = {
        "months": quiet,
        "values_fen": [v(m) for m in quiet],
        "paid_months": paid,
        "paid_values_fen": [v(m) for m in paid],
        "paid_sum_fen": sum(v(m) for m in paid),
    }
    text = (
        f"{quiet[0]}至{quiet[-1]}无区级税收入库；此前 {len(paid)} 个月每月均有缴纳，"
        f"合计 {format_wan(evidence['paid_sum_fen'])} 万元"
    )
    return Severity.HIGH, evidence, text


def spike(v: Values, month: str, cfg: AlertSettings) -> tuple[str, dict, str] | None:
    """This month above ``spike_factor`` × the median of the ``spike_window_months`` months before
    (median positive). Informational: a one-off payment inflates the month's and the year's growth."""
    before = months_back(shift(month, -1), cfg.spike_window_months)
    values = sorted(v(m) for m in before)
    n = len(values)
    lo, hi = values[(n - 1) // 2], values[n // 2]  # median = (lo + hi) / 2, kept in integers
    cur = v(month)
    if lo + hi <= 0 or cur * 2 <= cfg.spike_factor * (lo + hi):
        return None
    median2 = lo + hi
    evidence = {
        "months": [month],
        "values_fen": [cur],
        "window_months": before,
        "window_values_fen": [v(m) for m in before],
        "median_fen": median2 // 2,
        "factor": cfg.spike_factor,
        "ratio": round(cur * 2 / median2, 1),
    }
    text = (
        f"{month}区级税收 {format_wan(cur)} 万元，为前 {n} 个月中位数 {format_wan(median2 // 2)} 万元的 "
        f"{evidence['ratio']} 倍（阈值 {cfg.spike_factor} 倍），将抬高当月及全年增速"
    )
    return Severity.INFO, evidence, text


SERIES_RULES: dict[str, Callable[[Values, str, AlertSettings], tuple[str, dict, str] | None]] = {
    Rule.YOY_DROP: yoy_drop,
    Rule.CONSECUTIVE_DECLINE: consecutive_decline,
    Rule.STOPPED_PAYING: stopped_paying,
    Rule.SPIKE: spike,
}


def span_needed(cfg: AlertSettings) -> int:
    """How many months (ending with the analysed month) the series rules look at."""
    return max(
        cfg.yoy_drop_months + 12,
        cfg.decline_months + 12,
        cfg.stop_quiet_months + cfg.stop_paid_months,
        cfg.spike_window_months + 1,
        cfg.moved_out_window_months,
    )


# ---------------------------------------------------------------------------------------------
# Moved out


def _month_end(month: str) -> dt.date:
    nxt = shift(month, 1)
    y, m = map(int, nxt.split("-"))
    return dt.date(y, m, 1) - dt.timedelta(days=1)


def moved_out_candidates(month: str, cfg: AlertSettings) -> dict[int, dict[str, Any]]:
    """Enterprises that look gone at ``month``: registry status 迁出/注销/吊销 (dated by the
    registry's status event when there is one, and counted from the month after the import of
    ``month`` would arrive), or whose taxpayer the tax office now reports as registered outside the
    district (a taxpayer link marked 区外). ``{enterprise id: {status, since, source}}``."""
    from peiyu.registry.models import GONE_STATUSES, Enterprise, EnterpriseEvent
    from peiyu.taxes.models import TaxpayerLink

    cutoff = _month_end(shift(month, 1))  # data of `month` arrives during the next month
    out: dict[int, dict[str, Any]] = {}
    gone = dict(Enterprise.objects.filter(status__in=GONE_STATUSES).values_list("id", "status"))
    since: dict[int, dt.date] = {}
    for eid, date in (
        EnterpriseEvent.objects.filter(kind=EnterpriseEvent.Kind.STATUS, after__in=GONE_STATUSES)
        .order_by("date", "id")
        .values_list("enterprise_id", "date")
    ):
        since[eid] = date
    for eid, status in gone.items():
        d = since.get(eid)
        if d is not None and d > cutoff:
            continue
        out[eid] = {"status": status, "since": d.isoformat() if d else "", "source": "registry"}
    first = shift(month, -(cfg.moved_out_window_months - 1))
    for eid, last in TaxpayerLink.objects.filter(
        status=TaxpayerLink.Status.OUTSIDE, enterprise__isnull=False, last_month__gte=first
    ).values_list("enterprise_id", "last_month"):
        out.setdefault(eid, {"status": "区外", "since": "", "source": "taxpayer_link", "last_month": last})
    return out


# ---------------------------------------------------------------------------------------------
# Detection


def _lookup(values: dict[str, int]) -> Values:
    return lambda m: values.get(m, 0)


def _series(ids: list[int], months: list[str]) -> dict[int, dict[str, int]]:
    raw = analytics.enterprise_series(scope_mod.EVERYTHING, months, ids)
    return {eid: {m: row["district_fen"] for m, row in by_month.items()} for eid, by_month in raw.items()}


@dataclass
class Detection:
    month: str
    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[str, set[int]] = field(default_factory=dict)  # rule -> enterprises checked
    keys: KeySet | None = None


def detect(
    month: str, cfg: AlertSettings | None = None, extra: dict[str, set[int]] | None = None
) -> Detection:
    """All findings for ``month`` (district-wide; nothing is written). ``extra`` names, per rule,
    enterprises to check with that rule even if they are no longer key enterprises (those with a
    tracked warning of the rule), so their warning can be updated or cleared."""
    cfg = cfg or AlertSettings.current()
    keys = key_set(month, cfg)
    det = Detection(month, keys=keys)
    span = months_back(month, span_needed(cfg))
    extra = extra or {}
    key_ids = set(keys.ids())
    gone = moved_out_candidates(month, cfg) if cfg.moved_out_enabled else {}
    all_ids = key_ids | set(gone) | set().union(*extra.values()) if extra else key_ids | set(gone)
    series = _series(sorted(all_ids), span)

    for rule, fn in SERIES_RULES.items():
        if not cfg.rule_enabled(rule):
            continue
        # immaterial firms (manually added, paying a few yuan) are not judged by the series rules;
        # firms with a tracked warning of the rule are checked so the warning can be updated or cleared
        checked = key_ids | extra.get(rule, set())
        det.evaluated[rule] = checked
        ids = {e for e in checked if keys.sums.get(e, 0) >= cfg.series_min_fen}
        for eid in sorted(ids):
            values = series.get(eid, {})
            hit = fn(_lookup(values), month, cfg)
            if hit:
                det.findings.append(Finding(eid, rule, hit[0], hit[1], hit[2]))

    if cfg.moved_out_enabled:
        window = months_back(month, cfg.moved_out_window_months)
        det.evaluated[Rule.MOVED_OUT] = set(gone) | extra.get(Rule.MOVED_OUT, set())
        for eid, info in sorted(gone.items()):
            values = series.get(eid, {})
            paid = [(m, values.get(m, 0)) for m in window]
            total = sum(x for _, x in paid)
            paid_any = any(x > 0 for _, x in paid) or info.get("source") == "taxpayer_link"
            if not paid_any:
                continue
            last_paid = max((m for m, x in paid if x > 0), default=info.get("last_month", ""))
            is_key = eid in keys or total >= cfg.key_threshold_fen
            evidence = {
                "months": window,
                "values_fen": [x for _, x in paid],
                "sum_fen": total,
                "status": info["status"],
                "since": info["since"],
                "source": info["source"],
                "last_paid_month": last_paid,
                "key": is_key,
            }
            where = (
                "登记状态为“{}”".format(info["status"])
                if info["source"] == "registry"
                else "税务登记已转至区外"
            )
            when = f"（{info['since']}）" if info["since"] else ""
            text = f"{where}{when}；近 {len(window)} 个月区级税收 {format_wan(total)} 万元，最近入库 {last_paid or '—'}"
            material = total >= cfg.series_min_fen
            severity = Severity.HIGH if is_key else (Severity.MEDIUM if material else Severity.LOW)
            det.findings.append(Finding(eid, Rule.MOVED_OUT, severity, evidence, text))
    return det


# ---------------------------------------------------------------------------------------------
# Owners


OWNER_BASIS = {
    "liaison": "企业联络员",
    "area": "属地街道镇",
    "taskforce": "产业专班",
    "manual": "人工转派",
    "claimed": "主动认领",
    "": "未分派",
}


class OwnerFinder:
    """Who owns a new warning, in this order: the enterprise's liaison officer (active); else the
    first active area officer (role 街道镇) of its area; else the first active task-force user of
    its key industry; else nobody (the warning appears in the managers' inboxes as unassigned)."""

    def __init__(self) -> None:
        from peiyu.accounts.models import Role, User

        self.by_area: dict[int, Any] = {}
        self.by_industry: dict[int, Any] = {}
        for u in User.objects.filter(is_active=True, role=Role.AREA).order_by("id").prefetch_related("areas"):
            for a in u.areas.all():
                self.by_area.setdefault(a.id, u)
        for u in (
            User.objects.filter(is_active=True, role=Role.TASKFORCE)
            .order_by("id")
            .prefetch_related("key_industries")
        ):
            for i in u.key_industries.all():
                self.by_industry.setdefault(i.id, u)

    def __call__(self, enterprise: Any) -> tuple[Any, str]:
        liaison = enterprise.liaison
        if liaison is not None and liaison.is_active:
            return liaison, "liaison"
        if enterprise.area_id in self.by_area:
            return self.by_area[enterprise.area_id], "area"
        if enterprise.key_industry_id in self.by_industry:
            return self.by_industry[enterprise.key_industry_id], "taskforce"
        return None, ""


def owner_for(enterprise: Any) -> tuple[Any, str]:
    return OwnerFinder()(enterprise)


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class ComputeResult:
    month: str
    created: int = 0
    updated: int = 0
    cleared: int = 0
    auto_closed: int = 0
    suppressed: int = 0
    key_enterprises: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def compute_month(month: str, *, user: Any = None, cfg: AlertSettings | None = None) -> ComputeResult:
    """Detect the warnings of ``month`` and write them (see the module docstring). Idempotent."""
    import time

    from peiyu.accounts.audit import record
    from peiyu.registry.models import Enterprise

    started = time.monotonic()
    cfg = cfg or AlertSettings.current()
    result = ComputeResult(month)
    now = timezone.now()
    with transaction.atomic():
        tracked = list(
            Warning.objects.select_for_update().filter(condition_holds=True).order_by("id")
        )  # open warnings plus closed ones whose episode is still running
        extra: dict[str, set[int]] = {}
        w: Warning | None  # the loop variables below, then open_map.get()
        for w in tracked:
            extra.setdefault(w.rule, set()).add(w.enterprise_id)
        det = detect(month, cfg, extra)
        result.key_enterprises = len(det.keys.reasons) if det.keys else 0
        open_map = {(w.enterprise_id, w.rule): w for w in tracked if w.status in OPEN_STATUSES}
        closed_map: dict[tuple[int, str], Warning] = {}
        for w in tracked:
            if w.status not in OPEN_STATUSES:
                closed_map[(w.enterprise_id, w.rule)] = w  # newest wins (ordered by id)
        # open warnings whose condition already lapsed can still be updated if it recurs
        for w in Warning.objects.filter(status__in=OPEN_STATUSES, condition_holds=False):
            open_map.setdefault((w.enterprise_id, w.rule), w)
        found = {(f.enterprise_id, f.rule) for f in det.findings}
        ents = Enterprise.objects.select_related("liaison").in_bulk(
            [f.enterprise_id for f in det.findings if (f.enterprise_id, f.rule) not in open_map]
        )
        owners = OwnerFinder()
        events: list[WarningEvent] = []
        to_update: list[Warning] = []
        closed_update: list[Warning] = []
        for f in det.findings:
            key = (f.enterprise_id, f.rule)
            w = open_map.get(key)
            if w is not None:
                if month < w.last_month:
                    if month < w.first_month:  # an older month computed afterwards: extend back
                        w.first_month = month
                        w.save(update_fields=["first_month"])
                    continue
                changed = month > w.last_month or not w.condition_holds
                if not changed and w.evidence == f.evidence and w.severity == f.severity:
                    continue  # the same month again with the same numbers: nothing to write
                w.last_month, w.evidence, w.summary, w.severity = (
                    month,
                    f.evidence,
                    f.summary[:300],
                    f.severity,
                )
                w.condition_holds, w.cleared_month = True, ""
                to_update.append(w)
                if changed:
                    result.updated += 1
                    events.append(
                        WarningEvent(
                            warning=w, kind=WarningEvent.Kind.UPDATED, month=month, note=f.summary[:300]
                        )
                    )
                continue
            c = closed_map.get(key)
            if c is not None and month >= c.last_month:
                if month > c.last_month:
                    c.last_month, c.evidence = month, f.evidence
                    closed_update.append(c)
                result.suppressed += 1
                continue
            if c is not None:
                continue  # an older month than the closed episode: nothing to say
            ent = ents[f.enterprise_id]
            owner, basis = owners(ent)
            w = Warning.objects.create(
                enterprise=ent,
                rule=f.rule,
                severity=f.severity,
                first_month=month,
                last_month=month,
                evidence=f.evidence,
                summary=f.summary[:300],
                owner=owner,
                owner_basis=basis,
                created_at=now,
                last_activity_at=now,
            )
            result.created += 1
            note = f.summary[:300] + (
                f"；责任人：{owner}（{OWNER_BASIS[basis]}）" if owner else "；未找到责任人，待分派"
            )
            events.append(
                WarningEvent(
                    warning=w, kind=WarningEvent.Kind.CREATED, month=month, to_status=Status.NEW, note=note
                )
            )

        for w in tracked:
            key = (w.enterprise_id, w.rule)
            if key in found or w.rule not in det.evaluated or w.enterprise_id not in det.evaluated[w.rule]:
                continue
            if month < w.last_month:
                continue
            w.condition_holds, w.cleared_month = False, month
            fields = ["condition_holds", "cleared_month"]
            if w.status not in OPEN_STATUSES:
                w.save(update_fields=fields)  # a closed episode ends quietly
                continue
            result.cleared += 1
            if w.status == Status.NEW and cfg.auto_resolve:
                w.status, w.auto_closed, w.closed_at = Status.RESOLVED, True, now
                w.resolution = f"条件已消除：{month} 起不再满足规则条件，系统自动关闭（记录保留）"
                fields += ["status", "auto_closed", "closed_at", "resolution"]
                result.auto_closed += 1
                events.append(
                    WarningEvent(
                        warning=w,
                        kind=WarningEvent.Kind.AUTO_CLOSED,
                        month=month,
                        from_status=Status.NEW,
                        to_status=Status.RESOLVED,
                        note=w.resolution,
                    )
                )
            else:
                events.append(
                    WarningEvent(
                        warning=w,
                        kind=WarningEvent.Kind.CLEARED,
                        month=month,
                        note=f"{month} 起条件已消除，待责任人确认后关闭",
                    )
                )
            w.save(update_fields=fields)
        Warning.objects.bulk_update(
            to_update,
            ["last_month", "evidence", "summary", "severity", "condition_holds", "cleared_month"],
            batch_size=500,
        )
        Warning.objects.bulk_update(closed_update, ["last_month", "evidence"], batch_size=500)
        WarningEvent.objects.bulk_create(events, batch_size=500)
        result.seconds = round(time.monotonic() - started, 3)
        record(
            user,
            A.WARNINGS_COMPUTE,
            object_type="alerts.warning",
            object_id=month,
            object_repr=f"{month} 预警计算",
            detail=result.as_dict(),
        )
    return result


# ---------------------------------------------------------------------------------------------
# Automatic run after an import

_suspended = 0


@contextmanager
def auto_compute_suspended() -> Iterator[None]:
    """Bulk loaders (the demo, history back-fills) switch the per-import run off and compute the
    months they want afterwards."""
    global _suspended
    _suspended += 1
    try:
        yield
    finally:
        _suspended -= 1


def on_tax_library_changed(sender: Any = None, months: list[str] | None = None, **kwargs: Any) -> None:
    """After an import or rollback: recompute the latest month when the change can affect it (a
    changed month within the rules' look-back window). One month only, so the import stays fast."""
    from django.conf import settings

    if _suspended or not getattr(settings, "ALERTS_AUTO_COMPUTE", True):
        return
    latest = analytics.latest_month()
    if latest is None:
        return
    cfg = AlertSettings.current()
    earliest = shift(latest, -(span_needed(cfg) - 1))
    if months and not any(earliest <= m <= latest for m in months):
        return
    try:
        compute_month(latest, cfg=cfg)
    except Exception:  # an import must never fail because of the warning run
        log.exception("预警计算失败（%s）", latest)


def describe(cfg: AlertSettings | None = None) -> list[dict[str, Any]]:
    """The rules in plain Chinese with the current thresholds (rules page, docs)."""
    cfg = cfg or AlertSettings.current()
    floor = format_wan(cfg.series_min_fen)
    return [
        {
            "rule": "key",
            "label": "重点企业",
            "enabled": True,
            "applies": "全部企业",
            "severity": "—",
            "text": f"分析月之前 {cfg.key_window_months} 个月区级税收 ≥ {format_wan(cfg.key_threshold_fen)} 万元，"
            f"或所在重点产业前 {cfg.top_n_per_industry} 名，或手工纳入（手工移出优先）；"
            f"近12个月低于 {floor} 万元的不套用以下四条序列规则",
        },
        {
            "rule": Rule.YOY_DROP,
            "label": Rule.YOY_DROP.label,
            "enabled": cfg.yoy_drop_enabled,
            "applies": "重点企业",
            "severity": f"中；降幅 ≥ {cfg.yoy_drop_high_pct}% 为高",
            "text": f"最近 {cfg.yoy_drop_months} 个月区级税收合计较上年同期下降 ≥ {cfg.yoy_drop_pct}%（上年同期须大于 0）",
        },
        {
            "rule": Rule.CONSECUTIVE_DECLINE,
            "label": Rule.CONSECUTIVE_DECLINE.label,
            "enabled": cfg.decline_enabled,
            "applies": "重点企业",
            "severity": "低",
            "text": f"最近 {cfg.decline_months} 个月每月区级税收均低于上年同月"
            + (f"（每月降幅超过 {cfg.decline_min_pct}%）" if cfg.decline_min_pct else ""),
        },
        {
            "rule": Rule.STOPPED_PAYING,
            "label": Rule.STOPPED_PAYING.label,
            "enabled": cfg.stop_enabled,
            "applies": "重点企业",
            "severity": "高",
            "text": f"最近 {cfg.stop_quiet_months} 个月无区级税收入库（≤ 0），而此前 {cfg.stop_paid_months} 个月每月均有缴纳",
        },
        {
            "rule": Rule.MOVED_OUT,
            "label": Rule.MOVED_OUT.label,
            "enabled": cfg.moved_out_enabled,
            "applies": f"近 {cfg.moved_out_window_months} 个月有缴税的所有企业",
            "severity": "重点企业为高，其余为中",
            "text": "企业名录登记状态为迁出、注销或吊销，或其纳税人已被标记为区外登记",
        },
        {
            "rule": Rule.SPIKE,
            "label": Rule.SPIKE.label,
            "enabled": cfg.spike_enabled,
            "applies": "重点企业",
            "severity": "提示",
            "text": f"当月区级税收超过前 {cfg.spike_window_months} 个月中位数的 {cfg.spike_factor} 倍（一次性入库，会抬高当月和全年增速）",
        },
    ]
