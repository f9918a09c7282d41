from django import forms
from django.conf import settings

from core.forms import DsfrForm
from core.uploads import human_size


class EstablishmentSearchForm(DsfrForm):
    q = forms.CharField(
        label="Nom, commune ou numéro FINESS",
        required=False,
        max_length=100,
        help_text=(
            "Par exemple « Fleyriat », « Bourg-en-Bresse » ou « 010000024 ». Tous les mots "
            "doivent figurer ; un mot de moins de 3 lettres (« CH ») est cherché en entier."
        ),
    )
    departement = forms.CharField(required=False, widget=forms.HiddenInput)


class FinessImportForm(DsfrForm):
    submit_label = "Lancer l'import"
    file = forms.FileField(
        label="Extrait FINESS (fichier .csv ou .txt)",
        help_text="Fichier publié sur data.gouv.fr, séparé par des points-virgules.",
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.FINESS_IMPORT_MAX_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(
                f"Le fichier pèse {human_size(uploaded.size)} : la taille maximale est de "
                f"{human_size(limit)}."
            )
        name = (uploaded.name or "").lower()
        if not name.endswith((".csv", ".txt")):
            raise forms.ValidationError(
                "Le fichier doit être un extrait FINESS au format texte (.csv ou .txt)."
            )
        head = uploaded.read(64)
        uploaded.seek(0)
        if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
            raise forms.ValidationError(
                "Ce fichier est un document binaire (tableur, PDF…), pas un extrait FINESS "
                "au format texte. Exportez-le en CSV séparé par des points-virgules."
            )
        return uploaded
