from django.urls import path

from conventions import views

app_name = "conventions"
urlpatterns = [
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("<int:pk>/journal/", views.convention_journal, name="journal"),
    path("<int:pk>/donnees/", views.convention_data, name="data"),
    path("<int:pk>/membres/<int:membership_pk>/", views.member_terms, name="member_terms"),
    path("<int:pk>/generer/", views.convention_generate, name="generate"),
    path("<int:pk>/modifier/", views.version_edit, name="edit"),
    path("<int:pk>/comparer/", views.version_diff, name="diff"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/pdf/", views.version_pdf, name="pdf"),
    path("<int:pk>/versions/<int:number>/docx/", views.version_docx, name="docx"),
    path("<int:pk>/versions/<int:number>/fichiers/", views.version_files, name="files"),
    path(
        "<int:pk>/versions/<int:number>/fichiers/generer/",
        views.version_files_generate,
        name="files_generate",
    ),
    path("<int:pk>/signature/", views.signature_start, name="signature_start"),
    path("<int:pk>/signature/<int:membership_pk>/", views.signature_add, name="signature_add"),
    path("<int:pk>/signature/copie/<int:signature_pk>/", views.signed_copy, name="signed_copy"),
    path("<int:pk>/approbation/", views.approval, name="approval"),
    path("<int:pk>/approbation/completer/", views.approval_complete, name="approval_complete"),
    path(
        "<int:pk>/approbation/arrete/<int:decision_pk>/",
        views.decision_arrete,
        name="decision_arrete",
    ),
    path("<int:pk>/avenant/", views.amendment_start, name="amendment"),
]
