"""The monthly analysis report (月度产业税收分析), drafted by the system for one reader.

The four parts of a district tax analysis, then the modules' own work:

    一、主要特点      sections with ``order`` < 50 that the apps contribute (taxes 10, targets 20)
    二、变动原因分析  the YoY change split into new / gone / continuing up / down, the firms behind each
                      part, the biggest movers and the month's one-off receipts (:func:`drivers`)
    三、全年预测      the year-end projection with its range from the seasonal profile of up to three
                      past years (:func:`forecast`)
    四、问题与建议    the problems every section raised, as editable text (the reader's own wording is
                      kept with the report version)
    附：重点工作进展  sections with ``order`` ≥ 50 (attraction, services … 60, warnings 110, work 120)

Sections are discovered: every installed app's ``reports.py`` ``monthly_section(who, month) ->
Section | None``. ``who`` is the reader (a user) or a :class:`~peiyu.accounts.scope.Scope`
(``scope.EVERYTHING`` for the district report a scheduled job writes); every figure comes from the
registered analytics queries run for ``who``, so a scoped reader's report holds only their firms.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from peiyu.core.money import format_wan
from peiyu.core.sections import Section, SectionTable

log = logging.getLogger(__name__)

FEATURES_BELOW = (
    50  # sections ordered below this describe features (part 一: taxes 10, targets 20); the rest are 附
)
BASIS = "口径说明：金额为区级税收（区级收入），税收总额为全口径；月份按入库日期归属；同比为同口径（按现行企业归属和产业认定）。"
PARTS = ("主要特点", "变动原因分析", "全年预测", "问题与建议")


@dataclass
class MonthlyReport:
    month: str
    title: str
    subtitle: str
    basis: str
    features: list[Section] = field(default_factory=list)
    drivers: Section | None = None
    forecast: Section | None = None
    problems: list[str] = field(default_factory=list)  # drafted from every section
    annex: list[Section] = field(default_factory=list)

    def sections(self) -> list[Section]:
        out = [*self.features]
        if self.drivers is not None:
            out.append(self.drivers)
        if self.forecast is not None:
            out.append(self.forecast)
        return [*out, *self.annex]

    def draft_suggestions(self) -> str:
        """The 问题与建议 text as first drafted: one numbered paragraph per problem."""
        if not self.problems:
            return "本月各项指标运行平稳，暂未发现需要专门研究的问题。建议继续做好重点企业跟踪服务。"
        return "\n".join(f"{i}. {text}" for i, text in enumerate(self.problems, 1))

    def as_dict(self) -> dict[str, Any]:
        return jsonable(self._dict())

    def _dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "title": self.title,
            "subtitle": self.subtitle,
            "basis": self.basis,
            "features": [s.as_dict() for s in self.features],
            "drivers": self.drivers.as_dict() if self.drivers else None,
            "forecast": self.forecast.as_dict() if self.forecast else None,
            "problems": list(self.problems),
            "annex": [s.as_dict() for s in self.annex],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonthlyReport:
        return cls(
            month=data["month"],
            title=data["title"],
            subtitle=data.get("subtitle", ""),
            basis=data.get("basis", BASIS),
            features=[Section.from_dict(s) for s in data.get("features", [])],
            drivers=Section.from_dict(data["drivers"]) if data.get("drivers") else None,
            forecast=Section.from_dict(data["forecast"]) if data.get("forecast") else None,
            problems=list(data.get("problems", [])),
            annex=[Section.from_dict(s) for s in data.get("annex", [])],
        )


def jsonable(value: Any) -> Any:
    """The report data as JSON can keep it: Decimal cells (ratios, counts — money is integer fen)
    as numbers, dates as ISO text."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Discovery


def contributed(who: Any, month: str) -> list[Section]:
    """Every app's ``monthly_section(who, month)``, in ``order``. A section that fails is left out
    (logged): one module's bug must not stop the district's report."""
    from peiyu.core import contrib

    out = []
    for cfg, fn in contrib.attributes("reports", "monthly_section"):
        try:
            section = fn(who, month)
        except Exception:
            log.exception("月度报告：%s 的章节生成失败", cfg.label)
            continue
        if section is not None:
            out.append(section)
    return sorted(out, key=lambda s: (s.order, s.key))


