"""Demo step (ORDER 70): the four industry task forces at work for a year.

Each key industry gets its task force (the district leader as joint leader, its departments, the
sub-districts where most of its firms sit, a member who is the industry liaison), a year of monthly
meetings with decisions opened as tracked items (most done, some overdue), the packs of the latest
meetings prepared from the real demo data, monthly information reports (some late), liaison
officers assigned by rule to most key enterprises with a contact log, the 100 measures of
营商环境方案 4.0 in five blocks in every state, and 18 press conferences (the 2020 count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

ORDER = 70

DECISIONS = [
    "走访{ent}，了解本月税收变动原因，形成书面情况报专班",
    "协调{ent}扩产用地与办公空间需求",
    "梳理{industry}产业链缺失环节，提出招商目标企业名单",
    "对{industry}预警企业逐户上门，一户一策稳企",
    "落实{industry}产业政策兑现，月底前完成首批拨付",
    "牵头召开{industry}重点企业座谈会，收集政策诉求",
]
MINUTES = (
    "会议听取了专班办公室关于{industry}产业税收、目标进度和重点企业情况的汇报，"
    "逐项核对了上次会议议定事项的落实情况，研究了下阶段工作。会议议定事项如下。"
)
BLOCKS = {
    "政务服务": [
        "企业开办全程网办，一个工作日内办结",
        "涉企审批事项实现“一网通办”",
        "推行告知承诺制审批，扩大适用事项范围",
        "设立重点项目审批绿色通道",
        "推进电子证照在涉企服务中的应用",
        "建立企业办事“好差评”闭环整改机制",
        "实现不动产登记与水电气过户联办",
        "推行工程建设项目审批“多测合一”",
        "开展惠企政策“免申即享”",
        "建立政务服务“一件事”清单并动态更新",
    ],
    "市场环境": [
        "清理妨碍统一市场和公平竞争的规定",
        "提高政府采购中小企业份额",
        "推进招投标全流程电子化",
        "建立拖欠企业账款清偿机制",
        "开展涉企收费专项检查",
        "完善企业信用修复机制",
        "推进市场主体退出便利化",
        "建立新业态包容审慎监管清单",
        "推进知识产权快速维权",
        "开展重点行业质量提升行动",
    ],
    "法治保障": [
        "推行涉企行政检查“综合查一次”",
        "建立轻微违法行为免罚清单",
        "设立企业合规指导服务站",
        "开展涉企行政复议快速办理",
        "建立商事纠纷多元化解机制",
        "推进涉企执法案件公开",
        "组织企业家法治讲堂",
        "建立企业法律风险提示制度",
        "推行柔性执法与说理式执法",
        "开展行政执法质量评查",
    ],
    "要素支撑": [
        "设立产业发展专项资金并按季兑现",
        "搭建银企对接平台，扩大首贷规模",
        "建立重点企业人才公寓保障机制",
        "盘活存量楼宇，提供低成本载体空间",
        "推进重点产业人才落户便利",
        "建立科技企业融资风险补偿机制",
        "推进产业园区配套设施提升",
        "建立重点企业用能保障机制",
        "开展产业人才专项招聘活动",
        "推进数据要素流通与开放",
    ],
    "企业服务": [
        "建立重点企业“服务专员”制度",
        "开展“千企万户大走访”",
        "建立企业诉求“接诉即办”机制",
        "编制惠企政策汇编并精准推送",
        "建立企业家恳谈会制度",
        "推进总部企业服务专窗",
        "建立企业迁出预警与挽留机制",
        "开展中小企业数字化转型诊断",
        "建立重点企业培育库",
        "开展营商环境满意度第三方评估",
    ],
}
PHASES = ("", "（深化）")
PRESS_THEMES = [
    "{industry}产业扶持政策发布会",
    "{industry}重点项目集中签约新闻发布会",
    "{industry}产业发展白皮书发布会",
    "{industry}人才政策宣讲会",
]
MEDIA = "上海发布、解放日报、文汇报、普陀区融媒体中心"


def _month_add(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def generate(ctx: Any) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from peiyu.accounts import scope as scope_mod
    from peiyu.accounts.models import Department, Role, User
    from peiyu.demo import DEMO_ADMIN
    from peiyu.meetings import actions as meeting_actions
    from peiyu.meetings.models import Decision
    from peiyu.registry.models import Area, Enterprise, KeyIndustry
    from peiyu.taskforce import actions, queries
    from peiyu.taskforce.models import ContactLog, Measure, PublicityEvent, TaskForce
    from peiyu.taxes import analytics
    from peiyu.work import actions as work_actions
    from peiyu.work.models import Item

    if TaskForce.objects.exists():
        return
    rng = ctx.step_rng("taskforce")
    admin = ctx.data.get("admin") or User.objects.filter(is_superuser=True).first()
    leader = User.objects.filter(username="leader").first()
    fgw = Department.objects.filter(name="区发改委").first()
    tzb = Department.objects.filter(name="区投促办").first()
    today = timezone.localdate()
    latest = analytics.latest_month()
    industries = list(KeyIndustry.objects.filter(active=True).order_by("order"))
    summary: dict[str, Any] = {"taskforces": 0, "meetings": 0, "decisions": 0, "overdue_decisions": 0}

    tfs: list[Any] = []
    for ind in industries:
        member = User.objects.filter(role=Role.TASKFORCE, key_industries=ind).order_by("username").first()
        if member is None:
            member, _ = User.objects.get_or_create(
                username=f"tf_{ind.slug}",
                defaults={
                    "display_name": f"{ind.name}专班联络员",
                    "role": Role.TASKFORCE,
                    "password": make_password(DEMO_ADMIN[1]),
                    "password_changed_at": timezone.now(),
                },
            )
            member.key_industries.add(ind)
        depts = list(Department.objects.filter(key_industries=ind))
        depts += [d for d in (fgw, tzb) if d is not None and d not in depts]
        top_areas = list(Area.objects.filter(enterprises__key_industry=ind).distinct().order_by("order")[:40])
        top_areas.sort(key=lambda a: -a.enterprises.filter(key_industry=ind).count())
        tf = actions.do_save_taskforce(
            admin,
            ind,
            office=depts[0] if depts else fgw,
            leaders=[leader] if leader else [],
            departments=depts,
            areas=top_areas[:3],
            members=[member],
            liaison_member=member,
            note=f"区委、区政府领导牵头，集中区相关部门和街镇力量推进{ind.name}产业发展。",
            reason="演示：组建产业专班",
        )
        tfs.append(tf)
    summary["taskforces"] = len(tfs)

    # ---- a year of monthly meetings (oldest first, so each pack finds its previous meeting)
    this_month = today.replace(day=1)
    to_prepare: list[Any] = []
    for tf in tfs:
        member = tf.liaison_member
        ents = list(Enterprise.objects.filter(key_industry=tf.industry, status="存续").order_by("id")[:300])
        depts = list(tf.departments.all())
        made = []
        for back in range(12, -2, -1):
            first = _month_add(this_month, -back)
            date = first.replace(day=min(10 + tf.industry.order, 28))
            held = date < today
            m = actions.do_schedule_taskforce_meeting(
                admin,
                tf,
                date=date,
                location="区政府 3 楼会议室",
                attendees="、".join([str(u) for u in tf.leaders.all()] + [d.name for d in depts]),
            )
            summary["meetings"] += 1
            if not held:
                made.append(m)
                continue
            meeting_actions.do_record_minutes(admin, m, MINUTES.format(industry=tf.industry.name))
            for k in range(rng.choice((2, 3, 3, 4))):
                ent = rng.choice(ents) if ents else None
                text = rng.choice(DECISIONS).format(
                    ent=ent.name if ent else "重点企业", industry=tf.industry.name
                )
                due = date + dt.timedelta(days=rng.choice((14, 20, 30, 45)))
                unit = depts[k % len(depts)] if depts else None
                d = meeting_actions.do_add_decision(admin, m, text=text, owner=member, unit=unit, due=due)
                opened = timezone.make_aware(dt.datetime.combine(date, dt.time(16, 0)))
                item = Item.objects.get(meeting_decision=d)
                Item.objects.filter(pk=item.pk).update(
                    opened_at=opened, entered_at=opened, last_activity_at=opened
                )
                item.refresh_from_db()
                summary["decisions"] += 1
                roll = rng.random()
                age = (today - date).days
                if age > 60 and roll < 0.85 or 0 < age <= 60 and roll < 0.45:
                    work_actions.apply_transition(
                        item, "in_progress", by=member, note="已部署推进", now=opened + dt.timedelta(days=2)
                    )
                    done_at = opened + dt.timedelta(days=rng.choice((5, 10, 18, 40)))
                    if done_at < timezone.now():
                        work_actions.apply_transition(
                            item, "done", by=member, note="已落实，情况已报专班办公室", now=done_at
                        )
                elif roll < 0.6:
                    work_actions.apply_transition(
                        item, "in_progress", by=member, note="正在推进", now=opened + dt.timedelta(days=3)
                    )
            made.append(m)
        # the packs of the last two held meetings and the next one (prepared at the end, once the
        # reports and liaison officers they summarise exist)
        to_prepare += [x for x in made if x.date < today][-2:] + [x for x in made if x.date >= today][:1]
    summary["overdue_decisions"] = sum(1 for d in Decision.objects.select_related("item") if d.is_overdue())

    # ---- monthly information reports for the last six months (a few late, the last ones pending)
    report_count = late = 0
    if latest:
        for tf in tfs:
            t = actions.do_save_template(
                admin,
                tf,
                name="月度工作信息",
                departments=list(tf.departments.all()),
                areas=list(tf.areas.all()),
            )
            months = [m for m in analytics.months_available() if m <= latest][-6:]
            for i, period in enumerate(months):
                opened = timezone.make_aware(
                    dt.datetime.combine(actions.period_end(period) + dt.timedelta(days=1), dt.time(9))
                )
                for r in actions.do_issue_reports(admin, t, period, opened_at=opened):
                    report_count += 1
                    last = i == len(months) - 1
                    if last and rng.random() < 0.6:
                        continue  # still to come
                    delay = rng.choice((-3, -2, -1, 0, 0, 2, 6)) if not last else -1
                    when = timezone.make_aware(
                        dt.datetime.combine(r.due + dt.timedelta(days=delay), dt.time(15))
                    )
                    if when > timezone.now():
                        continue
                    late += delay > 0
                    actions.do_submit_report(
                        None,
                        r,
                        {
                            "progress": f"本月走访{tf.industry.name}重点企业 {rng.randint(3, 12)} 家，协调解决诉求 {rng.randint(1, 5)} 项。",
                            "problems": rng.choice(
                                ["部分企业反映办公用房成本上升。", "个别企业有迁出意向，已上门沟通。", "无"]
                            ),
                            "plan": "继续做好重点企业走访和政策兑现。",
                        },
                        when=when,
                    )

    # ---- directed liaison: most key enterprises get their officer by rule, with a contact log
    assigned = contacts = 0
    for tf in tfs:
        key = queries.key_enterprises(scope_mod.EVERYTHING, tf, latest)
        chosen = [e for e in key if rng.random() < 0.85]
        assigned += actions.do_assign_liaisons_by_rule(admin, tf, chosen, reason="演示：按规则指定联络员")[
            "assigned"
        ]
        logs = []
        for e in chosen:
            e.refresh_from_db(fields=["liaison"])
            if e.liaison_id is None or rng.random() < 0.4:
                continue
            for _ in range(rng.randint(1, 3)):
                logs.append(
                    ContactLog(
                        enterprise=e,
                        user_id=e.liaison_id,
                        date=today - dt.timedelta(days=rng.randint(1, 330)),
                        method=rng.choice(ContactLog.Method.values),
                        contact=rng.choice(["财务总监", "总经理", "行政经理", "董事会秘书"]),
                        summary=rng.choice(
                            [
                                "了解经营情况，企业运行平稳。",
                                "宣讲产业政策，企业有意申报。",
                                "企业反映人才招聘难，已转人才服务中心。",
                            ]
                        ),
                        needs=rng.choice(["", "", "办公空间扩租", "人才公寓", "融资对接"]),
                    )
                )
        ContactLog.objects.bulk_create(logs)
        contacts += len(logs)

    # ---- 营商环境方案 4.0: 100 measures in five blocks, in every state
    plan = actions.get_or_create_plan("营商环境方案 4.0", version="4.0", year=today.year)
    plan.issued = dt.date(today.year, 1, 15)
    plan.save(update_fields=["issued"])
    units = list(Department.objects.order_by("order", "id"))
    n = 0
    for block, texts in BLOCKS.items():
        for phase in PHASES:
            for text in texts:
                n += 1
                # deadlines from nine months ago to five months ahead: every state is present
                deadline = (today + dt.timedelta(days=rng.randint(-270, 150))).replace(
                    day=rng.choice((1, 15, 28))
                )
                roll = rng.random()
                done = None
                if deadline < today:
                    if roll < 0.6:
                        done = deadline - dt.timedelta(days=rng.randint(0, 40))  # green
                    elif roll < 0.8:
                        done = min(deadline + dt.timedelta(days=rng.randint(3, 50)), today)  # yellow
                elif roll < 0.25:
                    done = today - dt.timedelta(days=rng.randint(1, 30))  # done early
                m = Measure.objects.create(
                    plan=plan,
                    number=str(n),
                    seq=n,
                    block=block,
                    text=text + phase,
                    unit=units[(n * 7) % len(units)],
                    kpi=rng.choice(
                        ["办结率 100%", "覆盖率不低于 90%", "按季度通报", "企业满意度 95% 以上", ""]
                    ),
                    deadline=deadline,
                )
                m.co_units.set([units[(n * 7 + 3) % len(units)]])
                if done is not None and done <= today:
                    actions.do_report_measure_progress(
                        None,
                        m,
                        text="已按要求完成。",
                        done=done,
                        evidence=f"{m.unit.name}工作报告及相关文件",
                        date=done,
                    )
    # ---- publicity: 18 press conferences and campaigns over the year
    events = []
    for k in range(18 if tfs else 0):
        tf = tfs[k % len(tfs)]
        day = today - dt.timedelta(days=20 * k + rng.randint(0, 10))
        events.append(
            PublicityEvent(
                kind=PublicityEvent.Kind.PRESS if k % 3 else PublicityEvent.Kind.CAMPAIGN,
                date=day,
                theme=rng.choice(PRESS_THEMES).format(industry=tf.industry.name),
                industry=tf.industry,
                taskforce=tf,
                policies=f"{tf.industry.name}产业扶持办法（试行）",
                media=MEDIA,
                inquiries=rng.randint(5, 60),
                applications=rng.randint(0, 20),
                followups="发布后一个月内企业咨询与申报情况由专班办公室统计。",
                created_by=admin,
            )
        )
    PublicityEvent.objects.bulk_create(events)
    for m in to_prepare:
        meeting_actions.do_prepare_pack(admin, m)
    summary.update(
        {
            "reports": report_count,
            "reports_late": late,
            "liaison_assigned": assigned,
            "contacts": contacts,
            "measures": Measure.objects.filter(plan=plan).count(),
            "publicity": len(events),
        }
    )
    ctx.summary["taskforce"] = summary
