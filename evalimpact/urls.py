from django.urls import path

from evalimpact import views

app_name = "evalimpact"
urlpatterns = [
    path("comparer/", views.compare, name="compare"),
    path("export/", views.export, name="export"),
    path("cooperation/<int:pk>/", views.cooperation_evaluations, name="cooperation"),
    path("cooperation/<int:pk>/nouvelle/", views.evaluation_create, name="create"),
    path("cooperation/<int:pk>/synthese/", views.summary_request, name="summary_request"),
    path("synthese/<int:pk>/", views.summary_status, name="summary"),
    path("synthese/<int:pk>/telecharger/", views.summary_download, name="summary_download"),
    path("synthese/<int:pk>/relancer/", views.summary_retry, name="summary_retry"),
    path("imports/hospidiag/", views.hospidiag_import_start, name="hospidiag_import_start"),
    path("imports/hospidiag/<int:pk>/", views.hospidiag_import_detail, name="hospidiag_import"),
    path(
        "imports/hospidiag/<int:pk>/relancer/",
        views.hospidiag_import_retry,
        name="hospidiag_import_retry",
    ),
    path("evaluation/<int:pk>/", views.evaluation_detail, name="detail"),
    path("evaluation/<int:pk>/saisie/", views.evaluation_edit, name="edit"),
    path("evaluation/<int:pk>/finaliser/", views.evaluation_finalize, name="finalize"),
    path("evaluation/<int:pk>/brouillon/", views.evaluation_reopen, name="reopen"),
]
