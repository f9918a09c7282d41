from django.urls import path

from api import views

app_name = "api"
urlpatterns = [
    path("cooperations/", views.CooperationList.as_view(), name="cooperation_list"),
    path("cooperations/<int:pk>/", views.CooperationDetail.as_view(), name="cooperation_detail"),
    path(
        "cooperations/<int:pk>/kit1-steps/",
        views.CooperationSteps.as_view(),
        name="cooperation_steps",
    ),
    path(
        "cooperations/<int:pk>/convention/",
        views.CooperationConvention.as_view(),
        name="cooperation_convention",
    ),
    path(
        "cooperations/<int:pk>/evaluations/",
        views.CooperationEvaluations.as_view(),
        name="cooperation_evaluations",
    ),
    path(
        "cooperations/<int:pk>/deliverables/",
        views.CooperationDeliverables.as_view(),
        name="cooperation_deliverables",
    ),
    path(
        "cooperations/<int:pk>/risks/", views.CooperationRisks.as_view(), name="cooperation_risks"
    ),
    path("legal-forms/", views.LegalForms.as_view(), name="legal_forms"),
    path(
        "establishments/<str:finess>/", views.EstablishmentByFiness.as_view(), name="establishment"
    ),
    path("legal-entities/<str:finess>/", views.LegalEntityByFiness.as_view(), name="legal_entity"),
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("console/", views.console, name="console"),
]
