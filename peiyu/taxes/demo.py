"""Demo step: five years of monthly tax for the demo registry, stored exactly as imports leave it.

Calibration (see docs/performance.md and ../shared/domain.md):

- firm sizes are heavy-tailed (lognormal body, Pareto tail, ~40% of registered firms never pay);
  the whole district is scaled so its district-level (区级) tax of the last full year is about
  100 亿元 per 100,000 enterprises; key industries together take ~35% of it, 智能软件 the most;
- small firms pay in a few months only, large ones every month; VAT, IIT, stamp duty monthly,
  corporate income tax prepaid quarterly (some monthly) and settled in May (sometimes a refund),
  property and land-use tax twice a year, VAT credit refunds (negative amounts) now and then;
- every key industry grows at its own yearly rate (智能软件 +10–25%/yr, the others 0–15%);
- firms start paying after they are established and stop when they leave (迁出/注销/吊销);
- a few taxpayers are not in the registry (legacy 15/20-character IDs, unknown credit codes):
  they land in the 待匹配 queue;
- planted stories (:mod:`peiyu.demo.stories`) for the early-warning rules, with their ground truth
  in ``settings.DATA_DIR / "demo_stories.json"``.

Bulk generation runs in DuckDB with a counter-based random stream (``hash(salt, firm, month, k)``),
so 100,000 enterprises × 60 months take seconds and the result depends only on the seed. Money is
drawn as floating magnitudes and converted to integer fen before anything is stored; every total
is an exact integer sum of the stored rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from pathlib import Path
from typing import Any, overload

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction

from peiyu.analytics import local_session
from peiyu.demo import stories as story_mod

ORDER = 30  # the demo steps run by ORDER (peiyu.demo.run)

# (code, name, district share in ‰ of the total). Shanghai district budgets keep roughly: VAT 50%
# local × 56% district; income taxes 40% local × 60%; local taxes (城建, 房产, 土地…) ~60%.
TAX_TYPES: tuple[tuple[int, str, int], ...] = (
    (0, "增值税", 280),
    (1, "企业所得税", 240),
    (2, "个人所得税", 240),
    (3, "城市维护建设税", 600),
    (4, "房产税", 600),
    (5, "印花税", 500),
    (6, "城镇土地使用税", 600),
    (7, "土地增值税", 400),
    (8, "环境保护税", 600),
)
TYPE_NAMES = [t[1] for t in TAX_TYPES]
PERMILLE = {t[0]: t[2] for t in TAX_TYPES}
UMCT_RATE_PCT = 7  # 城市维护建设税: 7% of the VAT paid (urban districts)

DISTRICT_YUAN_PER_100K = 100e8  # district-level tax of the last full year per 100,000 enterprises
DORMANT_SHARE = 0.40
SIZE_SIGMA = 2.5
TAIL_SHARE = 0.01
TAIL_ALPHA = 1.2
TAIL_CAP = 1500.0  # the largest firm is at most this many times its lognormal draw
# calendar-month seasonality of the monthly base (Spring Festival in Jan/Feb, year-end push)
SEASON = (1.22, 0.74, 0.95, 1.0, 0.96, 1.0, 1.04, 0.95, 1.0, 1.04, 1.0, 1.10)
EXCEL_MAX_TAXPAYERS = 30000


def share_fen(total_fen: int, permille: int) -> int:
    """District-level part of an amount, truncated toward zero (the same as DuckDB's ``//``)."""
    q = abs(total_fen) * permille // 1000
    return q if total_fen >= 0 else -q


@overload
def month_index(months: list[str], day: dt.date) -> int: ...
@overload
def month_index(months: list[str], day: dt.date | None) -> int | None: ...
def month_index(months: list[str], day: dt.date | None) -> int | None:
    """Index of ``day``'s month in ``months`` (may be < 0 or ≥ len when outside); None for None."""
    if day is None:
        return None
    y0, m0 = map(int, months[0].split("-"))
    return (day.year - y0) * 12 + (day.month - m0)


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _industry_targets(names: dict[int, str]) -> dict[int, float]:
    """Target share of district tax per key industry (by name; the district can rename them)."""
    out = {}
    for kid, name in names.items():
        if "软件" in name:
            out[kid] = 0.15
        elif "健康" in name or "医" in name:
            out[kid] = 0.08
        elif "金融" in name:
            out[kid] = 0.06
        elif "研发" in name:
            out[kid] = 0.05
        else:
            out[kid] = 0.04
    total = sum(out.values())
    if total > 0.40:
        out = {k: v * 0.36 / total for k, v in out.items()}
    return out


def _growth_range(name: str) -> tuple[float, float]:
    if "软件" in name:
        return 0.10, 0.25
    if name:
        return 0.0, 0.15
    return 0.02, 0.10


def _legacy_ids(rng: Any, count: int) -> list[tuple[str, str]]:
    """Taxpayer IDs that match no registry enterprise: legacy 15/20-character IDs and valid credit
    codes registered elsewhere (or never registered here)."""
    from peiyu.registry.uscc import make_code

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    kinds = ("个体工商户", "分公司", "经营部", "工作室", "商行")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    i = 0
    while len(out) < count:
        k = i % 3
        i += 1
        if k == 0:  # 15-character legacy 税务登记号: area code + organisation code
            tid = "310107" + "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
        elif k == 1:  # 20-character: an identity-card number + 2-digit sequence (个体户)
            tid = (
                "3101"
                + "".join(rng.choice("0123456789") for _ in range(13))
                + rng.choice("0123456789X")
                + "01"
            )
        else:  # a valid credit code from another district
            area = rng.choice(("310101", "310104", "310106", "310115", "320506"))
            tid = make_code(f"91{area}", "MA" + "".join(rng.choice(alphabet[:10]) for _ in range(6)))
        name = f"上海{rng.choice('嘉申沪宝锦瑞华鼎')}{rng.choice('源泰安丰达盛和信')}{rng.choice(kinds)}"
        if k == 0:
            name = name.replace("上海", "上海市普陀区", 1)
        if tid not in seen:
            seen.add(tid)
            out.append((tid, name))
    return out


def _registry_departures() -> dict[int, dt.date]:
    """Dated status changes to 迁出/注销/吊销 recorded by the registry step, newest per enterprise."""
    from peiyu.registry.models import GONE_STATUSES, EnterpriseEvent

    out: dict[int, dt.date] = {}
    qs = EnterpriseEvent.objects.filter(
        kind=EnterpriseEvent.Kind.STATUS, after__in=[str(s) for s in GONE_STATUSES]
    )
    for eid, day in qs.values_list("enterprise_id", "date"):
        if eid not in out or day > out[eid]:
            out[eid] = day
    return out


def _enterprises(ctx: Any) -> list[dict[str, Any]]:
    ents = ctx.data.get("enterprises")
    if ents is None:  # the registry step did not run: read the registry
        from peiyu.registry.models import Enterprise

        ents = list(
            Enterprise.objects.order_by("id").values(
                "id",
                "credit_code",
                "name",
                "industry_code",
                "area_id",
                "key_industry_id",
                "status",
                "established",
            )
        )
        ctx.data["enterprises"] = ents
    return ents


def generate(ctx: Any) -> None:
    from peiyu.core.progress import progress
    from peiyu.core.signals import tax_library_changed
    from peiyu.registry.models import GONE_STATUSES, KeyIndustry
    from peiyu.taxes import library
    from peiyu.taxes.models import TaxBatch, TaxpayerLink

    started = time.monotonic()
    phases: dict[str, float] = {}

    marks = [started]

    def lap(name: str) -> None:
        marks.append(time.monotonic())
        phases[name] = round(marks[-1] - marks[-2], 1)

    rng = ctx.step_rng("taxes")
    months = ctx.months()
    T = len(months)
    ents = _enterprises(ctx)
    n = len(ents)
    gone = {str(s) for s in GONE_STATUSES}
    ki_names = dict(KeyIndustry.objects.values_list("id", "name"))
    salt = rng.getrandbits(62)

    # --- per-firm parameters (pure Python; ~1 s per 100,000 firms) -------------------------------
    departures = _registry_departures()
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "idx", "tid", "tname", "matched", "grp", "size", "g", "p", "s0", "s1", "ramp0", "sigma",
            "vat", "iit", "cit", "cit_monthly", "prop", "lat", "env", "refund_p",
        )
    }  # fmt: skip
    sizes: list[float] = []
    for _ in ents:
        if rng.random() < DORMANT_SHARE:
            sizes.append(0.0)
            continue
        x = math.exp(rng.gauss(0.0, SIZE_SIGMA))
        if rng.random() < TAIL_SHARE:
            x *= min(TAIL_CAP, (1.0 - rng.random()) ** (-1.0 / TAIL_ALPHA))
        sizes.append(x)

    # key industries take their share of the district (智能软件 the largest), then scale the whole
    targets = _industry_targets(ki_names)
    by_group: dict[int, float] = {}
    for e, s in zip(ents, sizes, strict=True):
        if e.get("key_industry_id") in targets:
            by_group[e["key_industry_id"]] = by_group.get(e["key_industry_id"], 0.0) + s
    others = sum(sizes) - sum(by_group.values())
    rest = 1.0 - sum(targets[k] for k in by_group)
    # group k must end at targets[k] of the new total, i.e. targets[k] / rest × the non-key sum
    factor: dict[int | None, float] = {
        k: min(50.0, max(0.02, targets[k] / rest * others / v)) for k, v in by_group.items() if v > 0
    }
    sizes = [s * factor.get(e.get("key_industry_id"), 1.0) for e, s in zip(ents, sizes, strict=True)]
    total = sum(sizes) or 1.0
    district_target = DISTRICT_YUAN_PER_100K * n / 100_000
    unit_scale = district_target / 0.275 / total  # 0.275 ≈ the mix's average district share
    sizes = [s * unit_scale for s in sizes]

    # planted stories take firms out of the bulk generation (their series are written explicitly)
    established = [_as_date(e.get("established")) for e in ents]
    planted = story_mod.choose(ctx, rng, ents, sizes, established, months, gone)
    planted_idx = {p.idx for p in planted}

    groups: dict[int | None, int] = {None: 0}
    for ki in ki_names:
        groups[ki] = len(groups)
    for i, (e, s) in enumerate(zip(ents, sizes, strict=True)):
        if s <= 0 or i in planted_idx:
            continue
        est = established[i]
        s0 = month_index(months, est)
        s0 = 0 if s0 is None else max(0, s0 + 1 + rng.randrange(3))
        ramp0 = s0 if (est is not None and month_index(months, est) >= 0) else -1000
        s1 = T - 1
        if e.get("status") in gone:
            dep = departures.get(e["id"])
            di = month_index(months, dep) if dep else rng.randrange(-T // 2, T)
            s1 = min(T - 1, di - 1)
        if s1 < s0:
            continue
        lg = math.log10(max(s, 1.0))
        _add_firm(rows, rng, i, e["credit_code"], e["name"], True, groups.get(e.get("key_industry_id"), 0), s, lg, s0, s1,
                  ramp0, e.get("industry_code") or "")  # fmt: skip
    n_unmatched = max(6, n // 2000)
    for j, (tid, name) in enumerate(_legacy_ids(rng, n_unmatched)):
        s = math.exp(rng.gauss(math.log(30000.0), 0.8))
        s0 = rng.randrange(0, max(1, T - 3))
        _add_firm(rows, rng, n + j, tid, name, False, 0, s, math.log10(s), s0, T - 1, s0, "")

    lap("parameters")
    # industry × month multipliers: yearly growth per industry, 1.0 at the last month
    years = sorted({int(m[:4]) for m in months})
    im_rows: dict[str, list[Any]] = {"grp": [], "t": [], "mult": []}
    for kid, grp in groups.items():
        lo, hi = _growth_range(ki_names.get(kid, "") if kid else "")
        rate = {y: rng.uniform(lo, hi) for y in years}
        mult = 1.0
        vals = [0.0] * T
        for t in range(T - 1, -1, -1):
            vals[t] = mult
            mult /= (1.0 + rate[int(months[t][:4])]) ** (1.0 / 12.0)
        im_rows["grp"] += [grp] * T
        im_rows["t"] += list(range(T))
        im_rows["mult"] += vals

    con = local_session(threads=2)
    con.register("firms_a", pa.table(rows))
    con.register("im_a", pa.table(im_rows))
    con.register(
        "months_a",
        pa.table(
            {
                "t": list(range(T)),
                "month": months,
                "cm": [int(m[5:]) for m in months],
                "season": [SEASON[int(m[5:]) - 1] for m in months],
            }
        ),
    )
    con.register(
        "types_a",
        pa.table(
            {"code": [t[0] for t in TAX_TYPES], "tax_type": TYPE_NAMES, "permille": [t[2] for t in TAX_TYPES]}
        ),
    )
    con.execute(_BULK_SQL.format(salt=salt, last=T - 1))
    lap("bulk")

    # scale so the district-level tax of the last full year (or the last 12 months) hits the target
    ly, ly_months = _last_full_year(months)
    ly_t = [t for t, m in enumerate(months) if m in ly_months]
    # (an integer sum in fen: a float sum over threads would depend on their order, and so the data)
    (raw,) = con.one(
        "SELECT sum(round(r.amount * (ty.permille + CASE WHEN r.code = 0 THEN 42 ELSE 0 END) / 10.0)::BIGINT) "
        "FROM raw r JOIN types_a ty USING (code) WHERE r.t BETWEEN $lo AND $hi",
        {"lo": min(ly_t), "hi": max(ly_t)},
    )
    k = district_target * 100 / raw if raw else 1.0

    con.execute(_FACTS_SQL.format(k=repr(k), umct=UMCT_RATE_PCT))
    lap("scale")
    story_rows = story_mod.series(ctx, rng, planted, months)
    if story_rows:
        con.register(
            "story_a",
            pa.table(
                {
                    "idx": [r[0] for r in story_rows],
                    "t": [r[1] for r in story_rows],
                    "code": [r[2] for r in story_rows],
                    "total_fen": [r[3] for r in story_rows],
                }
            ),
        )
        con.execute("INSERT INTO facts SELECT idx, t, code, total_fen FROM story_a WHERE total_fen <> 0")
        con.register(
            "story_firms",
            pa.table(
                {
                    "idx": [p.idx for p in planted],
                    "tid": [p.credit_code for p in planted],
                    "tname": [p.name for p in planted],
                }
            ),
        )
        con.execute("INSERT INTO names SELECT idx, tid, tname, TRUE FROM story_firms")

    lap("generate")
    # one batch per month, then the facts of each month (the batch id is part of every fact)
    with transaction.atomic():
        if TaxBatch.objects.filter(month__in=months).exists():
            raise RuntimeError("税收库已有这些月份的数据；演示数据只能生成到空库中。")
        batches = TaxBatch.objects.bulk_create(
            [
                TaxBatch(
                    month=m,
                    version=1,
                    status=TaxBatch.Status.ACCEPTED,
                    is_active=False,  # until its facts are stored (library.activate_version)
                    file_name=f"演示数据_{m}.xlsx",
                    sha256="",
                    layout="wide",
                    unit="元",
                    district_source="file",
                    note="演示数据（peiyu demo 生成）",
                    uploaded_by=ctx.data.get("admin"),
                    created_at=_imported_at(m),
                )
                for m in months
            ]
        )
    if any(b.pk is None for b in batches):
        batches = list(TaxBatch.objects.filter(month__in=months, version=1).order_by("month"))
    lap("batches")
    # rows of the sample file are ordered by taxpayer ID: rank the IDs once, in Python
    names = con.rows("SELECT idx, tid, tname FROM names ORDER BY idx")
    size = max(r[0] for r in names) + 1
    tid_list, name_list = [""] * size, [""] * size
    for i, tid, name in names:
        tid_list[i], name_list[i] = tid, name
    order = [0] * size
    for rank, i in enumerate(sorted(range(size), key=tid_list.__getitem__)):
        order[i] = rank
    con.register("order_a", pa.table({"idx": list(range(size)), "ord": order}))
    con.execute(_OUT_SQL)
    tid_arr, name_arr, type_arr = (
        pa.array(tid_list, pa.string()),
        pa.array(name_list, pa.string()),
        pa.array(TYPE_NAMES),
    )
    fact_rows = 0
    with progress("生成演示税收数据", total=T, quiet=ctx.quiet) as bar:
        for t, (m, b) in enumerate(zip(months, batches, strict=True)):
            part = con.arrow(_MONTH_SQL, {"t": t})
            nrows = part.num_rows
            idx = part.column("idx")
            taxpayers = pc.count_distinct(idx).as_py()
            matched = pc.count_distinct(pc.filter(idx, pc.less(idx, n))).as_py()
            unmatched = taxpayers - matched
            total_fen = pc.sum(part.column("total_fen")).as_py() or 0
            district_fen = pc.sum(part.column("district_fen")).as_py() or 0
            table = pa.table(
                [
                    pa.array([m] * nrows, pa.string()),
                    pa.array([b.pk] * nrows, pa.int64()),
                    part.column("source_row"),
                    tid_arr.take(idx),
                    name_arr.take(idx),
                    type_arr.take(part.column("code")),
                    part.column("total_fen"),
                    part.column("district_fen"),
                ],
                schema=library.FACT_SCHEMA,
            )
            # the tax library's one writer; the months are announced once, below
            path = library.activate_version(m, table, b, announce=False).path
            b.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
            b.rows = b.taxpayers = taxpayers  # a wide file: one row per taxpayer, facts are its cells
            b.total_fen, b.district_fen = int(total_fen or 0), int(district_fen or 0)
            b.matched_enterprises, b.unmatched_taxpayers = matched, unmatched
            b.report = {"demo": True, "seed": ctx.seed, "facts": nrows, "taxpayers": taxpayers}
            fact_rows += nrows
            bar.advance()
    TaxBatch.objects.bulk_update(
        batches,
        [
            "sha256",
            "rows",
            "taxpayers",
            "total_fen",
            "district_fen",
            "matched_enterprises",
            "unmatched_taxpayers",
            "report",
        ],
    )

    lap("write")
    # the 待匹配 queue: taxpayers in the data that match no registry enterprise
    known = set(TaxpayerLink.objects.values_list("taxpayer_id", flat=True))
    links = [
        TaxpayerLink(
            taxpayer_id=tid,
            name=name,
            status=TaxpayerLink.Status.PENDING,
            first_month=months[a],
            last_month=months[b],
        )
        for tid, name, a, b in con.rows(
            "SELECT taxpayer_id, any_value(taxpayer_name), min(t), max(t) FROM outv WHERE NOT matched GROUP BY 1 ORDER BY 1"
        )
        if tid not in known
    ]
    TaxpayerLink.objects.bulk_create(links)

    # ground truth for the warning rules, then the sample import file of the last month
    truth = story_mod.record(ctx, con, planted, months, ents, departures, gone)
    lap("stories")
    excel = write_sample_excel(con, months[-1], T - 1)
    lap("excel")

    (ly_district,) = con.one(
        "SELECT coalesce(sum(district_fen), 0)::BIGINT FROM out WHERE t BETWEEN $lo AND $hi",
        {"lo": min(ly_t), "hi": max(ly_t)},
    )
    con.close()
    ctx.data["tax_months"] = months
    ctx.summary["taxes"] = {
        "months": T,
        "first_month": months[0],
        "last_month": months[-1],
        "fact_rows": fact_rows,
        "taxpayers_unmatched": len(links),
        "district_year": ly,
        "district_yi": _yi(ly_district),
        "stories": {
            s: sum(1 for x in truth if x["story"] == s and x.get("source") == "planted")
            for s in story_mod.STORIES
        },
        "sample_file": excel,
    }
    tax_library_changed.send(sender=None, months=months)
    lap("listeners")  # rollups and warnings rebuilt by their own receivers
    ctx.summary["taxes"]["seconds"] = round(time.monotonic() - started, 1)
    ctx.summary["taxes"]["phases"] = phases


def _imported_at(month: str) -> dt.datetime:
    """When the tax bureau's file of ``month`` would have been imported: mid next month, not in the future."""
    from django.utils import timezone

    y, m = map(int, month.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return min(timezone.now(), timezone.make_aware(dt.datetime(y, m, 12, 9, 30)))


def _yi(fen: int) -> str:
    """Fen → 亿元 with two decimals, exactly (1 亿元 = 10^10 fen)."""
    from decimal import ROUND_HALF_UP, Decimal

    return str((Decimal(fen) / Decimal(10**10)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _last_full_year(months: list[str]) -> tuple[str, set[str]]:
    years: dict[str, int] = {}
    for m in months:
        years[m[:4]] = years.get(m[:4], 0) + 1
    full = [y for y, c in years.items() if c == 12]
    if full:
        y = max(full)
        return y, {m for m in months if m.startswith(y)}
    return f"{months[-12 if len(months) >= 12 else 0]}~{months[-1]}", set(months[-12:])


def _add_firm(rows: dict[str, list[Any]], rng: Any, idx: int, tid: str, name: str, matched: bool, grp: int, size: float,
              lg: float, s0: int, s1: int, ramp0: int, industry_code: str) -> None:  # fmt: skip
    rows["idx"].append(idx)
    rows["tid"].append(tid)
    rows["tname"].append(name)
    rows["matched"].append(matched)
    rows["grp"].append(grp)
    rows["size"].append(size)
    rows["g"].append(math.log(1.0 + max(-0.3, rng.gauss(0.0, 0.07))))
    # firms over ~300,000 yuan a year pay every month; micro firms in a few months only
    rows["p"].append(min(1.0, max(0.12, 0.12 + 0.88 * (lg - 3.0) / 2.5)))
    rows["s0"].append(s0)
    rows["s1"].append(s1)
    rows["ramp0"].append(ramp0)
    rows["sigma"].append(min(0.5, max(0.07, 0.75 - 0.09 * lg)))
    rows["vat"].append(rng.uniform(0.35, 0.62))
    rows["iit"].append(rng.uniform(0.05, 0.22))
    rows["cit"].append(rng.uniform(0.18, 0.38))
    rows["cit_monthly"].append(rng.random() < (0.7 if lg > 6.5 else 0.15))
    owner = rng.random() < (0.5 if lg > 7 else 0.08)
    rows["prop"].append(size * rng.uniform(0.01, 0.05) if owner else 0.0)
    rows["lat"].append(industry_code.startswith("70"))
    rows["env"].append(industry_code[:2].isdigit() and 13 <= int(industry_code[:2]) <= 43)
    rows["refund_p"].append(0.015 if lg < 6.5 else 0.004)


# Random streams: u(k) uniform in (0,1), z(k) standard normal, from hash(salt, firm, month, k).
_BULK_SQL = """
CREATE MACRO u(a, b, c, d) AS ((hash(a, b, c, d) >> 11)::DOUBLE + 0.5) / 9007199254740992.0;
CREATE MACRO z(a, b, c, d) AS sqrt(-2 * ln(u(a, b, c, d))) * cos(2 * pi() * u(a, b, c, d + 100));
CREATE TABLE base AS
SELECT f.idx, m.t, m.cm, f.vat, f.iit, f.cit, f.cit_monthly, f.prop, f.lat, f.env, f.refund_p,
       f.size / 12.0 * im.mult * exp(f.g * (m.t - {last}) / 12.0) * m.season
         * least(1.0, 0.25 + 0.75 * (m.t - f.ramp0) / 18.0)
         * exp(f.sigma * z({salt}, f.idx, m.t, 1) - f.sigma * f.sigma / 2) / f.p AS b,
       f.size * greatest(-0.3, least(0.5, 0.3 + 0.2 * z({salt}, f.idx, m.t // 12, 2))) AS settle
FROM firms_a f
JOIN months_a m ON m.t BETWEEN f.s0 AND f.s1
JOIN im_a im ON im.grp = f.grp AND im.t = m.t
WHERE f.p >= 1.0 OR u({salt}, f.idx, m.t, 3) < f.p;

CREATE TABLE raw AS
SELECT idx, t, 0 AS code,
       CASE WHEN u({salt}, idx, t, 4) < refund_p THEN -(0.2 + 1.3 * u({salt}, idx, t, 5)) ELSE 1.0 END * b * vat AS amount
FROM base
UNION ALL
SELECT idx, t, 1,
       CASE WHEN cit_monthly THEN b * cit WHEN cm IN (1, 4, 7, 10) THEN 3 * b * cit ELSE 0 END
       + CASE WHEN cm = 5 THEN settle * cit ELSE 0 END
FROM base
UNION ALL
SELECT idx, t, 2, b * iit FROM base WHERE u({salt}, idx, t, 6) < 0.85
UNION ALL
SELECT idx, t, 5, b * 0.01 / 0.3 FROM base WHERE u({salt}, idx, t, 7) < 0.3
UNION ALL
SELECT idx, t, 4, prop / 2 FROM base WHERE prop > 0 AND cm IN (4, 10)
UNION ALL
SELECT idx, t, 6, prop * 0.15 / 2 FROM base WHERE prop > 0 AND cm IN (3, 9)
UNION ALL
SELECT idx, t, 7, b * 2.0 FROM base WHERE lat AND u({salt}, idx, t, 8) < 0.08
UNION ALL
SELECT idx, t, 8, b * 0.012 FROM base WHERE env AND cm IN (1, 4, 7, 10);

CREATE TABLE names AS SELECT idx, tid, tname, matched FROM firms_a;
"""

_FACTS_SQL = """
CREATE TABLE facts AS
WITH scaled AS (SELECT idx, t, code, round(amount * {k} * 100)::BIGINT AS total_fen FROM raw)
SELECT * FROM scaled WHERE total_fen <> 0
UNION ALL
SELECT idx, t, 3, (total_fen * {umct} // 100)::BIGINT FROM scaled WHERE code = 0 AND (total_fen * {umct} // 100) <> 0;
DROP TABLE raw;
DROP TABLE base;
"""

# Rows in the sample file: title (1), units (2), header (3), then one row per taxpayer from row 4.
_MONTH_SQL = """
SELECT f.idx, f.code, (dense_rank() OVER (ORDER BY o.ord) + 3)::INTEGER AS source_row,
       f.total_fen, (f.total_fen * ty.permille // 1000)::BIGINT AS district_fen
FROM facts f JOIN order_a o USING (idx) JOIN types_a ty USING (code)
WHERE f.t = $t
ORDER BY source_row, f.code, f.total_fen
"""
_OUT_SQL = """
CREATE VIEW out AS
SELECT f.t, f.idx, f.code, f.total_fen, (f.total_fen * ty.permille // 1000)::BIGINT AS district_fen
FROM facts f JOIN types_a ty USING (code);
CREATE VIEW outv AS
SELECT o.*, n.tid AS taxpayer_id, n.tname AS taxpayer_name, n.matched FROM out o JOIN names n USING (idx);
"""


def write_sample_excel(con: Any, month: str, t: int) -> str:
    """The last month as the tax bureau sends it (wide layout, title, units, header, 合计), so an
    official can try the import page with a real-looking file. Totals equal the stored month."""
    folder = Path(settings.DATA_DIR) / "demo-files"
    (count,) = con.one("SELECT count(DISTINCT idx) FROM out WHERE t = $t", {"t": t})
    if count > EXCEL_MAX_TAXPAYERS:
        return f"未生成（{month} 有 {count} 个纳税人，超过 {EXCEL_MAX_TAXPAYERS}）"
    import xlsxwriter

    cols = ", ".join(f"sum(CASE WHEN code = {c} THEN total_fen ELSE 0 END)::BIGINT" for c, _, _ in TAX_TYPES)
    data = con.rows(
        f"SELECT taxpayer_id, any_value(taxpayer_name), {cols}, sum(total_fen)::BIGINT, sum(district_fen)::BIGINT "
        "FROM outv JOIN order_a USING (idx) WHERE t = $t GROUP BY taxpayer_id ORDER BY min(ord)",
        {"t": t},
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"普陀区重点产业企业税收明细_{month}.xlsx"
    y, m = month.split("-")
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties(
        {
            "title": f"{y}年{int(m)}月税收明细",
            "author": "普陀区税务局（演示数据）",
            "created": dt.datetime(int(y), int(m), 1),
        }
    )
    ws = wb.add_worksheet("税收明细")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"}
    )
    money = wb.add_format({"num_format": "#,##0.00"})
    bold_money = wb.add_format({"num_format": "#,##0.00", "bold": True})
    headers = ["序号", "纳税人识别号", "纳税人名称", *TYPE_NAMES, "税收合计", "区级收入"]
    ws.write(0, 0, f"{y}年{int(m)}月 普陀区重点产业企业税收明细", title)
    ws.write(1, 0, "单位：元")
    for c, h in enumerate(headers):
        ws.write(2, c, h, head)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 34)
    ws.set_column(3, len(headers) - 1, 15)
    sums = [0] * (len(TAX_TYPES) + 2)
    for r, row in enumerate(data):
        ws.write_number(3 + r, 0, r + 1)
        ws.write_string(3 + r, 1, row[0])
        ws.write_string(3 + r, 2, row[1])
        for c, fen in enumerate(row[2:]):
            sums[c] += fen
            if fen:
                ws.write_number(3 + r, 3 + c, fen / 100, money)
    last = 3 + len(data)
    ws.write(last, 0, "合计")
    for c, fen in enumerate(sums):
        ws.write_number(last, 3 + c, fen / 100, bold_money)
    wb.close()
    return str(path)
