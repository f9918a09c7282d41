"""Two people editing the same evaluation: a save beaten by another person's is merged field
by field (core.forms.save_versioned), never overwriting what the other person saved."""

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory

from core.forms import save_versioned
from evalimpact.forms import AnswersForm, EvaluationForm
from evalimpact.models import Answer, Evaluation
from evalimpact.services import evaluations as services
from tests.accounts.factories import referent_of
from tests.evalimpact.factories import create_evaluation, indicator

pytestmark = pytest.mark.django_db


def _forms(evaluation, data=None, axis_code=1):
    """The entry page's two forms, built as the view builds them (from the database)."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    loaded = services.load_evaluation(evaluation)
    header = EvaluationForm(data, instance=evaluation, prefix="e")
    answers = AnswersForm(data, data_obj=loaded, prefix="a", axis_code=axis_code)
    return evaluation, header, answers


def _page(evaluation, axis_code=1) -> dict:
    """What one axis of the entry page posts when submitted untouched, once loaded now."""
    data = {"axe": str(axis_code)}
    for form in _forms(evaluation, axis_code=axis_code)[1:]:
        for field in form:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


def _submit(user, evaluation, data):
    """The entry page's POST, without HTTP: (saved?, header form, messages)."""
    request = RequestFactory().post("/", data)
    request.user = user
    request._messages = CookieStorage(request)
    evaluation, header, answers = _forms(evaluation, request.POST, int(data["axe"]))
    saved = save_versioned(
        request,
        header,
        lambda fields, version: services.evaluation_save(
            evaluation=evaluation,
            user=user,
            header=fields,
            rows=answers.rows(),
            version=version,
        ),
        extra_forms=[answers],
        success="Les réponses sont enregistrées et les notes recalculées.",
    )
    return saved, header, [str(m) for m in get_messages(request)]


def _answer(evaluation, code):
    return Answer.objects.get(evaluation=evaluation, indicator=indicator(evaluation, code))


@pytest.fixture
def two(world):
    """An evaluation of coop_ara and two people who may edit it."""
    evaluation = create_evaluation(world.coop_ara)
    other = referent_of(world.coop_ara.memberships.get(role="porteur").establishment)
    return evaluation, world.referent_a, other


def test_answers_changed_by_two_people_in_different_fields_are_both_kept(two):
    evaluation, a, b = two
    f2, f5 = indicator(evaluation, "F2"), indicator(evaluation, "F5")
    page_a, page_b = _page(evaluation), _page(evaluation)  # both opened at this version
    page_b[f"a-{f2.pk}-0-baseline"] = "40"
    assert _submit(b, evaluation, page_b)[0]
    page_a[f"a-{f5.pk}-0-level"] = "3"
    page_a[f"a-{f5.pk}-0-justification"] = "Un protocole commun est signé."
    page_a["e-comments"] = "Relu en COPIL"

    saved, _form, messages = _submit(a, evaluation, page_a)

    assert saved
    assert _answer(evaluation, "F2").baseline == 40  # B's, not A's empty field
    assert _answer(evaluation, "F5").level == 3
    assert Evaluation.objects.get(pk=evaluation.pk).comments == "Relu en COPIL"
    assert any("toutes sont conservées" in m for m in messages)


def test_the_same_field_changed_by_both_is_a_conflict_naming_it_with_the_other_value(two):
    evaluation, a, b = two
    f2, f5 = indicator(evaluation, "F2"), indicator(evaluation, "F5")
    page_a, page_b = _page(evaluation), _page(evaluation)
    page_b[f"a-{f2.pk}-0-baseline"] = "40"
    page_b["e-comments"] = "Commentaire de B"
    assert _submit(b, evaluation, page_b)[0]
    version = Evaluation.objects.get(pk=evaluation.pk).version
    page_a[f"a-{f2.pk}-0-baseline"] = "45,5"
    page_a[f"a-{f5.pk}-0-level"] = "2"
    page_a[f"a-{f5.pk}-0-justification"] = "En cours."

    saved, header, _messages = _submit(a, evaluation, page_a)

    assert not saved
    errors = list(header.non_field_errors())
    assert "rien n'a été enregistré" in errors[0]
    assert errors[1:] == [
        "« F2 — Valeur de référence (jours) » : l'autre personne a enregistré « 40 »."
    ]
    # Nothing of A's written, nothing of B's lost; A's input kept, B's comment shown.
    assert Evaluation.objects.get(pk=evaluation.pk).version == version
    assert _answer(evaluation, "F2").baseline == 40
    assert not Answer.objects.filter(evaluation=evaluation, indicator=f5, level=2).exists()
    assert header.data[f"a-{f2.pk}-0-baseline"] == "45,5"
    assert header.data[f"a-{f5.pk}-0-level"] == "2"
    assert header.data["e-comments"] == "Commentaire de B"


