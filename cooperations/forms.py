from django import forms

from cooperations.models import (
    Cooperation,
    LegalForm,
    MemberRole,
    Membership,
    RegionalObjective,
)
from core.forms import DsfrForm, DsfrModelForm, VersionedFormMixin
from territories.finess import finess_error, normalise_finess
from territories.models import ARS, Establishment, LegalEntity

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CooperationForm(VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = Cooperation
        fields = [
            "title",
            "short_name",
            "objectives",
            "pilot_ars",
            "departements",
            "project_territory",
            "typologies",
            "nature",
            "legal_form",
            "themes",
            "plan_objectives",
            "phase",
            "launched_on",
            "decided_on",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "departements": forms.SelectMultiple(attrs={"size": 8}),
            "typologies": forms.CheckboxSelectMultiple,
            "themes": forms.SelectMultiple(attrs={"size": 8}),
            "plan_objectives": forms.SelectMultiple(attrs={"size": 8}),
            "launched_on": DATE_WIDGET,
            "decided_on": DATE_WIDGET,
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
        }
        help_texts = {
            "departements": "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "themes": "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "nature": "Laissez vide : elle se déduit de la forme juridique.",
            "plan_objectives": (
                "Objectifs du projet régional de santé de l'ARS pilote que la coopération sert "
                "(Ctrl ou Cmd pour en choisir plusieurs)."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["legal_form"].queryset = LegalForm.objects.filter(is_historical=False)
        self.fields["departements"].queryset = self.fields["departements"].queryset.select_related(
            "ars"
        )
        if user is not None and user.is_ars_agent:
            self.fields["pilot_ars"].queryset = ARS.objects.filter(pk=user.ars_id)
            self.fields["pilot_ars"].initial = user.ars_id
        ars_id = self.instance.pilot_ars_id if self.instance.pk else None
        if ars_id is None and user is not None and user.is_ars_agent:
            ars_id = user.ars_id
        objectives = RegionalObjective.objects.select_related("ars").order_by(
            "ars__name", "kind", "order", "code"
        )
        if ars_id:
            objectives = objectives.filter(ars_id=ars_id)
        self.fields["plan_objectives"].queryset = objectives
        if self.instance.pk:
            self.add_version_field(self.instance)

    def clean(self):
        data = super().clean()
        ars = data.get("pilot_ars")
        wrong = [o for o in data.get("plan_objectives") or [] if ars and o.ars_id != ars.pk]
        if wrong:
            self.add_error(
                "plan_objectives",
                "Choisissez des objectifs du plan régional de l'ARS pilote : "
                + ", ".join(o.code for o in wrong)
                + " relève d'une autre ARS.",
            )
        for start, end, message in [
            (
                "launched_on",
                "decided_on",
                "La date de décision ne peut pas précéder la date de lancement.",
            ),
            ("starts_on", "ends_on", "La date de fin prévue ne peut pas précéder la date d'effet."),
        ]:
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, message)
        pilot, departements = data.get("pilot_ars"), data.get("departements")
        if pilot and departements and not any(d.ars_id == pilot.pk for d in departements):
            self.add_error(
                "departements",
                f"Au moins un département concerné doit relever de l'{pilot}.",
            )
        return data


class MemberForm(DsfrForm):
    submit_label = "Ajouter le membre"
    finess = forms.CharField(
        label="Numéro FINESS (établissement ou entité juridique)",
        max_length=12,
        help_text="9 caractères, par exemple 010000024.",
    )
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices, initial=MemberRole.MEMBRE)
    joined_on = forms.DateField(label="Date d'adhésion", required=False, widget=DATE_WIDGET)

    def clean_finess(self):
        value = normalise_finess(self.cleaned_data["finess"]).replace(" ", "")
        error = finess_error(value)
        if error:
            raise forms.ValidationError(error)
        self.establishment = Establishment.objects.filter(finess=value).first()
        self.legal_entity = None
        if self.establishment is None:
            self.legal_entity = LegalEntity.objects.filter(finess=value).first()
        if self.establishment is None and self.legal_entity is None:
            raise forms.ValidationError(
                f"Aucun établissement ni entité juridique n'a le numéro FINESS {value} "
                "dans le répertoire importé."
            )
        return value


class MembershipLeaveForm(DsfrForm):
    submit_label = "Enregistrer le retrait"
    left_on = forms.DateField(label="Date de retrait", widget=DATE_WIDGET)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        if self.membership.joined_on and left_on < self.membership.joined_on:
            raise forms.ValidationError(
                "La date de retrait ne peut pas précéder la date d'adhésion "
                f"({self.membership.joined_on:%d/%m/%Y})."
            )
        return left_on


class RegionalObjectiveForm(DsfrModelForm):
    class Meta:
        model = RegionalObjective
        fields = ["ars", "kind", "code", "title", "parent", "starts_year", "ends_year", "order"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ars_id = self.instance.ars_id if self.instance.pk else None
        if user.is_ars_agent:
            # An agent writes its own ARS's plan only.
            ars_id = user.ars_id
            self.fields["ars"].queryset = ARS.objects.filter(pk=user.ars_id)
            self.fields["ars"].initial = user.ars_id
        parents = RegionalObjective.objects.order_by("kind", "order", "code")
        if ars_id:
            parents = parents.filter(ars_id=ars_id)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents

    def clean(self):
        data = super().clean()
        parent, ars = data.get("parent"), data.get("ars")
        if parent and ars and parent.ars_id != ars.pk:
            self.add_error("parent", "L'objectif parent doit appartenir au plan de la même ARS.")
        return data


class ArsNoteForm(DsfrForm):
    body = forms.CharField(
        label="Nouvelle note privée",
        help_text="Visible des seuls agents de l'ARS pilote et de l'administration nationale.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": "La note est vide."},
    )
