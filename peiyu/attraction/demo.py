"""Demo step (ORDER 70, after the tax library and the warnings): a year of attraction pipeline
across the 7 teams of the demo district.

The story: seven teams, each led by the district head or a deputy head; ~10 projects each at every
stage; the landed ones are real demo enterprises established during the year, signed one to two
months before they registered, and they start paying in the demo tax library (the 纳税 stage is
confirmed by :mod:`peiyu.attraction.taxlink`, never by hand); a chain of upstream / downstream / peer
firms around 阿里巴巴 in 智能软件; two funds; cross-regional events (长三角, 沿沪宁产业创新带); a
stalled project, a lost one, a project signed five months ago and still not registered, a landed
company that has not paid for half a year, a capital increase and a duplicate claim between two
teams. Users: ``touchu`` (投促办, sees everything) and ``team1`` … ``team7`` (team members).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

ORDER = 70

TEAMS = [
    ("区长招商小组", "区长"),
    ("常务副区长招商小组", "常务副区长"),
    ("科创招商小组", "副区长（分管科技）"),
    ("金融招商小组", "副区长（分管金融）"),
    ("商贸招商小组", "副区长（分管商务）"),
    ("健康招商小组", "副区长（分管卫健）"),
    ("城市更新招商小组", "副区长（分管建设）"),
]
INVESTORS = [
    "长三角数智科技集团",
    "苏州工业园区某上市公司",
    "杭州某平台企业",
    "深圳某独角兽企业",
    "南京某生物医药集团",
    "合肥某新能源企业",
    "北京某金融科技公司",
    "新加坡某投资基金",
    "某央企二级子公司",
    "某跨国公司中国区",
]
WHAT = ["区域总部", "研发中心", "华东结算中心", "创新实验室", "数据中心", "销售总部", "孵化基地", "运营中心"]
SPACE = ["写字楼 2000 平方米", "研发楼 5000 平方米", "产业园独栋", "孵化器工位 50 个", "商办楼层 1500 平方米"]
PROBLEMS = [
    "人才公寓需求 30 套，需区人才办协调",
    "办公用房租金补贴政策口径需投促办明确",
    "与桃浦智创城载体方的租约条款尚未谈妥",
    "外资准入备案需市商务委指导",
]


def generate(ctx: Any) -> None:
    from django.utils import timezone

    from peiyu.accounts.models import Department, Role, User
    from peiyu.attraction import actions, taxlink, warnings
    from peiyu.attraction.models import (
        AnchorFirm,
        ChainPosition,
        Channel,
        CooperationEvent,
        Fund,
        Project,
        Stage,
        Status,
        Team,
    )
    from peiyu.demo import DEMO_ADMIN
    from peiyu.registry.models import Area, Enterprise, KeyIndustry

    rng = ctx.step_rng("attraction")
    months = ctx.months()
    end = months[-1]
    end_day = dt.date(int(end[:4]), int(end[5:]), 28)
    start_day = end_day - dt.timedelta(days=365)
    password = DEMO_ADMIN[1]
    industries = list(KeyIndustry.objects.order_by("order"))
    areas = list(Area.objects.order_by("order"))
    if not industries or not areas:
        return
    soft = next((i for i in industries if i.slug == "software"), industries[0])

    def user(name: str, display: str, role: str = Role.DEPARTMENT) -> User:
        u, created = User.objects.get_or_create(
            username=name, defaults={"display_name": display, "role": role}
        )
        if created:
            u.set_password(password)
            u.password_changed_at = timezone.now()
            u.save()
        return u

    office_dept, _ = Department.objects.get_or_create(name="区投促办", defaults={"short_name": "投促办"})
    touchu = user("touchu", "投促办干部")
    touchu.departments.add(office_dept)
    leader = User.objects.filter(username="leader").first()
    teams: list[Team] = []
    for n, (name, title) in enumerate(TEAMS, start=1):
        t, _ = Team.objects.get_or_create(
            name=name,
            defaults={
                "order": n,
                "leader_title": title,
                "leader": leader if n == 1 else None,
                "target_signed": 8 + n % 3,
                "target_landed": 4 + n % 2,
                "target_invest_fen": (20 + 5 * n) * 10**8 * 100,
            },
        )
        t.members.add(user(f"team{n}", f"{name}联络员"))
        t.departments.add(office_dept)
        teams.append(t)

    alibaba, _ = AnchorFirm.objects.get_or_create(
        name="阿里巴巴（上海）", defaults={"industry": soft, "note": "链主：云计算与电商平台，带动上下游"}
    )
    jd, _ = AnchorFirm.objects.get_or_create(
        name="京东（上海）", defaults={"industry": soft, "note": "链主：数字供应链"}
    )
    qihoo, _ = AnchorFirm.objects.get_or_create(
        name="三六零（上海）", defaults={"industry": soft, "note": "链主：网络安全"}
    )
    anchors = [alibaba, alibaba, alibaba, jd, qihoo]
    funds = [
        Fund.objects.get_or_create(
            name="长三角协同优势产业基金",
            defaults={"manager": "长三角投资管理公司", "size_fen": 100 * 10**8 * 100},
        )[0],
        Fund.objects.get_or_create(
            name="普陀区科创母基金", defaults={"manager": "区国资公司", "size_fen": 20 * 10**8 * 100}
        )[0],
    ]
    ev_day = start_day + dt.timedelta(days=60)
    events = [
        CooperationEvent.objects.get_or_create(
            name="长三角 G60 科创走廊招商推介会",
            defaults={
                "kind": CooperationEvent.Kind.CONFERENCE,
                "date": ev_day,
                "city": "苏州",
                "institution": "G60 科创走廊联席办",
            },
        )[0],
        CooperationEvent.objects.get_or_create(
            name="沿沪宁产业创新带集中签约仪式",
            defaults={
                "kind": CooperationEvent.Kind.SIGNING,
                "date": ev_day + dt.timedelta(days=120),
                "city": "南京",
                "institution": "沪宁产业创新带合作办",
            },
        )[0],
    ]

    # landed companies: demo firms established during the year that really start paying afterwards
    from peiyu.accounts import scope
    from peiyu.attraction.analytics import tax_by_code

    recent = list(
        Enterprise.objects.filter(
            established__gte=start_day, established__lte=end_day - dt.timedelta(days=60)
        )
        .exclude(key_industry=None)
        .order_by("established", "id")[:3000]
    )
    series = tax_by_code(scope.EVERYTHING, [e.credit_code for e in recent]) if recent else {}
    paying, silent = [], []
    for e in recent:
        est = e.established
        assert est is not None
        s = series.get(e.credit_code, {})
        first = min((m for m, v in s.items() if v > 0), default=None)
        if first and first > est.strftime("%Y-%m"):
            paying.append(e)
        elif not s and est <= end_day - dt.timedelta(days=240):
            silent.append(e)
    rng.shuffle(paying)
    landed_pool = paying[:16]
    if silent:
        landed_pool.append(silent[0])  # landed, nothing paid for half a year: a warning
    old_firms = list(
        Enterprise.objects.filter(established__lt=start_day - dt.timedelta(days=3 * 365))
        .exclude(key_industry=None)
        .order_by("id")[:50]
    )

    created: list[Project] = []

    def project(team: Team, stage: str, **fields: Any) -> Project:
        p = actions.do_create_project(
            None, team, stage=stage, allow_missing=True, reason="演示数据", **fields
        )
        created.append(p)
        return p

    def base(i: int, industry: Any = None) -> dict[str, Any]:
        inv = INVESTORS[i % len(INVESTORS)]
        return {
            "name": f"{inv}{WHAT[i % len(WHAT)]}项目",
            "investor": inv,
            "invest_fen": rng.choice([5000, 8000, 12000, 20000, 50000, 100000]) * 10**4 * 100,
            "industry": industry or rng.choice(industries),
            "space_need": rng.choice(SPACE),
            "channel": rng.choice([c.value for c in Channel if c != Channel.FUND]),
            "entered_on": start_day + dt.timedelta(days=rng.randrange(0, 120)),
        }

    i = 0
    # landed and paying (and one silent), spread over the teams
    for k, ent in enumerate(landed_pool):
        team = teams[k % len(teams)]
        assert ent.established is not None
        signed = ent.established - dt.timedelta(days=rng.randrange(20, 60))
        f = base(i, ent.key_industry)
        f.update(
            name=f"{ent.name}落地项目",
            signed_on=signed,
            agreement_terms="五年内在区内实现注册、纳税，承诺区级年税收",
            promised_tax_fen=rng.choice([50, 100, 200, 500]) * 10**4 * 100,
            credit_code=ent.credit_code,
            registered_on=ent.established,
            entered_on=signed - dt.timedelta(days=rng.randrange(30, 120)),
        )
        if k < 5 and ent.key_industry_id == soft.pk:
            f.update(
                anchor=anchors[k],
                chain_position=[ChainPosition.UPSTREAM, ChainPosition.DOWNSTREAM, ChainPosition.PEER][k % 3],
                channel=Channel.CHAIN,
            )
        if k in (5, 6):
            f.update(fund=funds[k - 5], channel=Channel.FUND)
        if k in (7, 8):
            f.update(
                event=events[k - 7],
                partner_city=events[k - 7].city,
                partner_institution=events[k - 7].institution,
            )
        project(team, Stage.LANDED, **f)
        i += 1
    # the rest of the pipeline: leads, contacts, talks, signed
    for n, team in enumerate(teams):
        for stage, count in ((Stage.LEAD, 3), (Stage.CONTACT, 2), (Stage.TALKS, 3), (Stage.SIGNED, 1)):
            for _ in range(count):
                f = base(i)
                if stage == Stage.LEAD:
                    f = {k: v for k, v in f.items() if k in ("name", "channel", "entered_on", "industry")}
                if stage == Stage.SIGNED:
                    f.update(
                        signed_on=end_day - dt.timedelta(days=rng.randrange(10, 70)),
                        agreement_terms="签约后六个月内完成工商注册",
                        promised_tax_fen=rng.choice([100, 300]) * 10**4 * 100,
                        estimated_landing=end_day + dt.timedelta(days=rng.randrange(10, 90)),
                        area=rng.choice(areas),
                    )
                if stage == Stage.TALKS and n < 2:
                    f.update(
                        anchor=alibaba,
                        chain_position=ChainPosition.UPSTREAM,
                        industry=soft,
                        channel=Channel.CHAIN,
                    )
                project(team, stage, **f)
                i += 1
    # planted stories
    stalled = project(
        teams[2],
        Stage.TALKS,
        **{
            **base(i),
            "name": "某智能网联汽车研发中心项目",
            "estimated_landing": end_day - dt.timedelta(days=45),
        },
    )
    actions.do_add_followup(
        None,
        stalled,
        text="企业内部决策暂缓，等待集团董事会",
        problem="载体租金报价高于邻区，需投促办协调租金补贴",
        date=end_day - dt.timedelta(days=75),
    )
    actions.do_set_status(None, stalled, Status.STALLED, reason="集团投资计划调整，75 天无实质进展")
    lost = project(teams[4], Stage.TALKS, **{**base(i + 1), "name": "某跨境电商华东总部项目"})
    actions.do_set_status(None, lost, Status.LOST, reason="邻区给出更高的租金补贴", lost_to="静安区")
    late = project(
        teams[1],
        Stage.SIGNED,
        **{
            **base(i + 2),
            "name": "某生物医药 CRO 华东基地项目",
            "signed_on": end_day - dt.timedelta(days=150),
            "agreement_terms": "签约后三个月内注册",
            "promised_tax_fen": 300 * 10**4 * 100,
            "area": areas[0],
        },
    )
    actions.do_add_followup(
        None,
        late,
        text="企业名称核准遇到问题",
        problem="外资准入备案需市商务委指导",
        date=end_day - dt.timedelta(days=40),
    )
    if old_firms:
        firm = old_firms[0]
        project(
            teams[3],
            Stage.LANDED,
            name=f"{firm.name}增资扩产项目",
            investor=firm.name,
            invest_fen=200000 * 10**4 * 100,
            is_capital_increase=True,
            increase_fen=30000 * 10**4 * 100,
            industry=firm.key_industry,
            space_need="原址扩租 3000 平方米",
            signed_on=start_day + dt.timedelta(days=100),
            agreement_terms="增资 3 亿元",
            promised_tax_fen=200 * 10**4 * 100,
            credit_code=firm.credit_code,
            registered_on=start_day + dt.timedelta(days=130),
            entered_on=start_day + dt.timedelta(days=40),
        )
    if landed_pool:
        # the duplicate claim: another team registers a company the first team had already landed
        orig = next(p for p in created if p.credit_code == landed_pool[0].credit_code)
        dup_team = teams[(teams.index(orig.team) + 1) % len(teams)]
        project(
            dup_team,
            Stage.SIGNED,
            name=f"{landed_pool[0].name}（{dup_team.name}申报）",
            investor=orig.investor,
            invest_fen=orig.invest_fen,
            industry=orig.industry,
            space_need=orig.space_need,
            signed_on=orig.signed_on,
            agreement_terms="同一企业，另一小组申报",
            promised_tax_fen=orig.promised_tax_fen,
            credit_code=orig.credit_code,
            entered_on=(orig.entered_on or start_day) + dt.timedelta(days=20),
        )
    for p in rng.sample(created, min(25, len(created))):
        actions.do_add_followup(
            None,
            p,
            text=rng.choice(
                ["电话沟通推进情况", "上门走访企业负责人", "陪同企业考察载体", "召开项目专题协调会"]
            ),
            problem=rng.choice(PROBLEMS) if rng.random() < 0.3 else "",
            date=end_day - dt.timedelta(days=rng.randrange(1, 25)),
        )
    # entered_at follows the ledger date, so the first registration of a duplicate keeps the credit
    for p in Project.objects.filter(pk__in=[p.pk for p in created]):
        Project.objects.filter(pk=p.pk).update(
            entered_at=timezone.make_aware(dt.datetime.combine(p.entered_on, dt.time(9, 0)))
        )
    for code in {p.credit_code for p in created if p.credit_code}:
        actions.recompute_duplicates(code)
    tax = taxlink.refresh()
    warn = warnings.check(today=end_day + dt.timedelta(days=3))
    meetings = _dispatch_meetings(end_day, touchu, teams)
    ctx.summary["attraction"] = {
        "teams": len(teams),
        "projects": Project.objects.count(),
        "landed_paying": tax["taxpaying"],
        "warnings": warn["opened"],
        "dispatch_meetings": meetings,
        "users": ["touchu", *[f"team{n}" for n in range(1, len(teams) + 1)]],
    }


def _dispatch_meetings(end_day: dt.date, office: Any, teams: list[Any]) -> int:
    """Three biweekly dispatch meetings: two held (minutes, decisions as tracked items, one of
    them done), the next one planned with its pack prepared (last meeting's decisions first)."""
    from peiyu.meetings import actions as m_actions
    from peiyu.meetings.models import Meeting
    from peiyu.work import actions as w_actions

    if Meeting.objects.filter(kind="attraction.dispatch").exists():
        return 0
    first_day = end_day - dt.timedelta(days=28)
    days = [first_day, first_day + dt.timedelta(days=14), first_day + dt.timedelta(days=28)]
    held = []
    for n, day in enumerate(days, start=1):
        m = m_actions.do_schedule_meeting(
            None,
            kind="attraction.dispatch",
            title=f"{day.year}年第{n + 19}次招商引资调度会",
            date=day,
            location="区政府第一会议室",
            attendees="区长、各副区长、各招商小组联络员、区投促办",
        )
        m_actions.do_prepare_pack(None, m)
        if n < 3:
            m_actions.do_record_minutes(
                None,
                m,
                "会议听取了轮值小组汇报，通报了各小组目标完成情况，研究了停滞项目和重复申报的认定。",
            )
            held.append(m)
    d1 = m_actions.do_add_decision(
        None,
        held[0],
        text="投促办牵头协调智能网联汽车研发中心项目载体租金补贴",
        owner=office,
        unit=teams[2],
        due=days[1] + dt.timedelta(days=7),
    )
    m_actions.do_add_decision(
        None,
        held[1],
        text="常务副区长招商小组两周内完成生物医药 CRO 项目工商注册",
        owner=office,
        unit=teams[1],
        due=days[2] + dt.timedelta(days=5),
    )
    m_actions.do_add_decision(
        None, held[1], text="投促办认定重复申报项目的计入小组", owner=office, unit=None, due=days[2]
    )
    if d1.item is not None:
        w_actions.apply_transition(d1.item, "done", by=office, note="已协调，租金补贴按政策兑现")
    latest = Meeting.objects.filter(kind="attraction.dispatch").order_by("-date").first()
    if latest is not None:
        m_actions.do_prepare_pack(None, latest)  # the planned meeting starts with last meeting's decisions
    return len(days)
