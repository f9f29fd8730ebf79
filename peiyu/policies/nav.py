from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("产业政策"),
        "policies:index",
        "¥",
        order=60,
        children=(
            NavItem(_("政策目录"), "policies:index"),
            NavItem(_("兑现台账"), "policies:awards"),
            NavItem(_("公示名单"), "policies:publicity"),
            NavItem(_("绩效评估"), "policies:evaluation"),
            NavItem(_("政策未覆盖企业"), "policies:gap"),
            NavItem(_("兑现台账导入"), "policies:import", permission="admin"),
        ),
    )
]
