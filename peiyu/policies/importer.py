"""Importing the existing disbursement ledger (政策兑现台账) from Excel or CSV.

Columns (found below title rows, with synonyms): 统一社会信用代码, 企业名称, 政策名称, 条款, 兑现金额
(元 by default; 万元 when the header says so, ``兑现金额（万元）``, or a ``单位：万元`` line above the
header), 兑现日期; optional 文号, 主管部门, 兑现年度 (default: the year of 兑现日期), 备注.

A district starts from the ledger it already keeps: policies and clauses named in the ledger that
are not yet in the catalogue are created (marked 待完善) and listed in the report. The enterprise is
found by its credit code (a name that differs from the registry is reported); a row already in the
ledger (same enterprise, clause, date and amount) is not stored twice. All or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone

from peiyu.core.imports import Field, Importer, ImportReport, Row, cells
from peiyu.policies import audit_actions as A


@dataclass
class LedgerReport(ImportReport):
    created: int = 0
    unchanged: int = 0
    paid_fen: int = 0
    policies_created: int = 0
    clauses_created: int = 0

    EXTRA_KEYS: ClassVar[tuple[str, ...]] = (
        "created",
        "unchanged",
        "paid_fen",
        "policies_created",
        "clauses_created",
    )
    COUNT_LABELS: ClassVar[dict[str, str]] = {
        "created": "新增兑现记录",
        "unchanged": "已在台账中",
        "policies_created": "新建政策",
        "clauses_created": "新建条款",
    }


class LedgerImporter(Importer):
    kind = "policies.ledger"
    title = "政策兑现台账"
    audit_action = A.LEDGER_IMPORT
    report_class = LedgerReport
    fields: ClassVar[list[Field]] = [
        Field(
            "credit_code",
            "统一社会信用代码",
            synonyms=["信用代码", "社会信用代码", "企业信用代码", "纳税人识别号"],
            required=True,
            parse=cells.credit_code,
        ),
        Field("name", "企业名称", synonyms=["企业", "单位名称", "申报单位", "受益企业"]),
        Field("policy", "政策名称", synonyms=["政策", "政策文件", "所属政策", "政策依据"], required=True),
        Field(
            "clause",
            "条款",
            synonyms=["政策条款", "支持事项", "扶持条款", "兑现事项", "项目名称"],
            required=True,
        ),
        Field(
            "amount",
            "兑现金额",
            synonyms=["金额", "扶持金额", "奖励金额", "拨付金额", "兑付金额"],
            required=True,
            money="元",
        ),
        Field(
            "paid_on",
            "兑现日期",
            synonyms=["拨付日期", "兑付日期", "支付日期", "日期"],
            required=True,
            parse=cells.date(not_after=timezone.localdate),
        ),
        Field("doc_number", "文号", synonyms=["政策文号", "发文字号"]),
        Field("department", "主管部门", synonyms=["兑现部门", "责任部门", "受理部门"]),
        Field("year", "兑现年度", synonyms=["年度", "所属年度"], parse=cells.parse_year),
        Field("note", "备注", synonyms=["说明"]),
    ]

    def prepare(self) -> None:
        from peiyu.accounts.departments import Resolver
        from peiyu.policies.models import Clause, Policy
        from peiyu.registry.models import Enterprise

        self.enterprises: dict[str, Any] = {}
        self.policies = {p.name: p for p in Policy.objects.all()}
        self.clauses = {(c.policy.name, c.title): c for c in Clause.objects.select_related("policy")}
        self.resolver = Resolver()
        self.Enterprise = Enterprise

    def clean(self, row: Row) -> Any:
        code = row["credit_code"]
        if code:
            ent = self.enterprises.get(code)
            if ent is None:
                ent = self.Enterprise.objects.filter(credit_code=code).first()
                self.enterprises[code] = ent
            if ent is None:
                row.error("credit_code", "企业名录中没有该统一社会信用代码，请先导入企业名录或核对代码")
            elif row["name"] and row["name"] != ent.name and row["name"] not in (ent.former_names or []):
                row.error("name", f"企业名称与名录不一致：名录中该代码为“{ent.name}”")
        amount = row["amount"]
        if amount is not None and amount <= 0:
            row.error("amount", "兑现金额须大于零")
        department = None
        if row["department"]:
            department = self.resolver.resolve(row["department"])
            if department is None:
                row.error("department", self.resolver.unknown_message(row["department"]))
        if row["policy"] and len(row["policy"]) > 200:
            row.error("policy", "政策名称过长（不超过200字）")
        if row["clause"] and len(row["clause"]) > 200:
            row.error("clause", "条款名称过长（不超过200字）")
        paid_on = row["paid_on"]
        year = row["year"] or (paid_on.year if paid_on else None)
        if row["year"] and paid_on and not (row["year"] <= paid_on.year <= row["year"] + 1):
            row.error("year", f"兑现年度{row['year']}与兑现日期{paid_on:%Y-%m-%d}不符（兑现应在当年或次年）")
        return {
            "row": row.number,
            **row.values,
            "year": year,
            "enterprise": self.enterprises.get(code or ""),
            "dept": department,
        }

    def store(self, items: list[Any], report: ImportReport) -> None:
        from peiyu.policies import actions
        from peiyu.policies.models import Award, PolicyKind

        assert isinstance(report, LedgerReport)
        for it in items:
            policy = self.policies.get(it["policy"])
            if policy is None:
                policy = actions.do_save_policy(
                    None,
                    None,
                    {
                        "name": it["policy"],
                        "doc_number": it["doc_number"] or "",
                        "kind": PolicyKind.GENERAL,
                        "department": it["dept"],
                        "from_ledger": True,
                    },
                    reason=self.reason(it["row"]),
                )
                self.policies[policy.name] = policy
                report.add_reference("政策", policy.name, it["row"])
                report.policies_created += 1
            clause = self.clauses.get((policy.name, it["clause"]))
            if clause is None:
                clause = actions.do_save_clause(
                    None,
                    policy,
                    None,
                    {"title": it["clause"], "from_ledger": True},
                    reason=self.reason(it["row"]),
                )
                self.clauses[(policy.name, clause.title)] = clause
                report.add_reference("政策条款", f"{policy.name}：{clause.title}", it["row"])
                report.clauses_created += 1
            ent = it["enterprise"]
            if Award.objects.filter(
                clause=clause, enterprise=ent, paid_on=it["paid_on"], amount_fen=it["amount"]
            ).exists():
                report.unchanged += 1
                continue
            actions.do_record_ledger_award(
                self.user,
                clause,
                ent,
                year=it["year"],
                amount_fen=it["amount"],
                paid_on=it["paid_on"],
                note=it["note"] or "",
                reason=self.reason(it["row"]),
            )
            report.created += 1
            report.paid_fen += it["amount"]
