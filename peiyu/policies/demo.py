"""Demo step: the district's "3+5+X" policy round, three years of disbursements and their stories.

- **Catalogue**: 3 普惠 policies (经济高质量发展、总部经济、中小企业与人才), 5 专项 policies (the four key
  industries and 现代商贸), 2 配套文件 (兑现操作规程、免申即享工作方案), with realistic clauses, caps,
  conditions as data and commitments (stay registered 5 years, keep paying tax).
- **Three award years** ending the year before the last full tax year, so each can be evaluated
  against the year after: the first year arrives as an imported ledger (兑现金额（万元）), the other
  two are recorded as paid. Recipients are real demo firms of the policy's industry with a year-before
  district tax of at least 50 万元; the 智能软件 policy picks, as such policies do in practice,
  firms that go on growing faster than their peers (the evaluation shows a clear positive effect),
  研发服务 slower firms (a negative estimate: a problem for the next round), the others pick at
  random (estimates around zero with wide intervals).
- **免申即享** for the current year: the 经营贡献奖励 clause lists the firms the data qualify; some have
  confirmed and are in their public notice, one is paid, the rest wait for confirmation.
- **Clawback**: recipients with a 5-year commitment that appear in the registry as moved out (the
  demo's moved-out story firms are given an earlier award), found by the monthly condition check.
- The evaluation then reads all of this from the same tax library as every other page.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

ORDER = 62

WAN = 1_000_000

GENERAL: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        "普陀区关于促进经济高质量发展的若干政策",
        "普府规〔{y0}〕1号",
        "区发改委",
        [
            {
                "number": "第五条",
                "title": "经营贡献奖励",
                "support_type": "reward",
                "amount_rule": "按上年区级税收的 5% 给予奖励，单户最高 100 万元",
                "rate_pct": 5,
                "cap_fen": 100 * WAN,
                "conditions": [
                    {"field": "tax_last_year", "op": ">=", "value": 500 * WAN},
                    {"field": "tax_growth", "op": ">=", "value": 15},
                ],
                "auto": True,
                "commitment_years": 5,
                "require_tax": True,
            },
            {
                "number": "第八条",
                "title": "新引进企业落户奖励",
                "support_type": "reward",
                "amount_rule": "新落户且当年区级税收超过 100 万元的，一次性奖励 30 万元",
                "fixed_fen": 30 * WAN,
                "conditions": [
                    {"field": "age", "op": "<=", "value": 2},
                    {"field": "tax_last_year", "op": ">=", "value": 100 * WAN},
                ],
                "auto": True,
                "commitment_years": 5,
            },
        ],
    ),
    (
        "普陀区支持总部经济发展的实施办法",
        "普府规〔{y0}〕2号",
        "区商务委",
        [
            {
                "number": "第四条",
                "title": "总部认定奖励",
                "support_type": "reward",
                "amount_rule": "经认定的跨国公司地区总部、民营企业总部一次性奖励 200 万元",
                "fixed_fen": 200 * WAN,
                "other_requirements": "经市商务委认定的地区总部或民营企业总部",
                "commitment_years": 5,
            },
            {
                "number": "第六条",
                "title": "总部办公用房补贴",
                "support_type": "rent",
                "amount_rule": "按实际租金的 30% 补贴，连续三年，每年最高 100 万元",
                "cap_fen": 100 * WAN,
                "other_requirements": "租赁合同及发票",
                "commitment_years": 3,
            },
        ],
    ),
    (
        "普陀区促进中小企业发展和人才集聚的若干措施",
        "普府规〔{y0}〕3号",
        "区投促办",
        [
            {
                "number": "第三条",
                "title": "贷款贴息",
                "support_type": "interest",
                "amount_rule": "按贷款市场报价利率的 50% 贴息，单户最高 50 万元",
                "cap_fen": 50 * WAN,
                "other_requirements": "银行贷款合同及付息凭证",
            },
            {
                "number": "第七条",
                "title": "人才安居补贴",
                "support_type": "talent",
                "amount_rule": "经认定的重点企业骨干人才每人每年 2 万元",
                "other_requirements": "经认定的骨干人才名单",
            },
        ],
    ),
]

INDUSTRY = [
    ("software", "普陀区促进智能软件产业发展的若干政策", "区科委", "winners"),
    ("rnd", "普陀区促进研发服务产业发展的若干政策", "区科委", "laggards"),
    ("fintech", "普陀区促进科技金融产业发展的若干政策", "区金融办", "random"),
    ("health", "普陀区促进生命健康产业发展的若干政策", "区卫健委", "random"),
    (None, "普陀区促进现代商贸业发展的若干政策", "区商务委", "random"),
]

SUPPORTING = [
    (
        "普陀区产业政策兑现操作规程",
        "区发改委",
        "申请受理、审核、公示（5 个工作日）、拨付（60 个工作日内）和绩效评估的流程。",
    ),
    ("普陀区惠企政策“免申即享”工作方案", "区发改委", "数据可判断的条款由系统生成名单、企业确认后直接兑现。"),
]

PER_YEAR = {"winners": 24, "laggards": 14, "random": 18}


def _department(name: str) -> Any:
    from peiyu.accounts.models import Department

    dept, _ = Department.objects.get_or_create(name=name, defaults={"short_name": name.removeprefix("区")})
    return dept


def generate(ctx: Any) -> None:
    from django.db import transaction

    from peiyu.accounts import scope
    from peiyu.policies import actions, analytics
    from peiyu.policies.models import Clause, Policy, PolicyKind
    from peiyu.registry.models import Enterprise, KeyIndustry

    started = time.monotonic()
    full = analytics.full_years()
    if len(full) < 3:
        return
    last_full = full[-1]
    years = [last_full - 3, last_full - 2, last_full - 1]
    current = last_full + 1
    rng = ctx.step_rng("policies")
    admin = ctx.data.get("admin")
    round_name = f"{years[0]}—{years[-1]}年"
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1] + 2, 12, 31)
    industries = {k.slug: k for k in KeyIndustry.objects.all()}

    with transaction.atomic():
        # --- catalogue ------------------------------------------------------------------------
        policies: dict[str, Any] = {}
        for name, doc, dept, clauses in GENERAL:
            p = actions.do_save_policy(
                admin,
                None,
                {
                    "name": name,
                    "doc_number": doc.format(y0=years[0]),
                    "kind": PolicyKind.GENERAL,
                    "department": _department(dept),
                    "round": round_name,
                    "valid_from": start,
                    "valid_to": end,
                    "budget_fen": 8000 * WAN,
                    "summary": "普惠政策：全区符合条件的企业均可享受。",
                },
                reason="演示数据：本轮产业政策",
            )
            policies[name] = p
            for spec in clauses:
                actions.do_save_clause(admin, p, None, dict(spec), reason="演示数据")
        for i, (slug, name, dept, _pick) in enumerate(INDUSTRY, 4):
            ind = industries.get(slug) if slug else None
            p = actions.do_save_policy(
                admin,
                None,
                {
                    "name": name,
                    "doc_number": f"普府规〔{years[0]}〕{i}号",
                    "kind": PolicyKind.INDUSTRY,
                    "department": _department(dept),
                    "key_industry": ind,
                    "round": round_name,
                    "valid_from": start,
                    "valid_to": end,
                    "budget_fen": 5000 * WAN,
                    "summary": f"专项政策：支持{ind.name if ind else '现代商贸'}企业做大做强。",
                },
                reason="演示数据：本轮产业政策",
            )
            policies[name] = p
            actions.do_save_clause(
                admin,
                p,
                None,
                {
                    "number": "第三条",
                    "title": "经营贡献奖励",
                    "support_type": "reward",
                    "amount_rule": "按上年区级税收的 8% 给予奖励，单户最高 200 万元",
                    "rate_pct": 8,
                    "cap_fen": 200 * WAN,
                    "other_requirements": "符合产业导向并经专班审核",
                    "commitment_years": 5,
                    "require_tax": True,
                },
                reason="演示数据",
            )
            actions.do_save_clause(
                admin,
                p,
                None,
                {
                    "number": "第五条",
                    "title": "研发投入补贴",
                    "support_type": "subsidy",
                    "amount_rule": "按年度研发投入的 10% 补贴，最高 100 万元",
                    "cap_fen": 100 * WAN,
                    "other_requirements": "经审计的研发费用专项报告",
                    "commitment_years": 3,
                },
                reason="演示数据",
            )
        for j, (name, dept, summary) in enumerate(SUPPORTING, 1):
            actions.do_save_policy(
                admin,
                None,
                {
                    "name": name,
                    "doc_number": f"普发改〔{years[0]}〕{20 + j}号",
                    "kind": PolicyKind.SUPPORTING,
                    "department": _department(dept),
                    "round": round_name,
                    "valid_from": start,
                    "valid_to": end,
                    "summary": summary,
                },
                reason="演示数据：配套文件",
            )

    # --- recipients from the real tax data ------------------------------------------------------
    tax = analytics.yearly_tax(scope.EVERYTHING, sorted({y for yy in years for y in (yy - 1, yy + 1)}))
    firms = list(Enterprise.objects.filter(status__in=("存续", "在业")).values_list("id", "key_industry_id"))
    by_ind: dict[Any, list[int]] = {}
    for eid, ind_id in firms:
        by_ind.setdefault(ind_id, []).append(eid)
    ledger_first: list[list[Any]] = []
    stored = 0
    paid_total = 0
    used: set[tuple[int, int]] = set()
    for slug, name, _dept, pick in INDUSTRY:
        ind = industries.get(slug) if slug else None
        clause = Clause.objects.get(policy=policies[name], title="经营贡献奖励")
        pool_all = by_ind.get(ind.pk if ind else None, [])
        for y in years:
            pool = [e for e in pool_all if tax.get(e, {}).get(y - 1, 0) >= 50 * WAN and (e, y) not in used]
            if not pool:
                continue

            def growth(e: int, y: int = y) -> float:
                t = tax.get(e, {})
                return (t.get(y + 1, 0) + 1) / (t.get(y - 1, 0) + 1)

            pool.sort(key=growth)
            k = min(PER_YEAR[pick], max(1, len(pool) // 3))
            if pick == "winners":
                chosen = rng.sample(pool[len(pool) // 2 :], min(k, len(pool) - len(pool) // 2))
            elif pick == "laggards":
                chosen = rng.sample(pool[: max(k, len(pool) // 2)], k)
            else:
                chosen = rng.sample(pool, k)
            for e in chosen:
                used.add((e, y))
                amount = min(200 * WAN, tax[e][y - 1] * 8 // 100) // 10_000 * 10_000  # whole 百元
                paid_on = dt.date(y, rng.choice((6, 7, 9, 11)), rng.randint(5, 28))
                if y == years[0]:
                    ledger_first.append([e, name, clause.title, amount, paid_on])
                else:
                    actions.do_record_ledger_award(
                        admin, clause, Enterprise.objects.get(pk=e), year=y, amount_fen=amount, paid_on=paid_on,
                        reason="演示数据：兑现台账",
                    )  # fmt: skip
                    stored += 1
                paid_total += amount

    # the first year comes in as the ledger the district already keeps (万元 by the header)
    imported = _import_first_year(admin, ledger_first)

    # --- 免申即享 for the current year -------------------------------------------------------
    auto = Clause.objects.get(policy__name=GENERAL[0][0], title="经营贡献奖励")
    listing = None
    if current - 1 in analytics.years_with_data():
        listing = actions.do_list_eligible(admin, auto, current, reason="演示数据：免申即享名单")
        _move_some(admin, auto, current, rng)

    # --- clawback: moved-out story firms that had received an award -------------------------------
    planted = _plant_clawbacks(ctx, admin, policies, years)
    months = analytics_months()
    check = (
        actions.do_check_conditions(admin, months[-1], reason="演示数据：月度承诺条件检查")
        if months
        else None
    )

    ctx.summary["policies"] = {
        "round": round_name,
        "policies": Policy.objects.count(),
        "awards": stored + imported,
        "paid_wan": paid_total // WAN,
        "auto_listed": listing.listed if listing else 0,
        "clawback_planted": planted,
        "breaches": len(check.breaches) if check else 0,
        "seconds": round(time.monotonic() - started, 1),
    }


def analytics_months() -> list[str]:
    from peiyu.taxes.analytics import months_available

    return months_available()


def _import_first_year(admin: Any, rows: list[list[Any]]) -> int:
    """Write the first year's awards as a ledger workbook and import it through the importer."""
    if not rows:
        return 0
    from openpyxl import Workbook

    from peiyu.policies.importer import LedgerImporter
    from peiyu.registry.models import Enterprise

    ents = Enterprise.objects.in_bulk([r[0] for r in rows])
    wb = Workbook()
    ws = wb.active
    ws.append([f"{rows[0][4].year}年产业政策兑现台账"])
    ws.append(["统一社会信用代码", "企业名称", "政策名称", "条款", "兑现金额（万元）", "兑现日期", "备注"])
    for eid, policy, clause, amount, paid_on in rows:
        e = ents[eid]
        ws.append([e.credit_code, e.name, policy, clause, amount / WAN, paid_on, "历史台账"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "政策兑现台账.xlsx"
        wb.save(path)
        rep = LedgerImporter().run(path, user=admin)
    return int(getattr(rep, "created", 0))


def _move_some(admin: Any, clause: Any, year: int, rng: Any) -> None:
    """A few firms have confirmed (in their public notice), one was paid, one declined."""
    from peiyu.policies import actions
    from peiyu.policies.models import Award

    listed = list(
        Award.objects.filter(clause=clause, year=year, status="eligible")
        .select_related("item")
        .order_by("id")
    )
    rng.shuffle(listed)
    today = dt.date.today()
    from peiyu.work import workdays

    for i, a in enumerate(listed[:8]):
        try:
            if i == 0:
                start = workdays.working_days_before(today, 12)
                actions.do_advance_award(admin, a, "publicity", on=start)
                a.refresh_from_db()
                actions.do_advance_award(admin, a, "approved", on=a.publicity_end)
                actions.do_advance_award(admin, a, "paid", on=today)
            elif i == 1:
                actions.do_advance_award(
                    admin, a, "declined", reason="企业表示本年度已享受市级同类奖励，自愿放弃"
                )
            else:
                actions.do_advance_award(admin, a, "publicity", on=today)
        except Exception:  # noqa: BLE001, S112 - a demo step never stops the demo (calendar gaps etc.)
            continue


def _plant_clawbacks(ctx: Any, admin: Any, policies: dict[str, Any], years: list[int]) -> int:
    """Give the moved-out story firms an award two years before (5-year commitment)."""
    from peiyu.policies import actions
    from peiyu.policies.models import Award, Clause
    from peiyu.registry.models import GONE_STATUSES, Enterprise, EnterpriseEvent

    clause = Clause.objects.get(policy__name=GENERAL[0][0], title="经营贡献奖励")
    stories = [s for s in ctx.data.get("stories", []) if s.get("story") == "moved_out"]
    codes = [s["credit_code"] for s in stories][:3]
    if not codes:
        gone = EnterpriseEvent.objects.filter(kind="status", after__in=list(GONE_STATUSES)).order_by("-date")
        codes = list(gone.values_list("enterprise__credit_code", flat=True)[:2])
    n = 0
    for code in codes:
        e = Enterprise.objects.filter(credit_code=code).first()
        if e is None or Award.objects.filter(enterprise=e, clause=clause).exists():
            continue
        y = years[-1]
        actions.do_record_ledger_award(
            admin,
            clause,
            e,
            year=y,
            amount_fen=60 * WAN,
            paid_on=dt.date(y, 8, 18),
            reason="演示数据：兑现台账",
        )
        n += 1
    return n
