"""The work app's navigation entries for the discovered navigation (SEAMS.md: ``nav.py``).

Until ``peiyu.web.navitem`` exists on main the central list in :mod:`peiyu.web.nav` carries the
same entries; once discovery lands, that central block is removed and this one is used."""

from __future__ import annotations

from typing import Any

try:
    from peiyu.web.navitem import NavItem  # type: ignore[import-not-found]
except ImportError:  # not merged yet: nothing to contribute through discovery
    NAV: list[Any] = []
else:
    NAV = [
        NavItem(
            "督办与待办",
            "work:inbox",
            icon="✓",
            order=45,
            children=(
                NavItem("我的待办", "work:inbox"),
                NavItem("督办通报", "work:bulletin"),
                NavItem("消息通知", "work:notifications"),
                NavItem("工作日历", "work:calendar", permission="admin"),
                NavItem("单位负责人", "work:leaders", permission="admin"),
                NavItem("定时任务", "work:schedules", permission="admin"),
                NavItem("后台任务", "work:jobs", permission="admin"),
            ),
        )
    ]
