from django import forms

from conventions.models import ApprovalDecision, ConventionData, MemberTerms
from conventions.rendering import data_fields_for
from conventions.services import templates_for
from core.forms import DsfrForm, DsfrModelForm, VersionedFormMixin
from core.widgets import DateInput

TEXT = forms.Textarea(attrs={"rows": 3})

# The free-text parts of a convention constitutive, each edited in a text area.
TEXT_FIELDS = [
    "governance",
    "administrator",
    "deputy_administrator",
    "director",
    "activities_split",
    "operating_terms",
    "accounting",
    "financial_terms",
    "staff",
    "parties_staff",
    "equipment",
    "practitioners",
    "liability_insurance",
    "billing",
    "data_protection",
    "membership_rules",
    "dissolution",
    "termination",
    "ght_delegations",
    "university_hospital",
    "ght_bodies",
    "public_establishment_bodies",
    "shared_medical_project",
    "shared_care_project",
    "pooled_functions",
    "follow_up_committee",
]


class LockableFormMixin:
    """Shown read-only once the convention is in signature (the view refuses any POST)."""

    locked = False

    def disable_all(self) -> None:
        self.locked = True
        for field in self.fields.values():
            field.disabled = True

    @property
    def helper(self):
        helper = super().helper
        if self.locked:
            helper.inputs = []
            helper.form_method = "get"
        return helper


