"""Demo step: warnings for the last months of the demo, and realistic follow-up activity.

Only the last ``MONTHS`` months are computed (in order), never the whole history. Then, on the
open warnings, deterministic for the seed: about half acknowledged by their owner, a third of
those with calls or visits noted, some resolved or dismissed with a reason, one or two left
untouched long enough to be overdue. Transitions go through :mod:`peiyu.alerts.actions` (audited,
with history rows); only the timestamps are moved into the past so the story reads naturally.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

ORDER = 50  # the demo steps run by ORDER (peiyu.demo.run)

MONTHS = 3
MAX_HANDLED = 400  # warnings that get follow-up activity, at most

VISIT_NOTES = {
    "yoy_drop": [
        "走访企业财务负责人：主要客户订单下滑，预计下季度恢复，已介绍区内产业链配套资源。",
        "电话了解：集团内部结算方式调整，部分收入转至上海其他区子公司，已请专班会商。",
        "企业反映受行业下行影响，已告知研发费用加计扣除及稳岗政策。",
    ],
    "consecutive_decline": [
        "与企业联络人沟通：新产品线投产延迟，收入确认后移，约定下月再访。",
        "企业反映办公成本上升、拟压缩规模，已推荐园区租金优惠政策。",
    ],
    "stopped_paying": [
        "电话联系未接通，已发函请企业说明近两月未申报原因。",
        "上门走访：企业因股东变更暂停经营，已请税务所核实申报情况。",
    ],
    "moved_out": [
        "核实：企业已将注册地迁至临港新片区，原因是享受专项政策，已登记留商意向。",
        "走访：企业整体搬迁至外区园区，已报区投促办，争取保留结算主体。",
    ],
    "spike": ["核实：本月含股权转让所得一次性缴纳企业所得税，不可持续，分析增速时应剔除。"],
}
RESOLUTIONS = {
    "yoy_drop": "企业订单已恢复，最近一月税收回升至上年同期水平，关闭。",
    "consecutive_decline": "已落实企业诉求（租金补贴），企业承诺维持在区经营，关闭。",
    "stopped_paying": "税务所核实：企业已补充申报，关闭。",
    "moved_out": "确认迁出，已纳入外迁企业台账，按留商工作机制处理，关闭。",
    "spike": "已在月度分析报告中标注一次性因素，关闭。",
}
DISMISSALS = {
    "yoy_drop": "上年同期含一次性土地增值税清算，基数偏高，非经营性下降。",
    "consecutive_decline": "企业按季申报改为按月申报导致的口径差异，非真实下降。",
    "stopped_paying": "企业为分支机构，税款改由总部汇总缴纳（总部在本区），非停缴。",
    "moved_out": "名录状态有误，市场监管部门已更正为存续。",
    "spike": "已知一次性入库，无需跟进。",
}


def generate(ctx: Any) -> None:
    from django.utils import timezone

    from peiyu.alerts import actions, rules
    from peiyu.alerts.models import OPEN_STATUSES, AlertSettings, FollowUp, Warning, WarningEvent
    from peiyu.taxes import analytics

    months = analytics.months_available()
    if not months:
        return
    started = time.monotonic()
    rng = ctx.step_rng("alerts")
    admin = ctx.data.get("admin")
    cfg = AlertSettings.current()
    results = [rules.compute_month(m, user=None, cfg=cfg).as_dict() for m in months[-MONTHS:]]

    now = timezone.now()
    ws = list(
        Warning.objects.filter(status__in=OPEN_STATUSES).select_related("owner", "enterprise").order_by("id")
    )
    # handle a sample (a big district's officers have not got round to everything); keeps it quick
    sample = {w.pk for w in rng.sample(ws, min(len(ws), MAX_HANDLED))}
    # the warnings appeared when their month was imported: a few days to two weeks ago
    for w in ws:
        age = dt.timedelta(days=rng.randint(2, cfg.overdue_days - 2), hours=rng.randint(0, 8))
        Warning.objects.filter(pk=w.pk).update(created_at=now - age, last_activity_at=now - age)
        WarningEvent.objects.filter(warning=w, kind="created").update(time=now - age)
    touched = 0
    overdue_left = 0
    for w in ws:
        w.refresh_from_db()
        actor = w.owner or admin
        if actor is None:
            continue
        roll = rng.random()
        if w.pk not in sample:
            continue
        if overdue_left < 2 and w.severity in ("high", "medium") and roll < 0.15:
            # untouched for longer than the overdue limit
            old = now - dt.timedelta(days=cfg.overdue_days + rng.randint(3, 12))
            Warning.objects.filter(pk=w.pk).update(created_at=old, last_activity_at=old)
            WarningEvent.objects.filter(warning=w, kind="created").update(time=old)
            overdue_left += 1
            continue
        if roll < 0.45:
            continue  # still new
        actions.do_acknowledge(actor, w, "已知悉，安排联系企业")
        touched += 1
        if roll < 0.65:
            continue
        note = rng.choice(VISIT_NOTES.get(w.rule, VISIT_NOTES["yoy_drop"]))
        kind = rng.choice([FollowUp.Kind.VISIT, FollowUp.Kind.CALL, FollowUp.Kind.VISIT])
        date = timezone.localdate() - dt.timedelta(days=rng.randint(0, 6))
        actions.do_follow_up(
            actor,
            w,
            kind=kind,
            date=date,
            note=note,
            contact=rng.choice(["财务总监", "行政主管", "总经理", "办税员"]),
        )
        if roll < 0.82:
            continue
        if roll < 0.93:
            actions.do_resolve(actor, w, RESOLUTIONS.get(w.rule, "已处理，关闭。"))
        else:
            actions.do_dismiss(actor, w, DISMISSALS.get(w.rule, "核实为非经营性因素。"))
    if overdue_left < 1:  # make sure the demo shows the overdue state at least once
        first_new = Warning.objects.filter(status="new").order_by("id").first()
        if first_new is not None:
            old = now - dt.timedelta(days=cfg.overdue_days + 5)
            Warning.objects.filter(pk=first_new.pk).update(created_at=old, last_activity_at=old)
            overdue_left = 1
    from peiyu.alerts.queries import overdue

    ctx.summary["alerts"] = {
        "months": months[-MONTHS:],
        "key_enterprises": results[-1]["key_enterprises"],
        "warnings": Warning.objects.count(),
        "open": Warning.objects.filter(status__in=OPEN_STATUSES).count(),
        "handled": touched,
        "overdue": overdue(Warning.objects.all(), cfg.overdue_days).count(),
        "seconds": round(time.monotonic() - started, 1),
    }
