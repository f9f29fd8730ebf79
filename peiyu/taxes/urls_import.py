"""Import and maintenance pages of the tax library (administrators only)."""

from django.urls import path

from peiyu.taxes import views_import as v

urlpatterns: list = [
    path("import/", v.import_page, name="import"),
    path("import/<int:pk>/", v.batch_detail, name="batch"),
    path("import/job/<int:pk>/", v.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", v.batch_confirm, name="batch_confirm"),
    path("import/<int:pk>/withdraw/", v.batch_withdraw, name="batch_withdraw"),
    path("import/<int:pk>/ratios/", v.batch_ratios, name="batch_ratios"),
    path("versions/", v.versions, name="versions"),
    path("versions/<str:month>/", v.versions_month, name="versions_month"),
    path("versions/batch/<int:pk>/rollback/", v.rollback, name="rollback"),
    path("unmatched/", v.unmatched, name="unmatched"),
    path("unmatched/search/", v.unmatched_search, name="unmatched_search"),
    path("unmatched/<int:pk>/<str:action>/", v.unmatched_action, name="unmatched_action"),
    path("ratios/", v.ratios, name="ratios"),
    path("ratios/<int:pk>/delete/", v.ratio_delete, name="ratio_delete"),
]
