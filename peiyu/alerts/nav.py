from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("重点企业预警"),
        "alerts:inbox",
        "!",
        order=30,
        children=(
            NavItem(_("我的待办"), "alerts:inbox"),
            NavItem(_("预警列表"), "alerts:list"),
            NavItem(_("重点企业"), "alerts:key_enterprises"),
            NavItem(_("预警规则"), "alerts:rules", permission="admin"),
        ),
    )
]
