def populate_world(world):
    world["tinyapp"] = "planted"