def reader_label(who: Any) -> str:
    from peiyu.analytics import as_scope

    s = as_scope(who)
    if s.everything:
        return "全区"
    parts = []
    from peiyu.registry.models import Area, KeyIndustry

    parts += list(
        KeyIndustry.objects.filter(id__in=s.industry_ids).order_by("order").values_list("name", flat=True)
    )
    parts += list(Area.objects.filter(id__in=s.area_ids).order_by("order").values_list("name", flat=True))
    if s.enterprise_ids and not parts:
        parts.append(f"联系服务的 {len(s.enterprise_ids)} 户企业")
    return "、".join(parts) or "本范围"


def build(who: Any, month: str, *, issuer: str = "") -> MonthlyReport:
    """The report for ``who`` and ``month`` (the data; :func:`render` writes the document)."""
    sections = contributed(who, month)
    label = reader_label(who)
    y, m = int(month[:4]), int(month[5:])
    title = f"{y}年{m}月{'全区' if label == '全区' else ''}产业税收分析报告"
    subtitle = "" if label == "全区" else f"（{label}）"
    report = MonthlyReport(month=month, title=title, subtitle=subtitle, basis=BASIS)
    report.features = [s for s in sections if s.order < FEATURES_BELOW]
    report.annex = [s for s in sections if s.order >= FEATURES_BELOW]
    report.drivers = drivers(who, month)
    report.forecast = forecast(who, month)
    for s in [*sections, report.drivers, report.forecast]:
        if s is not None:
            report.problems.extend(s.problems)
    return report


# ---------------------------------------------------------------------------------------------
# 二、变动原因分析


def _firm(row: dict[str, Any]) -> str:
    return f"{row['name']}（{_delta(row['delta'])}）"


def _delta(fen: int) -> str:
    return f"{'+' if fen > 0 else ''}{format_wan(fen)} 万元"


