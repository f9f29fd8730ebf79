"""A small ledger importer built from the kit, shared by the kit's tests and the child process of
the exit-code test (kept free of pytest so that process starts quickly)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import openpyxl

from peiyu.accounts.models import Department
from peiyu.core import imports
from peiyu.core.imports import Field, Importer, ImportReport, Refused, cells
from peiyu.core.imports.command import ImportCommand
from peiyu.targets.models import Target
from peiyu.testing.factories import new_credit_code

WAN = 1_000_000


@dataclass
class AwardReport(ImportReport):
    created: int = 0
    departments_created: int = 0

    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "departments_created")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增", "departments_created": "新建部门"}


class AwardImporter(Importer):
    """兑现台账 (test ledger): 指标, 年度, 兑现金额 (元 or 万元 by header/unit line), 兑现日期,
    责任部门 (created when unknown), 统一社会信用代码, 等级 (choice with synonyms), 重点 (是/否)."""

    kind = "test.awards"
    title = "兑现台账"
    audit_action = "test.awards.import"
    report_class = AwardReport
    fields: ClassVar[list[Field]] = [
        Field("name", "指标", synonyms=["指标名称", "项目"], required=True),
        Field("year", "年度", synonyms=["年份"], required=True, parse=cells.parse_year),
        Field("amount", "兑现金额", synonyms=["金额"], required=True, money="元"),
        Field("date", "兑现日期", parse=cells.date(not_after=dt.date(2026, 6, 30))),
        Field("department", "责任部门", synonyms=["责任单位"]),
        Field("credit_code", "统一社会信用代码", synonyms=["信用代码"], parse=cells.credit_code),
        Field(
            "grade",
            "等级",
            parse=cells.choice({"甲": "A", "乙": "B"}, synonyms={"一等": "甲", "二等": "乙"}, label="等级"),
        ),
        Field("key", "重点", parse=cells.boolean()),
    ]
    fail_in_store = False

    def prepare(self) -> None:
        self.departments = {d.name: d for d in Department.objects.all()}
        self.seen: dict[tuple[int, str], int] = {}

    def clean(self, row: imports.Row) -> Any:
        if row["amount"] is not None and row["amount"] <= 0:
            row.error("amount", "兑现金额须大于 0")
        key = (row["year"], row["name"])
        if row.ok and key in self.seen:
            row.error("name", f"与第 {self.seen[key]} 行重复")
        self.seen.setdefault(key, row.number)
        return {"row": row.number, **row.values}

    def store(self, items: list[Any], report: ImportReport) -> None:
        assert isinstance(report, AwardReport)
        if self.fail_in_store:
            Target.objects.create(year=2025, name="写了一半", kind="amount", target_fen=1)
            raise RuntimeError("磁盘已满")
        for item in items:
            if item["name"] == "拒绝整表":
                raise Refused(
                    "该台账已被上级退回", errors=[imports.error_row(item["row"], "指标", "拒绝整表", "退回")]
                )
            target = Target.objects.create(
                year=item["year"], name=item["name"], kind="amount", target_fen=item["amount"]
            )
            dept_name = item["department"]
            if dept_name:
                dept = self.departments.get(dept_name)
                if dept is None:
                    dept = self.departments[dept_name] = Department.objects.create(name=dept_name)
                    report.add_reference("责任部门", dept_name, item["row"])
                    report.departments_created += 1
                target.departments.add(dept)
            report.created += 1


class AwardCommand(ImportCommand):
    help = "导入兑现台账（测试）"
    importer = AwardImporter


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


HEADER = ["指标名称", "年份", "兑现金额（万元）", "兑现日期", "责任单位", "信用代码", "等级", "重点"]


def good_rows() -> list[list[Any]]:
    return [
        ["2025年 重点产业扶持资金兑现台账"],
        ["填报单位：区科委"],
        HEADER,
        ["研发补贴", 2025, 12.5, dt.date(2025, 3, 5), "区科委", new_credit_code(), "一等", "是"],
        ["租金支持", "2025年", "1,000.01", "2025年3月5日", "区商务委", None, "乙", "否"],
        ["人才奖励", "2025年度", 3, "二〇二五年四月一日", None, None, None, None],
        ["合计", None, 1015.51, None, None, None, None, None],
        ["注：金额为万元"],
    ]
