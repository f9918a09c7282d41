"""Attachments, catalogue versions, the legal-form chooser, the knowledge base."""

import pytest
from django.core.exceptions import ValidationError

from cooperations.models import Cooperation
from fiches import chooser
from fiches.models import Attachment, CatalogueVersion, Fiche, Question, StepState
from fiches.services.answers import attachment_add, step_save_answers
from fiches.services.catalogue_versions import catalogue_version_for_edit
from fiches.services.legal_form import legal_form_record
from fiches.services.questions import missing_answers
from fiches.templatetags.fiches_tags import render_markdown
from tests.cooperations.factories import CooperationFactory, legal_form
from tests.fiches.helpers import fill_mandatory, fresh, pdf, steps_of


@pytest.fixture
def steps(world):
    return steps_of(world.coop_ara)


def test_reupload_in_the_same_slot_adds_a_revision(world, steps):
    first = attachment_add(
        step=steps[1], user=world.referent_a, uploaded=pdf("v1.pdf"), slot="Synthèse"
    )
    second = attachment_add(
        step=steps[1], user=world.referent_a, uploaded=pdf("v2.pdf"), slot="Synthèse"
    )
    assert (first.revision, second.revision) == (1, 2)
    assert first.file.name != second.file.name and "v1" not in first.file.name
    assert fresh(steps[1]).state == StepState.IN_PROGRESS


