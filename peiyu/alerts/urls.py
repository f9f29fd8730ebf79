from django.urls import path

from peiyu.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("warnings/", views.warning_list, name="list"),
    path("warnings/<int:pk>/", views.detail, name="detail"),
    path("warnings/<int:pk>/<str:action>/", views.transition, name="transition"),
    path("key/", views.key_enterprises, name="key_enterprises"),
    path("key/override/", views.key_override, name="key_override"),
    path("rules/", views.rules_page, name="rules"),
]
