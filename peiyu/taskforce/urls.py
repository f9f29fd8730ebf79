from django.urls import path

from peiyu.taskforce import views

app_name = "taskforce"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/liaison/", views.liaison, name="liaison"),
    path("<int:pk>/liaison/bulk/", views.liaison_bulk, name="liaison_bulk"),
    path("<int:pk>/liaison/set/", views.liaison_set, name="liaison_set"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("liaison/import/", views.liaison_import, name="liaison_import"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("templates/<int:pk>/issue/", views.issue, name="issue"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    path("measures/import/", views.measures_import, name="measures_import"),
    path("measures/bulletin/", views.bulletin, name="bulletin"),
    path("liaison/import/<int:pk>/", views.liaison_import_report, name="liaison_import_report"),
    path("measures/import/<int:pk>/", views.measures_import_report, name="measures_import_report"),
    path("publicity/", views.publicity, name="publicity"),
]
