"""The left navigation, by module. An entry appears once its URL exists (modules arrive over time)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translation string
    url_name: str
    icon: str  # a short text glyph; no icon font is loaded from outside
    admin_only: bool = False
    children: tuple[NavItem, ...] = ()


NAV: tuple[NavItem, ...] = (
    NavItem(_("首页"), "web:home", "⌂"),
    NavItem(
        _("产业税收"),
        "taxes:dashboard",
        "¥",
        children=(
            NavItem(_("税收总览"), "taxes:dashboard", ""),
            NavItem(_("企业税收明细"), "taxes:enterprises", ""),
            NavItem(_("增长分解"), "taxes:decomposition", ""),
            NavItem(_("排名与集中度"), "taxes:top", ""),
            NavItem(_("数据导入"), "taxes:import", "", admin_only=True),
            NavItem(_("版本管理"), "taxes:versions", "", admin_only=True),
            NavItem(_("待匹配纳税人"), "taxes:unmatched", "", admin_only=True),
            NavItem(_("分成比例"), "taxes:ratios", "", admin_only=True),
        ),
    ),
    NavItem(
        _("目标考核"),
        "targets:board",
        "◎",
        children=(
            NavItem(_("目标看板"), "targets:board", ""),
            NavItem(_("部门责任"), "targets:departments", ""),
            NavItem(_("五年规划"), "targets:plan", ""),
            NavItem(_("目标导入"), "targets:import", "", admin_only=True),
        ),
    ),
    NavItem(
        _("重点企业预警"),
        "alerts:inbox",
        "!",
        children=(
            NavItem(_("我的待办"), "alerts:inbox", ""),
            NavItem(_("预警列表"), "alerts:list", ""),
            NavItem(_("重点企业"), "alerts:key_enterprises", ""),
            NavItem(_("预警规则"), "alerts:rules", "", admin_only=True),
        ),
    ),
    NavItem(
        _("督办与待办"),
        "work:inbox",
        "✓",
        children=(
            NavItem(_("我的待办"), "work:inbox", ""),
            NavItem(_("督办通报"), "work:bulletin", ""),
            NavItem(_("消息通知"), "work:notifications", ""),
            NavItem(_("工作日历"), "work:calendar", "", admin_only=True),
            NavItem(_("单位负责人"), "work:leaders", "", admin_only=True),
            NavItem(_("定时任务"), "work:schedules", "", admin_only=True),
            NavItem(_("后台任务"), "work:jobs", "", admin_only=True),
        ),
    ),
    NavItem(
        _("企业名录"),
        "registry:list",
        "▤",
        children=(
            NavItem(_("企业查询"), "registry:list", ""),
            NavItem(_("重点产业口径"), "registry:industries", ""),
            NavItem(_("名录导入"), "registry:import", "", admin_only=True),
        ),
    ),
    NavItem(
        _("系统管理"),
        "accounts:tokens",
        "⚙",
        children=(
            NavItem(_("用户与范围"), "accounts:users", "", admin_only=True),
            NavItem(_("审计日志"), "accounts:audit", "", admin_only=True),
            NavItem(_("API 令牌"), "accounts:tokens", ""),
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
                children.append({"label": str(child.label), "url": curl, "active": current_path == curl})
        section = "/" + url.strip("/").split("/")[0] + "/" if url.strip("/") else None
        active = (
            current_path == url
            or any(c["active"] for c in children)
            or (section is not None and current_path.startswith(section))
        )
        out.append(
            {"label": str(item.label), "url": url, "icon": item.icon, "children": children, "active": active}
        )
    return out
