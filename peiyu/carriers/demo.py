"""Demo step: the district's carriers, tied to the demo's real sub-districts and enterprises.

~60 buildings across the ten 街道镇 (a few 亿元楼 whose tenants are the largest taxpayers of their
sub-district, some 千万元楼 and candidates just below), the four parks the seed names with their focus
(天地软件园 → 智能软件, 华师大科技园 → 教育科技 (研发服务), 同济科技园普陀分园 → 生命健康, 桃浦智创城),
the innovation platforms of 一轴一园一中心, 21 incubators (2 national, 12 municipal, 7 district) with
their incubated firms (young firms of their sub-district, some graduated) and last year's evaluation
(pre-filled from the data, the rest entered with evidence, scored, 公示 and mostly final), and a
租税联动 rule. Tenants move in and out over the years; this year one large tenant left its tower.
Everything is written through :mod:`peiyu.carriers.actions` (audited).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

ORDER = 65

TOWERS = [
    "国际大厦",
    "中心",
    "广场",
    "商务大厦",
    "科技大厦",
    "金融大厦",
    "环球中心",
    "时代广场",
    "创意大厦",
    "企业天地",
]
PREFIX = {
    "曹杨新村街道": ["曹杨", "枫桥", "兰溪"],
    "长风新村街道": ["长风", "云岭", "金沙江"],
    "长寿路街道": ["长寿", "苏河", "常德"],
    "甘泉路街道": ["甘泉", "志丹", "宜川北"],
    "石泉路街道": ["石泉", "洛川", "岚皋"],
    "宜川路街道": ["宜川", "延长", "中山北"],
    "万里街道": ["万里", "新村", "真华"],
    "真如镇街道": ["真如", "铜川", "中环"],
    "长征镇": ["长征", "梅川", "金沙"],
    "桃浦镇": ["桃浦", "智创", "武威"],
}
PARKS = [
    ("天地软件园", "长风新村街道", "software", "智能软件产业集聚园区，聚焦工业软件与人工智能应用。"),
    (
        "华师大科技园",
        "长风新村街道",
        "rnd",
        "依托华东师范大学，聚焦教育科技与研发服务（主导产业：教育科技，按研发服务统计）。",
    ),
    ("同济科技园普陀分园", "真如镇街道", "health", "聚焦生命健康：医疗器械、生物医药研发外包。"),
    ("桃浦智创城", "桃浦镇", "rnd", "桃浦转型核心区，聚焦研发服务与智能制造。"),
]
PLATFORMS = [
    ("中以（上海）创新园", "桃浦镇", "中以创新合作、技术转移与孵化加速"),
    ("上海清华国际创新中心", "桃浦镇", "科技成果转化、国际创新人才与企业孵化"),
    ("国家智能制造装备可靠性试验平台", "长征镇", "可靠性测试认证、检验检测公共服务"),
]
INCUBATOR_NAMES = [
    "普陀科技企业孵化器",
    "长风创新港",
    "苏河汇创业中心",
    "中环智谷孵化器",
    "桃浦智创孵化器",
    "真如智慧谷",
    "华师大科技园孵化器",
    "同济普陀创新中心",
    "天地软件园孵化基地",
    "曹杨创客空间",
    "万里科创孵化器",
    "甘泉众创空间",
    "石泉智能制造孵化器",
    "宜川生命健康孵化器",
    "长征科技企业加速器",
    "中以创新孵化器",
    "清华创新中心孵化平台",
    "金沙江创投孵化器",
    "长寿路数字经济孵化器",
    "海纳百川孵化器",
    "云岭科创空间",
]


def _area_for(name: str, areas: dict[str, Any], i: int) -> Any:
    if name in areas:
        return areas[name]
    names = sorted(areas)
    return areas[names[i % len(names)]] if names else None


def generate(ctx: Any) -> None:  # noqa: C901 (one story, told in order)
    from peiyu.accounts.models import Department
    from peiyu.accounts.scope import EVERYTHING
    from peiyu.carriers import actions
    from peiyu.carriers.models import Carrier, Kind, Level, Source, Status
    from peiyu.registry.models import GONE_STATUSES, Area, Enterprise, KeyIndustry
    from peiyu.taxes.analytics import enterprise_rows, latest_month

    if Carrier.objects.exists():
        return
    rng = ctx.step_rng("carriers")
    admin = ctx.data.get("admin")
    areas = {a.name: a for a in Area.objects.all()}
    if not areas:
        return
    industries = {i.slug: i for i in KeyIndustry.objects.all()}
    kewei = Department.objects.filter(name="区科委").first()
    month = latest_month()
    year = int(month[:4]) if month else dt.date.today().year
    today = dt.date.today()

    # the taxpayers of each sub-district, largest first (year to date, 全口径)
    ytd: dict[int, int] = {}
    if month:
        for r in enterprise_rows(EVERYTHING, month, limit=6000)["rows"]:
            if r.get("enterprise_id"):
                ytd[int(r["enterprise_id"])] = int(r.get("ytd_total_fen") or 0)
    ents: list[dict[str, Any]] = [
        dict(row)
        for row in Enterprise.objects.exclude(status__in=GONE_STATUSES)
        .filter(area__isnull=False)
        .values("id", "area_id", "key_industry_id", "established")
    ]
    by_area: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in ents:
        by_area[e["area_id"]].append(e)
    for lst in by_area.values():
        lst.sort(key=lambda e: -ytd.get(e["id"], 0))
    used: set[int] = set()
    objs = {e.pk: e for e in Enterprise.objects.filter(pk__in=[e["id"] for e in ents])}

    def take(area: Any, n: int, *, big: bool = False, young: bool = False) -> list[Any]:
        pool = [e for e in by_area.get(area.pk, []) if e["id"] not in used]
        if young:
            pool = [e for e in pool if e["established"] and e["established"].year >= year - 5] or pool
            rng.shuffle(pool)
        elif not big:
            pool = pool[len(pool) // 20 :]
            rng.shuffle(pool)
        out = pool[:n]
        used.update(e["id"] for e in out)
        return [objs[e["id"]] for e in out]

    def move_in_date() -> dt.date:
        return dt.date(year - rng.randint(0, 6), rng.randint(1, 12), rng.randint(1, 28))

    def lease(
        carrier: Any,
        ent: Any,
        area_m2: int,
        start: dt.date | None = None,
        end: dt.date | None = None,
        graduated: bool = False,
    ) -> None:
        actions.do_add_tenancy(
            admin,
            carrier,
            ent,
            area_m2=Decimal(area_m2),
            move_in=start or move_in_date(),
            move_out=end,
            graduated=graduated,
            reason="演示数据",
        )

    # parks and platforms first (buildings may belong to a park)
    parks = []
    for i, (name, area_name, slug, note) in enumerate(PARKS):
        area = _area_for(area_name, areas, i)
        parks.append(
            actions.do_save_carrier(
                admin,
                None,
                {
                    "kind": Kind.PARK,
                    "name": name,
                    "area": area,
                    "focus_industry": industries.get(slug),
                    "gross_area_m2": Decimal(rng.randint(8, 30) * 10000),
                    "leasable_area_m2": Decimal(rng.randint(6, 8) * 10000),
                    "owner": f"{name}发展有限公司",
                    "manager": f"{name}物业",
                    "note": note,
                    "map_x": Decimal(rng.randint(15, 85)),
                    "map_y": Decimal(rng.randint(15, 85)),
                },
                reason="演示数据",
            )
        )
    for i, (name, area_name, services) in enumerate(PLATFORMS):
        area = _area_for(area_name, areas, i)
        p = actions.do_save_carrier(
            admin,
            None,
            {
                "kind": Kind.PLATFORM,
                "name": name,
                "area": area,
                "services": services,
                "gross_area_m2": Decimal(rng.randint(2, 6) * 10000),
                "leasable_area_m2": Decimal(rng.randint(1, 2) * 10000),
                "operator": f"{name}运营公司",
                "department": kewei,
            },
            reason="演示数据",
        )
        for ent in take(area, rng.randint(8, 15)):
            lease(p, ent, rng.choice([120, 200, 300, 500]))

    # buildings: ~6 per sub-district; the three sub-districts with the largest taxpayers get a 亿元楼
    area_list = list(areas.values())
    top_areas = sorted(
        area_list, key=lambda a: -sum(ytd.get(e["id"], 0) for e in by_area.get(a.pk, [])[:15])
    )[:3]
    yi_target = 100_000_000 * 100 * 12 // 10  # 1.2 亿元
    buildings = []
    n_total = 60
    per_area = max(1, n_total // len(area_list))
    k = 0
    for area in area_list:
        prefixes = PREFIX.get(area.name, [area.name[:2]])
        for j in range(per_area):
            name = f"{prefixes[j % len(prefixes)]}{TOWERS[(k + j) % len(TOWERS)]}"
            while Carrier.objects.filter(name=name).exists():
                name += "二期"
            gross = rng.randint(2, 12) * 10000
            grade = rng.choice(["甲级", "甲级", "乙级", "乙级", "丙级"])
            park = next((p for p in parks if p.area_id == area.pk), None) if j == per_area - 1 else None
            b = actions.do_save_carrier(
                admin,
                None,
                {
                    "kind": Kind.BUILDING,
                    "name": name,
                    "area": area,
                    "park": park,
                    "gross_area_m2": Decimal(gross),
                    "leasable_area_m2": Decimal(gross * rng.randint(70, 85) // 100),
                    "owner": f"上海{prefixes[0]}置业有限公司",
                    "manager": rng.choice(
                        ["仲量联行", "第一太平戴维斯", "高力国际", "上海陆家嘴物业", "上海明华物业"]
                    ),
                    "grade": grade,
                    "address": f"上海市普陀区{prefixes[j % len(prefixes)]}路{rng.randint(1, 2000)}号",
                },
                reason="演示数据",
            )
            buildings.append(b)
            # the first building of a top area is its 亿元楼: the area's largest taxpayers
            if j == 0 and area in top_areas:
                total = 0
                for ent in take(area, 40, big=True):
                    lease(b, ent, rng.randint(5, 30) * 100)
                    total += ytd.get(ent.pk, 0)
                    if total >= yi_target:
                        break
            elif j == 1 and area in top_areas[:2]:
                # a 千万元楼 candidate-ish: a few mid-sized taxpayers
                for ent in take(area, rng.randint(6, 12), big=True):
                    lease(b, ent, rng.randint(3, 15) * 100)
            for ent in take(area, rng.randint(8, 25)):
                lease(b, ent, rng.choice([80, 120, 150, 200, 300, 500, 800]))
            # some history: tenants who left in past years and one or two this year
            for ent in take(area, rng.randint(1, 4)):
                since = dt.date(year - rng.randint(3, 6), rng.randint(1, 12), 1)
                until = dt.date(year - rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
                if until > today:
                    until = today - dt.timedelta(days=30)
                if until > since:
                    lease(b, ent, rng.choice([100, 200, 400]), since, until)
            if j % 2 == 0:
                for _ in range(rng.randint(1, 3)):
                    space = {
                        "floor": f"{rng.randint(3, 28)}F",
                        "unit": f"{rng.randint(1, 12):02d}",
                        "area_m2": Decimal(rng.choice([150, 300, 600, 1200])),
                        "offered": True,
                    }
                    actions.do_save_space(admin, b, space, reason="演示数据")
        k += per_area
    # this year's story: the 亿元楼 of the top area lost a tenant in March (it moved to 临港)
    if buildings and month and month >= f"{year}-04":
        first = next((b for b in buildings if b.area_id == top_areas[0].pk), None) if top_areas else None
        t = first.tenancies.filter(move_out__isnull=True).order_by("-area_m2").last() if first else None
        if t is not None and t.move_in < dt.date(year, 3, 1):
            actions.do_end_tenancy(admin, t, dt.date(year, 3, 15), reason="演示数据：企业整体迁往临港新片区")

    # incubators: 2 national, 12 municipal, 7 district; young firms of their sub-district
    levels = [Level.NATIONAL] * 2 + [Level.MUNICIPAL] * 12 + [Level.DISTRICT] * 7
    incubators = []
    for i, (name, level) in enumerate(zip(INCUBATOR_NAMES, levels, strict=True)):
        area = area_list[i % len(area_list)]
        park = parks[i % len(parks)] if i < len(parks) else None
        gross = rng.randint(3, 20)
        inc = actions.do_save_carrier(
            admin,
            None,
            {
                "kind": Kind.INCUBATOR,
                "name": name,
                "area": park.area if park else area,
                "park": park,
                "level": level,
                "department": kewei,
                "operator": f"上海{name[:2]}创业服务有限公司",
                "gross_area_m2": Decimal(gross * 1000),
                "leasable_area_m2": Decimal(gross * 800),
                "services": "创业辅导、投融资对接、政策申报、公共技术服务",
            },
            reason="演示数据",
        )
        incubators.append(inc)
        inc_area = inc.area
        for ent in take(
            inc_area, rng.randint(8, 30) if level != Level.NATIONAL else rng.randint(30, 45), young=True
        ):
            entered = dt.date(year - rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28))
            if entered > today:
                entered = dt.date(year, 1, 5)
            graduated = rng.random() < 0.2 and entered.year < year - 1
            left = dt.date(year - 1, rng.randint(1, 12), rng.randint(1, 28)) if graduated else None
            lease(inc, ent, rng.choice([20, 40, 60, 100, 150]), entered, left, graduated)

    # 租税联动 rule
    actions.do_save_rent_rule(
        admin,
        None,
        {
            "name": "普陀区重点楼宇租税联动（试行）",
            "base_year": year - 1,
            "pct": Decimal(50),
            "cap_per_m2_yuan": Decimal(1500),
            "cap_per_firm_fen": 2_000_000 * 100,
            "min_area_m2": Decimal(300),
            "key_industry_only": True,
            "note": "企业区级税收较基准年增量的 50% 用于房租补贴，每平方米每年不超过 1500 元、单户不超过 200 万元。",
        },
        reason="演示数据",
    )

    # last year's evaluation: pre-filled, manual values with evidence, scored, 公示, mostly final
    scheme = actions.do_create_scheme(admin, year - 1, reason="演示数据")
    manual_values = {
        "孵化场地面积": (3000, 12000, "场地租赁合同、平面图"),
        "专业孵化服务人员": (3, 14, "劳动合同与社保缴纳名单"),
        "公共技术服务平台": (0, 4, "平台设备清单与服务记录"),
        "孵化器运营收入": (200, 1500, "年度审计报告"),
        "获投融资在孵企业数": (0, 8, "投资协议与到账凭证"),
        "在孵企业知识产权": (10, 80, "专利、软著证书清单"),
        "引进落地项目数": (0, 6, "区投促办项目落地确认单"),
        "创新创业活动": (5, 30, "活动通知、签到与照片"),
    }
    boosts: dict[str, float] = {Level.NATIONAL: 0.9, Level.MUNICIPAL: 0.6, Level.DISTRICT: 0.35}
    for ev_ in scheme.evaluations.select_related("incubator"):
        inc = ev_.incubator
        actions.do_prefill_evaluation(admin, ev_, reason="演示数据")
        boost = boosts.get(inc.level, 0.5)
        for ind in scheme.indicators.filter(source=Source.MANUAL):
            low, high, evidence = manual_values.get(ind.name, (0, 10, "佐证材料"))
            value = low + (high - low) * min(1.0, max(0.0, rng.gauss(boost, 0.2)))
            actions.do_set_indicator_value(
                admin, ev_, ind, Decimal(round(value)), evidence=evidence, reason="演示数据"
            )
        actions.do_score_evaluation(admin, ev_, reason="演示数据")
    shown_from = today - dt.timedelta(days=30)
    try:
        moved = actions.do_start_publicity(admin, scheme, today=shown_from, reason="演示数据")
    except actions.CarrierError:
        moved = []
    last = moved[-2:] if len(moved) > 2 else []
    if moved:
        actions.do_record_objection(
            admin,
            moved[-1],
            "有企业反映该孵化器部分在孵企业已实际迁出，请核实在孵企业名单。",
            reason="演示数据",
        )
    for done in moved:
        if done in last:
            continue  # two results still under review after the objection
        if done.publicity_end and done.publicity_end < today:
            actions.do_finalize_evaluation(admin, done, today=today, reason="演示数据")
    ctx.summary["carriers"] = {
        "buildings": Carrier.objects.filter(kind=Kind.BUILDING).count(),
        "parks": len(parks),
        "platforms": len(PLATFORMS),
        "incubators": len(incubators),
        "tenancies": sum(c.tenancies.count() for c in Carrier.objects.all()),
        "evaluation_year": scheme.year,
        "evaluations_final": scheme.evaluations.filter(status=Status.FINAL).count(),
    }
