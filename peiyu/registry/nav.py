from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("企业名录"),
        "registry:list",
        "▤",
        order=40,
        children=(
            NavItem(_("企业查询"), "registry:list"),
            NavItem(_("重点产业口径"), "registry:industries"),
            NavItem(_("名录导入"), "registry:import", permission="admin"),
        ),
    )
]
