"""Reads of enterprise services: scoped lists, the request rows of ``peiyu requests``, the visit plan
built by risk, coverage, the financing funnel and the listing candidates.

Other apps use :func:`requests_for` and :func:`visits_of` (an enterprise's requests and visits; pass
``user`` to keep to that user's scope)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from peiyu.accounts import scope
from peiyu.services.models import (
    FUNNEL,
    FinancingApplication,
    FinancingStage,
    ListingSettings,
    RedFlag,
    Request,
    Status,
    Visit,
)
from peiyu.work.models import Event

CLOSED = (Status.CLOSED, Status.RETURNED)


def visible_requests(user: Any, action: str = scope.VIEW) -> QuerySet[Request]:
    qs = Request.objects.select_related(
        "enterprise", "category", "item", "item__owner", "handler", "department", "area"
    )
    return scope.restrict(user, qs, action).distinct()


def visible_visits(user: Any) -> QuerySet[Visit]:
    return scope.restrict(user, Visit.objects.select_related("enterprise", "visitor")).distinct()


def requests_for(enterprise: Any, user: Any = None) -> QuerySet[Request]:
    """The enterprise's requests, newest first (within ``user``'s scope when given)."""
    qs = Request.objects.filter(enterprise=enterprise).select_related(
        "category", "item", "handler", "department", "area"
    )
    return scope.restrict(user, qs).distinct() if user is not None else qs


def visits_of(enterprise: Any, user: Any = None) -> QuerySet[Visit]:
    """The enterprise's visits, newest first (within ``user``'s scope when given)."""
    qs = Visit.objects.filter(enterprise=enterprise).select_related("visitor")
    return scope.restrict(user, qs).distinct() if user is not None else qs


def _cutoff(as_of: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def state_as_of(
    req: Request, as_of: dt.date | None, events: list[Event] | None = None
) -> tuple[str, dt.date | None]:
    """The request's status at the end of ``as_of`` (today: its current status) and, when it was
    closed (办结 or 退回) by then, the day it was closed."""
    item = req.item
    if item is None:
        return Status.RECEIVED, None
    if as_of is None:
        closed = timezone.localtime(item.closed_at).date() if (not item.is_open and item.closed_at) else None
        return item.status, closed
    cutoff = _cutoff(as_of)
    evs = events if events is not None else list(item.events.filter(kind__in=("opened", "transition")))
    evs = sorted((e for e in evs if e.time < cutoff), key=lambda e: (e.time, e.id))
    status = evs[-1].to_status if evs else Status.RECEIVED
    closed = timezone.localtime(evs[-1].time).date() if evs and status in CLOSED else None
    return status or Status.RECEIVED, closed


def dues(req: Request) -> dict[str, dt.date | None]:
    """The request's three deadlines; one still unknown (its calendar year was not imported when
    the request came in) is computed now if the calendar knows it by now."""
    out = {"accept_due": req.accept_due, "reply_due": req.reply_due, "resolve_due": req.resolve_due}
    if None in out.values():
        from peiyu.services.actions import deadlines

        fresh = deadlines(req.received_at, req.category, req.green)
        if req.extended and req.resolve_due is None:
            fresh["resolve_due"] = None
        out = {k: v or fresh[k] for k, v in out.items()}
        req.accept_due, req.reply_due, req.resolve_due = (
            out["accept_due"],
            out["reply_due"],
            out["resolve_due"],
        )
    return out


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def is_overdue(req: Request, status: str, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """Not closed and past the resolve deadline, or closed after it (never while the deadline is
    unknown)."""
    if req.resolve_due is None:
        return False
    if status in CLOSED and closed_on is not None:
        return closed_on > req.resolve_due
    return as_of > req.resolve_due


def request_rows(qs: QuerySet[Request], as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The rows of ``peiyu requests --json`` (and of the list page): requests received by ``as_of``."""
    today = as_of or timezone.localdate()
    if as_of is not None:
        qs = qs.filter(received_at__lt=_cutoff(as_of))
    reqs = list(qs.order_by("received_at", "id"))
    events: dict[int, list[Event]] = defaultdict(list)
    if as_of is not None:
        for ev in Event.objects.filter(
            item_id__in=[r.item_id for r in reqs if r.item_id], kind__in=("opened", "transition")
        ):
            events[ev.item_id].append(ev)
    rows: list[dict[str, Any]] = []
    for r in reqs:
        d = dues(r)
        status, closed_on = state_as_of(
            r, as_of, events.get(r.item_id or 0, []) if as_of is not None else None
        )
        rows.append(
            {
                "ref": r.ref,
                "credit_code": r.enterprise.credit_code,
                "category": r.category.name,
                "received": timezone.localtime(r.received_at).date().isoformat(),
                "accept_due": _iso(d["accept_due"]),
                "reply_due": _iso(d["reply_due"]),
                "resolve_due": _iso(d["resolve_due"]),
                "status": Status(status).label,
                "overdue": is_overdue(r, status, closed_on, today),
                "_r": r,
                "_status": status,
            }
        )
    return rows


