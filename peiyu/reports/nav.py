"""Navigation: 分析报告 (every signed-in user: their own scope's report) and 领导驾驶舱."""

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        "分析报告",
        "reports:index",
        "▤",
        order=70,
        children=(
            NavItem("月度分析报告", "reports:index"),
            NavItem("领导驾驶舱", "reports:cockpit"),
        ),
    )
]
