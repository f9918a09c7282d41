"""The templates are data (catalogue files, idempotent load)."""

import pytest
from django.conf import settings

from conventions.models import Clause, ConventionTemplate
from conventions.rendering import unknown_placeholders
from core.catalogues import load_all, read_dir

pytestmark = pytest.mark.django_db


def _file_codes() -> set[str]:
    return {d["code"] for d in read_dir(settings.CATALOGUES_DIR / "conventions")}


def test_every_template_is_seeded_with_known_fields_and_cited_articles():
    codes = {t.code for t in ConventionTemplate.objects.current()}
    assert codes == _file_codes()
    for template in ConventionTemplate.objects.current():
        clauses = list(template.clauses.all())
        assert any(c.mandatory for c in clauses) and any(not c.mandatory for c in clauses)
        for clause in clauses:
            assert unknown_placeholders(clause.body) == [], (template.code, clause.key)
            if clause.mandatory:
                assert clause.legal_reference, (template.code, clause.key)
    ght = ConventionTemplate.objects.get(code="ght", is_current=True)
    bodies = " ".join(ght.clauses.values_list("body", flat=True))
    assert "{{ etablissement_support }}" in bodies and "{{ projet_medical }}" in bodies


def test_reloading_the_files_changes_nothing_and_a_changed_file_archives_the_text():
    before = Clause.objects.count()
    report = load_all(["conventions"])
    assert not report.changed and Clause.objects.count() == before
    gcs = ConventionTemplate.objects.get(code="gcs-moyens", is_current=True)
    # An admin edit, not yet exported to the files: a start-up load (--missing-only) keeps it.
    ConventionTemplate.objects.filter(pk=gcs.pk).update(name="Modèle GCS revu")
    load_all(["conventions"], missing_only=True)
    gcs.refresh_from_db()
    assert (gcs.version, gcs.name) == (1, "Modèle GCS revu")
    # A full load brings the files' text back and archives the edited one as version 1.
    load_all(["conventions"])
    gcs.refresh_from_db()
    assert gcs.version == 2 and gcs.name != "Modèle GCS revu"
    archived = ConventionTemplate.objects.get(code="gcs-moyens", is_current=False)
    assert (archived.version, archived.name) == (1, "Modèle GCS revu")
    assert archived.clauses.count() == gcs.clauses.count()


def test_an_admin_edit_creates_a_new_template_version(client):
    from tests.accounts.factories import UserFactory

    admin = UserFactory(national_admin=True, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    template = ConventionTemplate.objects.get(code="convention-cooperation", is_current=True)
    change_url = f"/admin/conventions/conventiontemplate/{template.pk}/change/"
    response = client.get(change_url)
    assert response.status_code == 200
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if name == "DELETE" or value is None or value is False:
                    continue
                data[f"{sub.prefix}-{name}"] = (
                    "on" if value is True else (value.pk if hasattr(value, "pk") else value)
                )
    objet = next(
        f
        for f in response.context["inline_admin_formsets"][0].formset.forms
        if f.instance.key == "objet"
    )
    data[f"{objet.prefix}-body"] = "Les parties coopèrent pour : {{ objet }}"

    response = client.post(change_url, data)

    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    template.refresh_from_db()
    assert template.version == 2 and template.is_current
    assert template.clauses.get(key="objet").body == "Les parties coopèrent pour : {{ objet }}"
    archive = ConventionTemplate.objects.get(code="convention-cooperation", version=1)
    assert not archive.is_current
    assert archive.clauses.get(key="objet").body.startswith("Les parties coopèrent pour")
    # An archived version cannot be edited any more.
    assert (
        client.post(f"/admin/conventions/conventiontemplate/{archive.pk}/change/", data).status_code
        == 403
    )


def test_clauses_refuse_attributes_filters_and_tags():
    from django.core.exceptions import ValidationError

    clause = Clause(
        template=ConventionTemplate.objects.get(code="ght", is_current=True),
        key="piege",
        title="Piège",
        body="{{ nom }} {{ user.password }} {{ nom|upper }} {% load static %}",
    )
    with pytest.raises(ValidationError) as raised:
        clause.full_clean()
    assert raised.value.message_dict["body"] == [
        "Champ(s) inconnu(s) : {{ user.password }}, {{ nom|upper }}, {% load static %}. "
        "Seuls les champs nommés de la liste sont permis, sans filtre ni balise."
    ]
