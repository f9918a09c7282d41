from django.urls import path

from cooperations import views

app_name = "cooperations"
urlpatterns = [
    path("", views.cooperation_list, name="list"),
    path("export/", views.cooperation_export, name="export"),
    path("nouvelle/", views.cooperation_create, name="create"),
    path("<int:pk>/", views.cooperation_detail, name="detail"),
    path("<int:pk>/modifier/", views.cooperation_edit, name="edit"),
    path("<int:pk>/historique/", views.cooperation_history, name="history"),
    path("<int:pk>/membres/ajouter/", views.member_add, name="member_add"),
    path("<int:pk>/membres/<int:membership_pk>/retrait/", views.member_leave, name="member_leave"),
]
