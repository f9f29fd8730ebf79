def home_panel(request):
    return {"template": "tinyapp/panel.html", "order": 1, "greeting": "小应用面板"}
