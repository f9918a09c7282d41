"""The legal-form catalogue in the admin: French, and no input without a label (issue 12)."""

import re

import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_legal_form_list_is_in_french_with_no_unlabelled_input(client):
    admin = UserFactory(national_admin=True, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

    html = client.get("/admin/cooperations/legalform/").content.decode()

    for header in ("Sigle", "Nom", "Base légale", "Crée une personne morale", "Ordre"):
        assert header in html, header
    assert "GTSMS" in html and "GCS exploitant" in html
    inputs = re.findall(r"<input[^>]*>", html)
    editable = [i for i in inputs if re.search(r'name="form-\d+-', i)]
    assert editable == [], "list_editable inputs have no label"
    for tag in inputs:
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        input_id = re.search(r'id="([^"]+)"', tag)
        labelled = "aria-label" in tag or (input_id and f'for="{input_id.group(1)}"' in html)
        assert labelled, tag


def test_the_chooser_rules_read_as_sentences_in_the_admin(client):
    admin = UserFactory(national_admin=True, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

    from cooperations.models import LegalForm

    gtsms = LegalForm.objects.get(code="gtsms")
    html = client.get("/admin/fiches/chooserrule/", {"legal_form__id__exact": gtsms.pk})
    text = html.content.decode()

    assert "ESMS public autonome tenu de rejoindre un GHT ou un GTSMS" in text
    assert "Obligation légale" in text
    assert ">Oui<" in text and ">Non<" in text
