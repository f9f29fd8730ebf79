"""Demo registry: a realistic enterprise register for a central-Shanghai service district (普陀区).

Deterministic for a seed (``ctx.step_rng("registry")``). Calibration:
- credit codes mostly registered in 310107 (普陀区), some at city level (310000), in 浦东 (310115)
  or other Shanghai districts; pre-2016 firms carry an 8-digit organisation code, later ones MA…;
- GB/T 4754-2017 小类 codes in service-district proportions (商务服务, 批发零售, 软件和信息技术,
  研发和技术服务, 金融, 房地产, 文化, 居民服务; a little manufacturing), each of the four preset key
  industries holding roughly 5–10% of enterprises;
- Putuo's ten sub-districts/towns weighted by their share of registered firms;
- mostly 存续/在业, with 迁出/注销/吊销 carrying dated status events.
The generators here are also used by the registry import benchmark.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from types import SimpleNamespace
from typing import Any

from peiyu.registry.uscc import ALPHABET, make_code

ORDER = 20  # the demo steps run by ORDER (peiyu.demo.run)

# Division (2 digits, or a 3-digit 中类 for carve-outs) -> weight in ‰ of all enterprises.
DIVISION_WEIGHTS: dict[str, float] = {
    # L 租赁和商务服务
    "71": 10,
    "72": 200,
    # F 批发和零售 (515 医药及医疗器材批发 is carved out of 51)
    "51": 135,
    "515": 20,
    "52": 60,
    # I 信息传输、软件和信息技术服务
    "63": 6,
    "64": 22,
    "65": 70,
    # M 科学研究和技术服务 (734 医学研究和试验发展 is carved out of 73)
    "73": 9,
    "734": 8,
    "74": 40,
    "75": 35,
    # J 金融
    "66": 8,
    "67": 8,
    "68": 4,
    "69": 45,
    # K 房地产
    "70": 50,
    # R 文化、体育和娱乐
    "86": 8,
    "87": 12,
    "88": 14,
    "89": 6,
    "90": 4,
    # O 居民服务、修理和其他服务
    "80": 15,
    "81": 12,
    "82": 6,
    # Q 卫生和社会工作
    "84": 15,
    "85": 3,
    # P 教育
    "83": 10,
    # N 水利、环境和公共设施管理
    "77": 4,
    "78": 3,
    # H 住宿和餐饮
    "61": 5,
    "62": 20,
    # G 交通运输、仓储和邮政
    "54": 8,
    "58": 12,
    "59": 6,
    # E 建筑
    "48": 10,
    "49": 6,
    "50": 20,
    # C 制造 (a little, incl. 医药 27 and 医疗器械 358)
    "27": 4,
    "358": 3,
    "34": 4,
    "38": 4,
    "39": 5,
    "18": 3,
    "29": 3,
    "30": 2,
    "23": 2,
    # D 电力、燃气
    "44": 1,
}

TRADE_WORDS: dict[str, list[str]] = {
    "71": ["租赁", "设备租赁"],
    "72": [
        "企业管理咨询",
        "商务咨询",
        "企业管理",
        "人力资源",
        "广告",
        "会展服务",
        "市场营销策划",
        "供应链管理",
        "知识产权代理",
    ],
    "51": ["贸易", "国际贸易", "实业", "进出口", "商贸", "供应链"],
    "515": ["医药", "医疗器械", "生物医药贸易"],
    "52": ["商贸", "百货", "便利店", "电子商务"],
    "63": ["通信技术", "通讯工程"],
    "64": ["网络科技", "互联网信息服务", "网络技术"],
    "65": ["软件科技", "信息技术", "数据科技", "智能科技", "软件技术", "计算机科技", "云计算技术"],
    "73": ["新材料科技", "环保科技", "科技发展"],
    "734": ["医学科技", "生物科技", "医药科技"],
    "74": ["工程技术", "检测技术", "建筑设计", "工程咨询", "测绘技术"],
    "75": ["科技发展", "技术服务", "科技", "技术转移"],
    "66": ["金融信息服务", "投资"],
    "67": ["资产管理", "私募基金管理"],
    "68": ["保险代理", "保险经纪"],
    "69": ["投资管理", "股权投资", "融资租赁", "商业保理", "金融科技"],
    "70": ["房地产开发", "物业管理", "房地产经纪", "置业"],
    "86": ["文化传播", "传媒"],
    "87": ["影视制作", "广播影视"],
    "88": ["文化艺术", "演艺", "文化发展"],
    "89": ["体育发展", "健身"],
    "90": ["娱乐", "文化娱乐"],
    "80": ["家政服务", "居民服务"],
    "81": ["汽车维修", "电器维修"],
    "82": ["美容美发", "洗衣服务"],
    "84": ["医院管理", "门诊部", "健康管理", "中医门诊部"],
    "85": ["养老服务", "社会服务"],
    "83": ["教育科技", "培训", "职业技能培训"],
    "77": ["环境科技", "环保工程"],
    "78": ["园林绿化", "市政工程"],
    "61": ["酒店管理", "宾馆"],
    "62": ["餐饮管理", "餐饮", "食品"],
    "54": ["运输", "汽车运输"],
    "58": ["物流", "国际货运代理", "货运代理"],
    "59": ["仓储", "仓储服务"],
    "48": ["建设工程", "市政建设"],
    "49": ["机电安装工程", "安装工程"],
    "50": ["建筑装饰工程", "装饰工程"],
    "27": ["生物医药", "制药", "药业"],
    "358": ["医疗器械", "医疗科技"],
    "34": ["机械", "机械制造"],
    "38": ["电气", "电器"],
    "39": ["电子科技", "电子"],
    "18": ["服饰", "服装"],
    "29": ["塑料制品", "橡塑制品"],
    "30": ["建材", "新型建材"],
    "23": ["印刷", "包装印刷"],
    "44": ["新能源", "能源科技"],
}

ZIHAO_CHARS = (
    "华鑫瑞博锦恒达信宏伟泰安盛嘉辰星海天宇润和源丰汇聚德康明智晟鼎创远景荣兴昊凯旭誉卓越诚峰通"
    "凯普腾隆祥辉耀晨光启新元禾联众合力佳美宝富洲骏航云峰逸轩澜岚翔鸿浩翰铭韬森林豪承泽煜熙阳"
    "金银玉彩蓝青绿紫雅致尚品优享乐健芯数智链核擎翼驰骋朗霖蔚竹松柏梅兰菊"
)
SUFFIXES = [
    ("有限公司", 84),
    ("股份有限公司", 5),
    ("有限责任公司", 5),
    ("合伙企业（有限合伙）", 4),
    ("中心（有限合伙）", 2),
]
AREA_WEIGHTS = {
    "长征镇": 16,
    "桃浦镇": 15,
    "真如镇街道": 14,
    "长风新村街道": 13,
    "长寿路街道": 10,
    "曹杨新村街道": 8,
    "宜川路街道": 6,
    "石泉路街道": 6,
    "甘泉路街道": 5,
    "万里街道": 7,
}
REG_AREAS = [
    ("310107", 85),
    ("310000", 5),
    ("310115", 3),
    ("310104", 1),
    ("310105", 1),
    ("310106", 1),
    ("310110", 1),
    ("310112", 1),
    ("310113", 1),
    ("310114", 1),
]
STATUSES = [("存续", 72), ("在业", 10), ("迁出", 7), ("注销", 8), ("吊销", 3)]
TAGS = [
    "高新技术企业",
    "专精特新",
    "科技型中小企业",
    "外资企业",
    "上市公司",
    "总部企业",
    "小巨人企业",
    "拟上市企业",
]
ROADS = [
    "长寿路",
    "武宁路",
    "中山北路",
    "金沙江路",
    "曹杨路",
    "真北路",
    "大渡河路",
    "云岭东路",
    "岚皋路",
    "祁连山南路",
    "铜川路",
    "同普路",
    "丹巴路",
    "光复西路",
]


class RegistryGenerator:
    """Deterministic generators for credit codes, names and codes; shared with the benchmark."""

    def __init__(self, rng: random.Random, small_classes: dict[str, list[str]]) -> None:
        self.rng = rng
        self.small = small_classes  # division or 中类 -> 小类 codes
        keys = [k for k in DIVISION_WEIGHTS if self.small.get(k)]
        self.div_keys = keys
        self.div_cum = list(itertools.accumulate(DIVISION_WEIGHTS[k] for k in keys))
        self.reg_areas = [a for a, _ in REG_AREAS]
        self.reg_cum = list(itertools.accumulate(w for _, w in REG_AREAS))
        self.suffixes = [x for x, _ in SUFFIXES]
        self.suffix_cum = list(itertools.accumulate(w for _, w in SUFFIXES))
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.today = dt.date.today()

    def industry(self) -> tuple[str, str]:
        key = self.rng.choices(self.div_keys, cum_weights=self.div_cum)[0]
        return key, self.rng.choice(self.small[key])

    def established(self) -> dt.date:
        # heavier in recent years (the register keeps growing), from 1992 on
        years = (self.today - dt.date(1992, 1, 1)).days
        offset = int(years * (1 - self.rng.random() ** 1.8))
        return dt.date(1992, 1, 1) + dt.timedelta(days=min(offset, years - 1))

    def credit_code(self, established: dt.date) -> str:
        area = self.rng.choices(self.reg_areas, cum_weights=self.reg_cum)[0]
        while True:
            if established.year >= 2016:
                org8 = "MA1" + "".join(self.rng.choice(ALPHABET[:-1]) for _ in range(5))
            else:
                org8 = "".join(self.rng.choice("0123456789") for _ in range(8))
            code = make_code(f"91{area}", org8)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def name(self, key: str) -> str:
        words = TRADE_WORDS.get(key) or TRADE_WORDS.get(key[:2]) or ["实业"]
        suffix = self.rng.choices(self.suffixes, cum_weights=self.suffix_cum)[0]
        if "合伙" in suffix and key[:2] not in ("67", "69", "72", "66"):
            suffix = "有限公司"
        for attempt in range(50):
            n = 2 if attempt < 10 else 3
            zihao = "".join(self.rng.choice(ZIHAO_CHARS) for _ in range(n))
            if zihao[0] == zihao[1]:
                continue
            name = f"上海{zihao}{self.rng.choice(words)}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("无法生成不重复的企业名称")

    def address(self) -> str:
        return f"上海市普陀区{self.rng.choice(ROADS)}{self.rng.randint(1, 2000)}号{self.rng.randint(1, 30)}层"


def small_classes() -> dict[str, list[str]]:
    """Division (and the carved-out 中类 515, 734, 358) -> its 小类 codes from GB/T 4754-2017."""
    from peiyu.registry.classify import taxonomy

    tax = taxonomy()
    out: dict[str, list[str]] = {}
    carve = [k for k in DIVISION_WEIGHTS if len(k) == 3]
    for code, (_s, level, _n) in tax.codes.items():
        if level != 4:
            continue
        key = next((c for c in carve if code.startswith(c)), code[:2])
        out.setdefault(key, []).append(code)
    for v in out.values():
        v.sort()
    return out


def generate(ctx: Any) -> None:
    from django.db import transaction
    from django.utils import timezone

    from peiyu.accounts.demo import personas
    from peiyu.registry import classify
    from peiyu.registry.bulk import insert_rows
    from peiyu.registry.models import Area, Enterprise, EnterpriseEvent, IndustryOverride, KeyIndustry
    from peiyu.registry.names import initials
    from peiyu.registry.reference import load_all

    load_all()  # idempotent: GB/T 4754, the ten 街道镇, the Putuo preset
    personas(ctx)
    rng = ctx.step_rng("registry")
    gen = RegistryGenerator(rng, small_classes())
    areas = {a.name: a for a in Area.objects.all()}
    area_names = [n for n in AREA_WEIGHTS if n in areas] or list(areas)
    area_weights = [AREA_WEIGHTS.get(n, 5) for n in area_names]
    today = timezone.localdate()
    now = timezone.now()
    admin = ctx.data.get("admin")
    status_names = [s for s, _ in STATUSES]
    status_cum = list(itertools.accumulate(w for _, w in STATUSES))
    area_cum = list(itertools.accumulate(area_weights))
    area_ids = {n: a.pk for n, a in areas.items()}

    rows: list[SimpleNamespace] = []
    gone: list[tuple[int, str, dt.date]] = []  # index, status, date
    for i in range(ctx.enterprises):
        key, code = gen.industry()
        established = gen.established()
        status = rng.choices(status_names, cum_weights=status_cum)[0]
        name = gen.name(key)
        tags = [rng.choice(TAGS)] if rng.random() < 0.12 else []
        if key[:2] in ("65", "64", "73", "74", "75") and rng.random() < 0.15:
            tags.append("高新技术企业")
        rows.append(
            SimpleNamespace(
                pk=None,
                credit_code=gen.credit_code(established),
                name=name,
                name_initials=initials(name),
                industry_code=code,
                area_id=area_ids[rng.choices(area_names, cum_weights=area_cum)[0]],
                address=gen.address(),
                status=status,
                established=established,
                tags=sorted(set(tags)),
                is_key=rng.random() < 0.004,
            )
        )
        if status in ("迁出", "注销", "吊销"):
            span = max((today - established).days, 1)
            gone.append((i, status, established + dt.timedelta(days=rng.randint(min(span, 30), span))))

    with transaction.atomic():
        fields = (
            "credit_code",
            "name",
            "name_initials",
            "industry_code",
            "area_id",
            "address",
            "status",
            "established",
            "tags",
            "is_key",
        )
        insert_rows(
            Enterprise,
            fields,
            ([getattr(e, f) for f in fields] for e in rows),
            constants={"created_at": now, "updated_at": now},
        )
        ids = dict(Enterprise.objects.values_list("credit_code", "id"))
        for e in rows:
            e.pk = ids[e.credit_code]
        insert_rows(
            EnterpriseEvent,
            ("enterprise_id", "date", "kind", "before", "after", "source"),
            (
                (
                    rows[i].pk,
                    min(date, today),
                    EnterpriseEvent.Kind.STATUS,
                    "存续",
                    status,
                    "演示数据：市场监管名录",
                )
                for i, status, date in gone
            ),
        )

        # A few manual decisions, with the reasons a task force would write.
        industries = {k.slug: k for k in KeyIndustry.objects.all()}
        overrides = 0
        specs = [
            (
                "72",
                "software",
                "include",
                "主营 SaaS 企业管理软件，登记行业为商务服务，经智能软件专班核实纳入",
            ),
            ("51", "software", "include", "软件产品分销及实施服务收入占比超过 60%，经专班认定纳入"),
            ("74", "health", "include", "主要从事医疗器械检验检测，经生命健康专班认定纳入"),
            ("69", "fintech", "exclude", "类金融企业（商业保理），经区金融办核实不属于科技金融"),
            ("65", "software", "exclude", "实际经营为电子产品销售，软件业务已停止，经核实剔除"),
        ]
        by_div: dict[str, list[SimpleNamespace]] = {}
        for e in rows:
            if e.status in ("存续", "在业"):
                by_div.setdefault(e.industry_code[:2], []).append(e)
        for div, slug, kind, reason in specs:
            ind = industries.get(slug)
            pool = by_div.get(div, [])
            if ind is None or not pool:
                continue
            for e in rng.sample(pool, min(2, len(pool))):
                IndustryOverride.objects.create(
                    enterprise_id=e.pk,
                    industry=ind,
                    kind=kind,
                    reason=reason,
                    valid_from=today - dt.timedelta(days=rng.randint(30, 700)),
                    created_by=admin,
                )
                overrides += 1

        result = classify.reclassify(record_events=False, source="演示数据初始认定")

        service = ctx.data.get("user_service")
        liaison_ids: list[int] = []
        if service is not None:
            pool = [e.pk for e in rows if e.status in ("存续", "在业")]
            liaison_ids = rng.sample(pool, min(30, len(pool)))
            Enterprise.objects.filter(pk__in=liaison_ids).update(liaison=service)

    final = dict(Enterprise.objects.values_list("id", "key_industry_id"))
    ctx.data["enterprises"] = [
        {
            "id": e.pk,
            "credit_code": e.credit_code,
            "name": e.name,
            "industry_code": e.industry_code,
            "area_id": e.area_id,
            "key_industry_id": final.get(e.pk),
            "status": e.status,
            "established": e.established,
        }
        for e in rows
    ]
    names = dict(KeyIndustry.objects.values_list("id", "name"))
    by_ind = Counter(names.get(v, "非重点产业") if v else "非重点产业" for v in final.values())
    ctx.summary["enterprises"] = len(rows)
    ctx.summary["enterprises_by_key_industry"] = dict(by_ind)
    ctx.summary["enterprises_by_status"] = dict(Counter(e.status for e in rows))
    ctx.summary["manual_overrides"] = overrides
    ctx.summary["classified"] = result.changed
    ctx.summary["liaison_enterprises"] = len(liaison_ids)
