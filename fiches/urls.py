from django.urls import path

from fiches import views

app_name = "fiches"
urlpatterns = [
    path("cooperations/<int:pk>/etapes/", views.stepper, name="stepper"),
    path(
        "cooperations/<int:pk>/forme-juridique/",
        views.legal_form_chooser,
        name="legal_form_chooser",
    ),
    path(
        "cooperations/<int:pk>/forme-juridique/enregistrer/",
        views.legal_form_record,
        name="legal_form_record",
    ),
    path("etapes/<int:pk>/", views.step_view, name="step"),
    path("etapes/<int:pk>/valider/", views.step_validate, name="step_validate"),
    path("etapes/<int:pk>/renvoyer/", views.step_return, name="step_return"),
    path("etapes/<int:pk>/rouvrir/", views.step_reopen, name="step_reopen"),
    path("etapes/<int:pk>/commentaires/", views.comment_add, name="comment_add"),
    path("etapes/<int:pk>/documents/", views.attachment_upload, name="attachment_upload"),
    path("documents/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("a-valider/", views.validation_queue, name="queue"),
    path("connaissances/", views.kb_list, name="kb_list"),
    path("connaissances/<slug:slug>/", views.kb_page, name="kb_page"),
]
