from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from peiyu.core.pagecache import reused_page


def home_panels(request: Any) -> list[dict[str, Any]]:
    """The panels the installed apps contribute (``home_panel(request)`` in their ``panels.py``),
    by ``order``. Each panel sees only the user's scope."""
    from peiyu.core import contrib, datacache

    panels = []
    for cfg, make in contrib.attributes("panels", "home_panel"):
        # a panel reads only the user's scope and the data: reused until either changes
        panel = datacache.cached(f"home_panel:{cfg.label}", request.user, partial(make, request))
        if panel:
            panels.append(panel)
    return sorted(panels, key=lambda p: p.get("order", 100))


@login_required
@reused_page
def home(request: Any) -> HttpResponse:
    return render(request, "web/home.html", {"page_title": "首页", "panels": home_panels(request)})


def forbidden(request: Any, exception: Exception | None = None) -> HttpResponse:
    """Every 403 (a PermissionDenied anywhere) is the Chinese page, and a recorded denied attempt."""
    from peiyu.accounts import scope

    message = str(exception) if exception is not None and str(exception) else ""
    if not getattr(request, "_peiyu_denied_recorded", False):
        scope.denied(
            request, getattr(request, "user", None), what=f"无权访问：{request.path}", reason=message
        )
    return scope.forbidden_response(request, message or "您没有使用此功能的权限。")


def healthz(request: Any) -> JsonResponse:
    """``ok``, or ``degraded`` with the tax library months whose file is missing or damaged (the
    pages leave them out; ``peiyu check`` says what to do). 503 only when the database is down."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as exc:
        return JsonResponse({"status": "error", "database": f"{type(exc).__name__}"}, status=503)
    from peiyu.taxes import library

    damaged = library.damaged_active()
    body: dict[str, Any] = {"status": "degraded" if damaged else "ok", "database": "ok"}
    body["tax_library"] = {"status": "degraded" if damaged else "ok", "damaged_months": damaged}
    if damaged:
        body["message"] = library.degraded_message(damaged)
    return JsonResponse(body)
