"""A form whose choice list is filtered by role never changes a value the user could not
choose (issue 14, item 3): the edited object's current value stays offered and selected,
so the browser posts it back unchanged instead of the first allowed option.

Generic: every form of the project whose constructor takes the `user` (its choices depend on
who fills it) must have a case below, and every choice field of each case is checked.
"""

import importlib
import inspect
import re
from html import unescape

import pytest
from django import forms
from django.conf import settings

from cooperations.forms import CooperationForm, RegionalObjectiveForm
from cooperations.models import Cooperation, LegalForm, RegionalObjective
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db


def _forms_taking_a_user():
    found = set()
    for app in settings.PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and "user" in inspect.signature(cls.__init__).parameters
            ):
                found.add(cls)
    return found


def _moved_cooperation(world):
    """Piloted by Occitanie, it keeps a département, an objective of its former pilot (ARA)
    and a legal form that has since become historical: values outside today's lists."""
    objective, _ = RegionalObjective.objects.get_or_create(
        ars=ars("84"), code="SRS-ANCIEN",
        defaults={"kind": "srs", "title": "Ancien objectif", "starts_year": 2018, "ends_year": 2023},
    )  # fmt: skip
    historical = LegalForm.objects.filter(is_historical=True).first()
    existing = Cooperation.objects.filter(title="Coopération transférée").first()
    if existing is not None:
        return existing
    coop = CooperationFactory(
        title="Coopération transférée",
        in_occitanie=True,
        departements=[departement("31"), departement("01")],
        legal_form=historical,
    )
    coop.plan_objectives.add(objective)
    if not coop.memberships.filter(establishment=world.et_c).exists():
        MembershipFactory(cooperation=coop, establishment=world.et_c, role="porteur")
    return Cooperation.objects.get(pk=coop.pk)


def _objective_of_ara():
    years = {"starts_year": 2023, "ends_year": 2028}
    parent, _ = RegionalObjective.objects.get_or_create(
        ars=ars("84"), code="COS-1", defaults={"kind": "cos", "title": "Parent", **years}
    )
    child, _ = RegionalObjective.objects.get_or_create(
        ars=ars("84"), code="SRS-9",
        defaults={"kind": "srs", "title": "Enfant", "parent": parent, **years},
    )  # fmt: skip
    return child


# form class -> world -> [(user, instance)]: each user opens the form on an object whose
# values it could not all choose itself.
CASES = {
    CooperationForm: lambda w: (
        [(user, _moved_cooperation(w)) for user in (w.admin, w.agent_occ, w.referent_c)]
        + [(w.agent_ara, Cooperation.objects.get(pk=w.coop_ara.pk))]
    ),
    RegionalObjectiveForm: lambda w: [
        (w.agent_ara, _objective_of_ara()),
        (w.admin, _objective_of_ara()),
    ],
}


def test_every_form_that_depends_on_the_user_has_a_case():
    missing = sorted(cls.__qualname__ for cls in _forms_taking_a_user() - set(CASES))
    assert not missing, f"Formulaires filtrés par rôle sans cas de test : {missing}"


def _current(instance, name):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return {str(pk) for pk in getattr(instance, name).values_list("pk", flat=True)}
    value = getattr(instance, field.attname)
    return {str(value)} if value not in (None, "") else set()


def _selected_options(html: str) -> set:
    return {
        unescape(m.group(1)) for m in re.finditer(r'<option value="([^"]*)"[^>]*\bselected\b', html)
    }


@pytest.mark.parametrize("form_class", list(CASES), ids=lambda c: c.__name__)
def test_a_value_outside_the_users_list_is_kept(form_class, world):
    checked = 0
    for user, instance in CASES[form_class](world):
        form = form_class(instance=instance, user=user)
        for name, field in form.fields.items():
            if not isinstance(field, forms.ChoiceField) or name not in {
                f.name for f in instance._meta.get_fields()
            }:
                continue
            current = _current(instance, name)
            if not current:
                continue
            checked += 1
            # What the browser shows selected is what it posts back: the current value.
            html = str(form[name])
            assert _selected_options(html) == current, (form_class.__name__, user, name)
            # ... and posting it back keeps it (a disabled field keeps it by itself).
            raw = (
                list(current)
                if isinstance(field, forms.ModelMultipleChoiceField)
                else current.pop()
            )
            if not field.disabled:
                cleaned = field.clean(raw)
                kept = (
                    {str(o.pk) for o in cleaned}
                    if isinstance(field, forms.ModelMultipleChoiceField)
                    else {str(getattr(cleaned, "pk", cleaned))}
                )
                assert kept == _current(instance, name), (form_class.__name__, user, name)
    assert checked, f"Aucun champ à choix vérifié pour {form_class.__name__}"


def test_saving_the_edit_page_unchanged_keeps_what_the_user_could_not_choose(world, login):
    """End to end: the project team of a moved cooperation saves its edit page as shown."""
    coop = _moved_cooperation(world)
    client = login(world.referent_c)
    from django.urls import reverse

    url = reverse("cooperations:edit", args=[coop.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = (
                field.widget.format_value(value)
                if hasattr(field.widget, "format_value") and isinstance(field, forms.DateField)
                else value
            )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    coop.refresh_from_db()
    assert coop.pilot_ars == ars("76")
    assert set(coop.departements.values_list("code", flat=True)) == {"31", "01"}
    assert coop.legal_form is not None and coop.legal_form.is_historical
    assert list(coop.plan_objectives.values_list("code", flat=True)) == ["SRS-ANCIEN"]
