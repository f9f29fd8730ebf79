from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("产业税收"),
        "taxes:dashboard",
        "¥",
        order=10,
        children=(
            NavItem(_("税收总览"), "taxes:dashboard"),
            NavItem(_("企业税收明细"), "taxes:enterprises"),
            NavItem(_("增长分解"), "taxes:decomposition"),
            NavItem(_("排名与集中度"), "taxes:top"),
            NavItem(_("数据导入"), "taxes:import", permission="admin"),
            NavItem(_("版本管理"), "taxes:versions", permission="admin"),
            NavItem(_("待匹配纳税人"), "taxes:unmatched", permission="admin"),
            NavItem(_("分成比例"), "taxes:ratios", permission="admin"),
        ),
    )
]
