from django.urls import include, path
from django.views.i18n import set_language

from peiyu.api import api

urlpatterns = [
    path("", include("peiyu.web.urls")),
    path("accounts/", include("peiyu.accounts.urls")),
    path("registry/", include("peiyu.registry.urls")),
    path("taxes/", include("peiyu.taxes.urls")),
    path("targets/", include("peiyu.targets.urls")),
    path("alerts/", include("peiyu.alerts.urls")),
    path("work/", include("peiyu.work.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]
