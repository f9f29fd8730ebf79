def load_all():
    return {"tiny_things": 3}
