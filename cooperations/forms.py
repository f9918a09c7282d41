from django import forms

from cooperations.models import Cooperation, LegalForm, MemberRole, Membership
from core.forms import DsfrForm, DsfrModelForm, VersionedFormMixin
from territories.finess import finess_error, normalise_finess
from territories.models import ARS, Establishment, LegalEntity

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CooperationForm(VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = Cooperation
        fields = [
            "title",
            "objectives",
            "pilot_ars",
            "departements",
            "project_territory",
            "typologies",
            "nature",
            "legal_form",
            "themes",
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
            "launched_on": DATE_WIDGET,
            "decided_on": DATE_WIDGET,
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
        }
        help_texts = {
            "departements": "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "themes": "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
            "nature": "Laissez vide : elle se déduit de la forme juridique.",
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
        if self.instance.pk:
            self.add_version_field(self.instance)

    def clean(self):
        data = super().clean()
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
