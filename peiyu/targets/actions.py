"""Every change of targets, reports, thresholds and plans: small ``do_*`` functions, each atomic and
writing an audit row with before/after. Views, the API, the importer and the CLI call these."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from peiyu.accounts.audit import record
from peiyu.targets import audit_actions as A
from peiyu.targets.models import FiveYearPlan, PlanLine, Target, TargetKind, TargetReport, TargetSettings
from peiyu.targets.progress import can_report, div_round

ATTACHMENT_TYPES = {
    "pdf",
    "ofd",
    "doc",
    "docx",
    "wps",
    "xls",
    "xlsx",
    "et",
    "jpg",
    "jpeg",
    "png",
    "txt",
    "zip",
}


class ActionError(Exception):
    """A refused change; the message is Chinese and meant for the user."""


FIELDS = (
    "year",
    "name",
    "kind",
    "key_industry",
    "area",
    "target_fen",
    "growth_pct",
    "target_value",
    "unit",
    "note",
    "order",
)


def _dec(v: Any) -> str | None:
    return None if v is None else str(Decimal(v).quantize(Decimal("0.01")))


def target_snapshot(t: Target) -> dict[str, Any]:
    """What an audit row records about a target (before/after a change)."""
    return {
        "year": t.year,
        "name": t.name,
        "kind": t.kind,
        "key_industry": t.key_industry.name if t.key_industry is not None else None,
        "area": t.area.name if t.area is not None else None,
        "target_fen": t.target_fen,
        "growth_pct": _dec(t.growth_pct),
        "target_value": _dec(t.target_value),
        "unit": t.unit,
        "departments": sorted(d.name for d in t.departments.all()) if t.pk else [],
        "note": t.note,
    }


def validate(t: Target) -> None:
    if not t.name.strip():
        raise ActionError("指标名称不能为空")
    if not 2000 <= int(t.year) <= 2100:
        raise ActionError(f"年度“{t.year}”不在 2000–2100 之间")
    if t.key_industry_id and t.area_id:
        raise ActionError("一个目标只能对应一个重点产业或一个街道镇，不能同时指定")
    if t.kind == TargetKind.AMOUNT and t.target_fen is None:
        raise ActionError("税收金额目标须填写区级税收目标（万元）")
    if t.kind == TargetKind.AMOUNT and t.target_fen is not None and t.target_fen <= 0:
        raise ActionError("区级税收目标须大于 0")
    if t.kind == TargetKind.GROWTH and t.growth_pct is None:
        raise ActionError("增长率目标须填写增长目标（%）")
    if t.kind in (TargetKind.SHARE, TargetKind.REPORTED) and t.target_value is None:
        raise ActionError("该类型目标须填写目标值")
    if t.kind in (TargetKind.SHARE, TargetKind.REPORTED) and t.target_value == 0:
        raise ActionError("目标值不能为 0")
    clash = Target.objects.filter(year=t.year, name=t.name.strip())
    if t.pk:
        clash = clash.exclude(pk=t.pk)
    if clash.exists():
        raise ActionError(f"{t.year} 年已有名为“{t.name}”的目标")


def do_save_target(
    acting_user: Any,
    target: Target,
    departments: Iterable[Any] | None = None,
    *,
    reason: str = "",
    request: Any = None,
) -> Target:
    """Create or update a target (``target`` is an unsaved or a modified instance)."""
    target.name = target.name.strip()
    validate(target)
    with transaction.atomic():
        before = None
        if target.pk:
            before = target_snapshot(Target.objects.select_related("key_industry", "area").get(pk=target.pk))
        creating = target.pk is None
        if creating and getattr(acting_user, "is_authenticated", False):
            target.created_by = acting_user
        target.save()
        if departments is not None:
            target.departments.set(list(departments))
        after = target_snapshot(target)
        if before == after:
            return target
        record(
            acting_user,
            A.TARGET_CREATE if creating else A.TARGET_UPDATE,
            target,
            before=before,
            after=after,
            reason=reason,
            request=request,
        )
    return target


def do_delete_target(acting_user: Any, target: Target, *, reason: str = "", request: Any = None) -> None:
    if not reason.strip():
        raise ActionError("删除目标须说明原因")
    with transaction.atomic():
        before = target_snapshot(target)
        pk, label = target.pk, str(target)
        target.delete()
        record(
            acting_user,
            A.TARGET_DELETE,
            object_type="targets.target",
            object_id=str(pk),
            object_repr=label,
            before=before,
            reason=reason,
            request=request,
        )


def parse_value(raw: Any, label: str = "完成值") -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ActionError(f"{label}“{raw}”不是数字") from None
    if not value.is_finite():
        raise ActionError(f"{label}“{raw}”不是数字")
    if value != value.quantize(Decimal("0.01")):
        raise ActionError(f"{label}“{raw}”最多保留两位小数")
    return value


def do_report_value(
    acting_user: Any,
    target: Target,
    *,
    month: str,
    value: Any,
    note: str = "",
    attachment: Any = None,
    department: Any = None,
    request: Any = None,
) -> TargetReport:
    """A responsible department reports the cumulative value of a ``reported`` target up to ``month``.
    Every report is kept (history); the latest one up to a month counts."""
    import re

    if target.kind != TargetKind.REPORTED:
        raise ActionError("只有“部门报送”类目标需要报送完成值")
    if not can_report(acting_user, target):
        raise ActionError("只有责任部门或管理员可以报送该目标的完成情况")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise ActionError(f"月份“{month}”格式应为 YYYY-MM")
    if int(month[:4]) != target.year:
        raise ActionError(f"月份“{month}”不在目标年度 {target.year} 年内")
    number = parse_value(value)
    if number < 0:
        raise ActionError(f"完成值“{value}”不能为负数")
    if attachment is not None:
        suffix = attachment.name.rsplit(".", 1)[-1].lower() if "." in attachment.name else ""
        if suffix not in ATTACHMENT_TYPES:
            raise ActionError(
                f"附件“{attachment.name}”类型不支持（可上传 {'、'.join(sorted(ATTACHMENT_TYPES))}）"
            )
        if attachment.size > 20 * 1024 * 1024:
            raise ActionError("附件不能超过 20 MB")
    dept = None
    if department is not None:  # an administrator entering a department's figure on its behalf
        if not target.departments.filter(pk=department.pk).exists():
            raise ActionError(f"{department} 不是该目标的责任部门")
        if (
            not getattr(acting_user, "is_admin", False)
            and not department.users.filter(pk=acting_user.pk).exists()
        ):
            raise ActionError(f"只能以本部门名义报送（{department}）")
        dept = department
    elif getattr(acting_user, "is_authenticated", False):
        dept = target.departments.filter(users=acting_user).first()
    with transaction.atomic():
        report = TargetReport(
            target=target,
            month=month,
            value=number,
            note=note.strip(),
            department=dept,
            reported_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        if attachment is not None:
            report.attachment_name = attachment.name[:200]
            report.attachment.save(attachment.name, attachment, save=False)
        report.save()
        record(
            acting_user,
            A.TARGET_REPORT,
            target,
            after={
                "month": month,
                "value": str(number),
                "note": report.note,
                "attachment": report.attachment_name,
                "department": dept.name if dept else None,
            },
            request=request,
        )
    return report


def do_update_settings(
    acting_user: Any, *, green_gap: Any, yellow_gap: Any, basis: str, request: Any = None
) -> TargetSettings:
    green = parse_value(green_gap, "绿色阈值")
    yellow = parse_value(yellow_gap, "黄色阈值")
    if yellow > green:
        raise ActionError(f"黄色阈值（{yellow}）不能高于绿色阈值（{green}）")
    if basis not in TargetSettings.Basis.values:
        raise ActionError(f"比较基准“{basis}”无效")
    with transaction.atomic():
        obj = TargetSettings.current()
        before = {"green_gap": str(obj.green_gap), "yellow_gap": str(obj.yellow_gap), "basis": obj.basis}
        obj.green_gap, obj.yellow_gap, obj.basis = green, yellow, basis
        obj.save()
        after = {"green_gap": str(obj.green_gap), "yellow_gap": str(obj.yellow_gap), "basis": obj.basis}
        record(acting_user, A.SETTINGS_UPDATE, obj, before=before, after=after, request=request)
    return obj


def doubling_path(base_fen: int, goal_fen: int, base_year: int, final_year: int) -> dict[str, int]:
    """Yearly milestones on a constant-growth path from the base value to the goal (fen, half-up).

    Growth factor per year r = (goal/base)^(1/n); computed with Decimal at 28 digits, rounded to fen."""
    n = final_year - base_year
    if n <= 0 or base_fen <= 0:
        return {}
    ratio = (Decimal(goal_fen) / Decimal(base_fen)) ** (Decimal(1) / Decimal(n))
    out = {}
    for i in range(1, n + 1):
        value = Decimal(base_fen) * ratio**i
        out[str(base_year + i)] = int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    out[str(final_year)] = goal_fen
    return out


def do_create_plan(
    acting_user: Any, *, name: str, base_year: int, final_year: int, note: str = "", request: Any = None
) -> FiveYearPlan:
    name = (name or "").strip()
    if not name:
        raise ActionError("规划名称不能为空")
    if not 1 <= final_year - base_year <= 10:
        raise ActionError(f"目标年份（{final_year}）须晚于基期年份（{base_year}），且相差不超过 10 年")
    if FiveYearPlan.objects.filter(name=name).exists():
        raise ActionError(f"已有名为“{name}”的规划")
    with transaction.atomic():
        plan = FiveYearPlan.objects.create(
            name=name, base_year=base_year, final_year=final_year, note=note.strip()
        )
        record(
            acting_user,
            A.PLAN_CREATE,
            plan,
            after={"name": name, "base_year": base_year, "final_year": final_year},
            request=request,
        )
    return plan


def do_save_plan_line(
    acting_user: Any,
    plan: FiveYearPlan,
    key_industry: Any,
    *,
    base_fen: int,
    goal_fen: int,
    milestones: dict[str, int] | None = None,
    request: Any = None,
) -> PlanLine:
    """Set one industry's base value, goal and milestones (default: the doubling path)."""
    if base_fen <= 0 or goal_fen <= 0:
        raise ActionError("基期值和目标值须大于 0")
    path = milestones or doubling_path(base_fen, goal_fen, plan.base_year, plan.final_year)
    with transaction.atomic():
        line = PlanLine.objects.filter(plan=plan, key_industry=key_industry).first()
        before = None
        if line:
            before = {"base_fen": line.base_fen, "goal_fen": line.goal_fen, "milestones": line.milestones}
        else:
            line = PlanLine(plan=plan, key_industry=key_industry)
        line.base_fen, line.goal_fen, line.milestones = base_fen, goal_fen, path
        line.save()
        record(
            acting_user,
            A.PLAN_LINE_UPDATE if before else A.PLAN_LINE_CREATE,
            line,
            before=before,
            after={"base_fen": base_fen, "goal_fen": goal_fen, "milestones": path},
            request=request,
        )
    return line


__all__ = [
    "ActionError",
    "do_delete_target",
    "do_report_value",
    "do_save_plan_line",
    "do_save_target",
    "do_update_settings",
    "doubling_path",
    "div_round",
    "target_snapshot",
]
