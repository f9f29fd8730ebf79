from django.urls import path

from peiyu.carriers import views

app_name = "carriers"
urlpatterns = [
    path("", views.carrier_list, name="index"),
    path("parks/", views.carrier_list, {"kind_page": "parks"}, name="parks"),
    path("incubators/", views.incubators, name="incubators"),
    path("incubator-list/", views.carrier_list, {"kind_page": "incubators"}, name="incubator_list"),
    path("platforms/", views.carrier_list, {"kind_page": "platforms"}, name="platforms"),
    path("new/", views.edit, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/tenants/", views.tenant_add, name="tenant_add"),
    path("tenancy/<int:pk>/end/", views.tenant_end, name="tenant_end"),
    path("<int:pk>/spaces/", views.space_add, name="space_add"),
    path("match/", views.match, name="match"),
    path("map/", views.map_page, name="map"),
    path("map/load/", views.map_load, name="map_load"),
    path("rent/", views.rent_page, name="rent"),
    path("settings/", views.settings_page, name="settings"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:year>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:year>/publicity/", views.scheme_publicity, name="scheme_publicity"),
    path("evaluations/<int:pk>/", views.evaluation_page, name="evaluation"),
    path("evaluations/<int:pk>/report.docx", views.evaluation_docx, name="evaluation_docx"),
    *[
        path(
            f"evaluations/<int:pk>/{what}/",
            views.evaluation_action,
            {"what": what},
            name=f"evaluation_{what}",
        )
        for what in views.EVALUATION_ACTIONS
    ],
    path("import/", views.import_page, {"what": "buildings"}, name="import"),
    *[
        p
        for what in views.IMPORTERS
        for p in (
            path(f"import/{what}/", views.import_page, {"what": what}, name=f"import_{what}"),
            path(
                f"import/{what}/<int:pk>/", views.import_report, {"what": what}, name=f"import_{what}_report"
            ),
            path(
                f"import/{what}/<int:pk>/errors.xlsx",
                views.import_errors,
                {"what": what},
                name=f"import_{what}_errors",
            ),
        )
    ],
]
