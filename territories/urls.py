from django.urls import path

from territories import views

app_name = "territories"
urlpatterns = [
    path("etablissements/", views.establishment_search, name="search"),
    path("imports/finess/", views.import_start, name="import_start"),
    path("imports/finess/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/finess/<int:pk>/relancer/", views.import_retry, name="import_retry"),
]
