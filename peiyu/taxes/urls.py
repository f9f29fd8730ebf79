"""Tax pages: the library's analytics pages (urls_analytics) and its import/maintenance pages (urls_import)."""

from peiyu.taxes import urls_analytics, urls_import

app_name = "taxes"
urlpatterns = urls_analytics.urlpatterns + urls_import.urlpatterns