def one_offs(who: Any, month: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Firms whose receipt this month is out of line with their own history: at least three times
    the larger of last month, the same month last year and their average earlier month this year,
    and at least 1% of the month's total — receipts that will not repeat (一次性因素)."""
    from peiyu.taxes import analytics

    result = analytics.enterprise_rows(who, month, sort="-month", limit=50)
    whole = result["sums"]["month_fen"]
    m = int(month[5:])
    out = []
    for r in result["rows"]:
        cur = r["month_fen"]
        if cur <= 0 or whole <= 0 or cur * 100 < whole:
            continue
        earlier_avg = (r["ytd_fen"] - cur) // (m - 1) if m > 1 else 0
        usual = max(r["prev_month_fen"], r["month_last_year_fen"], earlier_avg, 0)
        if cur >= 3 * usual:
            out.append({**r, "usual_fen": usual})
        if len(out) >= limit:
            break
    return out


def drivers(who: Any, month: str) -> Section | None:
    from peiyu.taxes import analytics

    if month not in analytics.months_available():
        return None
    dec = analytics.decomposition(who, month, top=3)
    parts = {p["key"]: p for p in dec["parts"]}
    m = int(month[5:])
    span = "1月" if m == 1 else f"1—{m}月"
    change = dec["change_fen"]
    direction = "增加" if change >= 0 else "减少"
    paragraphs = [
        f"{span}累计区级税收比上年同期{direction} {format_wan(abs(change))} 万元，分解如下："
        f"新进入税基企业 {parts['new']['enterprises']} 户，贡献 {_delta(parts['new']['fen'])}；"
        f"退出税基企业 {parts['lost']['enterprises']} 户，影响 {_delta(parts['lost']['fen'])}；"
        f"持续纳税企业中增收 {parts['up']['enterprises']} 户，合计 {_delta(parts['up']['fen'])}，"
        f"减收 {parts['down']['enterprises']} 户，合计 {_delta(parts['down']['fen'])}。"
    ]
    for key, words in (
        ("new", "新增税源主要来自"),
        ("lost", "退出税基的主要是"),
        ("up", "增收较多的有"),
        ("down", "减收较多的有"),
    ):
        top = [t for t in parts[key].get("top") or [] if t["delta"] != 0]
        if top:
            paragraphs.append(f"{words}" + "、".join(_firm(t) for t in top) + "。")
    offs = one_offs(who, month)
    if offs:
        paragraphs.append(
            "一次性因素："
            + "、".join(
                f"{r['name']}本月入库 {format_wan(r['month_fen'])} 万元（平常月份约 {format_wan(r['usual_fen'])} 万元）"
                for r in offs
            )
            + "，属于非经常性收入，分析趋势时应予剔除。"
        )
    table = SectionTable(
        title=f"表：{span}区级税收同比增减因素",
        columns=["因素", "企业户数", "增减额", "主要企业"],
        kinds=["text", "integer", "money", "text"],
        rows=[
            [
                p["label"],
                p["enterprises"],
                p["fen"],
                "、".join(t["name"] for t in (p.get("top") or []) if t["delta"] != 0) or "—",
            ]
            for p in dec["parts"]
        ]
        + [["合计", sum(p["enterprises"] for p in dec["parts"]), change, ""]],
        unit="万元",
        note="每户企业只归入一类：新进入（上年同期无税收）、退出（本年无税收）、持续纳税增收或减收；四项相加等于同比增减额。",
    )
    tables = [table]
    movers = analytics.enterprise_rows(who, month, sort="-change", limit=5)["rows"]
    fallers = analytics.enterprise_rows(who, month, sort="change", limit=5)["rows"]
    mover_rows = [r for r in movers if r["change_fen"] > 0] + [r for r in fallers if r["change_fen"] < 0]
    if mover_rows:
        tables.append(
            SectionTable(
                title="表：累计区级税收增减额居前的企业",
                columns=["企业", "重点产业", "本年累计", "上年同期", "增减额", "同比（%）"],
                kinds=["text", "text", "money", "money", "money", "percent"],
                rows=[
                    [
                        r["name"],
                        r["key_industry"] or "—",
                        r["ytd_fen"],
                        r["prev_ytd_fen"],
                        r["change_fen"],
                        r["yoy_pct"],
                    ]
                    for r in mover_rows
                ],
                unit="万元",
            )
        )
    problems = []
    if parts["lost"]["fen"] < 0 and change != 0 and abs(parts["lost"]["fen"]) * 5 >= abs(change):
        problems.append(
            f"退出税基企业 {parts['lost']['enterprises']} 户，影响区级税收 {format_wan(-parts['lost']['fen'])} 万元，"
            "建议核实迁出、注销原因，做好存量企业稳商工作。"
        )
    return Section(
        key="reports.drivers",
        title="变动原因分析",
        order=200,
        paragraphs=paragraphs,
        tables=tables,
        problems=problems,
        chart={
            "_fenAxis": True,
            "title": {"text": "同比增减因素（万元）"},
            "xAxis": {"type": "category", "data": [p["label"] for p in dec["parts"]]},
            "yAxis": {"type": "value", "name": "万元"},
            "series": [{"type": "bar", "name": "增减额", "data": [p["fen"] for p in dec["parts"]]}],
        },
        link=f"/taxes/decomposition/?month={month}",
    )


# ---------------------------------------------------------------------------------------------
# 三、全年预测


def forecast(who: Any, month: str) -> Section | None:
    """Year-end projection = YTD ÷ the share of a past year's full-year total that had come in by the
    same month; the range spans the shares of each of the last three complete years (the rule of
    :mod:`peiyu.targets.progress`, here for the reader's own series)."""
    from peiyu.core.money import growth_pct, pct
    from peiyu.targets.progress import div_round
    from peiyu.taxes import analytics

    available = set(analytics.months_available())
    if month not in available:
        return None
    y, m = int(month[:4]), int(month[5:])
    months = [f"{yy:04d}-{mm:02d}" for yy in range(y - 3, y + 1) for mm in range(1, 13)]
    wanted = [mm for mm in months if mm in available and mm <= month]
    totals = analytics.monthly_totals(who, wanted, by="district")
    series = {k: v["district_fen"] for k, v in totals.get(None, {}).items()}
    ytd = sum(series.get(f"{y:04d}-{mm:02d}", 0) for mm in range(1, m + 1))
    from peiyu.analytics import as_scope

    whole = "全区" if as_scope(who).everything else "本范围"
    profiles = []
    for back in (1, 2, 3):
        yy = y - back
        if not all(f"{yy:04d}-{mm:02d}" in available for mm in range(1, 13)):
            continue
        full = sum(series.get(f"{yy:04d}-{mm:02d}", 0) for mm in range(1, 13))
        cum = sum(series.get(f"{yy:04d}-{mm:02d}", 0) for mm in range(1, m + 1))
        if full > 0 and cum > 0:
            profiles.append((yy, cum, full))
    paragraphs = []
    rows = []
    projection = low = high = None
    if m == 12:
        projection = low = high = ytd
        paragraphs.append(f"全年数据已完整，{whole}全年区级税收 {format_wan(ytd)} 万元。")
    elif profiles:
        estimates = [(yy, div_round(ytd * full, cum), cum, full) for yy, cum, full in profiles]
        projection = estimates[0][1]
        low, high = min(e[1] for e in estimates), max(e[1] for e in estimates)
        last_full = profiles[0][2] if profiles[0][0] == y - 1 else None
        share0 = pct(estimates[0][2], estimates[0][3]) or 0.0
        text = f"按{estimates[0][0]}年的入库进度（1—{m}月占全年 {share0:.1f}%）测算，{whole}全年区级税收预计 {format_wan(projection)} 万元"
        if low != high:
            text += f"，按近 {len(estimates)} 年的进度测算区间为 {format_wan(low)}—{format_wan(high)} 万元"
        if last_full:
            text += (
                f"，比上年（{format_wan(last_full)} 万元）{_growth_words(growth_pct(projection, last_full))}"
            )
        paragraphs.append(text + "。")
        rows = [[f"{yy}年进度", pct(cum, full), est] for yy, est, cum, full in estimates]
    else:
        paragraphs.append("税收库中没有完整的往年数据，暂不能按季节规律测算全年收入。")
    paragraphs.append("预测未计入尚未确定的一次性收入和政策性减退税，仅供研判参考。")
    tables = []
    if rows:
        tables.append(
            SectionTable(
                title="表：全年区级税收预测",
                columns=["依据", f"1—{m}月占全年（%）", "全年预计"],
                kinds=["text", "percent", "money"],
                rows=rows,
                unit="万元",
            )
        )
    return Section(
        key="reports.forecast",
        title="全年预测",
        order=300,
        paragraphs=paragraphs,
        tables=tables,
        link=f"/targets/?year={y}",
    )


def _growth_words(value: float | None) -> str:
    if value is None:
        return "无可比基数"
    return f"增长 {value:.1f}%" if value >= 0 else f"下降 {-value:.1f}%"


# ---------------------------------------------------------------------------------------------
# The document


def document_sections(report: MonthlyReport, suggestions: str) -> list[tuple[str, list[Section]]]:
    """The parts as the Word document prints them: (part heading, its sections)."""
    parts: list[tuple[str, list[Section]]] = [(PARTS[0], [_plain(s) for s in report.features])]
    if report.drivers is not None:
        parts.append((PARTS[1], [_untitled(report.drivers)]))
    if report.forecast is not None:
        parts.append((PARTS[2], [_untitled(report.forecast)]))
    lines = [line.strip() for line in (suggestions or "").splitlines() if line.strip()]
    parts.append((PARTS[3], [Section(key="reports.suggestions", title="", paragraphs=lines)]))
    if report.annex:
        parts.append(("附：重点工作进展", [_plain(s) for s in report.annex]))
    return parts


def _untitled(section: Section) -> Section:
    return Section(**{**section.__dict__, "title": "", "problems": []})


def _plain(section: Section) -> Section:
    """The section without its problems: they are gathered under 四、问题与建议."""
    return Section(**{**section.__dict__, "problems": []})


def render(
    report: MonthlyReport, suggestions: str, *, issuer: str = "", date: dt.date | None = None
) -> bytes:
    from peiyu.core import documents

    return documents.render_report(
        title=report.title,
        subtitle=report.subtitle,
        basis=report.basis,
        parts=document_sections(report, suggestions),
        issuer=issuer,
        date=date,
    )
