import tempfile
from pathlib import Path

from django import forms
from django.conf import settings

from core.forms import DsfrForm
from core.tabular import FormatError, detect
from core.uploads import human_size

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


class FinessImportForm(DsfrForm):
    submit_label = "Lancer l'import"
    file = forms.FileField(
        label="Fichier du répertoire FINESS",
        help_text=(
            "Flux JSON « Structures » ou « Activités » publié par l'ANS (.json ou .json.gz), ou "
            "extrait CSV historique (.csv, .txt, éventuellement enregistré en .xlsx). Le format "
            "est reconnu automatiquement."
        ),
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
        if not name.endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                "Le fichier doit être un flux FINESS (.json, .json.gz) ou un extrait "
                "(.csv, .txt, .xlsx, .csv.gz)."
            )
        # Look at it now, with the detector the import uses: a wrong file is refused here,
        # before it waits in the queue.
        with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
            for chunk in uploaded.chunks():
                copy.write(chunk)
            copy.flush()
            try:
                self.detected = detect(copy.name, name=uploaded.name)
            except FormatError as error:
                raise forms.ValidationError(str(error)) from error
        uploaded.seek(0)
        return uploaded