JSON_KEYS = (
    "ref",
    "credit_code",
    "category",
    "received",
    "accept_due",
    "reply_due",
    "resolve_due",
    "status",
    "overdue",
)


def json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: r[k] for k in JSON_KEYS} for r in rows]


def counts(user: Any) -> dict[str, int]:
    rows = request_rows(visible_requests(user))
    open_rows = [r for r in rows if r["_status"] not in CLOSED]
    return {
        "open": len(open_rows),
        "overdue": sum(1 for r in open_rows if r["overdue"]),
        "dissatisfied": sum(1 for r in rows if r["_r"].satisfaction == "dissatisfied"),
        "total": len(rows),
    }


# ---------------------------------------------------------------------------------------------
# Visit plan and coverage


def key_enterprise_ids() -> set[int]:
    """The key enterprises: the latest month's key set when tax data exist, else the manual list."""
    from peiyu.alerts.models import KeyEnterpriseOverride
    from peiyu.registry.models import Enterprise

    try:
        from peiyu.alerts.keyset import key_set
        from peiyu.taxes.analytics import latest_month

        month = latest_month()
        if month:
            return set(key_set(month).reasons)
    except Exception:  # noqa: BLE001, S110 — no tax library yet: fall back to the manual list
        pass
    ids = set(Enterprise.objects.filter(is_key=True).values_list("id", flat=True))
    for eid, kind in KeyEnterpriseOverride.objects.filter(revoked_at__isnull=True).values_list(
        "enterprise_id", "kind"
    ):
        if kind == KeyEnterpriseOverride.Kind.ADD:
            ids.add(eid)
        else:
            ids.discard(eid)
    return ids


REASON_WEIGHT = {"flag": 5, "warning": 4, "drop": 4, "landed": 2, "key": 3}


