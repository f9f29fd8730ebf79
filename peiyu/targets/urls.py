from django.urls import path

from peiyu.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.board, name="board"),
    path("departments/", views.departments, name="departments"),
    path("plan/", views.plan_view, name="plan"),
    path("import/", views.import_view, name="import"),
    path("import/<int:pk>/", views.import_report, name="import_report"),
    path("import/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("settings/", views.settings_view, name="settings"),
    path("new/", views.edit, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("reports/<int:pk>/attachment/", views.attachment, name="attachment"),
]
