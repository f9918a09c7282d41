"""The input normalisation rule (docs/ARCHITECTURE.md): text, dates and numbers are
normalised once by every DsfrForm; exports and documents survive rows stored before."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from core.forms import DsfrForm, DsfrModelForm
from core.spreadsheets import csv_lines, xlsx_bytes
from core.text import parse_number
from suivi.models import Deliverable
from tests.legacy import without_check_constraints
from tests.suivi.factories import DeliverableFactory


class Sample(DsfrForm):
    title = forms.CharField(max_length=50)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    due = forms.DateField(required=False)
    amount = forms.DecimalField(required=False, max_digits=14, decimal_places=4)
    count = forms.IntegerField(required=False)


class DeliverableDates(DsfrModelForm):
    class Meta:
        model = Deliverable
        fields = ["planned_on", "revised_on"]


# --- text ----------------------------------------------------------------------------------


def test_control_characters_are_removed_and_text_is_nfc():
    form = Sample({"title": "Cafe\u0301\x00 \x1b[31mrouge", "notes": "ligne 1\r\nligne\t2\x07"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Café [31mrouge"
    assert form.cleaned_data["notes"] == "ligne 1\nligne\t2"


def test_passwords_are_left_as_typed():
    form = Sample({"title": "x", "secret": "e\u0301\x07"})
    assert form.is_valid()
    assert form.cleaned_data["secret"] == "e\u0301\x07"


def test_xlsx_and_csv_exports_survive_a_legacy_control_character():
    rows = [["Comité\x0b de suivi\x00", date(2026, 1, 5), "=1+1\x1f"]]
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(title="Suivi\x01", headers=["A", "B", "C"], rows=rows))
    )
    sheet = workbook.active
    assert sheet["A2"].value == "Comité de suivi"
    assert sheet["C2"].value == "'=1+1"
    text = "".join(csv_lines(["A", "B", "C"], rows))
    assert "\x0b" not in text and "\x00" not in text
    assert "Comité de suivi" in text


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["0001-01-01", "9999-12-31", "0026-06-30", "1949-12-31", "2101-01-01"]
)
def test_every_form_date_is_within_the_plausible_range(typed):
    form = Sample({"title": "x", "due": typed})
    assert not form.is_valid()
    assert form.errors["due"] == ["Saisissez une date entre le 01/01/1950 et le 31/12/2100."]


def test_a_model_form_date_is_bounded_too_and_the_picker_says_so():
    form = DeliverableDates({"planned_on": "9999-12-31"})
    assert not form.is_valid()
    assert "entre le 01/01/1950 et le 31/12/2100" in str(form.errors["planned_on"])
    widget = DeliverableDates().fields["planned_on"].widget
    if widget.attrs.get("type") == "date":
        assert widget.attrs["min"] == "1950-01-01" and widget.attrs["max"] == "2100-12-31"
    assert DeliverableDates({"planned_on": "2026-06-30"}).is_valid()


@pytest.mark.django_db
def test_the_database_refuses_an_implausible_date():
    deliverable = DeliverableFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliverable.objects.filter(pk=deliverable.pk).update(planned_on=date(9999, 12, 31))
    deliverable.planned_on = date(1, 1, 1)
    with pytest.raises(ValidationError, match="01/01/1950"):
        deliverable.full_clean()


@pytest.mark.django_db
def test_check_dates_lists_legacy_rows():
    good = DeliverableFactory(title="Bon")
    bad = DeliverableFactory(title="Mauvais")
    with without_check_constraints(("suivi_deliverable", "deliverable_planned_on_plausible")):
        Deliverable.objects.filter(pk=bad.pk).update(planned_on=date(26, 6, 30))
    out = io.StringIO()
    call_command("check_dates", stdout=out)
    report = out.getvalue()
    assert f"n° {bad.pk} (suivi.Deliverable)" in report
    assert "0026-06-30" in report
    assert f"n° {good.pk} " not in report
    assert "1 date(s) hors de la plage" in report


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("1 200", Decimal("1200")),
        ("1 200,5", Decimal("1200.5")),
        ("1\u00a0200,5", Decimal("1200.5")),
        ("1\u202f234\u202f567,25", Decimal("1234567.25")),
        ("-3,75", Decimal("-3.75")),
        ("1.5", Decimal("1.5")),
        ("1,5e3", Decimal("1500")),
    ],
)
def test_french_number_formats_are_accepted(typed, expected):
    assert parse_number(typed) == expected
    form = Sample({"title": "x", "amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == expected


@pytest.mark.parametrize(
    "typed,message",
    [
        ("1e400", "trop grand"),
        ("9" * 1_000_000, "trop long"),
        ("1e999999", "Saisissez un nombre"),
        ("Infinity", "Saisissez un nombre"),
        ("NaN", "Saisissez un nombre"),
        ("12abc", "Saisissez un nombre"),
        ("0,0000001", "trop de décimales"),
    ],
)
def test_numbers_are_bounded_with_a_french_message(typed, message):
    form = Sample({"title": "x", "amount": typed, "count": typed})
    assert not form.is_valid()
    assert message in str(form.errors["amount"])
    assert "count" in form.errors


def test_integer_fields_accept_french_thousands():
    form = Sample({"title": "x", "count": "12 500"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["count"] == 12500
