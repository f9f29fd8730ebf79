from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("载体与楼宇"),
        "carriers:index",
        "▦",
        order=60,
        children=(
            NavItem(_("楼宇经济"), "carriers:index"),
            NavItem(_("园区"), "carriers:parks"),
            NavItem(_("孵化器评价"), "carriers:incubators"),
            NavItem(_("科创平台"), "carriers:platforms"),
            NavItem(_("空间匹配"), "carriers:match"),
            NavItem(_("载体地图"), "carriers:map"),
            NavItem(_("租税联动测算"), "carriers:rent"),
            NavItem(_("导入楼宇/企业"), "carriers:import", permission="carriers.manage"),
            NavItem(_("楼宇经济设置"), "carriers:settings", permission="admin"),
        ),
    )
]
