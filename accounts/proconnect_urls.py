"""ProConnect endpoints (answer 404 while ProConnect is not configured)."""

from django.urls import path

from accounts import views

app_name = "proconnect"
urlpatterns = [
    path("connexion/", views.ProConnectLoginView.as_view(), name="login"),
    path("retour/", views.ProConnectCallbackView.as_view(), name="callback"),
    path("deconnexion/", views.proconnect_logged_out, name="logged_out"),
]