def test_after_the_conflict_submitting_again_writes_the_users_choice(two):
    evaluation, a, b = two
    f2 = indicator(evaluation, "F2")
    page_a, page_b = _page(evaluation), _page(evaluation)
    page_b[f"a-{f2.pk}-0-baseline"] = "40"
    page_b["e-comments"] = "Commentaire de B"
    assert _submit(b, evaluation, page_b)[0]
    page_a[f"a-{f2.pk}-0-baseline"] = "45,5"
    saved, header, _messages = _submit(a, evaluation, page_a)
    assert not saved
    version = Evaluation.objects.get(pk=evaluation.pk).version

    saved, _header, _messages = _submit(a, evaluation, dict(header.data.items()))

    assert saved
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.version == version + 1
    assert stored.comments == "Commentaire de B"  # only B changed it: kept
    assert str(_answer(evaluation, "F2").baseline.normalize()) == "45.5"


def test_a_page_without_its_starting_values_keeps_the_plain_stale_warning(two):
    """A post that lost its base (or was tampered with) cannot be merged: the warning at
    the top, the input kept, nothing written."""
    evaluation, a, b = two
    f2 = indicator(evaluation, "F2")
    page_a, page_b = _page(evaluation), _page(evaluation)
    page_b[f"a-{f2.pk}-0-baseline"] = "40"
    assert _submit(b, evaluation, page_b)[0]
    page_a["a-merge_base"] = page_a["a-merge_base"][:-2] + "xx"
    page_a[f"a-{f2.pk}-0-value"] = "12"

    saved, header, _messages = _submit(a, evaluation, page_a)

    assert not saved
    assert "Quelqu'un d'autre a enregistré cette fiche" in header.non_field_errors()[0]
    assert _answer(evaluation, "F2").value is None


def test_two_people_on_the_entry_page_conflict_then_the_second_one_resubmits(two):
    """Through the page: B's answer saved, A's conflicting one listed at the top with B's
    value and A's input kept; A submits again: A's value stored, the history says A."""
    evaluation, a, b = two
    f2 = indicator(evaluation, "F2")
    url = f"/evalimpact/evaluation/{evaluation.pk}/saisie/?axe=1"
    browser_a, browser_b = Client(), Client()
    for browser, user in ((browser_a, a), (browser_b, b)):
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    pages = []
    for browser in (browser_a, browser_b):
        html = browser.get(url).content.decode()
        page = _page(evaluation)
        for name in ("e-merge_base", "a-merge_base"):  # the page carries where it started
            page[name] = unescape(re.search(rf'name="{name}" value="([^"]+)"', html)[1])
        pages.append(page)
    page_a, page_b = pages
    page_b[f"a-{f2.pk}-0-baseline"] = "40"
    assert browser_b.post(url, page_b).status_code == 302
    page_a[f"a-{f2.pk}-0-baseline"] = "38"

    response = browser_a.post(url, page_a)

    assert response.status_code == 200
    html = unescape(response.content.decode())
    alert = html[html.index('class="fr-alert fr-alert--error') :]
    alert = alert[: alert.index("</div>")]
    assert "« F2 — Valeur de référence (jours) » : l'autre personne a enregistré « 40 »." in alert
    assert f'name="a-{f2.pk}-0-baseline" value="38"' in html
    assert _answer(evaluation, "F2").baseline == 40

    again = dict(response.context["header"].data.items())
    assert browser_a.post(url, again).status_code == 302
    answer = _answer(evaluation, "F2")
    assert answer.baseline == 38
    assert answer.history.latest().history_user == a


def test_an_autosaved_draft_moves_the_values_the_page_started_from(two):
    """The autosave moves the page's version on, and the values it started from with it:
    a later save beaten by another person's compares with the draft, so changing again an
    answer the draft stored is this person's change, not a conflict with their own draft."""
    evaluation, a, b = two
    f2 = indicator(evaluation, "F2")
    url = f"/evalimpact/evaluation/{evaluation.pk}/saisie/?axe=1"
    browser_a = Client()
    browser_a.force_login(a, backend="django.contrib.auth.backends.ModelBackend")
    page_a = _page(evaluation)
    page_a[f"a-{f2.pk}-0-baseline"] = "40"
    draft = browser_a.post(url, {**page_a, "action": "autosave"}, headers={"HX-Request": "true"})
    html = unescape(draft.content.decode())
    assert "Brouillon enregistré automatiquement" in html
    for name in ("e-version", "e-merge_base", "a-merge_base"):  # swapped into the page
        page_a[name] = re.search(rf'name="{name}" value="([^"]+)" id="id_{name}"', html)[1]
    page_b = _page(evaluation)
    page_b[f"a-{f2.pk}-0-value"] = "35"
    assert _submit(b, evaluation, page_b)[0]
    page_a[f"a-{f2.pk}-0-baseline"] = "41"

    saved, header, _messages = _submit(a, evaluation, page_a)

    assert saved, list(header.non_field_errors())
    answer = _answer(evaluation, "F2")
    assert (answer.baseline, answer.value) == (41, 35)
