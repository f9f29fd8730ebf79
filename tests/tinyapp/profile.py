def profile_section(request, enterprise):
    return {"template": "tinyapp/section.html", "order": 1, "line": f"小应用档案：{enterprise.name}"}
