"""The one workflow engine (core.workflow): declared moves, French refusals, the log."""

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from conventions.models import Convention, Transition
from core.locking import StaleObjectError
from core.workflow import WORKFLOWS, TransitionLog, TransitionRefused, transition
from evalimpact.models import Evaluation, EvaluationStatus, EvaluationTransition
from fiches.models import Step, StepState, StepTransition
from tests.cooperations.factories import CooperationFactory
from tests.evalimpact.factories import create_evaluation
from tests.fiches.helpers import fresh, steps_of

pytestmark = pytest.mark.django_db

LOGS = {Step: StepTransition, Convention: Transition, Evaluation: EvaluationTransition}


def test_an_allowed_move_is_saved_and_logged_with_who_when_and_comment(world):
    step = steps_of(world.coop_ara)[1]
    before = timezone.now()
    log = transition(step, StepState.IN_PROGRESS, actor=world.referent_a, comment="Lancement")
    assert fresh(step).state == StepState.IN_PROGRESS
    assert list(StepTransition.objects.filter(step=step)) == [log]
    assert (log.from_state, log.to_state, log.actor, log.comment) == (
        StepState.NOT_STARTED,
        StepState.IN_PROGRESS,
        world.referent_a,
        "Lancement",
    )
    assert before <= log.at <= timezone.now() + timedelta(seconds=1)
    assert str(log).endswith("étape 1 : Non commencée → En cours")


def test_a_refused_move_gives_a_french_reason_and_writes_nothing(world):
    step = steps_of(world.coop_ara)[1]
    with pytest.raises(TransitionRefused) as refused:
        transition(step, StepState.VALIDATED, actor=world.agent_ara, comment="Trop tôt")
    assert refused.value.messages == [
        "Impossible de passer de l'état « Non commencée » à « Validée »."
    ]
    assert (refused.value.from_state, refused.value.to_state) == ("not_started", "validated")
    assert step.state == StepState.NOT_STARTED
    assert fresh(step).state == StepState.NOT_STARTED
    assert not StepTransition.objects.filter(step=step).exists()


def test_a_service_may_name_the_refusal_in_its_own_words(world):
    step = steps_of(world.coop_ara)[1]
    with pytest.raises(TransitionRefused, match="Pas encore"):
        transition(step, StepState.SUBMITTED, actor=None, refusal="Pas encore.")


def test_a_stale_version_refuses_the_move_and_logs_nothing():
    evaluation = create_evaluation(CooperationFactory(members=2))
    with pytest.raises(StaleObjectError):
        transition(
            evaluation,
            EvaluationStatus.FINAL,
            actor=None,
            expected_version=evaluation.version + 1,
        )
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.status == EvaluationStatus.DRAFT
    assert not evaluation.transitions.exists()
    transition(evaluation, EvaluationStatus.FINAL, actor=None, expected_version=evaluation.version)
    assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.FINAL
    assert evaluation.transitions.get().to_state == EvaluationStatus.FINAL


@pytest.mark.parametrize("model", list(LOGS), ids=lambda m: m._meta.label)
def test_each_state_enum_declares_its_moves_between_real_states(model):
    workflow = model.workflow
    field = model._meta.get_field(workflow.field)
    assert field.choices == workflow.states.choices
    states = set(workflow.states.values)
    assert workflow.moves, "no move declared"
    for source, targets in workflow.moves.items():
        assert source in states
        assert targets and set(targets) <= states, source
        assert source not in targets
    # Every state but the initial one is reached by some move, and every state can be left
    # or is a declared end (none today).
    reached = set().union(*workflow.moves.values())
    assert states - reached <= {field.default}
    assert set(workflow.moves) == states


@pytest.mark.parametrize("model", list(LOGS), ids=lambda m: m._meta.label)
def test_each_log_is_a_transition_log_reached_from_its_object(model):
    log = LOGS[model]
    assert issubclass(log, TransitionLog) and log.subject_model is model
    relation = model._meta.get_field(model.workflow.log)
    assert relation.related_model is log
    assert isinstance(log._meta.get_field("at"), models.DateTimeField)
    assert log._meta.get_field("at").db_index


def test_the_three_workflows_are_the_only_ones():
    assert {id(w) for w in WORKFLOWS} == {id(m.workflow) for m in LOGS}


@pytest.mark.parametrize("model", list(LOGS), ids=lambda m: m._meta.label)
def test_each_admin_log_inline_reads_its_rows_links_in_one_query(model, rf, world):
    from django.contrib import admin

    from core.admin import TransitionLogInline

    model_admin = admin.site._registry[model]
    [inline_class] = [i for i in model_admin.inlines if issubclass(i, TransitionLogInline)]
    inline = inline_class(model, admin.site)
    request = rf.get("/")
    request.user = world.admin
    query = inline.get_queryset(request).query
    linked = {f.name for f in inline.model._meta.concrete_fields if f.is_relation}
    shown = linked & set(inline.fields)
    assert shown and shown <= set(query.select_related)
