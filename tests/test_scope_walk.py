"""The scope guard: walk EVERY URL pattern (pages and /api/v1/ endpoints, whatever exists when the
test runs) as each persona and fail if any response, Excel export included, names an enterprise
(or an unmatched taxpayer) outside that persona's scope, or if any page crashes.

Path parameters are filled generically from a populated world (credit codes, months, years,
industries, areas, usernames, object ids found through the model the URL names). A pattern that
cannot be filled fails the test unless ALLOW_UNFILLED names it with a reason. The machinery lives in
:mod:`peiyu.testing.walk`; the tests at the bottom prove it catches planted leaks.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse, JsonResponse
from django.urls import path

from peiyu.testing import walk as walkers

PERSONAS = (
    "admin",
    "leader",
    "industry_officer",
    "area_officer",
    "department",
    "service_officer",
    "outsider",
)

# route label or URL name -> why it cannot (and need not) be filled. Keep this list short.
ALLOW_UNFILLED: dict[str, str] = {}

# Values for path parameters whose meaning the generic rules cannot guess (parameter name -> values).
PARAM_VALUES: dict[str, list[str]] = {
    "action": [
        "acknowledge",
        "followup",
        "resolve",
        "dismiss",
        "reassign",
        "claim",
        "link",
        "outside",
        "reset",
        "assign",
        "close",
        "reopen",
        "done",
        "approve",
        "reject",
        "delete",
    ],
}


def _skip(route: walkers.Route) -> str | None:
    if route.name == "accounts:logout":
        return "logging out would end the walk (POST only anyway)"
    return None


@pytest.fixture
def walked_world(db):
    return walkers.populated_world()


def _walk_as(client, world, persona, **kwargs):
    user = world[persona]

    def relogin():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    relogin()
    return walkers.walk(
        client,
        world,
        persona,
        skip=_skip,
        allow_unfilled=ALLOW_UNFILLED,
        relogin=relogin,
        values=PARAM_VALUES,
        **kwargs,
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_endpoint_shows_anything_outside_the_scope(client, walked_world, persona):
    report = _walk_as(client, walked_world, persona)
    assert report.routes > 0 and report.requests >= report.routes - len(ALLOW_UNFILLED)
    problems = [str(f) for f in report.findings]
    assert not problems, f"{persona}: {len(problems)} problem(s)\n" + "\n".join(problems[:60])
    # Not vacuous: the persona really was logged in and its own enterprises do show up somewhere
    # (a walk that only met login redirects or empty pages would find no leak either).
    assert report.statuses.get(200, 0) >= 10, report.statuses
    visible = {walked_world["enterprises"][k].name for k in walked_world["visible"][persona]}
    if any(r.name.startswith("registry:") for r in walkers.iter_routes()):
        assert report.seen == visible, f"{persona} never saw: {sorted(visible - report.seen)}"


def test_every_pattern_is_walked_and_api_included(walked_world):
    routes = list(walkers.iter_routes())
    labels = [r.label for r in routes]
    assert any(r.is_api for r in routes), labels
    assert any(r.name == "accounts:user_edit" for r in routes)
    source = walkers.ValueSource(walked_world, PARAM_VALUES)
    unfilled = [
        r.label
        for r in routes
        if not walkers.fill(r, source) and r.label not in ALLOW_UNFILLED and r.name not in ALLOW_UNFILLED
    ]
    assert not unfilled, (
        "these URL patterns cannot be filled (add values or an ALLOW_UNFILLED reason):\n"
        + "\n".join(unfilled)
    )
    stale = [k for k in ALLOW_UNFILLED if not any(k in (r.label, r.name) for r in routes)]
    assert not stale, f"ALLOW_UNFILLED names patterns that no longer exist: {stale}"


# --------------------------------------------------------------------------------------------------
# The walker itself must catch leaks: a URLconf of planted mistakes (used only by the tests below).
# --------------------------------------------------------------------------------------------------


def _all_names():
    from peiyu.registry.models import Enterprise

    return list(Enterprise.objects.values_list("name", "credit_code"))


def leaky_list(request):  # ignores the scope entirely
    return HttpResponse("<ul>" + "".join(f"<li>{n}</li>" for n, _ in _all_names()) + "</ul>")


def scoped_list(request):  # correct: goes through the scope module
    from peiyu.accounts import scope

    return HttpResponse("".join(f"<li>{e.name}</li>" for e in scope.enterprises(request.user)))


def leaky_detail(request, credit_code):  # finds the enterprise without asking the scope
    from peiyu.registry.models import Enterprise

    ent = Enterprise.objects.filter(credit_code=credit_code).first()
    return HttpResponse(ent.name if ent else "不存在", status=200 if ent else 404)


def scoped_detail(request, credit_code):
    from peiyu.accounts import scope

    return HttpResponse(scope.get_enterprise_or_404(request.user, credit_code).name)


def echo_detail(request, credit_code):  # echoes the URL the user typed (language form): not a leak
    from peiyu.accounts import scope

    found = scope.enterprises(request.user).filter(credit_code=credit_code).first()
    return HttpResponse(
        f'<input name="next" value="{request.get_full_path()}">{found.name if found else "企业不存在"}'
    )


def leaky_json(request):  # JSON escapes Chinese as \\uXXXX: the walker must still see it
    from peiyu.accounts import scope

    if scope.scope_for(request.user).everything:
        return JsonResponse({"rows": []})
    return JsonResponse(
        {"codes": [c for _, c in _all_names()][:1], "names": [n for n, _ in _all_names()][-1:]}
    )


def leaky_export(request):  # the page is fine, the Excel export is not
    from peiyu.accounts import scope
    from peiyu.core.export import Column, Table, xlsx_response

    if request.GET.get("export") == "xlsx":
        rows = [{"name": n} for n, _ in _all_names()]
        return xlsx_response("x.xlsx", [Table("企业", [Column("企业名称", "name")], rows)])
    return HttpResponse(", ".join(e.name for e in scope.enterprises(request.user)))


def leaky_filter(request):  # an ?industry= filter that replaces the scope instead of narrowing it
    from peiyu.accounts import scope
    from peiyu.registry.models import Enterprise

    qs = scope.enterprises(request.user)
    if request.GET.get("industry", "").isdigit():
        qs = Enterprise.objects.filter(key_industry_id=request.GET["industry"])
    return HttpResponse(", ".join(e.name for e in qs))


def leaky_search(request):  # search that forgets the scope
    from django.db.models import Q

    from peiyu.registry.models import Enterprise

    q = request.GET.get("q", "")
    if not q or q in ("上海", "有限公司"):
        return HttpResponse(f'<input name="q" value="{q}">')
    hits = Enterprise.objects.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    return HttpResponse(f'<input name="q" value="{q}">' + "".join(e.name for e in hits))


def leaky_htmx(request):  # the full page is fine, the htmx partial is not
    from peiyu.accounts import scope

    if request.headers.get("HX-Request"):
        return HttpResponse("".join(n for n, _ in _all_names()))
    return HttpResponse(", ".join(e.name for e in scope.enterprises(request.user)))


def crashing(request):
    raise RuntimeError("boom")


def needs_token(request, token):
    return HttpResponse("ok")


urlpatterns = [
    path("leaky/list/", leaky_list, name="leaky_list"),
    path("ok/list/", scoped_list, name="scoped_list"),
    path("leaky/e/<str:credit_code>/", leaky_detail, name="leaky_detail"),
    path("ok/e/<str:credit_code>/", scoped_detail, name="scoped_detail"),
    path("ok/echo/<str:credit_code>/", echo_detail, name="echo_detail"),
    path("leaky/json/", leaky_json, name="leaky_json"),
    path("leaky/export/", leaky_export, name="leaky_export"),
    path("leaky/filter/", leaky_filter, name="leaky_filter"),
    path("leaky/search/", leaky_search, name="leaky_search"),
    path("leaky/htmx/", leaky_htmx, name="leaky_htmx"),
    path("crash/", crashing, name="crashing"),
    path("t/<uuid:token>/", needs_token, name="needs_token"),
]


@pytest.fixture
def planted(settings, walked_world):
    settings.ROOT_URLCONF = __name__
    return walked_world


def _by_route(report):
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f.where.split("?")[0].split(" ")[0], set()).add(f.kind)
    return out


def test_walker_catches_planted_leaks(client, planted):
    report = _walk_as(client, planted, "area_officer")
    found = _by_route(report)
    hidden = planted["enterprises"]["soft_a1"]
    for url in (
        "/leaky/list/",
        f"/leaky/e/{hidden.credit_code}/",
        "/leaky/json/",
        "/leaky/export/",
        "/leaky/filter/",
        "/leaky/search/",
        "/leaky/htmx/",
    ):
        assert "leak" in found.get(url, set()), (url, [str(f) for f in report.findings])
    assert not any(u.startswith("/ok/") for u in found), [str(f) for f in report.findings]
    assert "error" in found.get("/crash/", set())
    assert any(f.kind == "unfillable" and "needs_token" in f.where for f in report.findings)
    # the leak report names what leaked
    assert any(hidden.name in f.detail for f in report.findings if f.kind == "leak")


def test_walker_respects_allow_list_and_admin_sees_all(client, planted):
    client.force_login(planted["admin"], backend="django.contrib.auth.backends.ModelBackend")
    report = walkers.walk(client, planted, "admin", allow_unfilled={"needs_token": "test"})
    assert not report.of("leak")  # nothing is outside the admin's scope
    assert not report.of("unfillable")
    assert report.of("error")  # the crash is still reported


def test_outsider_sees_no_enterprise_even_through_scoped_views(client, planted):
    report = _walk_as(client, planted, "outsider")
    found = _by_route(report)
    assert "leak" not in found.get("/ok/list/", set())
    assert "leak" in found.get("/leaky/list/", set())


# --------------------------------------------------------------------------------------------------
# POST: no persona changes anything outside its CHANGE scope (a leader changes nothing at all)
# --------------------------------------------------------------------------------------------------


def _post_skip(route: walkers.Route) -> str | None:
    if route.name in ("accounts:logout", "accounts:password_change", "set_language"):
        return "ends the session or changes only the user's own settings"
    return None


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_no_post_changes_anything_outside_the_change_scope(client, walked_world, persona):
    user = walked_world[persona]

    def relogin():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    relogin()
    report = walkers.walk_posts(
        client, walked_world, persona, skip=_post_skip, relogin=relogin, values=PARAM_VALUES
    )
    assert report.requests > 50, report.requests
    problems = [str(f) for f in report.findings]
    assert not problems, f"{persona}: {len(problems)} problem(s)\n" + "\n".join(problems[:80])


def planted_write(request, credit_code):  # acts on any enterprise, whatever the scope says
    from peiyu.registry.models import Enterprise

    ent = Enterprise.objects.get(credit_code=credit_code)
    if request.method == "POST":
        ent.name = ent.name  # a write all the same
        ent.save(update_fields=["name"])
    return HttpResponse("ok")


def scoped_write(request, credit_code):  # correct: asks for the CHANGE scope
    from peiyu.accounts import scope

    ent = scope.get_enterprise_or_404(request.user, credit_code, action=scope.CHANGE, request=request)
    if request.method == "POST":
        ent.save(update_fields=["name"])
    return HttpResponse("ok")


write_patterns = [
    path("w/bad/<str:credit_code>/", planted_write, name="planted_write"),
    path("w/ok/<str:credit_code>/", scoped_write, name="scoped_write"),
]


@pytest.mark.parametrize("persona", ["leader", "area_officer"])
def test_post_walker_catches_writes_outside_the_change_scope(client, walked_world, settings, persona):
    import sys
    import types

    conf = types.ModuleType("planted_writes")
    conf.urlpatterns = write_patterns
    sys.modules["planted_writes"] = conf
    settings.ROOT_URLCONF = "planted_writes"
    client.force_login(walked_world[persona], backend="django.contrib.auth.backends.ModelBackend")
    report = walkers.walk_posts(client, walked_world, persona, limit=10)
    bad = [f for f in report.of("change") if "/w/bad/" in f.where]
    ok = [f for f in report.of("change") if "/w/ok/" in f.where]
    changeable = {walked_world["enterprises"][k].credit_code for k in walked_world["changeable"][persona]}
    assert bad and all(not any(c in f.where for c in changeable) for f in bad), [str(f) for f in bad]
    assert not ok, [str(f) for f in ok]
    if persona == "area_officer":  # it did write, inside its area, and that is allowed
        assert report.writes > len(bad)


def test_post_walk_as_admin_really_writes_and_never_crashes(client, walked_world):
    client.force_login(walked_world["admin"], backend="django.contrib.auth.backends.ModelBackend")
    report = walkers.walk_posts(client, walked_world, "admin", skip=_post_skip, values=PARAM_VALUES)
    assert report.writes > 0  # the payload is good enough to pass validation somewhere
    assert not report.of("error"), [str(f) for f in report.of("error")]
