from django.urls import path

from peiyu.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pack.docx", views.pack_docx, name="docx"),
    path("<int:pk>/pack.xlsx", views.pack_xlsx, name="xlsx"),
    path("<int:pk>/prepare/", views.prepare, name="prepare"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/decisions/", views.add_decision, name="add_decision"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
