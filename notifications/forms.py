from django import forms

from core.forms import DsfrForm
from notifications.kinds import ALL_KINDS, LABELS
from notifications.models import Delivery

SAME = ("", "Comme par défaut")


class PreferencesForm(DsfrForm):
    delivery = forms.ChoiceField(
        label="Par défaut, je suis prévenu(e)", choices=Delivery.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, preference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].initial = preference.delivery
        for kind in ALL_KINDS:
            field = forms.ChoiceField(
                label=LABELS[kind], choices=[SAME, *Delivery.choices], required=False
            )
            field.widget.attrs["class"] = "fr-select"
            field.initial = preference.by_kind.get(kind, "")
            self.fields[f"kind_{kind}"] = field

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in ALL_KINDS]

    def by_kind(self) -> dict:
        return {
            kind: self.cleaned_data.get(f"kind_{kind}")
            for kind in ALL_KINDS
            if self.cleaned_data.get(f"kind_{kind}")
        }
