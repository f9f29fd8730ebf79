PERMISSIONS = {"tinyapp.use": lambda user: user.username != "outsider_p"}
