from django.urls import path

from peiyu.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.policy_edit, name="policy_create"),
    path("<int:pk>/", views.policy_detail, name="policy"),
    path("<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("<int:policy_pk>/clauses/new/", views.clause_edit, name="clause_create"),
    path("<int:policy_pk>/clauses/<int:pk>/edit/", views.clause_edit, name="clause_edit"),
    path("clauses/<int:pk>/", views.clause_detail, name="clause"),
    path("clauses/<int:pk>/list/", views.clause_list, name="clause_list"),
    path("awards/", views.awards, name="awards"),
    path("awards/apply/", views.apply, name="apply"),
    path("awards/publicity/", views.publicity, name="publicity"),
    path("awards/<int:pk>/", views.award_detail, name="award"),
    path("awards/<int:pk>/step/", views.award_step, name="award_step"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach"),
    path("breaches/<int:pk>/step/", views.breach_step, name="breach_step"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/report/", views.round_report, name="round_report"),
    path("gap/", views.gap, name="gap"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_report, name="import_report"),
    path("import/<int:pk>/errors/", views.import_errors, name="import_errors"),
]
