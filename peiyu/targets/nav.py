from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("目标考核"),
        "targets:board",
        "◎",
        order=20,
        children=(
            NavItem(_("目标看板"), "targets:board"),
            NavItem(_("部门责任"), "targets:departments"),
            NavItem(_("五年规划"), "targets:plan"),
            NavItem(_("目标导入"), "targets:import", permission="admin"),
        ),
    )
]
