from django.urls import path

from peiyu.work import views

app_name = "work"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/<str:action>/", views.item_action, name="item_action"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("leaders/", views.leaders_page, name="leaders"),
    path("schedules/", views.schedules_page, name="schedules"),
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
]
