def cockpit_tile(request):
    return {"title": "小应用磁贴", "value": 7, "unit": "件", "url": "/tinyapp/", "rows": [("本周", 3)]}
