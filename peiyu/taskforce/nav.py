from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("产业专班"),
        "taskforce:index",
        "班",
        order=60,
        children=(
            NavItem(_("专班首页"), "taskforce:index"),
            NavItem(_("会议"), "meetings:list"),
            NavItem(_("信息报送"), "taskforce:reports"),
            NavItem(_("营商环境措施"), "taskforce:measures"),
            NavItem(_("督办通报"), "taskforce:bulletin"),
            NavItem(_("宣传推介"), "taskforce:publicity"),
            NavItem(_("措施导入"), "taskforce:measures_import", permission="admin"),
            NavItem(_("联络员导入"), "taskforce:liaison_import", permission="admin"),
        ),
    )
]
