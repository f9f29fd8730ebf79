"""Measure the warning rules against the stories planted by the demo generator.

The demo (:mod:`peiyu.demo.stories`) writes its ground truth to ``settings.DATA_DIR /
"demo_stories.json"``: ``[{credit_code, name, story, month, rules, source}]``. For the month of the
stories we run :func:`peiyu.alerts.rules.detect` (pure: nothing is written, workflow state does not
matter) and compare, rule by rule:

- **recall** = planted firms whose story lists the rule (``rules`` of the truth) and that the rule
  flags / all such firms;
- **precision** = flags on firms whose story makes the rule's condition genuinely true
  (:data:`ACCEPTABLE`: a firm that stopped paying has also fallen ≥ 30% year on year) / flags on
  all story firms; flags on firms without any planted story are counted separately as
  ``background`` (the demo's ordinary firms have their own noise, seasonality and refunds: these
  flags are not wrong by construction, just not planted) and ``precision_all`` counts them as false;
- **steady false alarms** = flags of any rule on ``steady_growth`` firms: must be zero.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings

from peiyu.alerts import rules
from peiyu.alerts.models import AlertSettings, Rule

ACCEPTABLE: dict[str, set[str]] = {
    Rule.YOY_DROP: {"sharp_decline", "stopped_paying", "moved_out"},
    Rule.CONSECUTIVE_DECLINE: {"sharp_decline", "stopped_paying", "moved_out"},
    Rule.STOPPED_PAYING: {"stopped_paying", "moved_out"},
    Rule.MOVED_OUT: {"moved_out"},
    Rule.SPIKE: {"spike"},
}


def load_stories(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or Path(settings.DATA_DIR) / "demo_stories.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def evaluate(
    stories: list[dict[str, Any]] | None = None, month: str | None = None, cfg: AlertSettings | None = None
) -> dict[str, Any]:
    """Precision and recall of each rule on the planted stories (see the module docstring)."""
    from peiyu.registry.models import Enterprise

    stories = load_stories() if stories is None else stories
    if not stories:
        return {
            "month": month,
            "stories": 0,
            "rules": {},
            "steady_false_alarms": [],
            "note": "没有演示故事数据（demo_stories.json）",
        }
    month = month or max(s["month"] for s in stories if s.get("source", "planted") == "planted")
    cfg = cfg or AlertSettings.current()
    ids = dict(
        Enterprise.objects.filter(credit_code__in=[s["credit_code"] for s in stories]).values_list(
            "credit_code", "id"
        )
    )
    story_of: dict[int, str] = {}
    expected: dict[str, set[int]] = defaultdict(set)
    for s in stories:
        eid = ids.get(s["credit_code"])
        if eid is None:
            continue
        story_of[eid] = s["story"]
        for r in s.get("rules", []):
            expected[r].add(eid)
    codes = {i: c for c, i in ids.items()}
    det = rules.detect(month, cfg)
    flagged: dict[str, set[int]] = defaultdict(set)
    for f in det.findings:
        flagged[f.rule].add(f.enterprise_id)
    out: dict[str, Any] = {}
    for rule in Rule.values:
        hits = flagged.get(rule, set())
        on_story = {e for e in hits if e in story_of}
        good = {e for e in on_story if story_of[e] in ACCEPTABLE[rule]}
        truth = expected.get(rule, set())
        found = hits & truth
        out[rule] = {
            "enabled": cfg.rule_enabled(rule),
            "expected": len(truth),
            "found": len(found),
            "recall": _ratio(len(found), len(truth)),
            "flags": len(hits),
            "flags_on_story_firms": len(on_story),
            "correct": len(good),
            "precision": _ratio(len(good), len(on_story)),
            "background": len(hits - set(story_of)),
            "precision_all": _ratio(len(good), len(hits)),
            "missed": sorted(codes.get(e, str(e)) for e in truth - hits)[:20],
            "wrong": sorted(f"{codes.get(e, str(e))}:{story_of[e]}" for e in on_story - good)[:20],
        }
    steady = sorted(
        f"{codes.get(f.enterprise_id)}:{f.rule}"
        for f in det.findings
        if story_of.get(f.enterprise_id) == "steady_growth"
    )
    by_story: dict[str, int] = defaultdict(int)
    for story in story_of.values():
        by_story[story] += 1
    return {
        "month": month,
        "stories": len(story_of),
        "by_story": dict(by_story),
        "key_enterprises": len(det.keys.reasons) if det.keys else 0,
        "rules": out,
        "steady_false_alarms": steady,
    }
