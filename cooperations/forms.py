from django import forms
from django.template import loader
from django.urls import reverse
from django.utils.safestring import mark_safe

from cooperations import scoping
from cooperations.models import (
    Cooperation,
    LegalForm,
    MemberRole,
    Membership,
    RegionalObjective,
)
from core.forms import DsfrForm, DsfrModelForm, VersionedFormMixin, restrict_choices
from core.idempotency import SubmissionKeyMixin
from core.widgets import DateInput
from territories.finess import finess_error, normalise_finess
from territories.identifiers import finess_suggestion
from territories.models import ARS, Departement, Establishment, LegalEntity


class CooperationForm(SubmissionKeyMixin, VersionedFormMixin, DsfrModelForm):
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
            "launched_on": DateInput(),
            "decided_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
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

    SUPERVISION_FIELDS = ("pilot_ars", "departements")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        editing = self.instance.pk is not None
        # A legal form now historical stays on the cooperation that has it (restrict_choices).
        restrict_choices(self, "legal_form", LegalForm.objects.filter(is_historical=False))
        self.fields["departements"].queryset = self.fields["departements"].queryset.select_related(
            "ars"
        )
        if not editing and user is not None and user.is_ars_agent:
            # An agent creates cooperations for its own ARS only.
            restrict_choices(self, "pilot_ars", ARS.objects.filter(pk=user.ars_id))
            self.fields["pilot_ars"].initial = user.ars_id
        if editing and not (user is not None and scoping.can_supervise(user, self.instance)):
            # Who supervises is changed by the pilot ARS or a national admin only; others
            # ask for it (cooperations/supervision.py). Disabled: the posted value is ignored.
            for name in self.SUPERVISION_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = (
                    "Modifiable par l'ARS pilote ou un administrateur national : demandez le "
                    "changement depuis la page « Supervision » de la coopération."
                )
        ars_id = self.instance.pilot_ars_id if editing else None
        if ars_id is None and user is not None and user.is_ars_agent:
            ars_id = user.ars_id
        objectives = RegionalObjective.objects.select_related("ars").order_by(
            "ars__name", "kind", "order", "code"
        )
        # The pilot ARS's plan; objectives already linked (e.g. before a change of pilot
        # ARS) stay offered and selected.
        restrict_choices(
            self, "plan_objectives", objectives.filter(ars_id=ars_id) if ars_id else objectives
        )
        if editing:
            self.add_version_field(self.instance)

    def clean(self):
        data = super().clean()
        ars = data.get("pilot_ars")
        kept = (
            set(self.instance.plan_objectives.values_list("pk", flat=True))
            if self.instance.pk
            else set()
        )
        wrong = [
            o
            for o in data.get("plan_objectives") or []
            if ars and o.ars_id != ars.pk and o.pk not in kept
        ]
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


class FinessCombobox(forms.TextInput):
    """A text input that suggests establishments as the user types (ARIA 1.2 combobox).

    Progressive enhancement: without JavaScript it is a plain FINESS field; with it, htmx
    fetches up to 10 suggestions (registre:suggestions) and static/js/combobox.js makes
    the list keyboard usable (arrows, Enter, Escape) and announces it.
    """

    template_name = "cooperations/widgets/finess_combobox.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        element_id = context["widget"]["attrs"].get("id", f"id_{name}")
        context["widget"]["attrs"].update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": f"{element_id}-listbox",
                "autocomplete": "off",
                "hx-get": reverse("registre:suggestions"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": f"#{element_id}-listbox",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates folder, which the default form renderer does not search.
        context = self.get_context(name, value, attrs)
        return mark_safe(loader.render_to_string(self.template_name, context))  # noqa: S308


class MemberForm(SubmissionKeyMixin, DsfrForm):
    submit_label = "Ajouter le membre"
    finess = forms.CharField(
        label="Établissement ou entité juridique",
        max_length=100,
        widget=FinessCombobox,
        help_text=(
            "Tapez un nom, une commune ou un numéro FINESS (9 caractères, par exemple "
            "010000024), puis choisissez dans la liste ; le numéro FINESS d'une entité "
            "juridique ajoute l'entité entière."
        ),
    )
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices, initial=MemberRole.MEMBRE)
    joined_on = forms.DateField(label="Date d'adhésion", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = None

    def clean_finess(self):
        accepted = (self.data.get("finess_suggestion") or "").strip()
        raw = accepted or self.cleaned_data["finess"]
        value = normalise_finess(raw).replace(" ", "").replace(".", "")
        suggestion = finess_suggestion(value)
        if suggestion and not accepted:
            self.suggestion = suggestion
            raise forms.ValidationError(
                f"Le numéro « {value} » n'a que 8 caractères : vouliez-vous dire {suggestion} ? "
                "(un tableur efface souvent le zéro initial)"
            )
        if suggestion:
            value = suggestion
        if not any(char.isdigit() for char in value):
            raise forms.ValidationError(
                f"« {raw.strip()} » n'est pas un numéro FINESS : choisissez l'établissement dans la "
                "liste des suggestions, ou saisissez son numéro FINESS."
            )
        error = finess_error(value)
        if error:
            raise forms.ValidationError(error)
        self.establishment = (
            Establishment.objects.select_related("legal_entity").filter(finess=value).first()
        )
        self.legal_entity = None
        if self.establishment is None:
            self.legal_entity = LegalEntity.objects.filter(finess=value).first()
        if self.establishment is None and self.legal_entity is None:
            raise forms.ValidationError(
                f"Aucun établissement ni entité juridique n'a le numéro FINESS {value} "
                "dans le répertoire importé."
            )
        target = self.establishment or self.legal_entity
        if target.is_closed:
            closed_on = f" le {target.closed_on:%d/%m/%Y}" if target.closed_on else ""
            raise forms.ValidationError(
                f"{target.display_name} (FINESS {value}) est fermé{closed_on} selon le répertoire "
                "FINESS : il ne peut plus rejoindre une coopération."
            )
        return value


class MembershipLeaveForm(DsfrForm):
    submit_label = "Enregistrer le retrait"
    left_on = forms.DateField(label="Date de retrait", widget=DateInput())

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
            restrict_choices(self, "ars", ARS.objects.filter(pk=user.ars_id))
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


class SupervisionChangeForm(DsfrForm):
    """The pilot ARS and the départements wanted: a request to the pilot ARS, or (for an
    agent of the pilot ARS or a national admin) a change applied at once."""

    submit_label = "Envoyer la demande"
    pilot_ars = forms.ModelChoiceField(label="ARS pilote", queryset=ARS.objects.order_by("name"))
    departements = forms.ModelMultipleChoiceField(
        label="Départements concernés",
        queryset=Departement.objects.select_related("ars").order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )
    reason = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Pourquoi ce changement : l'ARS pilote le lit avant de décider.",
    )

    def __init__(self, *args, cooperation, supervisor: bool, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "pilot_ars": cooperation.pilot_ars_id,
                "departements": list(cooperation.departements.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        if supervisor:
            self.submit_label = "Appliquer le changement"
        else:
            self.fields["reason"].required = True


class SupervisionDecisionForm(DsfrForm):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accept", "Accepter"), ("refuse", "Refuser")]
    )
    comment = forms.CharField(
        label="Commentaire (obligatoire pour un refus)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
