"""Importing a team's existing ledger (招商项目台账) — ``peiyu import-projects FILE [--json]`` and the
upload page, on the import kit (:mod:`peiyu.core.imports`).

Columns (title rows and synonyms as in the other imports): 项目名称, 招商小组, 阶段, 状态, 产业, 投资方,
计划投资额（万元）, 空间需求, 签约日期, 协议主要条款, 承诺年税收（万元）, 统一社会信用代码, 注册日期,
渠道, 以商引商来源企业, 链主企业, 产业链位置, 基金, 合作城市, 合作机构, 拟落地街道, 预计落地日期,
登记日期 (the date the project entered the ledger: the earlier entry keeps the credit of a duplicate),
状态原因, 流失去向, 备注.

- Teams, funds and anchor firms the ledger names that do not exist yet are created and listed in
  the report (``references_created``), so a district starts from the ledger it already keeps.
- A row at a stage whose gate fields the old ledger never had is imported at that stage, with the
  missing fields listed (``to_complete``), not refused. A row at 纳税 is stored as 注册落地: the
  tax library confirms 纳税 (checked right after the import).
- The same project name in the same team updates the project (its stage is not moved backwards).
- All or nothing: a bad cell (unknown industry or street, bad date, amount or credit code) refuses
  the file with row, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from peiyu.attraction import audit_actions as A
from peiyu.attraction import stages
from peiyu.attraction.models import ChainPosition, Channel, Stage, Status
from peiyu.core.imports import Field, Importer, ImportReport, Row, cells
from peiyu.core.tabular import clean_text


@dataclass
class ProjectReport(ImportReport):
    created: int = 0
    updated: int = 0
    to_complete: list[dict[str, Any]] = field(default_factory=list)
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "updated", "to_complete")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增项目", "updated": "更新项目"}


STAGE_WORDS = {str(s.label): s.value for s in Stage}
STAGE_SYNONYMS = {
    "谋划": "线索",
    "储备": "线索",
    "意向": "接洽",
    "对接": "接洽",
    "洽谈": "在谈",
    "谈判": "在谈",
    "已签约": "签约",
    "落地": "注册落地",
    "已落地": "注册落地",
    "注册": "注册落地",
    "已注册": "注册落地",
    "开工": "注册落地",
    "入驻": "注册落地",
    "投产": "纳税",
    "已纳税": "纳税",
    "达产": "纳税",
}
STATUS_WORDS = {str(s.label): s.value for s in Status}
STATUS_SYNONYMS = {
    "推进中": "正常",
    "延迟": "延期",
    "暂停": "停滞",
    "搁置": "停滞",
    "放弃": "终止",
    "已流失": "流失",
}
CHANNEL_WORDS = {str(c.label): c.value for c in Channel}
CHANNEL_SYNONYMS = {
    "人脉招商": "人脉",
    "中介": "机构/中介",
    "机构": "机构/中介",
    "中介招商": "机构/中介",
    "展会": "平台/展会",
    "平台": "平台/展会",
    "推介会": "平台/展会",
    "以商招商": "以商引商",
    "产业链招商": "产业链",
    "链主": "产业链",
    "基金招商": "基金",
}
POSITION_WORDS = {str(c.label): c.value for c in ChainPosition}
POSITION_SYNONYMS = {
    "上游企业": "上游",
    "下游企业": "下游",
    "同类企业": "同类",
    "配套": "上游",
    "同业": "同类",
}


class ProjectImporter(Importer):
    kind = "attraction.projects"
    title = "招商项目台账"
    audit_action = A.PROJECTS_IMPORT
    report_class = ProjectReport
    fields: ClassVar[list[Field]] = [
        Field(
            "name",
            "项目名称",
            synonyms=["项目", "项目名"],
            required=True,
            parse=cells.text(max_length=200, label="项目名称"),
        ),
        Field(
            "team",
            "招商小组",
            synonyms=["小组", "责任小组", "招商组", "牵头小组"],
            required=True,
            parse=cells.text(max_length=60, label="小组名称"),
        ),
        Field(
            "stage",
            "阶段",
            synonyms=["项目阶段", "进展阶段", "推进阶段"],
            parse=cells.choice(STAGE_WORDS, synonyms=STAGE_SYNONYMS, label="阶段"),
        ),
        Field(
            "status",
            "状态",
            synonyms=["项目状态"],
            parse=cells.choice(STATUS_WORDS, synonyms=STATUS_SYNONYMS, label="状态"),
        ),
        Field(
            "industry",
            "产业",
            synonyms=["所属产业", "重点产业", "产业类别"],
            parse="parse_industry",
            cache=True,
        ),
        Field(
            "investor",
            "投资方",
            synonyms=["投资主体", "投资企业", "投资人"],
            parse=cells.text(max_length=200, label="投资方"),
        ),
        Field(
            "invest_fen", "计划投资额", synonyms=["投资额", "计划投资", "总投资", "投资总额"], money="万元"
        ),
        Field(
            "space_need",
            "空间需求",
            synonyms=["载体需求", "用地需求", "面积需求"],
            parse=cells.text(max_length=200, label="空间需求"),
        ),
        Field("signed_on", "签约日期", synonyms=["签约时间"], parse=cells.date()),
        Field(
            "agreement_terms",
            "协议主要条款",
            synonyms=["协议条款", "签约内容", "协议内容"],
            parse=cells.text(label="协议条款"),
        ),
        Field(
            "promised_tax_fen", "承诺年税收", synonyms=["承诺税收", "预计年税收", "年税收承诺"], money="万元"
        ),
        Field(
            "credit_code",
            "统一社会信用代码",
            synonyms=["信用代码", "社会信用代码", "落地企业信用代码"],
            parse=cells.credit_code,
        ),
        Field(
            "registered_on",
            "注册日期",
            synonyms=["落地日期", "注册落地日期", "工商注册日期"],
            parse=cells.date(),
        ),
        Field(
            "channel",
            "渠道",
            synonyms=["招商渠道", "来源渠道", "招商方式"],
            parse=cells.choice(CHANNEL_WORDS, synonyms=CHANNEL_SYNONYMS, label="渠道"),
        ),
        Field(
            "source_enterprise",
            "以商引商来源企业",
            synonyms=["引荐企业", "来源企业"],
            parse="parse_enterprise",
            cache=True,
        ),
        Field(
            "anchor",
            "链主企业",
            synonyms=["链主", "产业链链主"],
            parse=cells.text(max_length=200, label="链主企业"),
        ),
        Field(
            "chain_position",
            "产业链位置",
            synonyms=["链上位置", "上下游"],
            parse=cells.choice(POSITION_WORDS, synonyms=POSITION_SYNONYMS, label="产业链位置"),
        ),
        Field(
            "fund", "基金", synonyms=["引荐基金", "基金名称"], parse=cells.text(max_length=200, label="基金")
        ),
        Field(
            "partner_city",
            "合作城市",
            synonyms=["合作地区"],
            parse=cells.text(max_length=60, label="合作城市"),
        ),
        Field("partner_institution", "合作机构", parse=cells.text(max_length=200, label="合作机构")),
        Field(
            "area",
            "拟落地街道",
            synonyms=["落地街道", "拟落地街镇", "落地街镇", "街道镇", "所在街道"],
            parse="parse_area",
            cache=True,
        ),
        Field("estimated_landing", "预计落地日期", synonyms=["预计落地时间"], parse=cells.date()),
        Field(
            "entered_on", "登记日期", synonyms=["录入日期", "入库日期", "项目登记日期"], parse=cells.date()
        ),
        Field(
            "status_reason",
            "状态原因",
            synonyms=["延期原因", "停滞原因", "流失原因", "原因"],
            parse=cells.text(max_length=300, label="状态原因"),
        ),
        Field("lost_to", "流失去向", synonyms=["流失至"], parse=cells.text(max_length=100, label="流失去向")),
        Field("note", "备注", synonyms=["说明"], parse=cells.text(label="备注")),
    ]

    def prepare(self) -> None:
        from peiyu.attraction.models import AnchorFirm, Fund, Project, Team
        from peiyu.registry.models import Area, KeyIndustry

        self.teams = {t.name: t for t in Team.objects.all()}
        self.funds = {f.name: f for f in Fund.objects.all()}
        self.anchors = {a.name: a for a in AnchorFirm.objects.all()}
        self.industries: dict[str, Any] = {}
        for ind in KeyIndustry.objects.all():
            for n in (ind.name, f"{ind.name}产业", ind.slug):
                self.industries[n] = ind
        self.areas = {a.name: a for a in Area.objects.all()}
        self.existing = {(p.team.name, p.name): p for p in Project.objects.select_related("team")}

    def parse_industry(self, raw: Any) -> Any:
        name = clean_text(raw)
        ind = self.industries.get(name)
        if ind is None:
            known = "、".join(sorted({i.name for i in self.industries.values()}))
            raise cells.CellError(f"产业“{name}”不是区里的重点产业（可填：{known}）")
        return ind

    def parse_area(self, raw: Any) -> Any:
        name = clean_text(raw)
        area = self.areas.get(name) or next(
            (a for n, a in self.areas.items() if name and (n.startswith(name) or name.startswith(n))), None
        )
        if area is None:
            raise cells.CellError(f"街道镇“{name}”不在本区（可填：{'、'.join(self.areas)}）")
        return area

    def parse_enterprise(self, raw: Any) -> Any:
        from peiyu.registry.models import Enterprise

        text = clean_text(raw)
        ent = (
            Enterprise.objects.filter(credit_code=text.upper()).first()
            or Enterprise.objects.filter(name=text).first()
        )
        if ent is None:
            raise cells.CellError(f"企业“{text}”不在企业名录中（填企业全称或统一社会信用代码）")
        return ent

    def clean(self, row: Row) -> Any:
        if row["status"] == Status.LOST and not row["lost_to"]:
            row.error("lost_to", "状态为流失的项目须填写流失去向", "")
        return {"row": row.number, **row.values}

    def store(self, items: list[Any], report: ImportReport) -> None:
        from peiyu.attraction import actions, taxlink

        assert isinstance(report, ProjectReport)
        touched: list[int] = []
        for item in items:
            r = item.pop("row")
            why = self.reason(r)
            team = self.teams.get(item["team"])
            if team is None:
                team = self.teams[item["team"]] = actions.do_create_team(None, item["team"], reason=why)
                report.add_reference("招商小组", item["team"], r)
            fund_name, anchor_name = item.pop("fund"), item.pop("anchor")
            if fund_name:
                if fund_name not in self.funds:
                    self.funds[fund_name] = actions.do_create_fund(None, fund_name, reason=why)
                    report.add_reference("基金", fund_name, r)
                item["fund"] = self.funds[fund_name]
            if anchor_name:
                if anchor_name not in self.anchors:
                    self.anchors[anchor_name] = actions.do_create_anchor(
                        None, anchor_name, industry=item["industry"], reason=why
                    )
                    report.add_reference("链主企业", anchor_name, r)
                item["anchor"] = self.anchors[anchor_name]
            stage = item.pop("stage") or Stage.LEAD
            status = item.pop("status") or Status.NORMAL
            status_reason = item.pop("status_reason") or ""
            lost_to = item.pop("lost_to") or ""
            item.pop("team")
            fields = {k: v for k, v in item.items() if v not in (None, "")}
            existing = self.existing.get((team.name, fields["name"]))
            if existing is None:
                p = actions.do_create_project(
                    None,
                    team,
                    stage=stage,
                    status=status,
                    status_reason=status_reason,
                    allow_missing=True,
                    reason=why,
                    **fields,
                )
                if lost_to:
                    p.lost_to = lost_to
                    p.save(update_fields=["lost_to"])
                self.existing[(team.name, p.name)] = p
                report.created += 1
            else:
                changes = {k: v for k, v in fields.items() if v not in (None, "")}
                p = actions.do_update_project(None, existing, reason=why, **changes)
                if stages.index(stage) > stages.index(p.stage) and stage != Stage.TAXPAYING:
                    p.stage = stage
                    p.missing_fields = stages.missing_for(p, stage)
                    p.save(update_fields=["stage", "missing_fields"])
                if status != p.status:
                    p.status, p.status_reason, p.lost_to = status, status_reason, lost_to
                    p.save(update_fields=["status", "status_reason", "lost_to"])
                report.updated += 1
            touched.append(p.pk)
            if p.missing_fields:
                report.to_complete.append(
                    {
                        "row": r,
                        "name": p.name,
                        "stage": stage,
                        "missing": stages.missing_labels(p.missing_fields),
                    }
                )
        taxlink.refresh(touched)  # a landed company may already pay: 纳税 at once
