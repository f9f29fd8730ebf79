"""Bulk user roster import (用户名册): columns 用户名, 姓名, 角色, 范围 (synonyms accepted).

All or nothing per file: every row is checked first; one bad row and no user is created. Errors are
``{row, column, value, message}`` with the spreadsheet row number and a Chinese message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from peiyu.accounts import audit_actions as A
from peiyu.accounts.models import Department, Role, User
from peiyu.core.tabular import TableError, clean_text, column_letter, find_header, is_blank_row, read_sheets

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
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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
        self.departments: dict[str, Any] = {}
        for dept in Department.objects.all():
            self.departments[dept.name] = dept
            if dept.short_name:
                self.departments.setdefault(dept.short_name, dept)

    def resolve(self, token: str) -> tuple[str, Any] | None:
        if token in self.industries or token.lower() in self.industries:
            return "industry", self.industries.get(token) or self.industries[token.lower()]
        if token in self.areas:
            return "area", self.areas[token]
        if token in self.departments:
            return "department", self.departments[token]
        if len(token) == 18:
            from peiyu.registry.models import Enterprise

            ent = Enterprise.objects.filter(credit_code=token.upper()).first()
            if ent is not None:
                return "enterprise", ent
        return None


def parse_file(path: str | Path, filename: str | None = None) -> RosterResult:
    """Read and check a roster; nothing is written."""
    result = RosterResult()
    try:
        sheets = read_sheets(path, filename)
    except TableError as exc:
        result.errors.append({"row": None, "column": "", "value": "", "message": str(exc)})
        return result
    header = None
    sheet = None
    last_error = ""
    for candidate in sheets:
        try:
            header = find_header(candidate.rows, SYNONYMS, REQUIRED)
            sheet = candidate
            break
        except TableError as exc:
            last_error = str(exc)
    if header is None or sheet is None:
        result.errors.append(
            {"row": None, "column": "", "value": "", "message": last_error or "文件中没有数据"}
        )
        return result

    def col_name(key: str) -> str:
        idx = header.columns[key]
        label = clean_text(sheet.rows[header.row_index][idx]) or header.labels[idx]
        return f"{label}（{column_letter(idx)}列）"

    def cell(values: list[Any], key: str) -> str:
        idx = header.columns.get(key)
        if idx is None or idx >= len(values):
            return ""
        return clean_text(values[idx])

    def error(row: int, key: str, value: str, message: str) -> None:
        result.errors.append({"row": row, "column": col_name(key), "value": value, "message": message})

    resolver = _Resolver()
    seen: dict[str, int] = {}
    existing = {u.lower() for u in User.objects.values_list("username", flat=True)}
    validate_username = UnicodeUsernameValidator()
    for i in range(header.first_data_row, len(sheet.rows)):
        values = sheet.rows[i]
        if is_blank_row(values):
            continue
        rownum = i + 1
        username = cell(values, "username")
        role_text = cell(values, "role")
        first = clean_text(values[0]) if values else ""
        if first in {"合计", "总计", "说明", "备注"} and not role_text:
            continue
        row_ok = True
        if not username:
            error(rownum, "username", "", "用户名不能为空")
            row_ok = False
        else:
            try:
                validate_username(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                error(
                    rownum,
                    "username",
                    username,
                    "用户名只能包含字母、数字、汉字和 @ . + - _，且不超过 150 个字符",
                )
                row_ok = False
            if username.lower() in seen:
                error(rownum, "username", username, f"用户名与第 {seen[username.lower()]} 行重复")
                row_ok = False
            elif username.lower() in existing:
                error(
                    rownum,
                    "username",
                    username,
                    "用户名已存在（名册导入只新建用户；修改请到“用户与范围”页面）",
                )
                row_ok = False
            seen.setdefault(username.lower(), rownum)
        role = parse_role(role_text)
        if role is None:
            error(
                rownum,
                "role",
                role_text,
                "角色无法识别，应为 管理员、区领导、产业专班、产业主管部门、街道镇（或 区域）、企业服务专员 之一"
                if role_text
                else "角色不能为空",
            )
            row_ok = False
        display_name = cell(values, "display_name")
        if len(display_name) > 60:
            error(rownum, "display_name", display_name, "姓名不能超过 60 个字符")
            row_ok = False
        entry = RosterRow(rownum, username, display_name, role or "")
        scope_text = cell(values, "scope")
        tokens = [t for t in SCOPE_SPLIT.split(scope_text) if t]
        if role in (Role.ADMIN, Role.LEADER):
            tokens = [t for t in tokens if t not in WHOLE_DISTRICT]
            if tokens:
                error(rownum, "scope", scope_text, "管理员和区领导可查看全区数据，范围应留空或填“全区”")
                row_ok = False
            tokens = []
        for token in tokens:
            found = resolver.resolve(token)
            if found is None:
                error(
                    rownum,
                    "scope",
                    token,
                    f"范围“{token}”不是已知的重点产业、街道镇（重点地区）、部门名称或企业统一社会信用代码",
                )
                row_ok = False
                continue
            kind, obj = found
            target = {"industry": entry.industries, "area": entry.areas, "department": entry.departments}.get(
                kind, entry.enterprises
            )
            if obj not in target:
                target.append(obj)
        if role in SCOPED_ROLES and not tokens and "scope" in header.columns:
            error(rownum, "scope", scope_text, "该角色须填写范围（重点产业、街道镇或部门名称）")
            row_ok = False
        elif role in SCOPED_ROLES and "scope" not in header.columns:
            result.errors.append(
                {
                    "row": rownum,
                    "column": "范围",
                    "value": "",
                    "message": "文件缺少“范围”列，该角色须填写范围",
                }
            )
            row_ok = False
        if row_ok:
            result.rows.append(entry)
    if not result.rows and not result.errors:
        result.errors.append({"row": None, "column": "", "value": "", "message": "名册中没有用户"})
    return result


def import_roster(
    path: str | Path, *, by: Any = "命令行", filename: str | None = None, request: Any = None
) -> RosterResult:
    """Check the whole file, then create every user in one transaction (or none)."""
    from peiyu.accounts.actions import ActionError, do_create_user
    from peiyu.accounts.audit import record

    result = parse_file(path, filename)
    if not result.ok:
        return result
    name = filename or Path(path).name
    try:
        with transaction.atomic():
            for entry in result.rows:
                user, password = do_create_user(
                    by,
                    username=entry.username,
                    display_name=entry.display_name,
                    role=entry.role,
                    key_industries=entry.industries,
                    areas=entry.areas,
                    departments=entry.departments,
                    reason=f"名册导入：{name} 第 {entry.row} 行",
                    request=request,
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
                        reason=f"名册导入：{name} 第 {entry.row} 行",
                        request=request,
                    )
                result.created.append(
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
            record(
                by,
                A.USERS_IMPORT,
                object_type="file",
                object_repr=name,
                detail={"created": len(result.created)},
            )
    except ActionError as exc:
        result.created = []
        result.errors.append({"row": None, "column": "", "value": "", "message": str(exc)})
    return result
