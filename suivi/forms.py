from datetime import date

from django import forms
from django.utils import timezone

from cooperations.models import Membership
from core.forms import DsfrModelForm, VersionedFormMixin
from core.idempotency import SubmissionKeyMixin
from core.text import is_plausible
from core.widgets import DateInput
from suivi.models import (
    DEFAULT_AT_RISK_MAX_DAYS,
    Activity,
    CopilMeeting,
    Deliverable,
    ProjectSettings,
    Risk,
    RiskCategory,
    StatusReport,
)
from suivi.planning import period_bounds, rag_rule
from suivi.services import BASELINE_FROZEN, RISK_FIELDS

PERCENT_ERRORS = {
    "min_value": "L'avancement est un pourcentage entre 0 et 100.",
    "max_value": "L'avancement est un pourcentage entre 0 et 100.",
    "invalid": "Saisissez un nombre entier entre 0 et 100.",
}


class ActivityForm(SubmissionKeyMixin, VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "lead_name",
            "lead_member",
            "objectives",
            "description",
            "resources",
            "depends_on",
            "order",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "depends_on": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "order": "Position du chantier dans les tableaux et le diagramme de Gantt.",
            "resources": "Personnes, budget, outils mobilisés pour ce chantier.",
        }

    def __init__(self, *args, cooperation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_member"].queryset = (
            Membership.objects.active()
            .filter(cooperation=cooperation)
            .select_related("establishment", "legal_entity")
        )
        self.fields["lead_member"].label_from_instance = lambda m: m.member_name
        others = Activity.objects.filter(cooperation=cooperation)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.add_version_field(self.instance)
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].required = False


class DeliverableForm(SubmissionKeyMixin, VersionedFormMixin, DsfrModelForm):
    revision_reason = forms.CharField(
        label="Motif de la révision de date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire si vous modifiez la date révisée ; conservé dans l'historique.",
    )

    class Meta:
        model = Deliverable
        fields = [
            "kind",
            "title",
            "planned_on",
            "revised_on",
            "done_on",
            "progress",
            "weight",
            "rag_override",
            "rag_override_reason",
        ]
        widgets = {
            "planned_on": DateInput(),
            "revised_on": DateInput(),
            "done_on": DateInput(),
            "rag_override_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "progress": "Pourcentage de 0 à 100 ; passe à 100 dès qu'une date de réalisation est saisie.",
            "weight": "Part de ce livrable dans l'avancement du chantier et du projet (1 à 100).",
        }

    def __init__(self, *args, at_risk_max_days: int = DEFAULT_AT_RISK_MAX_DAYS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rag_override"].help_text = (
            "Laissez vide pour garder le calcul automatique. " + rag_rule(at_risk_max_days)
        )
        self.fields["progress"].error_messages.update(PERCENT_ERRORS)
        self.fields["progress"].widget.attrs.update({"min": 0, "max": 100})
        self.fields["weight"].widget.attrs.update({"min": 1, "max": 100})
        self.fields["rag_override"].choices = [("", "Calcul automatique")] + [
            c for c in self.fields["rag_override"].choices if c[0]
        ]
        if self.instance.pk:
            self.add_version_field(self.instance)
            if self.instance.planned_on and is_plausible(self.instance.planned_on):
                # The baseline is frozen: shown, never posted back (the service refuses it too).
                self.fields["planned_on"].disabled = True
                self.fields["planned_on"].help_text = BASELINE_FROZEN
        else:
            # A new deliverable has no revision yet: its first date is the baseline.
            del self.fields["revised_on"]
            del self.fields["revision_reason"]

    def clean(self):
        data = super().clean()
        if (
            self.instance.pk
            and "revised_on" in data
            and data.get("revised_on") != self.instance.revised_on
            and not (data.get("revision_reason") or "").strip()
        ):
            self.add_error(
                "revision_reason",
                "Indiquez le motif du changement de date révisée : il sera conservé dans l'historique.",
            )
        return data


class RiskForm(SubmissionKeyMixin, VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = Risk
        fields = list(RISK_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "review_on": DateInput(),
        }
        help_texts = {
            "probability": "1 = peu probable, 4 = quasi certain.",
            "impact": "1 = gêne mineure, 4 = met en cause le projet.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RiskCategory.objects.all()
        if self.instance.pk:
            self.add_version_field(self.instance)


class ProjectSettingsForm(VersionedFormMixin, DsfrModelForm):
    class Meta:
        model = ProjectSettings
        fields = ["report_period_months", "reminder_days", "at_risk_max_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The settings row may not exist yet (defaults shown): it then starts at version 1.
        self.add_version_field(self.instance)
        self.fields["at_risk_max_days"].widget.attrs.update({"min": 1, "max": 365})

    def add_stale_error(self, error):
        self.add_error(None, error)
        # Let the next submit go through once the user has seen the warning; the row may
        # have been created by the other user since this form was displayed.
        self.data = self.data.copy()
        stored = (
            ProjectSettings.objects.filter(cooperation_id=self.instance.cooperation_id)
            .values_list("version", flat=True)
            .first()
        )
        self.data["version"] = str(stored or 1)


class StatusReportForm(SubmissionKeyMixin, DsfrModelForm):
    submit_label = "Établir le rapport et figer les chiffres"

    class Meta:
        model = StatusReport
        fields = [
            "period_start",
            "period_end",
            "achievements",
            "planning_comment",
            "risks_comment",
            "anticipation",
            "decisions_expected",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "achievements": forms.Textarea(attrs={"rows": 4}),
            "planning_comment": forms.Textarea(attrs={"rows": 3}),
            "risks_comment": forms.Textarea(attrs={"rows": 3}),
            "anticipation": forms.Textarea(attrs={"rows": 3}),
            "decisions_expected": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, period_months: int = 1, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = period_bounds(today or timezone.localdate(), period_months)
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "La fin de la période ne peut pas précéder son début.")
        return data


class CopilMeetingForm(SubmissionKeyMixin, DsfrModelForm):
    class Meta:
        model = CopilMeeting
        fields = ["held_on", "location", "agenda"]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 2}),
        }
