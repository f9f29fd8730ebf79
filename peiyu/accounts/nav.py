from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [
    NavItem(
        _("系统管理"),
        "accounts:tokens",
        "⚙",
        order=900,
        children=(
            NavItem(_("用户与范围"), "accounts:users", permission="admin"),
            NavItem(_("审计日志"), "accounts:audit", permission="admin"),
            NavItem(_("API 令牌"), "accounts:tokens"),
        ),
    )
]
