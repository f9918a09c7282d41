"""The register's pages (mounted under /referentiel/ beside territories.urls)."""

from django.urls import path

from cooperations import register_views

app_name = "registre"
urlpatterns = [
    path("etablissements/suggestions/", register_views.suggestions, name="suggestions"),
    path("etablissements/<str:finess>/", register_views.establishment_detail, name="establishment"),
    path(
        "entites-juridiques/<str:finess>/",
        register_views.legal_entity_detail,
        name="legal_entity",
    ),
    path("ght/", register_views.ght_region, name="ght_region"),
]
