"""Tax analytics pages (every user, figures within their scope)."""

from django.urls import path

from peiyu.taxes import views

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("industry/<int:pk>/", views.industry, name="industry"),
    path("area/<int:pk>/", views.area, name="area"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("decomposition/", views.decomposition, name="decomposition"),
    path("top/", views.top, name="top"),
    path("enterprise/<str:credit_code>/export/", views.enterprise_export, name="enterprise_export"),
]
