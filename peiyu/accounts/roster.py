"""Bulk user roster import (用户名册): columns 用户名, 姓名, 角色, 范围 (synonyms accepted).

All or nothing per file: every row is checked first; one bad row and no user is created. Errors are
``{row, column, value, message}`` with the spreadsheet row number and a Chinese message. Built on
the import kit (:mod:`peiyu.core.imports`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from peiyu.accounts import audit_actions as A
from peiyu.accounts import departments
from peiyu.accounts.models import Department, Role, User
from peiyu.core.imports import Field, Importer, ImportReport, Refused, Row, error_row
from peiyu.core.tabular import clean_text

SYNONYMS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "账号", "帐号", "登录名", "登录账号", "用户账号", "账户", "username", "user"),
    "display_name": ("姓名", "名称", "显示名", "用户姓名", "单位/姓名", "name"),
    "role": ("角色", "角色类型", "用户角色", "用户类型", "role"),
    "scope": ("范围", "数据范围", "权限范围", "负责范围", "管辖范围", "scope"),
}
REQUIRED = ("username", "role")

ROLE_WORDS: dict[str, str] = {
    "管理员": Role.ADMIN,
    "系统管理员": Role.ADMIN,
    "区领导": Role.LEADER,
    "领导": Role.LEADER,
    "产业专班": Role.TASKFORCE,
    "产业发展专班": Role.TASKFORCE,
    "专班": Role.TASKFORCE,
    "产业主管部门": Role.DEPARTMENT,
    "主管部门": Role.DEPARTMENT,
    "部门": Role.DEPARTMENT,
    "街道镇": Role.AREA,
    "区域": Role.AREA,
    "街道": Role.AREA,
    "镇": Role.AREA,
    "重点地区": Role.AREA,
    "企业服务专员": Role.SERVICE,
    "服务专员": Role.SERVICE,
    "金牌店小二": Role.SERVICE,
}
ROLE_WORDS.update({code: code for code in Role.values})
SCOPE_SPLIT = re.compile(r"[、,，;；\s]+")
WHOLE_DISTRICT = {"全区", "全部", "全区范围", "-", "—", "无"}
SCOPED_ROLES = {Role.TASKFORCE, Role.DEPARTMENT, Role.AREA}


@dataclass
class RosterRow:
    row: int
    username: str
    display_name: str
    role: str
    industries: list[Any] = field(default_factory=list)
    areas: list[Any] = field(default_factory=list)
    departments: list[Any] = field(default_factory=list)
    enterprises: list[Any] = field(default_factory=list)


@dataclass
class RosterResult(ImportReport):
    """The report of one roster: ``created`` lists the users made (with their initial passwords,
    shown once); ``entries`` the checked rows."""

    created: list[dict[str, Any]] = field(default_factory=list)
    entries: list[RosterRow] = field(default_factory=list)

    COUNT_LABELS: ClassVar[dict[str, str]] = {"created_count": "新建用户"}

    @property
    def created_count(self) -> int:
        return len(self.created)

    @property
    def ok(self) -> bool:
        return super().ok and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "ok": self.ok, "created": len(self.created), "users": self.created}


def parse_role(text: str) -> str | None:
    key = re.sub(r"\s+", "", clean_text(text)).lower()
    return ROLE_WORDS.get(key)


class _Resolver:
    """Scope names to objects: key industries (name or code name), areas (name, code, or the name
    without its 街道/镇 suffix), departments (name or short name), enterprises (credit code)."""

    def __init__(self) -> None:
        from peiyu.registry.models import Area, KeyIndustry

        self.industries: dict[str, Any] = {}
        for ind in KeyIndustry.objects.all():
            self.industries[ind.name] = ind
            self.industries[ind.slug.lower()] = ind
        self.areas: dict[str, Any] = {}
        for area in Area.objects.all():
            self.areas[area.name] = area
            self.areas[area.code] = area
        for area in Area.objects.all():
            for suffix in ("街道", "镇"):
                if area.name.endswith(suffix) and len(area.name) > len(suffix) + 1:
                    self.areas.setdefault(area.name[: -len(suffix)], area)
        self.departments = departments.Resolver(Department.objects.all())

    def resolve(self, token: str) -> tuple[str, Any] | None:
        if token in self.industries or token.lower() in self.industries:
            return "industry", self.industries.get(token) or self.industries[token.lower()]
        if token in self.areas:
            return "area", self.areas[token]
        dept = self.departments.resolve(token)
        if dept is not None:
            return "department", dept
        if len(token) == 18:
            from peiyu.registry.models import Enterprise

            ent = Enterprise.objects.filter(credit_code=token.upper()).first()
            if ent is not None:
                return "enterprise", ent
        return None


def _did_you_mean(names: list[str]) -> str:
    return f"；您是否指：{'、'.join(names)}？" if names else ""


def _field(key: str, **kwargs: Any) -> Field:
    names = SYNONYMS[key]
    return Field(key, names[0], synonyms=names[1:], **kwargs)


def _checked_role(text: Any) -> str:
    role = parse_role(text)
    if role is None:
        raise ValueError(
            "角色无法识别，应为 管理员、区领导、产业专班、产业主管部门、街道镇（或 区域）、企业服务专员 之一"
        )
    return role


class RosterImporter(Importer):
    kind = "users"
    title = "用户名册"
    audit_action = A.USERS_IMPORT
    report_class = RosterResult
    no_rows_message = "名册中没有用户"
    fields: ClassVar[list[Field]] = [
        _field("username", required=True, blank_message="用户名不能为空"),
        _field("display_name"),
        _field("role", required=True, parse=_checked_role, blank_message="角色不能为空", cache=True),
        _field("scope"),
    ]

    def prepare(self) -> None:
        self.resolver = _Resolver()
        self.seen: dict[str, int] = {}
        self.existing = {u.lower() for u in User.objects.values_list("username", flat=True)}
        self.validate_username = UnicodeUsernameValidator()

    def skip_row(self, row: list[Any]) -> bool:
        assert self.header is not None
        first = clean_text(row[0]) if row else ""
        j = self.header.columns["role"]
        role_text = clean_text(row[j]) if j < len(row) else ""
        return first in {"合计", "总计", "说明", "备注"} and not role_text

    def clean(self, row: Row) -> RosterRow:
        username = row["username"] or ""
        if username:
            try:
                self.validate_username(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                row.error("username", "用户名只能包含字母、数字、汉字和 @ . + - _，且不超过 150 个字符")
            if username.lower() in self.seen:
                row.error("username", f"用户名与第 {self.seen[username.lower()]} 行重复")
            elif username.lower() in self.existing:
                row.error("username", "用户名已存在（名册导入只新建用户；修改请到“用户与范围”页面）")
            self.seen.setdefault(username.lower(), row.number)
        role = row["role"]
        display_name = row["display_name"] or ""
        if len(display_name) > 60:
            row.error("display_name", "姓名不能超过 60 个字符")
        entry = RosterRow(row.number, username, display_name, role or "")
        scope_text = row["scope"] or ""
        tokens = [t for t in SCOPE_SPLIT.split(scope_text) if t]
        if role in (Role.ADMIN, Role.LEADER):
            tokens = [t for t in tokens if t not in WHOLE_DISTRICT]
            if tokens:
                row.error("scope", "管理员和区领导可查看全区数据，范围应留空或填“全区”")
            tokens = []
        for token in tokens:
            found = self.resolver.resolve(token)
            if found is None:
                row.error(
                    "scope",
                    f"范围“{token}”不是已知的重点产业、街道镇（重点地区）、部门名称或企业统一社会信用代码"
                    + _did_you_mean(self.resolver.departments.suggest(token)),
                    token,
                )
                continue
            kind, obj = found
            target = {"industry": entry.industries, "area": entry.areas, "department": entry.departments}.get(
                kind, entry.enterprises
            )
            if obj not in target:
                target.append(obj)
        if role in SCOPED_ROLES and not tokens and row.has("scope"):
            row.error("scope", "该角色须填写范围（重点产业、街道镇或部门名称）", scope_text)
        elif role in SCOPED_ROLES and not row.has("scope"):
            row.error("scope", "文件缺少“范围”列，该角色须填写范围", "")
        return entry

    def clean_all(self, items: list[Any]) -> list[Any]:
        report = self.report
        assert isinstance(report, RosterResult)
        report.entries = items
        return items

    def accepted_message(self, report: ImportReport) -> str:
        return f"已导入 {report.accepted} 个用户，首次登录须修改密码。"

    def rejected_message(self, report: ImportReport) -> str:
        return f"名册有 {len(self.errors)} 处错误，未导入任何用户"

    def stored_report(self, report: ImportReport) -> dict[str, Any]:
        payload = super().stored_report(report)
        payload["users"] = [{k: v for k, v in u.items() if k != "password"} for u in payload.get("users", [])]
        return payload

    def audit_detail(self, report: ImportReport) -> dict[str, Any]:
        assert isinstance(report, RosterResult)
        return {"created": len(report.created), "batch_id": report.batch_id}

    def reason(self, row: int | None = None) -> str:
        return f"名册导入：{self.report.file} 第 {row} 行"

    def store(self, items: list[RosterRow], report: ImportReport) -> None:
        from peiyu.accounts.actions import ActionError, do_create_user
        from peiyu.accounts.audit import record

        assert isinstance(report, RosterResult)
        by = self.user
        try:
            for entry in items:
                user, password = do_create_user(
                    by,
                    username=entry.username,
                    display_name=entry.display_name,
                    role=entry.role,
                    key_industries=entry.industries,
                    areas=entry.areas,
                    departments=entry.departments,
                    reason=self.reason(entry.row),
                    request=self.request,
                )
                for ent in entry.enterprises:
                    before = ent.liaison.username if ent.liaison_id else None
                    ent.liaison = user
                    ent.save(update_fields=["liaison"])
                    record(
                        by,
                        A.LIAISON_ASSIGN,
                        ent,
                        before={"liaison": before},
                        after={"liaison": user.username},
                        reason=self.reason(entry.row),
                        request=self.request,
                    )
                report.created.append(
                    {
                        "row": entry.row,
                        "username": user.username,
                        "display_name": user.display_name,
                        "role": user.role,
                        "role_label": user.get_role_display(),
                        "scope": "、".join(
                            [o.name for o in entry.industries]
                            + [o.name for o in entry.areas]
                            + [o.name for o in entry.departments]
                            + [o.credit_code for o in entry.enterprises]
                        ),
                        "password": password,
                    }
                )
        except ActionError as exc:
            report.created = []
            raise Refused(str(exc), [error_row(None, "", "", str(exc))]) from None


def parse_file(path: str | Path, filename: str | None = None) -> RosterResult:
    """Read and check a roster; nothing is written."""
    report = RosterImporter().check(path, filename)
    assert isinstance(report, RosterResult)
    return report


def import_roster(
    path: str | Path,
    *,
    by: Any = "命令行",
    filename: str | None = None,
    request: Any = None,
    upload: Any = None,
) -> RosterResult:
    """Check the whole file, then create every user in one transaction (or none)."""
    report = RosterImporter().run(path, filename, user=by, request=request, upload=upload)
    assert isinstance(report, RosterResult)
    return report
