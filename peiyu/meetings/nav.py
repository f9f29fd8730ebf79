from django.utils.translation import gettext_lazy as _

from peiyu.web.navitem import NavItem

NAV = [NavItem(_("会议"), "meetings:list", "会", order=62)]
