from django.urls import path

from peiyu.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/word/", views.download_docx, name="docx"),
    path("<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("cockpit/", views.cockpit_page, name="cockpit"),
    path("cockpit/tiles/", views.cockpit_tiles, name="cockpit_tiles"),
]
