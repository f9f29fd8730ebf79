from django.urls import path

from peiyu.services import views

app_name = "services"
urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("requests/import/", views.request_import, name="request_import"),
    path("reply/", views.reply, name="reply"),
    path("feedback/import/", views.feedback_import, name="feedback_import"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/plan/", views.visit_plan, name="visit_plan"),
    path("visits/import/", views.visit_import, name="visit_import"),
    path("imports/<int:pk>/", views.import_report, name="import_report"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("listing/", views.listing_list, name="listing_list"),
    path("listing/add/", views.listing_add, name="listing_add"),
    path("listing/<int:pk>/", views.listingsheet_detail, name="listingsheet_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.serviceevent_detail, name="serviceevent_detail"),
    path("financing/", views.financing_list, name="financing_list"),
    path("financing/new/", views.financing_new, name="financing_new"),
    path(
        "financing/<int:pk>/advance/", views.financingapplication_advance, name="financingapplication_advance"
    ),
]