def visit_plan(
    user: Any, *, as_of: dt.date | None = None, months: int = 6, limit: int = 200
) -> list[dict[str, Any]]:
    """Enterprises to visit, by risk: key enterprises not visited for ``months`` months, firms with
    open warnings not visited since the warning, firms whose tax fell sharply (the tax-decline
    warnings), firms whose last visit raised a red flag, and landed projects in their first year."""
    from peiyu.alerts.models import Rule, Warning

    today = as_of or timezone.localdate()
    since = today - dt.timedelta(days=months * 30)
    ents = scope.enterprises(user)
    last_visit: dict[int, dt.date] = {}
    last_flags: dict[int, list[str]] = {}
    for eid, date, flags in (
        Visit.objects.filter(enterprise__in=ents)
        .order_by("date", "id")
        .values_list("enterprise_id", "date", "flags")
    ):
        last_visit[eid] = date
        last_flags[eid] = flags or []
    reasons: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for eid in key_enterprise_ids() & set(ents.values_list("id", flat=True)):
        lv = last_visit.get(eid)
        if lv is None or lv < since:
            reasons[eid].append(("key", f"重点企业{months}个月未走访" if lv else "重点企业从未走访"))
    for w in Warning.objects.filter(enterprise__in=ents, is_open=True).only(
        "enterprise_id", "rule", "created_at"
    ):
        lv = last_visit.get(w.enterprise_id)
        if lv is not None and lv >= timezone.localtime(w.created_at).date():
            continue
        kind = "drop" if w.rule in (Rule.YOY_DROP, Rule.CONSECUTIVE_DECLINE) else "warning"
        text = (
            f"税收大幅下降（{w.get_rule_display()}）"
            if kind == "drop"
            else f"有未关闭预警：{w.get_rule_display()}"
        )
        reasons[w.enterprise_id].append((kind, text))
    labels = dict(RedFlag.choices)
    for eid, flags in last_flags.items():
        risky = [f for f in flags if f in (RedFlag.MOVING_OUT, RedFlag.LAYOFFS, RedFlag.DIFFICULTY)]
        if risky and last_visit[eid] < today - dt.timedelta(days=30):
            reasons[eid].append(("flag", "上次走访发现：" + "、".join(labels[f] for f in risky)))
    year_ago = today - dt.timedelta(days=365)
    landed = ents.filter(
        Q(established__gte=year_ago) & (Q(key_industry__isnull=False) | Q(tags__icontains="落地项目"))
    )
    for eid in landed.values_list("id", flat=True):
        if last_visit.get(eid) is None or last_visit[eid] < since:
            reasons[eid].append(("landed", "落地首年项目"))
    from peiyu.registry.models import Enterprise

    by_id = Enterprise.objects.in_bulk(list(reasons), field_name="id")
    rows: list[dict[str, Any]] = []
    for eid, rs in reasons.items():
        e = by_id.get(eid)
        if e is None:
            continue
        rows.append(
            {
                "enterprise": e,
                "name": e.name,
                "credit_code": e.credit_code,
                "area": str(e.area) if e.area_id else "",
                "reasons": "；".join(t for _, t in rs),
                "score": sum(REASON_WEIGHT[k] for k, _ in rs),
                "last_visit": last_visit.get(eid),
            }
        )
    rows.sort(key=lambda r: (-int(r["score"]), r["last_visit"] or dt.date.min, str(r["name"])))
    return rows[:limit]


def coverage(user: Any, year: int) -> dict[str, list[dict[str, Any]]]:
    """Visits per officer and the share of key enterprises visited this year, per sub-district."""
    from peiyu.registry.models import Area

    visits = visible_visits(user).filter(date__year=year)
    per_officer: dict[str, dict[str, Any]] = {}
    for v in visits:
        name = str(v.visitor) if v.visitor_id else (v.visitor_name or "未署名")
        row = per_officer.setdefault(name, {"officer": name, "visits": 0, "enterprises": set(), "flags": 0})
        row["visits"] += 1
        row["enterprises"].add(v.enterprise_id)
        row["flags"] += len(v.flags or [])
    officers = [
        {**r, "enterprises": len(r["enterprises"])}
        for r in sorted(per_officer.values(), key=lambda r: -r["visits"])
    ]
    keys = key_enterprise_ids()
    visited = set(visits.values_list("enterprise_id", flat=True))
    ents = scope.enterprises(user).filter(id__in=keys)
    per_area: Counter[int | None] = Counter()
    hit: Counter[int | None] = Counter()
    for eid, aid in ents.values_list("id", "area_id"):
        per_area[aid] += 1
        if eid in visited:
            hit[aid] += 1
    names = dict(Area.objects.values_list("id", "name"))
    areas = [
        {
            "area": names.get(aid, "未落区") if aid else "未落区",
            "key_enterprises": n,
            "visited": hit[aid],
            "share": round(100 * hit[aid] / n, 1) if n else None,
        }
        for aid, n in sorted(per_area.items(), key=lambda kv: names.get(kv[0] or 0, ""))
    ]
    return {"officers": officers, "areas": areas}


