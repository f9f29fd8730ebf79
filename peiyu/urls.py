"""The URL map is assembled from the installed apps: each app's ``urls.py`` is mounted at
``/<app label>/`` (or at its AppConfig's ``url_prefix``), the JSON API at ``/api/v1/``."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from django.views.i18n import set_language


def build_urlpatterns(api: Any = None) -> list[Any]:
    from peiyu.api import build_api
    from peiyu.core import contrib

    patterns: list[Any] = []
    for cfg, mod in contrib.modules("urls"):
        prefix = getattr(cfg, "url_prefix", None)
        if prefix is None:
            prefix = f"{cfg.label}/"
        patterns.append(path(prefix, include(mod)))
    patterns.append(path("i18n/setlang/", set_language, name="set_language"))
    patterns.append(path("api/v1/", (api or build_api()).urls))
    return patterns


urlpatterns = build_urlpatterns()
handler403 = "peiyu.web.views.forbidden"
