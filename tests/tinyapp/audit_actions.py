from peiyu.accounts.audit import Action

POKE = Action("tinyapp.thing.poke", "戳一下小应用")
DETAIL_LABELS = {"pokes": "戳的次数"}
