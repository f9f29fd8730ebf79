"""Imports of the task-force app on the kit (:mod:`peiyu.core.imports`):

- :class:`MeasureImporter` — ``peiyu import-measures FILE [--json] [--plan 名称]``: 编号, 板块, 措施,
  责任单位, 配合单位, 指标, 完成时限, 完成日期, 佐证材料; all or nothing; units resolved with the
  department resolver (科委 = 区科委, with a "您是否指" suggestion).
- :class:`LiaisonImporter` — the liaison officer of each enterprise: 统一社会信用代码, 企业名称,
  联络员 (user name or display name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from peiyu.accounts import departments
from peiyu.core.imports import Field, Importer, ImportReport, Refused, Row, cells
from peiyu.taskforce import audit_actions as A

DEFAULT_PLAN = "营商环境方案 4.0"


@dataclass(frozen=True)
class NewUnit:
    """A responsible unit named in the file that is not a department yet."""

    name: str


@dataclass
class MeasureReport(ImportReport):
    created: int = 0
    updated: int = 0
    plan: str = ""
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("created", "updated", "plan")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"created": "新增措施", "updated": "更新措施"}


class MeasureImporter(Importer):
    kind = "taskforce.measures"
    title = "营商环境措施清单"
    audit_action = A.MEASURES_IMPORT
    report_class = MeasureReport
    no_rows_message = "文件中没有措施"
    fields: ClassVar[list[Field]] = [
        Field(
            "number",
            "编号",
            synonyms=["序号", "措施编号", "条目编号"],
            required=True,
            parse=cells.text(max_length=20, label="编号"),
        ),
        Field(
            "block",
            "板块",
            synonyms=["领域", "类别", "分类", "板块名称"],
            parse=cells.text(max_length=100, label="板块"),
        ),
        Field(
            "text",
            "措施",
            synonyms=["具体措施", "措施内容", "工作措施", "任务"],
            required=True,
            parse=cells.text(label="措施"),
        ),
        Field(
            "unit",
            "责任单位",
            synonyms=["牵头单位", "责任部门", "牵头部门"],
            required=True,
            parse="parse_unit",
            cache=True,
        ),
        Field("co_units", "配合单位", synonyms=["协办单位", "配合部门"], parse="parse_units", cache=True),
        Field(
            "kpi",
            "指标",
            synonyms=["考核指标", "量化指标", "KPI"],
            parse=cells.text(max_length=300, label="指标"),
        ),
        Field(
            "deadline",
            "完成时限",
            synonyms=["时限", "完成时间", "截止时间", "截止日期"],
            required=True,
            parse=cells.parse_date,
        ),
        Field("done", "完成日期", synonyms=["实际完成日期", "完成情况日期"], parse=cells.parse_date),
        Field(
            "evidence",
            "佐证材料",
            synonyms=["佐证", "完成佐证", "佐证资料"],
            parse=cells.text(label="佐证材料"),
        ),
    ]

    def __init__(self, *, plan: str = DEFAULT_PLAN, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan_name = plan or DEFAULT_PLAN

    def options(self) -> dict[str, Any]:
        return {"plan": self.plan_name}

    def prepare(self) -> None:
        from peiyu.accounts.models import Department

        self.resolver = departments.Resolver(Department.objects.all())

    def _one(self, name: str) -> Any:
        """The department; a name close to an existing one is refused with the suggestion (a typo);
        a unit the platform does not know at all is created by the import (listed in the report)."""
        dept = self.resolver.resolve(name)
        if dept is None:
            hint = self.resolver.suggest(name)
            if hint:
                raise cells.CellError(f"没有部门“{name}”，您是否指：{'、'.join(hint)}")
            return NewUnit(cells.nfkc(name).strip()[:100])
        return dept

    def parse_unit(self, raw: Any) -> Any:
        names = cells.split_list(raw)
        if not names:
            raise cells.CellError("责任单位不能为空")
        return self._one(names[0])

    def parse_units(self, raw: Any) -> list[Any]:
        return [self._one(n) for n in cells.split_list(raw)]

    def clean(self, row: Row) -> Any:
        # a completion date without evidence is accepted from the file (the evidence may follow);
        # a unit reporting completion on the page must give it
        return {"row": row.number, **row.values}

    def clean_all(self, items: list[Any]) -> list[Any]:
        seen: dict[str, int] = {}
        errors = []
        for it in items:
            if it["number"] in seen:
                errors.append(
                    {
                        "row": it["row"],
                        "column": "编号",
                        "value": it["number"],
                        "message": f"编号与第 {seen[it['number']]} 行重复",
                    }
                )
            seen.setdefault(it["number"], it["row"])
        if errors:
            raise Refused("措施编号重复", errors=errors)
        return items

    def store(self, items: list[Any], report: ImportReport) -> None:
        from peiyu.taskforce.actions import get_or_create_plan, save_measure

        assert isinstance(report, MeasureReport)
        plan = get_or_create_plan(
            self.plan_name, version=self.plan_name.split()[-1] if " " in self.plan_name else ""
        )
        report.plan = plan.name
        from peiyu.accounts.models import Department

        new_units: dict[str, Any] = {}

        def unit(value: Any, row: int) -> Any:
            if not isinstance(value, NewUnit):
                return value
            if value.name not in new_units:
                new_units[value.name], made = Department.objects.get_or_create(name=value.name)
                if made:
                    report.add_reference("责任单位", value.name, row)
            return new_units[value.name]

        for seq, it in enumerate(items, start=1):
            it["unit"] = unit(it["unit"], it["row"])
            it["co_units"] = [unit(u, it["row"]) for u in it.get("co_units") or []]
            data = {
                k: it[k] for k in ("number", "block", "text", "unit", "kpi", "deadline", "done", "evidence")
            }
            data = {
                k: ("" if v is None and k in ("block", "kpi", "evidence") else v) for k, v in data.items()
            }
            data["seq"] = seq
            data["co_units"] = it.get("co_units") or []
            _, created = save_measure(plan, data)
            if created:
                report.created += 1
            else:
                report.updated += 1

    def audit_detail(self, report: ImportReport) -> dict[str, Any]:
        out = super().audit_detail(report)
        out["plan"] = self.plan_name
        return out


@dataclass
class LiaisonReport(ImportReport):
    assigned: int = 0
    unchanged: int = 0
    EXTRA_KEYS: ClassVar[tuple[str, ...]] = ("assigned", "unchanged")
    COUNT_LABELS: ClassVar[dict[str, str]] = {"assigned": "指定联络员", "unchanged": "未变"}


class LiaisonImporter(Importer):
    kind = "taskforce.liaison"
    title = "企业联络员名单"
    audit_action = A.LIAISON_IMPORT
    report_class = LiaisonReport
    fields: ClassVar[list[Field]] = [
        Field(
            "credit_code",
            "统一社会信用代码",
            synonyms=["信用代码", "社会信用代码"],
            required=True,
            parse=cells.credit_code,
        ),
        Field("name", "企业名称", synonyms=["企业", "名称"]),
        Field(
            "liaison",
            "联络员",
            synonyms=["联络员用户名", "联系人", "服务专员"],
            required=True,
            parse="parse_user",
            cache=True,
        ),
    ]

    def prepare(self) -> None:
        from peiyu.accounts.models import User
        from peiyu.registry.models import Enterprise

        self.users: dict[str, Any] = {}
        for u in User.objects.filter(is_active=True):
            self.users.setdefault(u.username, u)
        for u in User.objects.filter(is_active=True):
            if u.display_name:
                self.users.setdefault(u.display_name, u)
        self.enterprises = Enterprise.objects

    def parse_user(self, raw: Any) -> Any:
        name = cells.nfkc(raw).strip()
        user = self.users.get(name)
        if user is None:
            raise cells.CellError(f"没有用户“{name}”（请填写用户名或姓名）")
        return user

    def clean(self, row: Row) -> Any:
        from peiyu.taskforce.actions import may_assign_liaison

        ent = self.enterprises.filter(credit_code=row["credit_code"]).first() if row["credit_code"] else None
        if row["credit_code"] and ent is None:
            row.error("credit_code", "企业名录中没有该统一社会信用代码")
        elif ent is not None and not may_assign_liaison(self.user, ent):
            row.error("credit_code", "该企业不在您的办理范围内")
        return {"row": row.number, "enterprise": ent, "liaison": row["liaison"]}

    def store(self, items: list[Any], report: ImportReport) -> None:
        from peiyu.taskforce.actions import _dimension_changed, _set_liaison

        assert isinstance(report, LiaisonReport)
        changed = []
        for it in items:
            ent, user = it["enterprise"], it["liaison"]
            if ent.liaison_id == user.pk:
                report.unchanged += 1
                continue
            _set_liaison(ent, user)
            changed.append(ent.pk)
            report.assigned += 1
        _dimension_changed(changed, "导入联络员")
