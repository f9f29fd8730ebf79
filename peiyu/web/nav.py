"""The left navigation, by module. An entry appears once its URL exists (modules arrive over time)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str  # a short text glyph; no icon font is loaded from outside
    admin_only: bool = False
    children: tuple[NavItem, ...] = ()


NAV: tuple[NavItem, ...] = (
    NavItem("首页", "web:home", "⌂"),
    NavItem(
        "产业税收",
        "taxes:dashboard",
        "¥",
        children=(
            NavItem("税收总览", "taxes:dashboard", ""),
            NavItem("企业税收明细", "taxes:enterprises", ""),
            NavItem("增长分解", "taxes:decomposition", ""),
            NavItem("数据导入", "taxes:import", "", admin_only=True),
            NavItem("版本管理", "taxes:versions", "", admin_only=True),
            NavItem("待匹配纳税人", "taxes:unmatched", "", admin_only=True),
            NavItem("分成比例", "taxes:ratios", "", admin_only=True),
        ),
    ),
    NavItem(
        "目标考核",
        "targets:board",
        "◎",
        children=(
            NavItem("目标看板", "targets:board", ""),
            NavItem("部门责任", "targets:departments", ""),
            NavItem("五年规划", "targets:plan", ""),
            NavItem("目标导入", "targets:import", "", admin_only=True),
        ),
    ),
    NavItem(
        "重点企业预警",
        "alerts:inbox",
        "!",
        children=(
            NavItem("我的待办", "alerts:inbox", ""),
            NavItem("预警列表", "alerts:list", ""),
            NavItem("重点企业", "alerts:key_enterprises", ""),
            NavItem("预警规则", "alerts:rules", "", admin_only=True),
        ),
    ),
    NavItem(
        "企业名录",
        "registry:list",
        "▤",
        children=(
            NavItem("企业查询", "registry:list", ""),
            NavItem("重点产业口径", "registry:industries", ""),
            NavItem("名录导入", "registry:import", "", admin_only=True),
        ),
    ),
    NavItem(
        "系统管理",
        "accounts:users",
        "⚙",
        admin_only=True,
        children=(
            NavItem("用户与范围", "accounts:users", "", admin_only=True),
            NavItem("审计日志", "accounts:audit", "", admin_only=True),
            NavItem("API 令牌", "accounts:tokens", ""),
        ),
    ),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def build_nav(user, current_path: str) -> list[dict]:
    is_admin = bool(getattr(user, "is_admin", False))
    out = []
    for item in NAV:
        if item.admin_only and not is_admin:
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        children = []
        for child in item.children:
            if child.admin_only and not is_admin:
                continue
            curl = _url(child.url_name)
            if curl:
                children.append({"label": child.label, "url": curl, "active": current_path == curl})
        active = (
            current_path == url
            or any(c["active"] for c in children)
            or (url != "/" and current_path.startswith(url.rstrip("/").rsplit("/", 1)[0] + "/"))
        )
        out.append(
            {"label": item.label, "url": url, "icon": item.icon, "children": children, "active": active}
        )
    return out
