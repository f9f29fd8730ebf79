"""Demo step: a year of enterprise services in the demo district, deterministic for the seed.

- **Requests**: about 240 over the last 12 months, from the demo's real enterprises, routed to the
  enterprise's sub-district or to the department the category belongs to (资金/融资 → 区金融办, 人才 and
  证照 → 区科委 for its industries, 市场 → 区商务委). Most are answered in time and the enterprise says
  it is satisfied through its reply link; some are answered late (overdue, closed after the resolve
  deadline); a few come back 不满意 and are reopened (some of those are still open, now overdue);
  some are returned with a reason (not the district's power); complex ones are extended once to 30
  working days; the last weeks' requests are still open, a few past their deadlines. Key
  enterprises (the service officer's liaison firms marked key) go through the green channel.
- **Visits**: about 300, by the service officer and the sub-district officers; the planted warning
  stories get matching findings — firms of the ``moved_out`` story were visited and said they are
  moving (red flag 拟迁出, which escalates their 迁出 warning), ``sharp_decline`` firms report business
  difficulties (经营困难), growing firms ask for space (扩张需求, and a space request raised).
- **Listing pipeline**: the data's candidates (high and growing tax) at every stage, with
  intermediaries, blockers and plan steps (one or two overdue).
- **Financing**: about 100 普会贷/信易贷 applications through the funnel (applied → matched → signed →
  granted), like Putuo's 2020 drive (most matched, few signed).

Transitions are made with the history's own times (``apply_transition(now=…)``), so deadlines,
overdue and the bulletin read as a real year.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

ORDER = 65

CONTENTS = {
    "space": [
        "扩大研发团队，需要 1500 平方米办公用房",
        "生产线扩产需标准厂房 3000 平方米",
        "现租用楼宇到期，希望区内续租并享受租金补贴",
    ],
    "market": [
        "希望对接区内国企采购需求",
        "新产品需应用场景，申请参加区内供需对接会",
        "拓展长三角市场，希望协助参展",
    ],
    "finance": [
        "流动资金紧张，申请普会贷 500 万元",
        "研发投入大，咨询信易贷及贴息政策",
        "上市前融资，希望对接区产业基金",
    ],
    "talent": ["核心技术人员落户咨询", "申请人才公寓 10 套", "高校毕业生见习基地申报"],
    "permit": ["新建实验室环评审批进度慢", "食品经营许可证变更", "施工许可办理需要协调"],
    "policy": ["咨询研发费用加计扣除政策", "申报“3+5+X”产业政策扶持", "高新技术企业认定辅导"],
    "other": ["园区周边停车难", "员工通勤班车线路调整", "企业门前道路施工影响经营"],
}
ANSWERS = {
    "space": "已协调园区推荐可租空间并落实租金补贴政策",
    "market": "已纳入区应用场景清单并安排供需对接",
    "finance": "已推送至合作银行，普会贷专员已对接",
    "talent": "已协调人才服务中心办理",
    "permit": "已会同审批部门开辟绿色通道，办理完毕",
    "policy": "已上门解读政策并辅导申报",
    "other": "已协调相关部门解决",
}
RETURNS = [
    "属市级事权，已告知企业向市相关部门反映并提供联系方式",
    "诉求涉及企业间合同纠纷，不属于政府服务范围，建议通过法律途径解决",
]
DEPARTMENTS = {"finance": "区金融办", "talent": "区科委", "permit": "区科委", "market": "区商务委"}
BANKS = ["工商银行普陀支行", "建设银行普陀支行", "上海银行普陀支行", "农商银行普陀支行", "浦发银行普陀支行"]
INTERMEDIARIES = (
    ("国泰君安证券", "锦天城律师事务所", "立信会计师事务所"),
    ("海通证券", "国浩律师事务所", "天健会计师事务所"),
    ("中信证券", "金杜律师事务所", "容诚会计师事务所"),
)
BLOCKERS = ["历史沿革中股权代持需清理", "关联交易占比偏高", "研发投入占比不足 5%", "社保公积金缴纳不规范", ""]


def _at(day: dt.date, rng: Any) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
    )


def generate(ctx: Any) -> None:
    from django.db import transaction
    from django.utils import timezone

    from peiyu.accounts.models import Department, User
    from peiyu.registry.models import Enterprise
    from peiyu.services import actions, queries
    from peiyu.services.models import (
        Category,
        FinancingStage,
        ListingStage,
        Product,
        Request,
        Satisfaction,
        Status,
    )
    from peiyu.work import workdays
    from peiyu.work.actions import apply_transition
    from peiyu.work.models import Item as WorkItem

    started = time.monotonic()
    rng = ctx.step_rng("services")
    actions.ensure_categories()
    admin = ctx.data.get("admin") or User.objects.filter(is_superuser=True).first()
    if admin is None:
        return
    service = User.objects.filter(username="service").first()
    taopu = User.objects.filter(username="taopu").first()
    cats = {c.code: c for c in Category.objects.all()}
    depts = {d.name: d for d in Department.objects.all()}
    live = list(
        Enterprise.objects.filter(status__in=("存续", "在业"), area__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not live:
        return
    # the planted stories (not the firms the registry step merely marked as gone)
    stories = {
        s["credit_code"]: s["story"] for s in ctx.data.get("stories", []) if s.get("source") != "registry"
    }
    story_ids = dict(
        Enterprise.objects.filter(credit_code__in=list(stories)).values_list("credit_code", "id")
    )
    liaised = list(
        Enterprise.objects.filter(liaison__isnull=False).order_by("id").values_list("id", flat=True)
    )
    # the service officer's first few firms are key enterprises (green channel)
    Enterprise.objects.filter(id__in=liaised[:8]).update(is_key=True)
    pool = rng.sample(live, min(len(live), 400)) + liaised + list(story_ids.values())
    today = timezone.localdate()
    now = timezone.now()

    def wd(start: dt.datetime, n: int) -> dt.datetime:
        try:
            day = workdays.add_working_days(start, n)
        except workdays.CalendarMissing:  # next year's notice not out yet: not happened yet
            return now + dt.timedelta(days=1)
        return min(_at(day, rng), now - dt.timedelta(minutes=5))

    # ---- requests -----------------------------------------------------------------------------
    made = {
        "requests": 0,
        "overdue_open": 0,
        "late_closed": 0,
        "reopened": 0,
        "returned": 0,
        "extended": 0,
        "green": 0,
    }
    codes = list(CONTENTS)
    n_requests = 240
    for n in range(n_requests):
        age = int(365 * (1 - n / n_requests)) + rng.randint(0, 3)
        received_day = today - dt.timedelta(days=max(1, age))
        while not workdays.is_working_day(received_day) and rng.random() < 0.9:
            received_day -= dt.timedelta(days=1)
        received = _at(received_day, rng)
        ent = Enterprise.objects.select_related("area", "liaison").get(pk=rng.choice(pool))
        code = rng.choice(codes)
        dept = depts.get(DEPARTMENTS.get(code, "")) if rng.random() < 0.6 else None
        with transaction.atomic():
            try:
                req = actions.do_create_request(
                    admin,
                    ent,
                    category=cats[code],
                    content=rng.choice(CONTENTS[code]),
                    channel=rng.choice(("phone", "visit", "online", "12345", "department", "phone")),
                    received_at=received,
                    department=dept,
                    handler=ent.liaison if ent.liaison_id else None,
                    reason="演示数据",
                )
            except actions.ActionError:
                continue
            made["requests"] += 1
            made["green"] += int(req.green)
            item = req.item
            assert item is not None
            handler = req.handler or (taopu if taopu and ent.area and ent.area.name == "桃浦镇" else admin)
            roll = rng.random()
            t = wd(received, rng.choice((0, 1, 1)))
            if t >= now:
                continue
            if roll < 0.06:
                apply_transition(item, Status.RETURNED, by=handler, note=rng.choice(RETURNS), now=t)
                made["returned"] += 1
                continue
            apply_transition(item, Status.ACCEPTED, by=handler, note="受理", now=t)
            Request.objects.filter(pk=req.pk, handler__isnull=True).update(handler=handler)
            # how long the answer takes (working days after receipt)
            late = roll < 0.16
            complex_case = 0.16 <= roll < 0.21 and received_day < today - dt.timedelta(days=60)
            if complex_case:
                new_due = workdays.add_working_days(received, 30)
                item.fixed_due = workdays.end_of_day(new_due)
                item.save(update_fields=["fixed_due"])
                Request.objects.filter(pk=req.pk).update(
                    resolve_due=new_due, extended=True, extension_reason="涉及多部门会商，情况复杂"
                )
                made["extended"] += 1
            span = rng.randint(2, 12) if not late else rng.randint(18, 28)
            if complex_case:
                span = rng.randint(16, 28)
            t2 = wd(received, min(span, 40))
            if t2 >= now - dt.timedelta(hours=1):
                # still being handled; received long enough ago → overdue
                apply_transition(
                    item, Status.HANDLING, by=handler, note="办理中", now=t + dt.timedelta(hours=2)
                )
                made["overdue_open"] += int(req.resolve_due is not None and today > req.resolve_due)
                continue
            apply_transition(item, Status.HANDLING, by=handler, note="办理中", now=t + dt.timedelta(hours=2))
            apply_transition(item, Status.REPLIED, by=handler, note=ANSWERS[code], now=t2)
            Request.objects.filter(pk=req.pk).update(answer=ANSWERS[code], reply_round=1)
            req.refresh_from_db()
            t3 = t2 + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
            if t3 >= now:
                continue
            made["late_closed"] += int(late)
            fb_roll = rng.random()
            if fb_roll < 0.1:
                apply_transition(item, Status.CLOSED, by=handler, note="企业未在期限内评价，按期办结", now=t3)
                continue
            if fb_roll < 0.22:
                actions.do_record_feedback(
                    None,
                    req,
                    round=1,
                    result=Satisfaction.DISSATISFIED,
                    comment="问题没有实际解决，希望进一步协调",
                    evidence="回访链接",
                    received_at=t3,
                )
                made["reopened"] += 1
                t4 = t3 + dt.timedelta(days=rng.randint(3, 20))
                if t4 >= now or rng.random() < 0.3:
                    continue  # reopened and still open
                req.refresh_from_db()
                item = WorkItem.objects.get(pk=item.pk)
                apply_transition(
                    item, Status.REPLIED, by=handler, note="再次协调后答复：" + ANSWERS[code], now=t4
                )
                Request.objects.filter(pk=req.pk).update(reply_round=2)
                req.refresh_from_db()
                t5 = t4 + dt.timedelta(days=2)
                if t5 < now:
                    actions.do_record_feedback(
                        None,
                        req,
                        round=2,
                        result=Satisfaction.BASIC,
                        comment="基本解决",
                        evidence="回访链接",
                        received_at=t5,
                    )
                continue
            result = Satisfaction.SATISFIED if fb_roll < 0.85 else Satisfaction.BASIC
            actions.do_record_feedback(None, req, round=1, result=result, evidence="回访链接", received_at=t3)

    # ---- visits -------------------------------------------------------------------------------
    from peiyu.alerts.models import Warning

    visitors = [u for u in (service, taopu) if u is not None] or [admin]
    visits = 0
    flagged = 0
    for code_, story in stories.items():
        eid = story_ids.get(code_)
        if eid is None or story not in ("moved_out", "sharp_decline", "steady_growth"):
            continue
        if rng.random() < 0.5 and story == "steady_growth":
            continue
        ent = Enterprise.objects.get(pk=eid)
        day = today - dt.timedelta(days=rng.randint(3, 25))
        if story == "moved_out":
            flags, text = (
                ["moving_out"],
                "企业负责人表示已在外区选址，拟将注册地和结算主体迁出，主要原因是外区给予专项政策。已登记留商诉求，报区投促办会商。",
            )
        elif story == "sharp_decline":
            flags, text = (
                ["difficulty"],
                "主要客户订单下滑，近三个月收入明显减少，企业反映现金流紧张，已推荐普会贷并介绍稳岗政策。",
            )
        else:
            flags, text = ["expansion"], "经营良好，新产品线明年投产，需增加 2000 平方米研发及中试空间。"
        raised = (cats["space"], "扩产需要研发及中试空间 2000 平方米") if "expansion" in flags else None
        actions.do_record_visit(
            admin,
            ent,
            date=day,
            findings=text,
            flags=flags,
            visitor=rng.choice(visitors),
            met=rng.choice(["总经理", "财务总监", "董事会秘书"]),
            raise_request=raised,
        )
        visits += 1
        flagged += 1
    keyish = list(Warning.objects.values_list("enterprise_id", flat=True)[:60]) + liaised
    plain = [
        "例行走访：经营正常，无特别诉求。",
        "了解企业年度经营情况，宣讲产业政策。",
        "企业反映招工难，已推送区人才服务信息。",
        "走访座谈，企业计划明年增加研发投入。",
    ]
    for _n in range(300):
        eid = rng.choice(keyish or pool) if rng.random() < 0.5 else rng.choice(pool)
        ent = Enterprise.objects.get(pk=eid)
        day = today - dt.timedelta(days=rng.randint(1, 360))
        flags = []
        if rng.random() < 0.05:
            flags = [rng.choice(["layoffs", "difficulty", "listing", "expansion"])]
            flagged += 1
        actions.do_record_visit(
            admin,
            ent,
            date=day,
            findings=rng.choice(plain),
            flags=flags,
            visitor=rng.choice(visitors),
            met="企业联系人",
        )
        visits += 1

    # ---- listing pipeline ---------------------------------------------------------------------
    try:
        candidates = queries.listing_candidates(admin)
    except Exception:  # noqa: BLE001 — no tax data: take liaison firms instead
        candidates = []
    ents = [c["enterprise"] for c in candidates[:24]] or list(Enterprise.objects.filter(id__in=liaised[:12]))
    stages = [s for s, _ in ListingStage.choices]
    sheets = 0
    for n, ent in enumerate(ents):
        stage = stages[min(len(stages) - 1, n // 6)] if n < 24 else ListingStage.NURTURE
        broker, law, acc = INTERMEDIARIES[n % 3]
        sheet = actions.do_save_listing_sheet(
            admin,
            ent,
            changes={
                "stage": stage,
                "board": rng.choice(["科创板", "创业板", "北交所", "主板"]),
                "broker": broker if stage != ListingStage.NURTURE else "",
                "law_firm": law if stage != ListingStage.NURTURE else "",
                "accountant": acc if stage != ListingStage.NURTURE else "",
                "blockers": rng.choice(BLOCKERS),
            },
            owner=service,
        )
        sheets += 1
        if stage in (ListingStage.NURTURE, ListingStage.RESTRUCTURE, ListingStage.TUTORING):
            step = {
                "nurture": "完成股份制改造方案",
                "restructure": "完成股改审计评估",
                "tutoring": "完成辅导验收",
            }[stage]
            due = today + dt.timedelta(days=rng.randint(-20, 120))
            actions.do_add_listing_step(admin, sheet, title=step, due=due, owner=service)

    # ---- financing ----------------------------------------------------------------------------
    apps = 0
    for _n in range(100):
        ent = Enterprise.objects.get(pk=rng.choice(pool))
        applied = today - dt.timedelta(days=rng.randint(5, 330))
        amount = rng.choice((100, 200, 300, 500, 800, 1000)) * 1_000_000  # 万元 → fen
        app = actions.do_save_financing(
            admin,
            ent,
            product=rng.choice((Product.PUHUI, Product.PUHUI, Product.XINYI)),
            bank=rng.choice(BANKS),
            amount_asked_fen=amount,
            applied_on=applied,
        )
        apps += 1
        roll = rng.random()
        if roll < 0.35:
            if roll < 0.1:
                actions.do_advance_financing(
                    admin,
                    app,
                    FinancingStage.DECLINED,
                    on=applied + dt.timedelta(days=10),
                    note="不符合授信条件",
                )
            continue
        actions.do_advance_financing(
            admin, app, FinancingStage.MATCHED, on=min(today, applied + dt.timedelta(days=3))
        )
        if roll < 0.75:
            continue
        actions.do_advance_financing(
            admin, app, FinancingStage.SIGNED, on=min(today, applied + dt.timedelta(days=20))
        )
        if roll < 0.82:
            continue
        actions.do_advance_financing(
            admin,
            app,
            FinancingStage.GRANTED,
            on=min(today, applied + dt.timedelta(days=30)),
            amount_granted_fen=amount * rng.choice((6, 8, 10)) // 10,
        )

    # ---- salons and 银企对接 events ------------------------------------------------------------
    from peiyu.registry.models import Area

    areas = list(Area.objects.order_by("order")[:3])
    themes = [
        ("bank", "普会贷银企对接会"),
        ("salon", "研发费用加计扣除政策沙龙"),
        ("salon", "改制上市培育沙龙"),
        ("bank", "信易贷专场对接会"),
        ("policy", "“3+5+X”产业政策宣讲会"),
        ("salon", "人才安居政策沙龙"),
    ]
    events = 0
    for n, (kind, theme) in enumerate(themes):
        area = areas[n % len(areas)] if areas else None
        ev = actions.do_create_event(
            admin,
            kind=kind,
            theme=theme,
            date=today - dt.timedelta(days=30 + 50 * n),
            area=area,
            organiser="区企业服务中心",
        )
        for eid in rng.sample(pool, min(len(pool), rng.randint(8, 20))):
            actions.do_add_attendance(
                admin,
                ev,
                Enterprise.objects.get(pk=eid),
                note=rng.choice(["", "有融资需求", "有意向", "会后单独对接"]),
            )
        actions.do_add_event_followup(
            admin,
            ev,
            title="会后逐户回访有需求企业",
            due=today - dt.timedelta(days=20 + 50 * n) + dt.timedelta(days=40 if n == 0 else 0),
            owner=service,
        )
        events += 1

    from peiyu.work.actions import recompute_dues

    recompute_dues("services.request")
    rows = queries.request_rows(Request.objects.select_related("enterprise", "category", "item"))
    ctx.summary["services"] = {
        **made,
        "overdue_now": sum(1 for r in rows if r["overdue"] and r["_status"] not in queries.CLOSED),
        "visits": visits,
        "red_flags": flagged,
        "listing": sheets,
        "financing": apps,
        "events": events,
        "seconds": round(time.monotonic() - started, 1),
    }
