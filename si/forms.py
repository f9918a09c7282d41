from django import forms

from core.forms import DsfrModelForm, VersionedFormMixin
from core.widgets import DateInput
from si.models import ChecklistItem


class ChecklistItemForm(VersionedFormMixin, DsfrModelForm):
    submit_label = "Enregistrer"

    class Meta:
        model = ChecklistItem
        fields = ["status", "owner", "due_on", "answer"]
        widgets = {
            "due_on": DateInput(),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "owner": "La personne ou l'établissement qui porte ce point.",
            "answer": "Ce que l'équipe a constaté ou décidé sur ce point.",
            "due_on": "Devient la date planifiée du livrable KIT 3, si vous en faites un.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version_field(self.instance)
