"""core.forms.merge_form: the field-level three-way merge of a save beaten by another
person's, on every kind of field (text, number, date, boolean, single and multiple choice)."""

import datetime
from decimal import Decimal

from django import forms
from django.http import QueryDict

from core.forms import DsfrForm, MergeableFormMixin, merge_form


class Sheet(MergeableFormMixin, DsfrForm):
    title = forms.CharField(label="Intitulé", required=False)
    amount = forms.DecimalField(label="Montant", required=False, max_digits=10, decimal_places=2)
    due = forms.DateField(label="Échéance", required=False)
    done = forms.BooleanField(label="Terminé", required=False)
    kind = forms.ChoiceField(label="Type", choices=[("a", "Achat"), ("b", "Bail")])
    tags = forms.MultipleChoiceField(
        label="Étiquettes", required=False, choices=[("x", "X"), ("y", "Y"), ("z", "Z")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_merge_base_field()


LOADED = {
    "title": "Toiture",
    "amount": Decimal("1200.50"),
    "due": datetime.date(2026, 3, 1),
    "done": False,
    "kind": "a",
    "tags": ["x"],
}


def _post(**changes) -> QueryDict:
    """The page loaded with LOADED, submitted with `changes` (field → typed value)."""
    page = Sheet(initial=LOADED)
    data = QueryDict(mutable=True)
    data["merge_base"] = page.signed_base()
    values = {
        "title": "Toiture",
        "amount": "1 200,5",
        "due": "2026-03-01",
        "done": False,
        "kind": "a",
        "tags": ["x"],
        **changes,
    }
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        elif value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = value
    return data


def _merge(stored: dict, **changes):
    form = Sheet(_post(**changes), initial={**LOADED, **stored})  # built from the database
    conflicts = merge_form(form, form.submitted_base())
    return form, conflicts


def test_fields_only_the_other_person_changed_take_the_stored_value():
    form, conflicts = _merge(
        {"amount": Decimal("900"), "done": True, "tags": ["y", "z"], "due": None},
        title="Toiture et façade",
    )
    assert conflicts == []
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "title": "Toiture et façade",  # the user's
        "amount": Decimal("900"),
        "due": None,
        "done": True,
        "kind": "a",
        "tags": ["y", "z"],
    }


def test_the_same_value_typed_differently_is_no_change_and_the_same_change_no_conflict():
    """ "1 200,5" is the 1200.50 the page showed; both people choosing "b" agree."""
    form, conflicts = _merge({"kind": "b"}, kind="b", amount="1200.5")
    assert conflicts == []
    assert form.is_valid() and form.cleaned_data["amount"] == Decimal("1200.5")


def test_fields_both_changed_differently_are_conflicts_naming_the_other_value():
    form, conflicts = _merge(
        {"kind": "b", "done": True, "due": datetime.date(2026, 4, 2), "title": "Autre"},
        kind="a",  # unchanged by the user: takes "b"
        done=False,
        due="2026-05-01",
        title="Toiture (lot 2)",
    )
    assert conflicts == [
        "« Intitulé » : l'autre personne a enregistré « Autre ».",
        "« Échéance » : l'autre personne a enregistré « 02/04/2026 ».",
    ]
    assert form.data["title"] == "Toiture (lot 2)" and form.data["due"] == "2026-05-01"
    assert form.data["kind"] == "b" and form.data["done"] == "on"
    # The next submit starts from the stored values: the user's choice is then a change.
    assert form.submitted_base()["title"] == "Autre"


def test_a_tampered_base_is_no_base():
    data = _post()
    data["merge_base"] = data["merge_base"][:-3] + "abc"
    assert Sheet(data).submitted_base() is None
    assert Sheet(QueryDict("title=x")).submitted_base() is None
