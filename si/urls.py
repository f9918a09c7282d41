from django.urls import path

from si import views

app_name = "si"
urlpatterns = [
    path("cooperations/<int:pk>/generer/", views.generate, name="generate"),
    path("points/<int:pk>/", views.item_edit, name="item_edit"),
    path("points/<int:pk>/livrable/", views.item_to_deliverable, name="item_to_deliverable"),
]
