"""Planted stories in the demo tax data: the ground truth for measuring the early-warning rules.

Each story firm is a key-sized enterprise (district-level tax well over 1,000,000 yuan a year)
whose monthly series is written explicitly, relative to the last month of the data:

- ``steady_growth``: grows 10–20% a year, no noise, same seasonality every year: every month is
  above the same month a year earlier, no zero months. Must never trigger any warning.
- ``sharp_decline``: each of the last 3 months is 40–70% below the same month a year earlier
  (rules ``yoy_drop`` and ``consecutive_decline``).
- ``stopped_paying``: paid in every month before, nothing in the last 2 months (``stopped_paying``).
- ``moved_out``: registry status changed to 迁出 with a dated event in the last month, no tax from
  that month on (``moved_out``).
- ``spike``: the last month is 8–12× its usual level, a one-off corporate income tax payment
  (``spike``).

Enterprises that the registry step itself marked as gone (迁出/注销/吊销) by the end of the month after
the last month (when its data arrive) and that paid tax (a month with a positive district-level sum)
in the last 12 months are listed too, with ``source = "registry"``: the ``moved_out`` rule should
find them.
The truth is written to ``ctx.data["stories"]`` and ``settings.DATA_DIR / "demo_stories.json"``:
a list of ``{credit_code, name, story, month, rules, source, key_industry_id}``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

STORIES = ("steady_growth", "sharp_decline", "stopped_paying", "moved_out", "spike")
RULES = {
    "steady_growth": [],
    "sharp_decline": ["yoy_drop", "consecutive_decline"],
    "stopped_paying": ["stopped_paying"],
    "moved_out": ["moved_out"],
    "spike": ["spike"],
}
PER_100K = {"steady_growth": 40, "sharp_decline": 25, "stopped_paying": 15, "moved_out": 12, "spike": 15}
# how a story firm's monthly total splits into tax types: (type code, share); 城建税 is 7% of VAT
SPLIT = ((0, 0.50), (1, 0.32), (2, 0.13), (5, 0.015))
STORY_SEASON = (1.06, 0.88, 1.0, 1.0, 1.22, 1.0, 1.0, 0.96, 1.0, 1.0, 0.98, 1.04)  # May: CIT settlement
DECLINE = (0.55, 0.45, 0.34)  # last three months, relative to the undisturbed path


@dataclass
class Planted:
    idx: int
    enterprise_id: int
    credit_code: str
    name: str
    story: str
    key_industry_id: int | None
    size: float = 0.0  # total tax a year (yuan) at the last month
    growth: float = 0.0
    extra: float = 0.0  # decline depth / spike multiple


def counts(n: int) -> dict[str, int]:
    return {s: max(1, round(k * n / 100_000)) for s, k in PER_100K.items()}


def choose(ctx: Any, rng: Any, ents: list[dict[str, Any]], sizes: list[float], established: list[dt.date | None],
           months: list[str], gone: set[str]) -> list[Planted]:  # fmt: skip
    """Pick story firms among long-established, still registered enterprises that are neither the
    district's giants (top 1%) nor dormant; 60% of them in key industries."""
    y0, m0 = map(int, months[0].split("-"))
    start = dt.date(y0, m0, 1)
    need = counts(len(ents))
    ranked = sorted(range(len(ents)), key=lambda i: -sizes[i])
    giants = set(ranked[: max(1, len(ents) // 100)])
    eligible = [
        i
        for i, (e, est) in enumerate(zip(ents, established, strict=True))
        if e.get("status") not in gone
        and i not in giants
        and (est is None or est < start)
        and len(e.get("credit_code") or "") == 18
    ]
    key = [i for i in eligible if ents[i].get("key_industry_id")]
    other = [i for i in eligible if not ents[i].get("key_industry_id")]
    total = sum(need.values())
    n_key = min(len(key), math.ceil(total * 0.6))
    picked = rng.sample(key, n_key) + rng.sample(other, min(len(other), total - n_key))
    if len(picked) < total:  # a tiny registry: take what there is
        rest = [i for i in eligible if i not in set(picked)]
        picked += rng.sample(rest, min(len(rest), total - len(picked)))
    rng.shuffle(picked)
    out: list[Planted] = []
    it = iter(picked)
    for story in STORIES:
        for _ in range(need[story]):
            i = next(it, None)
            if i is None:
                break
            e = ents[i]
            p = Planted(i, e["id"], e["credit_code"], e["name"], story, e.get("key_industry_id"))
            p.size = math.exp(rng.uniform(math.log(6e6), math.log(4e7)))
            p.growth = rng.uniform(0.10, 0.20) if story == "steady_growth" else rng.uniform(-0.02, 0.10)
            p.extra = rng.uniform(8.0, 12.0) if story == "spike" else rng.uniform(0.85, 1.0)
            out.append(p)
    return out


def _split(total_fen: int) -> list[tuple[int, int]]:
    rows = [(code, round(total_fen * share)) for code, share in SPLIT]
    vat = rows[0][1]
    rows.append((3, vat * 7 // 100))
    return rows


def series(ctx: Any, rng: Any, planted: list[Planted], months: list[str]) -> list[tuple[int, int, int, int]]:
    """(firm index, month index, tax type code, total fen) rows of every story firm."""
    T = len(months)
    out: list[tuple[int, int, int, int]] = []
    for p in planted:
        for t, m in enumerate(months):
            level = p.size / 12.0 * (1.0 + p.growth) ** ((t - (T - 1)) / 12.0) * STORY_SEASON[int(m[5:]) - 1]
            if p.story != "steady_growth":
                level *= 1.0 + rng.uniform(-0.03, 0.03)
            if p.story == "sharp_decline" and t >= T - 3:
                level *= DECLINE[t - (T - 3)] * p.extra
            elif p.story == "sharp_decline" and t == T - 4:
                level *= 0.9
            if p.story == "stopped_paying" and t >= T - 2:
                continue
            if p.story == "moved_out" and t >= T - 1:
                continue
            fen = int(round(level * 100))
            for code, amount in _split(fen):
                out.append((p.idx, t, code, amount))
            if p.story == "spike" and t == T - 1:  # one-off: income tax on an equity transfer
                out.append((p.idx, t, 1, int(round(level * (p.extra - 1.0) * 100))))
    return out


def record(ctx: Any, con: Any, planted: list[Planted], months: list[str], ents: list[dict[str, Any]],
           departures: dict[int, dt.date], gone: set[str]) -> list[dict[str, Any]]:  # fmt: skip
    """Apply the registry side of the stories (迁出 with a dated event) and save the ground truth."""
    from django.db import transaction

    from peiyu.registry.models import Enterprise, EnterpriseEvent, EnterpriseStatus

    T = len(months)
    last = months[-1]
    y, m = map(int, last.split("-"))
    truth: list[dict[str, Any]] = []
    with transaction.atomic():
        for p in planted:
            month = last
            if p.story == "moved_out":
                day = dt.date(y, m, 1 + (p.idx % 20))
                ent = Enterprise.objects.get(pk=p.enterprise_id)
                before = ent.status
                Enterprise.objects.filter(pk=p.enterprise_id).update(status=EnterpriseStatus.MOVED_OUT)
                EnterpriseEvent.objects.create(
                    enterprise_id=p.enterprise_id,
                    date=day,
                    kind=EnterpriseEvent.Kind.STATUS,
                    before=str(before),
                    after=str(EnterpriseStatus.MOVED_OUT),
                    source="演示数据：迁出至外区",
                )
                ents[p.idx]["status"] = str(EnterpriseStatus.MOVED_OUT)
                departures[p.enterprise_id] = day
            truth.append(
                {
                    "credit_code": p.credit_code,
                    "name": p.name,
                    "story": p.story,
                    "month": month,
                    "rules": RULES[p.story],
                    "source": "planted",
                    "key_industry_id": p.key_industry_id,
                }
            )
    planted_codes = {p.credit_code for p in planted}
    gone_codes = {
        e["credit_code"]: e for e in ents if e.get("status") in gone and e["credit_code"] not in planted_codes
    }
    if gone_codes:
        # paid = a month with a positive district-level sum (a lone refund is not paying tax)
        recent = con.rows(
            "SELECT taxpayer_id, max(t) FROM (SELECT taxpayer_id, t, sum(district_fen) AS d FROM outv "
            "WHERE matched AND t >= $t0 GROUP BY 1, 2) WHERE d > 0 GROUP BY 1 ORDER BY 1",
            {"t0": max(0, T - 12)},
        )
        y2, m2 = (y + 1, 1) if m == 12 else (y, m + 1)
        known_by = dt.date(y2 + (m2 == 12), m2 % 12 + 1, 1) - dt.timedelta(
            days=1
        )  # the data arrive next month
        for tid, last_t in recent:
            e = gone_codes.get(tid)
            if e is None:
                continue
            dep = departures.get(e["id"])
            if dep is not None and dep > known_by:  # not gone yet when the last month is analysed
                continue
            month = f"{dep.year:04d}-{dep.month:02d}" if dep else months[min(T - 1, last_t + 1)]
            truth.append(
                {
                    "credit_code": tid,
                    "name": e["name"],
                    "story": "moved_out",
                    "month": month,
                    "rules": RULES["moved_out"],
                    "source": "registry",
                    "key_industry_id": e.get("key_industry_id"),
                }
            )
    ctx.data["stories"] = truth
    path = Path(settings.DATA_DIR) / "demo_stories.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth
