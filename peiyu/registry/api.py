PREFIX = ""
router = None
