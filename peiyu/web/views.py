from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render


@login_required
def home(request: Any) -> HttpResponse:
    from peiyu.web import home_panels

    return render(request, "web/home.html", {"page_title": "首页", "panels": home_panels.collect(request)})


def healthz(request: Any) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