class ConventionDataForm(LockableFormMixin, VersionedFormMixin, DsfrModelForm):
    has_capital = forms.NullBooleanField(
        label="Le groupement a-t-il un capital ?",
        required=False,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = ConventionData
        fields = [
            "template",
            "denomination",
            "seat",
            "indefinite_duration",
            "duration_years",
            "law_nature",
            "has_capital",
            "capital_amount",
            "support_membership",
            *TEXT_FIELDS,
        ]
        widgets = dict.fromkeys(TEXT_FIELDS, TEXT)

    ALWAYS = {"template", "denomination"}

    def __init__(self, *args, cooperation, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None:
            # Only what the chosen model convention asks for (a GHT has no capital…).
            keep = self.ALWAYS | data_fields_for(template)
            for name in [n for n in self.fields if n not in keep]:
                del self.fields[name]
        if "law_nature" in self.fields:
            # What CSP L6133-3 I says for these members, next to the choice.
            from conventions.checks import facts_for
            from conventions.rendering import nature_reason

            self.fields["law_nature"].help_text = (
                f"Selon les membres actuels : {nature_reason(facts_for(cooperation)).lower()}"
                " (CSP L6133-3 I)."
            )
        if "has_capital" in self.fields:
            self.fields["has_capital"].widget.choices = [
                ("unknown", "Non renseigné"),
                ("true", "Oui, avec capital"),
                ("false", "Non, sans capital"),
            ]
        self.fields["template"].queryset = templates_for(cooperation).select_related("legal_form")
        self.fields["template"].empty_label = "Modèle par défaut de la forme juridique"
        if "support_membership" in self.fields:
            support = self.fields["support_membership"]
            support.queryset = cooperation.memberships.active().select_related(
                "establishment", "legal_entity"
            )
            support.label_from_instance = lambda m: f"{m.member_name} (FINESS {m.finess})"
        if self.instance.pk:
            self.add_version_field(self.instance)

    def clean(self):
        data = super().clean()
        if data.get("indefinite_duration") and data.get("duration_years"):
            self.add_error(
                "duration_years",
                "Choisissez une durée indéterminée ou un nombre d'années, pas les deux.",
            )
        if data.get("has_capital") is False and data.get("capital_amount"):
            self.add_error(
                "capital_amount",
                "Un groupement sans capital ne peut pas avoir de montant de capital.",
            )
        return data


class MemberTermsForm(LockableFormMixin, VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = MemberTerms
        fields = [
            "representative",
            "contribution",
            "rights_share",
            "charges_share",
            "commitments",
            "public_service_mission",
            "liberal_professional",
        ]
        widgets = {"contribution": TEXT, "commitments": TEXT}
        error_messages = {
            "rights_share": {
                "max_value": "Une part ne peut pas dépasser 100 %%.",
                "min_value": "Une part ne peut pas être négative.",
            },
            "charges_share": {
                "max_value": "Une part ne peut pas dépasser 100 %%.",
                "min_value": "Une part ne peut pas être négative.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("rights_share", "charges_share"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 100, "step": "0.01"})
        if self.instance.pk:
            self.add_version_field(self.instance)


class ConventionVersionMixin(VersionedFormMixin):
    """A form whose hidden version is the convention's (`convention=`, required): a text edit,
    a decision, the completion of an approval. After a stale warning it offers the
    convention's stored one."""

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.convention = convention

    def versioned_object(self):
        return self.convention


class VersionEditForm(ConventionVersionMixin, DsfrForm):
    """Free text and optional clauses of the latest version; mandatory ones are shown read-only.

    Its initial values are the latest version's text, read from the database at each
    request: they are stored values, so a save beaten by another person's is merged field
    by field (`core.forms.save_versioned`) — the version comment, empty on every page,
    never differs. The view reads the convention (the version) before the latest version
    (the stored values), so the stored values are never older than the version the merge
    moves the form to."""

    submit_label = "Enregistrer une nouvelle version"
    preamble = forms.CharField(
        label="Préambule (texte libre)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label="Commentaire de version", required=False, max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version, convention, **kwargs):
        super().__init__(*args, convention=convention, **kwargs)
        self.optional = [c for c in version.clauses.all() if not c.mandatory]
        self.fields["preamble"].initial = version.preamble
        self.fields["version"].initial = convention.version
        for clause in self.optional:
            self.fields[f"included_{clause.key}"] = forms.BooleanField(
                label=f"Retenir la clause « {clause.title} »",
                required=False,
                initial=clause.included,
            )
            self.fields[f"body_{clause.key}"] = forms.CharField(
                label=f"Texte de la clause « {clause.title} »",
                required=False,
                initial=clause.body,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.add_merge_base_field()

    def clean(self):
        data = super().clean()
        for clause in self.optional:
            if (
                data.get(f"included_{clause.key}")
                and not (data.get(f"body_{clause.key}") or "").strip()
            ):
                self.add_error(
                    f"body_{clause.key}",
                    f"Le texte de la clause « {clause.title} » est vide : retirez-la ou rédigez-la.",
                )
        return data

    def clause_changes(self) -> dict:
        return {
            clause.key: {
                "included": self.cleaned_data.get(f"included_{clause.key}"),
                "body": self.cleaned_data.get(f"body_{clause.key}") or "",
            }
            for clause in self.optional
        }

    def clause_fields(self):
        for clause in self.optional:
            yield clause, self[f"included_{clause.key}"], self[f"body_{clause.key}"]


class SignatureForm(DsfrForm):
    submit_label = "Enregistrer la signature"
    signatory = forms.CharField(label="Signataire (nom et qualité)", max_length=200)
    signed_on = forms.DateField(label="Date de signature", widget=DateInput())
    signed_copy = forms.FileField(
        label="Exemplaire signé (PDF)",
        help_text="Le document signé et numérisé, au format PDF, 10 Mo au plus.",
    )


class ApprovalForm(ConventionVersionMixin, DsfrForm):
    """The competent authority's decision, recorded by an agent of the pilot ARS.

    What each decision requires (an arrêté number, a reason) is checked once, by
    services.approval_decide; the view shows its errors on these fields."""

    submit_label = "Enregistrer la décision"
    decision = forms.ChoiceField(
        label="Décision",
        # The model's kinds an agent records; a tacit approval is acquired, never chosen.
        choices=[
            (kind.value, kind.label)
            for kind in ApprovalDecision.Kind
            if kind != ApprovalDecision.Kind.TACIT
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label="Date de la décision", widget=DateInput())
    reference = forms.CharField(
        label="Numéro de l'arrêté",
        max_length=60,
        required=False,
        help_text="Le numéro seul, ex. 2026-0142 : la convention écrit « arrêté n° » "
        "elle-même. Obligatoire pour une approbation.",
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un refus ou un renvoi : il est transmis à l'équipe projet.",
    )
    arrete = forms.FileField(
        label="Arrêté signé (PDF)",
        required=False,
        help_text="Le document signé et numérisé, au format PDF, 10 Mo au plus.",
    )
    published_on = forms.DateField(
        label="Date de publication (facultatif)",
        required=False,
        widget=DateInput(),
        help_text="Au recueil des actes administratifs (RAA) ou au journal officiel.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApprovalCompleteForm(ConventionVersionMixin, DsfrForm):
    """After the approval: its publication date, the signed arrêté or tacit certificate."""

    submit_label = "Compléter la décision"
    published_on = forms.DateField(
        label="Date de publication",
        required=False,
        widget=DateInput(),
        help_text="Au recueil des actes administratifs (RAA) ou au journal officiel.",
    )
    arrete = forms.FileField(
        label="Arrêté signé ou certificat d'approbation tacite (PDF)",
        required=False,
        help_text="Le document signé et numérisé, au format PDF, 10 Mo au plus.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
