from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("lues/", views.notifications_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
]
