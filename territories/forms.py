from django import forms

from core.forms import DsfrForm
from core.imports import ImportFileForm

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".json", ".gz", ".xlsx")


class EstablishmentSearchForm(DsfrForm):
    q = forms.CharField(
        label="Nom, commune ou numéro FINESS",
        required=False,
        max_length=100,
        help_text=(
            "Par exemple « Fleyriat », « Bourg-en-Bresse » ou « 010000024 ». Tous les mots "
            "doivent figurer, accents et majuscules indifférents ; un mot de moins de 3 lettres "
            "(« CH ») est cherché en entier."
        ),
    )
    departement = forms.CharField(required=False, widget=forms.HiddenInput)


class FinessImportForm(ImportFileForm):
    accepted_extensions = ACCEPTED_EXTENSIONS
    extension_error = (
        "Le fichier doit être un flux FINESS (.json, .json.gz) ou un extrait "
        "(.csv, .txt, .xlsx, .csv.gz)."
    )
    file = forms.FileField(
        label="Fichier du répertoire FINESS",
        help_text=(
            "Flux JSON « Structures » ou « Activités » publié par l'ANS (.json ou .json.gz), ou "
            "extrait CSV historique (.csv, .txt, éventuellement enregistré en .xlsx). Le format "
            "est reconnu automatiquement."
        ),
    )
