from peiyu.web.navitem import NavItem

NAV = [NavItem("小应用", "tinyapp:index", "◇", order=500, permission="tinyapp.use")]
