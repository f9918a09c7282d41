from django.urls import path

from cooperations import dashboard_views, views

app_name = "cooperations"
urlpatterns = [
    path("", views.cooperation_list, name="list"),
    path("export/", views.cooperation_export, name="export"),
    path("tableau-de-bord/", dashboard_views.dashboard_view, name="dashboard"),
    path("plan-regional/", views.objective_list, name="objectives"),
    path("plan-regional/nouveau/", views.objective_edit, name="objective_create"),
    path("plan-regional/<int:pk>/", views.objective_edit, name="objective_edit"),
    path("<int:pk>/notes-ars/", views.ars_notes, name="ars_notes"),
    path("nouvelle/", views.cooperation_create, name="create"),
    path("<int:pk>/", views.cooperation_detail, name="detail"),
    path("<int:pk>/modifier/", views.cooperation_edit, name="edit"),
    path("<int:pk>/historique/", views.cooperation_history, name="history"),
    path("<int:pk>/supervision/", views.supervision, name="supervision"),
    path(
        "<int:pk>/supervision/<int:change_pk>/decision/",
        views.supervision_decide,
        name="supervision_decide",
    ),
    path("<int:pk>/membres/ajouter/", views.member_add, name="member_add"),
    path("<int:pk>/membres/<int:membership_pk>/retrait/", views.member_leave, name="member_leave"),
]