# ---------------------------------------------------------------------------------------------
# Financing and listing


def funnel(user: Any, year: int | None = None) -> dict[str, Any]:
    """Applications → matched → signed → granted, in total and by month, bank and product."""
    qs = scope.restrict(user, FinancingApplication.objects.all()).distinct()
    if year:
        qs = qs.filter(applied_on__year=year)
    rank: dict[str, int] = {str(s): n for n, s in enumerate(FUNNEL)}

    def reached(a: FinancingApplication, stage: str) -> bool:
        if a.stage == FinancingStage.DECLINED:
            return stage == FinancingStage.APPLIED or bool(
                (stage == FinancingStage.MATCHED and a.matched_on)
                or (stage == FinancingStage.SIGNED and a.signed_on)
            )
        return rank[a.stage] >= rank[stage]

    def block(apps: list[FinancingApplication]) -> dict[str, Any]:
        return {
            "applied": len(apps),
            "matched": sum(reached(a, FinancingStage.MATCHED) for a in apps),
            "signed": sum(reached(a, FinancingStage.SIGNED) for a in apps),
            "granted": sum(reached(a, FinancingStage.GRANTED) for a in apps),
            "asked_fen": sum(a.amount_asked_fen for a in apps),
            "granted_fen": sum(a.amount_granted_fen or 0 for a in apps),
        }

    apps = list(qs)
    groups: dict[str, dict[str, list[FinancingApplication]]] = {
        "month": defaultdict(list),
        "bank": defaultdict(list),
        "product": defaultdict(list),
    }
    for a in apps:
        groups["month"][a.applied_on.strftime("%Y-%m")].append(a)
        groups["bank"][a.bank].append(a)
        groups["product"][a.get_product_display()].append(a)
    return {
        "total": block(apps),
        **{k: [{"key": key, **block(v)} for key, v in sorted(g.items())] for k, g in groups.items()},
    }


def listing_candidates(user: Any, month: str | None = None) -> list[dict[str, Any]]:
    """Listing candidates from data: key-industry firms with high and growing tax (12 months vs the
    12 before, thresholds in :class:`ListingSettings`), plus R&D-service firms (行业代码前缀) above
    half the tax threshold. Firms already in the pipeline are left out."""
    from peiyu.alerts.analytics import window_sums
    from peiyu.alerts.keyset import window
    from peiyu.registry.models import Enterprise
    from peiyu.taxes.analytics import latest_month

    month = month or latest_month()
    if not month:
        return []
    cfg = ListingSettings.current()
    months = window(month, 24)
    now = window_sums(user, months[12:])
    before = window_sums(user, months[:12])
    in_pipeline = set(Enterprise.objects.filter(listing_sheet__isnull=False).values_list("id", flat=True))
    ents = Enterprise.objects.in_bulk([eid for eid in now if eid not in in_pipeline])
    rows: list[dict[str, Any]] = []
    for eid, (ind, total) in now.items():
        e = ents.get(eid)
        if e is None:
            continue
        prev = before.get(eid, (None, 0))[1]
        growth = None if prev <= 0 else round(100 * (total - prev) / prev, 1)
        rnd = any(e.industry_code.startswith(p) for p in cfg.rnd_prefixes or [])
        grows = growth is not None and growth >= cfg.min_growth_pct
        if (ind is not None and total >= cfg.min_tax_fen and grows) or (
            rnd and total >= cfg.min_tax_fen // 2 and grows
        ):
            rows.append(
                {
                    "enterprise": e,
                    "name": e.name,
                    "credit_code": e.credit_code,
                    "tax_fen": total,
                    "growth": growth,
                    "basis": "研发服务业" if rnd and ind is None else "重点产业",
                }
            )
    rows.sort(key=lambda r: -int(r["tax_fen"]))
    return rows[:100]