def test_wrong_type_or_size_is_refused_and_nothing_is_stored(world, steps, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = SimpleUploadedFile(
        "page.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    with pytest.raises(ValidationError, match="ne correspond pas à son extension"):
        attachment_add(step=steps[1], user=world.referent_a, uploaded=html, slot="x")
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="la taille maximale est de"):
        attachment_add(step=steps[1], user=world.referent_a, uploaded=pdf(), slot="x")
    assert not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_file_question_is_answered_by_an_attachment(world, steps):
    synthesis = Question.objects.get(fiche=steps[1].fiche, code="synthese")
    step_save_answers(
        step=steps[1], user=world.referent_a, values={"besoins": "a", "offre": "b"}, version=1
    )
    assert missing_answers(fresh(steps[1])) == {
        "synthese": "Réponse obligatoire avant de soumettre l'étape."
    }
    attachment_add(step=steps[1], user=world.referent_a, uploaded=pdf(), question=synthesis)
    assert missing_answers(fresh(steps[1])) == {}


def test_editing_a_used_catalogue_copies_it_and_keeps_old_answers(world, steps):
    fill_mandatory(steps[1], world.referent_a)
    v1 = CatalogueVersion.objects.current()
    v2 = catalogue_version_for_edit(version=v1)
    assert v2.number == v1.number + 1 and v2.is_current
    assert not CatalogueVersion.objects.get(pk=v1.pk).is_current
    new_fiche = Fiche.objects.get(version=v2, number=1)
    new_fiche.title = "Diagnostic partagé du territoire"
    new_fiche.save()
    assert [p.number for p in Fiche.objects.get(version=v2, number=3).prerequisites.all()] == [1, 2]
    assert (
        Question.objects.filter(fiche__version=v2).count()
        == Question.objects.filter(fiche__version=v1).count()
    )
    # The step opened before keeps its fiche, title and answers.
    step = fresh(steps[1])
    assert step.fiche.version == v1 and step.fiche.title == "Diagnostic territorial partagé"
    assert step.answers.get(question__code="besoins").question.fiche.version == v1
    # Nobody answered v2 yet: it is edited in place, no v3.
    assert catalogue_version_for_edit(version=v2) == v2
    # A cooperation created now gets the new version; one created before keeps its steps.
    assert steps_of(CooperationFactory())[1].fiche.title == "Diagnostic partagé du territoire"
    assert steps_of(world.coop_occ)[1].fiche.version == v1
    # An old version cannot be edited.
    with pytest.raises(ValidationError, match="Seule la version en vigueur"):
        catalogue_version_for_edit(version=CatalogueVersion.objects.get(pk=v1.pk))


def test_admin_edit_of_a_used_fiche_publishes_a_new_version(world, steps, login):
    fill_mandatory(steps[1], world.referent_a)
    client = login(world.admin)
    fiche = steps[1].fiche
    url = f"/admin/fiches/fiche/{fiche.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "title": "Diagnostic territorial (révisé)",
        "phase": fiche.phase,
        "purpose": fiche.purpose,
        "guidance": fiche.guidance,
        "documents_expected": fiche.documents_expected,
        "knowledge_pages": [p.pk for p in fiche.knowledge_pages.all()],
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    current = CatalogueVersion.objects.current()
    assert current.number == 2
    assert Fiche.objects.get(version=current, number=1).title == "Diagnostic territorial (révisé)"
    assert Fiche.objects.get(pk=fiche.pk).title == "Diagnostic territorial partagé"


def _answers(**overrides):
    answers = {
        "members_status": "mixed", "sectors": "sanitaire", "ght_context": "no",
        "legal_personality": "yes", "employ_staff": "yes", "authorisation": "equipment",
        "capital": "yes", "duration": "long", "economic": "no",
    }  # fmt: skip
    answers.update(overrides)
    return answers


def test_recording_the_choice_updates_the_cooperation_with_history(world):
    coop = world.coop_ara
    ranking = chooser.rank_legal_forms(_answers(legal_personality="no"))
    legal_form_record(
        cooperation=coop, user=world.referent_a, legal_form=legal_form("convention"),
        answers=_answers(), ranking=[r.as_json() for r in ranking], justification="Plus simple.",
    )  # fmt: skip
    coop = Cooperation.objects.get(pk=coop.pk)
    assert coop.legal_form.code == "convention" and coop.nature == "fonctionnelle"
    last = coop.history.first()
    assert last.legal_form_id == legal_form("convention").pk
    assert coop.kit1_legal_form_decisions.get().justification == "Plus simple."
    with pytest.raises(Exception, match="référents"):
        legal_form_record(
            cooperation=coop,
            user=world.agent_ara,
            legal_form=legal_form("gcsms"),
            answers={},
            ranking=[],
        )


def test_an_edit_opened_before_the_legal_form_decision_is_refused_as_stale(world):
    """The decision moves the cooperation's version once (core.locking's lock, one history
    row): the edit form opened before it cannot put the former legal form back."""
    from cooperations.services import cooperation_update
    from core.locking import StaleObjectError

    coop = Cooperation.objects.get(pk=world.coop_ara.pk)
    seen, rows = coop.version, coop.history.count()
    legal_form_record(
        cooperation=coop, user=world.referent_a, legal_form=legal_form("convention"),
        answers={}, ranking=[],
    )  # fmt: skip
    stored = Cooperation.objects.get(pk=coop.pk)
    assert (coop.version, stored.version) == (seen + 1, seen + 1)
    assert stored.history.count() == rows + 1
    with pytest.raises(StaleObjectError, match="Quelqu'un d'autre a enregistré"):
        cooperation_update(
            cooperation=Cooperation.objects.get(pk=coop.pk),
            user=world.agent_ara,
            data={"title": "Titre de l'ancien formulaire"},
            version=seen,
        )
    stored = Cooperation.objects.get(pk=coop.pk)
    assert stored.legal_form.code == "convention" and stored.title != "Titre de l'ancien formulaire"


def test_markdown_is_rendered_without_scripts():
    html = render_markdown(
        "## Titre\n\n<script>alert(1)</script> [lien](javascript:alert(1)) **gras**"
    )
    assert "<h2>Titre</h2>" in html and "<strong>gras</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_admin_edit_of_a_used_question_leaves_the_old_one_untouched(world, steps, login):
    fill_mandatory(steps[1], world.referent_a)
    question = Question.objects.get(fiche=steps[1].fiche, code="besoins")
    client = login(world.admin)
    url = f"/admin/fiches/question/{question.pk}/change/"
    response = client.post(
        url,
        {
            "fiche": question.fiche_id,
            "code": "besoins",
            "order": question.order,
            "label": "Quels besoins de santé le projet couvre-t-il ?",
            "help_text": "",
            "kind": "text",
            "choices": "",
            "mandatory": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    current = CatalogueVersion.objects.current()
    assert current.number == 2
    assert (
        Question.objects.get(fiche__version=current, code="besoins").label
        == "Quels besoins de santé le projet couvre-t-il ?"
    )
    question.refresh_from_db()
    assert question.label == "Quels besoins de la population le projet veut-il couvrir ?"
    assert fresh(steps[1]).answers.get(question__code="besoins").question_id == question.pk


def test_admin_deleting_a_question_of_a_used_version_publishes_a_version_without_it(
    world, steps, login
):
    fill_mandatory(steps[1], world.referent_a)
    used = CatalogueVersion.objects.current()
    question = Question.objects.filter(fiche=steps[1].fiche, mandatory=False).first() or (
        Question.objects.filter(fiche=steps[2].fiche).first()
    )
    code, number = question.code, question.fiche.number
    client = login(world.admin)
    response = client.post(f"/admin/fiches/question/{question.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    current = CatalogueVersion.objects.current()
    assert current.number == used.number + 1
    # The version the steps were answered with still has the question…
    assert Question.objects.filter(pk=question.pk, fiche__version=used).exists()
    # …the new version in force does not, and nothing else was removed from it.
    assert not Question.objects.filter(
        fiche__version=current, fiche__number=number, code=code
    ).exists()
    assert Question.objects.filter(fiche__version=current).count() == (
        Question.objects.filter(fiche__version=used).count() - 1
    )
    assert fresh(steps[1]).fiche.version_id == used.pk
