from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("招商引资"),
        "attraction:index",
        "招",
        order=45,
        children=(
            NavItem(_("项目库"), "attraction:index"),
            NavItem(_("小组排行"), "attraction:league"),
            NavItem(_("产业链图谱"), "attraction:chain"),
            NavItem(_("基金招商"), "attraction:funds"),
            NavItem(_("区域合作"), "attraction:events"),
            NavItem(_("调度会"), "attraction:dispatch"),
            NavItem(_("重复申报"), "attraction:duplicates"),
            NavItem(_("招商小组"), "attraction:teams"),
            NavItem(_("台账导入"), "attraction:import", permission="attraction.manage"),
        ),
    )
]
