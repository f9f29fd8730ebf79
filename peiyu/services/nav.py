from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("企业服务"),
        "services:request_list",
        "☎",
        order=45,
        children=(
            NavItem(_("企业诉求"), "services:request_list"),
            NavItem(_("登记诉求"), "services:request_new", permission="change"),
            NavItem(_("走访计划"), "services:visit_plan"),
            NavItem(_("走访记录"), "services:visit_list"),
            NavItem(_("上市培育库"), "services:listing_list"),
            NavItem(_("融资服务"), "services:financing_list"),
            NavItem(_("街道服务会议"), "services:meeting_list"),
            NavItem(_("沙龙与银企对接"), "services:event_list"),
            NavItem(_("诉求台账导入"), "services:request_import", permission="admin"),
            NavItem(_("回访评价导入"), "services:feedback_import", permission="admin"),
            NavItem(_("走访记录导入"), "services:visit_import", permission="admin"),
        ),
    )
]
