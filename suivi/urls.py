from django.urls import path

from suivi import views

app_name = "suivi"
urlpatterns = [
    path("<int:pk>/", views.tracker, name="tracker"),
    path("<int:pk>/chantiers/nouveau/", views.activity_create, name="activity_create"),
    path("chantiers/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("chantiers/<int:pk>/modifier/", views.activity_edit, name="activity_edit"),
    path(
        "chantiers/<int:pk>/livrables/nouveau/",
        views.deliverable_create,
        name="deliverable_create",
    ),
    path("livrables/<int:pk>/modifier/", views.deliverable_edit, name="deliverable_edit"),
    path("<int:pk>/risques/", views.risk_list, name="risk_list"),
    path("<int:pk>/risques/nouveau/", views.risk_create, name="risk_create"),
    path("risques/<int:pk>/modifier/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/rapports/", views.report_list, name="report_list"),
    path("<int:pk>/rapports/nouveau/", views.report_create, name="report_create"),
    path("rapports/<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/parametres/", views.settings_edit, name="settings_edit"),
    path("<int:pk>/export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("<int:pk>/copil/", views.copil, name="copil"),
    path("<int:pk>/copil/generer/", views.copil_request, name="copil_request"),
    path("<int:pk>/copil/reunions/", views.copil_meeting_add, name="copil_meeting_add"),
    path(
        "copil/reunions/<int:pk>/supprimer/",
        views.copil_meeting_delete,
        name="copil_meeting_delete",
    ),
    path("copil/<int:pk>/", views.copil_status, name="copil_status"),
    path("copil/<int:pk>/telecharger/", views.copil_download, name="copil_download"),
    path("copil/<int:pk>/relancer/", views.copil_retry, name="copil_retry"),
]
