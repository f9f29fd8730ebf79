from django.urls import path

from peiyu.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("e/<str:credit_code>/", views.enterprise_detail, name="detail"),
    path("e/<str:credit_code>/override/", views.override, name="override"),
    path("e/<str:credit_code>/key-flag/", views.key_flag, name="key_flag"),
    path("e/<str:credit_code>/edit/", views.edit, name="edit"),
    path("overrides/<int:pk>/revoke/", views.revoke_override, name="revoke_override"),
    path("industries/", views.industries, name="industries"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("lookup/", views.lookup, name="lookup"),
]
