from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
