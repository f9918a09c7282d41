from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from core.forms import DsfrForm, DsfrModelForm, MergeableFormMixin, VersionedFormMixin
from core.imports import ImportFileForm
from core.widgets import DateInput
from evalimpact.models import Evaluation
from evalimpact.services.evaluations import per_member
from evalimpact.services.hospidiag import UPLOAD_SUFFIXES

# Hospi Diag is public since 2012 (shared/domain/hospidiag.md): an earlier year is a typo.
FIRST_HOSPIDIAG_YEAR = 2011


class EvaluationForm(VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = Evaluation
        fields = ["kind", "evaluated_on", "comments"]
        widgets = {
            "evaluated_on": DateInput(),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": "Potentiel : avant le projet, pour décider. Effectif : après, pour rendre compte.",
            "comments": "Repris dans la synthèse PDF et le dossier du COPIL.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.add_version_field(self.instance)


class EvaluationCreateForm(EvaluationForm):
    """The new evaluation, with the activity it measures (which Hospi Diag codes prefill it).

    The choices are the activities of the catalogue the evaluation will use (hospital or
    medico-social); the proposal is the first one the cooperation's themes point to.
    """

    activity = forms.ChoiceField(
        label="Activité évaluée",
        help_text="Elle choisit les indicateurs Hospi Diag repris comme valeurs de référence "
        "(part de marché, IP-DMS de la médecine, de la chirurgie, de l'obstétrique…). "
        "Proposée d'après les thèmes de la coopération.",
    )

    field_order = ["kind", "activity", "evaluated_on", "comments"]

    def __init__(self, *args, cooperation, **kwargs):
        from evalimpact.models import Activity
        from evalimpact.services.catalogue import (
            current_catalogue,
            proposed_activity,
            variant_for,
        )

        super().__init__(*args, **kwargs)
        version = current_catalogue(variant_for(cooperation))
        self.catalogue = version
        activities = list(Activity.objects.filter(version=version).order_by("order", "code"))
        self.fields["activity"].choices = [("", "— Choisir une activité —")] + [
            (a.code, a.label) for a in activities
        ]
        self.fields["activity"].required = bool(activities)
        if not self.is_bound:
            themes = cooperation.themes.values_list("code", flat=True)
            self.initial.setdefault("activity", proposed_activity(version, themes))


def row_prefix(indicator_id: int, membership_id: int | None) -> str:
    return f"{indicator_id}-{membership_id or 0}"


def plain_decimal(value):
    """A stored Decimal as people write it: 15.1000 → 15.1, 100.0000 → 100 (never 1E+2)."""
    if value is None:
        return None
    from decimal import Decimal

    return Decimal(format(value.normalize(), "f"))


class AnswersForm(MergeableFormMixin, DsfrForm):
    """One group of fields per (indicator, member) row of the evaluation's layout; with
    `axis_code`, only the rows of that axis (the entry page shows one axis at a time).

    It carries the answers its page started from (MergeableFormMixin), so that a save
    beaten by another person's is merged answer by answer with the evaluation's header
    (core.forms.save_versioned).

    Errors found by the service come back keyed "<indicator>-<member>-<field>", the same
    names as the fields, so each message lands under its own input.
    """

    def __init__(self, *args, data_obj, axis_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_obj = data_obj
        self.axis_code = axis_code
        axis_ids = {a.pk for a in data_obj.axes if axis_code is None or a.code == axis_code}
        self.indicators = [i for i in data_obj.indicators if i.axis_id in axis_ids]
        self.row_contexts = {}  # row prefix → "R1.2 — Member", for the conflict summary
        levels = [("", "— Non renseigné —")] + [
            (level.score, f"{level.score} — {level.label}") for level in data_obj.levels
        ]
        for indicator in self.indicators:
            for membership, answer in data_obj.layout[indicator.pk]:
                prefix = row_prefix(indicator.pk, membership.pk if membership else None)
                who = f" — {membership.member_name}" if membership else ""
                context = f"{indicator.code}{who}"
                self.row_contexts[prefix] = context
                if indicator.is_quantitative:
                    unit = f" ({indicator.unit})" if indicator.unit else ""
                    self.fields[f"{prefix}-baseline"] = forms.DecimalField(
                        label=f"Valeur de référence{unit}",
                        required=False,
                        max_digits=14,
                        decimal_places=4,
                        localize=True,
                        initial=plain_decimal(answer.baseline) if answer else None,
                        widget=forms.TextInput(
                            attrs={"inputmode": "decimal", "data-context": context}
                        ),
                    )
                    target = (
                        "Valeur cible"
                        if data_obj.evaluation.kind == "potential"
                        else "Valeur observée"
                    )
                    self.fields[f"{prefix}-value"] = forms.DecimalField(
                        label=f"{target}{unit}",
                        required=False,
                        max_digits=14,
                        decimal_places=4,
                        localize=True,
                        initial=plain_decimal(answer.value) if answer else None,
                        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                    )
                else:
                    self.fields[f"{prefix}-level"] = forms.TypedChoiceField(
                        label="Niveau",
                        choices=levels,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        initial=answer.level if answer else None,
                    )
                    self.fields[f"{prefix}-justification"] = forms.CharField(
                        label="Justification",
                        required=False,
                        initial=answer.justification if answer else "",
                        widget=forms.Textarea(attrs={"rows": 2}),
                    )
                self.fields[f"{prefix}-not_applicable"] = forms.BooleanField(
                    label="Non applicable",
                    required=False,
                    initial=answer.not_applicable if answer else False,
                )
                self.fields[f"{prefix}-not_applicable_reason"] = forms.CharField(
                    label="Motif de non-application",
                    required=False,
                    max_length=255,
                    initial=answer.not_applicable_reason if answer else "",
                )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "fr-select" if isinstance(widget, forms.Select) else "fr-input"
            widget.attrs["class"] = css
        self.add_merge_base_field()

    def merge_label(self, name: str) -> str:
        prefix = name.rsplit("-", 1)[0]
        return f"{self.row_contexts[prefix]} — {self.fields[name].label}"

    def rows(self, *, valid_only: bool = False) -> dict:
        """{(indicator_id, membership_id): cleaned row} for the service.

        valid_only: leave out the rows with a field the form refused (the autosave keeps
        the valid answers and says which ones wait for a correction).
        """
        result = {}
        errors = self.errors if valid_only else {}
        for indicator in self.indicators:
            for membership, _answer in self.data_obj.layout[indicator.pk]:
                membership_id = membership.pk if membership else None
                prefix = row_prefix(indicator.pk, membership_id)
                if any(name.startswith(prefix + "-") for name in errors):
                    continue
                row = {
                    name: self.cleaned_data.get(f"{prefix}-{name}")
                    for name in (
                        "baseline",
                        "value",
                        "level",
                        "justification",
                        "not_applicable",
                        "not_applicable_reason",
                    )
                }
                result[(indicator.pk, membership_id)] = row
        return result

    def sections(self) -> list:
        """Axes → indicators → rows of bound fields, in catalogue order, for the template."""
        result_by_indicator = {
            r.indicator.pk: r for axis in self.data_obj.result.axes for r in axis.indicators
        }
        sections = []
        for axis in self.data_obj.axes:
            if self.axis_code is not None and axis.code != self.axis_code:
                continue
            items = []
            for indicator in self.indicators:
                if indicator.axis_id != axis.pk:
                    continue
                rows = []
                for (membership, answer), (_m, _a, score) in zip(
                    self.data_obj.layout[indicator.pk],
                    result_by_indicator[indicator.pk].rows,
                    strict=True,
                ):
                    prefix = row_prefix(indicator.pk, membership.pk if membership else None)
                    rows.append(
                        {
                            "membership": membership,
                            "answer": answer,
                            "score": score,
                            "prefix": prefix,
                            "context": f"{indicator.code}, "
                            + (membership.member_name if membership else "coopération"),
                            "fields": {
                                name.split("-", 2)[2]: self[name]
                                for name in self.fields
                                if name.startswith(prefix + "-")
                            },
                        }
                    )
                items.append(
                    {
                        "indicator": indicator,
                        "hospidiag_note": (self.data_obj.hospidiag_notes or {}).get(indicator.pk),
                        "per_member": per_member(
                            indicator, self.data_obj.activity, legacy=self.data_obj.legacy
                        ),
                        "result": result_by_indicator[indicator.pk],
                        "rows": rows,
                    }
                )
            sections.append({"axis": axis, "items": items})
        return sections


class HospidiagImportForm(ImportFileForm):
    """A Hospi Diag file as ATIH publishes it (separators, encodings and layouts are the
    importer's business: evalimpact.services.hospidiag), and its year when its name has none."""

    accepted_extensions = UPLOAD_SUFFIXES  # the suffixes the run stores the file under
    extension_error = (
        "Le fichier doit être un fichier Hospi Diag au format CSV (.csv ou .txt), un classeur "
        "Excel (.xlsx) ou un CSV compressé (.csv.gz), tel que publié par l'ATIH sur ScanSanté."
    )
    expected_columns = ("finess",)
    file = forms.FileField(
        label="Fichier Hospi Diag",
        help_text=(
            "Fichier CSV publié par l'ATIH (ScanSanté) : indicateurs (hd2022.csv), parts de "
            "marché par zone d'attractivité (pdmza_2022.csv) ou régionales (pdmreg_2022.csv), "
            "tel quel ou réenregistré par un tableur. Séparateur et encodage sont reconnus "
            "automatiquement. Formats acceptés : .csv, .txt, .xlsx, .csv.gz, .txt.gz."
        ),
    )
    year = forms.IntegerField(
        label="Année des données (facultatif)",
        required=False,
        min_value=FIRST_HOSPIDIAG_YEAR,
        help_text=(
            "À préciser si le nom du fichier ne contient pas l'année (hd2022.csv : 2022) et "
            "que le fichier n'a pas de colonne « annee »."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A year to come is a typo (the data of a year are published the year after).
        latest = timezone.localdate().year
        self.fields["year"].validators.append(MaxValueValidator(latest))
        self.fields["year"].widget.attrs["max"] = latest
