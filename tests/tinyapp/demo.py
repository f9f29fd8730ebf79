ORDER = 45  # between targets (40) and alerts (50)


def generate(ctx):
    ctx.summary["tinyapp"] = "小应用演示数据"
