from django.urls import path

from peiyu.attraction import views

app_name = "attraction"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.project_create, name="create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/stage/", views.project_stage, name="stage"),
    path("projects/<int:pk>/land/", views.project_land, name="land"),
    path("projects/<int:pk>/status/", views.project_status, name="status"),
    path("projects/<int:pk>/followup/", views.project_followup, name="followup"),
    path("projects/<int:pk>/settle/", views.project_settle, name="settle"),
    path("league/", views.league, name="league"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("chain/", views.chain_map, name="chain"),
    path("funds/", views.funds, name="funds"),
    path("events/", views.events, name="events"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("dispatch/", views.dispatch_meetings, name="dispatch"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_report, name="import_report"),
    path("import/<int:pk>/errors/", views.import_errors, name="import_errors"),
]
