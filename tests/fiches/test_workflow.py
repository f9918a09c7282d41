"""The step workflow without HTTP: every transition, every refusal, the log and the notices."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.locking import StaleObjectError
from fiches.models import StepState, StepTransition
from fiches.services.answers import step_save_answers
from fiches.services.questions import applicable_questions, clean_answer
from fiches.services.steps import steps_ensure
from fiches.services.workflow import step_reopen, step_return, step_submit, step_validate
from notifications.models import Notification
from notifications.services import send_emails
from tests.fiches.helpers import fill_mandatory, fresh, steps_of, walk


@pytest.fixture
def steps(world):
    return steps_of(world.coop_ara)


def test_steps_follow_the_catalogue_in_force(world, steps):
    assert sorted(steps) == list(range(1, 16))
    assert steps[1].fiche.title == "Diagnostic territorial partagé"
    assert all(s.state == StepState.NOT_STARTED for s in steps.values())
    steps_ensure(cooperation=world.coop_ara)  # idempotent
    assert world.coop_ara.kit1_steps.count() == 15


def test_first_save_starts_the_step_and_is_logged(world, steps):
    step = steps[1]
    step_save_answers(
        step=step, user=world.referent_a, values={"besoins": "Délais d'IRM trop longs"}, version=1
    )
    step = fresh(step)
    assert step.state == StepState.IN_PROGRESS
    assert step.answers.get(question__code="besoins").value == "Délais d'IRM trop longs"
    log = step.transitions.get()
    assert (log.from_state, log.to_state, log.actor) == (
        "not_started",
        "in_progress",
        world.referent_a,
    )


def test_submit_refused_while_mandatory_answers_are_missing_and_answers_kept(world, steps):
    step = steps[1]
    step_save_answers(
        step=step, user=world.referent_a, values={"besoins": "Besoins décrits"}, version=1
    )
    with pytest.raises(ValidationError) as error:
        step_submit(step=fresh(step), user=world.referent_a)
    missing = error.value.message_dict
    assert set(missing) == {"offre", "synthese"}
    assert missing["offre"] == ["Réponse obligatoire avant de soumettre l'étape."]
    step = fresh(step)
    assert step.state == StepState.IN_PROGRESS
    assert step.answers.get(question__code="besoins").value == "Besoins décrits"


def test_full_cycle_submit_return_resubmit_validate_reopen(
    world, steps, django_capture_on_commit_callbacks
):
    step = fill_mandatory(steps[1], world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        step_submit(step=step, user=world.referent_a)
    step = fresh(step)
    assert step.state == StepState.SUBMITTED and step.submitted_at
    # The pilot ARS's agents are told, not the other region's.
    assert list(
        Notification.objects.filter(target_id=step.pk, kind="step_submitted").values_list(
            "recipient__username", flat=True
        )
    ) == ["agent_ara"]
    assert mail.outbox[-1].to == [world.agent_ara.email]
    assert "Étape 1 soumise" in mail.outbox[-1].subject

    with pytest.raises(ValidationError) as error:
        step_return(step=step, user=world.agent_ara, reason="  ")
    assert "Indiquez le motif" in str(error.value)
    with django_capture_on_commit_callbacks(execute=True):
        step_return(step=step, user=world.agent_ara, reason="Ajoutez les flux de patients.")
    step = fresh(step)
    assert step.state == StepState.RETURNED
    assert step.return_reason == "Ajoutez les flux de patients."
    assert mail.outbox[-1].to == [world.referent_a.email]
    assert "Motif : Ajoutez les flux de patients." in mail.outbox[-1].body

    step_save_answers(
        step=step, user=world.referent_a, values={"offre": "Flux ajoutés"}, version=step.version
    )
    step = fresh(step)
    assert step.state == StepState.IN_PROGRESS
    step_submit(step=step, user=world.referent_a)
    step_validate(step=fresh(step), user=world.agent_ara, comment="Complet.")
    step = fresh(step)
    assert step.state == StepState.VALIDATED and step.decided_at

    # Validated is read-only for the team.
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        step_save_answers(
            step=step, user=world.referent_a, values={"offre": "x"}, version=step.version
        )
    with pytest.raises(ValidationError):
        step_reopen(step=step, user=world.agent_ara, reason="")
    step_reopen(step=step, user=world.agent_ara, reason="Données 2025 publiées.")
    step = fresh(step)
    assert step.state == StepState.IN_PROGRESS

    path = list(
        StepTransition.objects.filter(step=step).values_list("from_state", "to_state", "comment")
    )
    assert path == [
        ("not_started", "in_progress", ""),
        ("in_progress", "submitted", ""),
        ("submitted", "returned", "Ajoutez les flux de patients."),
        ("returned", "in_progress", "Reprise après renvoi"),
        ("in_progress", "submitted", ""),
        ("submitted", "validated", "Complet."),
        ("validated", "in_progress", "Réouverture : Données 2025 publiées."),
    ]


@pytest.mark.parametrize("who", ["admin", "agent_ara", "copil", "referent_c"])
def test_only_the_project_team_edits_and_submits(world, steps, who):
    user = world.users()[who]
    with pytest.raises(PermissionDenied):
        step_save_answers(step=steps[1], user=user, values={"besoins": "x"}, version=1)
    with pytest.raises(PermissionDenied):
        step_submit(step=steps[1], user=user)


@pytest.mark.parametrize("who", ["admin", "agent_occ", "referent_a", "copil"])
def test_only_an_agent_of_the_pilot_ars_decides(world, steps, who):
    step = walk(steps[1], world.referent_a, world.agent_ara, "submitted")
    user = world.users()[who]
    with pytest.raises(PermissionDenied):
        step_validate(step=step, user=user)
    with pytest.raises(PermissionDenied):
        step_return(step=step, user=user, reason="Non.")
    assert fresh(step).state == StepState.SUBMITTED


def test_decisions_need_a_submitted_step(world, steps):
    step = fill_mandatory(steps[1], world.referent_a)
    with pytest.raises(
        ValidationError, match="Impossible de passer de l'état « En cours » à « Validée »"
    ):
        step_validate(step=step, user=world.agent_ara)
    with pytest.raises(ValidationError, match="Seule une étape validée peut être rouverte"):
        step_reopen(step=step, user=world.agent_ara, reason="Pourquoi pas")
    submitted = walk(steps[1], world.referent_a, world.agent_ara, "submitted")
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        step_save_answers(
            step=submitted, user=world.referent_a, values={}, version=submitted.version
        )
    with pytest.raises(ValidationError, match="Seule une étape en cours"):
        step_submit(step=submitted, user=world.referent_a)


def test_locked_step_is_drafted_but_submitted_only_after_its_prerequisites(world, steps):
    # Issue 14: the team drafts a later step while earlier ones await the ARS.
    step_save_answers(step=steps[3], user=world.referent_a, values={"objectifs": "x"}, version=1)
    assert fresh(steps[3]).state == StepState.IN_PROGRESS
    assert fresh(steps[3]).answers.get(question__code="objectifs").value == "x"
    with pytest.raises(ValidationError) as error:
        step_submit(step=fresh(steps[3]), user=world.referent_a)
    assert error.value.messages == [
        "Cette étape est verrouillée : les étapes 1, 2 doivent d'abord être validées par l'ARS."
    ]
    assert fresh(steps[3]).state == StepState.IN_PROGRESS


def test_second_concurrent_save_is_refused(world, steps):
    step = steps[1]
    step_save_answers(step=step, user=world.referent_a, values={"besoins": "Première"}, version=1)
    with pytest.raises(StaleObjectError):
        step_save_answers(
            step=fresh(step), user=world.referent_a, values={"besoins": "Seconde"}, version=1
        )
    assert fresh(step).answers.get(question__code="besoins").value == "Première"


def test_bad_values_are_refused_with_french_messages_and_valid_ones_saved(world, steps):
    for number in range(1, 6):
        walk(steps[number], world.referent_a, world.agent_ara, "validated")
    step = fresh(steps[8])
    with pytest.raises(ValidationError) as error:
        step_save_answers(
            step=step,
            user=world.referent_a,
            values={
                "part_porteur": "150",
                "budget": "beaucoup",
                "tva": "peut-être",
                "cles": "Au prorata",
            },
            version=step.version,
        )
    messages = error.value.message_dict
    assert messages["part_porteur"] == ["La valeur doit être inférieure ou égale à 100."]
    assert messages["budget"] == ["Saisissez un nombre (par exemple 1 200 ou 1 200,5)."]
    assert messages["tva"] == ["Répondez par oui ou par non."]
    # Issue 14: the valid answer is kept, the refused ones are not stored.
    saved = dict(fresh(step).answers.values_list("question__code", "value"))
    assert saved == {"cles": "Au prorata"}
    assert fresh(step).state == StepState.IN_PROGRESS


def test_dates_and_numbers_are_normalised(world, steps):
    from fiches.models import Question

    question = Question.objects.get(fiche=steps[1].fiche, code="population")
    assert clean_answer(question, "12 500,50") == "12500.5"
    with pytest.raises(ValidationError, match="supérieure ou égale à 0"):
        clean_answer(question, "-3")
    date_question = Question.objects.get(fiche=steps[2].fiche, code="date_accord")
    assert clean_answer(date_question, "2026-03-01") == "2026-03-01"
    with pytest.raises(ValidationError, match="date valide"):
        clean_answer(date_question, "31/02/2026")


def test_a_date_typed_as_the_error_message_asks_is_accepted(world, steps):
    """Without a date picker, people type the jj/mm/aaaa format the message asks for."""
    from fiches.models import Question

    date_question = Question.objects.get(fiche=steps[2].fiche, code="date_accord")
    assert clean_answer(date_question, "01/03/2026") == "2026-03-01"
    assert clean_answer(date_question, " 1/3/2026 ") == "2026-03-01"
    for wrong in ("31/02/2026", "2026/03/01", "01/03/26", "1er mars"):
        with pytest.raises(ValidationError, match=re.escape("date valide (jj/mm/aaaa)")):
            clean_answer(date_question, wrong)


def test_legal_form_specific_questions(world):
    from tests.cooperations.factories import CooperationFactory, MembershipFactory, legal_form

    gcs_steps = steps_of(world.coop_ara)  # coop_ara is a GCS de moyens
    convention = CooperationFactory(legal_form=legal_form("convention"), nature="fonctionnelle")
    MembershipFactory(cooperation=convention, establishment=world.et_a)
    convention_steps = steps_of(convention)

    def codes(step):
        return {q.code for q in applicable_questions(fresh(step))}

    assert {"transfert", "mode_emploi"} <= codes(gcs_steps[7])
    assert not {"transfert", "mode_emploi"} & codes(convention_steps[7])
    assert {"date_arrete", "publication"} <= codes(gcs_steps[13])
    assert not {"date_arrete", "publication"} & codes(convention_steps[13])


def test_notification_emails_are_sent_once(world, steps, django_capture_on_commit_callbacks):
    step = fill_mandatory(steps[1], world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        step_submit(step=step, user=world.referent_a)
    sent = len(mail.outbox)
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert send_emails(notification_ids=ids) == 0
    assert len(mail.outbox) == sent


def test_no_email_before_commit(world, steps, django_capture_on_commit_callbacks):
    step = fill_mandatory(steps[1], world.referent_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        step_submit(step=step, user=world.referent_a)
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_start_date_before_the_approval_is_refused(world, steps):
    for number in range(1, 13):
        walk(steps[number], world.referent_a, world.agent_ara, "validated")
    step = fresh(steps[13])
    step_save_answers(
        step=step, user=world.referent_a, values={"date_arrete": "2026-05-10"}, version=step.version
    )
    step = fresh(step)
    with pytest.raises(ValidationError) as error:
        step_save_answers(
            step=step,
            user=world.referent_a,
            values={"date_effet": "2026-05-01"},
            version=step.version,
        )
    assert error.value.message_dict == {
        "date_effet": [
            "Cette date ne peut pas précéder « Date de l'arrêté d'approbation » (10/05/2026)."
        ]
    }
    step_save_answers(
        step=step, user=world.referent_a, values={"date_effet": "2026-06-01"}, version=step.version
    )
    assert fresh(step).answers.get(question__code="date_effet").value == "2026-06-01"


def test_cloned_catalogue_keeps_date_order_links(world, steps):
    from core.catalogue_versions import copy_version
    from fiches.models import CatalogueVersion, Question

    fill_mandatory(steps[1], world.referent_a)
    clone = copy_version(CatalogueVersion.objects.current())
    start = Question.objects.get(fiche__version=clone, fiche__number=13, code="date_effet")
    assert start.not_before.code == "date_arrete" and start.not_before.fiche.version == clone


def test_answer_changes_are_kept_in_history(world, steps):
    from fiches.models import Answer

    step_save_answers(step=steps[1], user=world.referent_a, values={"besoins": "v1"}, version=1)
    step = fresh(steps[1])
    step_save_answers(
        step=step, user=world.referent_a, values={"besoins": "v2"}, version=step.version
    )
    answer = Answer.objects.get(step=step, question__code="besoins")
    assert [h.value for h in answer.history.order_by("history_date", "history_id")] == ["v1", "v2"]
    assert step.history.count() >= 2


def test_the_submission_check_reads_the_questions_in_constant_queries(world, steps):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fiches.models import Question, QuestionKind

    step = steps[1]
    step_save_answers(
        step=step, user=world.referent_a, values={"besoins": "Besoins décrits"}, version=1
    )

    def queries() -> int:
        refused = pytest.raises(ValidationError, match="Réponse obligatoire")
        with CaptureQueriesContext(connection) as captured, refused:
            step_submit(step=fresh(step), user=world.referent_a)
        return len(captured)

    before = queries()
    for n in range(3):
        Question.objects.create(
            fiche=step.fiche, code=f"extra{n}", label=f"Question {n}", kind=QuestionKind.TEXT
        )
    assert queries() == before


def _snapshot(step):
    """What a refused move must leave untouched: the stored step and its log."""
    step = fresh(step)
    return (
        step.state,
        step.version,
        step.submitted_at,
        step.decided_at,
        step.return_reason,
        step.transitions.count(),
        step.history.count(),
    )


@pytest.mark.parametrize("move", ["submit", "validate", "return", "reopen"])
def test_a_move_from_a_stale_page_is_refused_in_french_and_writes_nothing(world, steps, move):
    start = {"submit": "in_progress", "reopen": "validated"}.get(move, "submitted")
    step = walk(steps[1], world.referent_a, world.agent_ara, start)
    before = _snapshot(step)
    stale = step.version - 1
    call = {
        "submit": lambda: step_submit(step=fresh(step), user=world.referent_a, version=stale),
        "validate": lambda: step_validate(step=fresh(step), user=world.agent_ara, version=stale),
        "return": lambda: step_return(
            step=fresh(step), user=world.agent_ara, reason="Motif.", version=stale
        ),
        "reopen": lambda: step_reopen(
            step=fresh(step), user=world.agent_ara, reason="Motif.", version=stale
        ),
    }[move]
    with pytest.raises(StaleObjectError) as error:
        call()
    assert "Quelqu'un d'autre a enregistré cette fiche" in error.value.messages[0]
    assert _snapshot(step) == before


@pytest.mark.parametrize("move", ["submit", "validate", "return", "reopen"])
def test_a_move_writes_one_log_row_and_bumps_the_version_once(world, steps, move):
    start = {"submit": "in_progress", "reopen": "validated"}.get(move, "submitted")
    step = walk(steps[1], world.referent_a, world.agent_ara, start)
    version, rows = step.version, step.transitions.count()
    target = {
        "submit": StepState.SUBMITTED,
        "validate": StepState.VALIDATED,
        "return": StepState.RETURNED,
        "reopen": StepState.IN_PROGRESS,
    }[move]
    {
        "submit": lambda: step_submit(step=fresh(step), user=world.referent_a, version=version),
        "validate": lambda: step_validate(step=fresh(step), user=world.agent_ara, version=version),
        "return": lambda: step_return(
            step=fresh(step), user=world.agent_ara, reason="Motif.", version=version
        ),
        "reopen": lambda: step_reopen(
            step=fresh(step), user=world.agent_ara, reason="Motif.", version=version
        ),
    }[move]()
    step = fresh(step)
    assert step.state == target
    assert step.version == version + 1
    assert step.transitions.count() == rows + 1
    assert step.transitions.order_by("-at", "-pk").first().to_state == target


@pytest.mark.parametrize("started", [False, True])
def test_a_stale_answer_save_is_refused_in_french_and_loses_nothing(world, steps, started):
    """Two tabs on the same step: the second save, from the older page, is refused with
    the French stale message; the first one's answers, state and log stay as they were."""
    step = steps[1]
    if started:
        step_save_answers(step=step, user=world.referent_a, values={"offre": "Avant"}, version=1)
        step = fresh(step)
    page = fresh(step)  # the second tab, loaded before the first tab saves
    step_save_answers(
        step=step, user=world.referent_a, values={"besoins": "Première"}, version=step.version
    )
    before = _snapshot(step)
    with pytest.raises(StaleObjectError) as error:
        step_save_answers(
            step=page, user=world.referent_a, values={"besoins": "Seconde"}, version=page.version
        )
    assert "Quelqu'un d'autre a enregistré cette fiche" in error.value.messages[0]
    assert _snapshot(step) == before
    assert fresh(step).answers.get(question__code="besoins").value == "Première"


def test_each_answer_save_moves_the_version_once(world, steps):
    """The first save starts the step and bumps the version once (the engine's lock), as
    every later save does; the page's next save goes through with the version it got."""
    step = steps[1]
    step_save_answers(step=step, user=world.referent_a, values={"besoins": "v1"}, version=1)
    assert (step.version, fresh(step).version) == (2, 2)
    step_save_answers(step=step, user=world.referent_a, values={"besoins": "v2"}, version=2)
    assert (step.version, fresh(step).version) == (3, 3)
    assert fresh(step).transitions.count() == 1
