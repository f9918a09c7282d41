"""KIT 1 step workflow: who may act, the locks of the prerequisites, and the moves (submit,
validate, return, reopen) made through core.workflow.transition (allowed moves:
fiches.models.STEP_MOVES), each logged and notified."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cooperations import scoping
from core.locking import StaleObjectError
from core.workflow import check_transition, transition
from fiches.models import Step, StepState
from fiches.services.notify import _notify, ars_agents_of, project_team_of
from fiches.services.questions import missing_answers

TEAM_ONLY = "Seuls les référents des établissements membres peuvent modifier et soumettre."
VALIDATOR_ONLY = "Seul un agent de l'ARS pilote peut valider, renvoyer ou rouvrir une étape."


def step_locks(step: Step, states_by_number: dict[int, str]) -> list[int]:
    """Numbers of the prerequisite fiches not validated yet for this cooperation."""
    return sorted(
        p.number
        for p in step.fiche.prerequisites.all()
        if states_by_number.get(p.number) != StepState.VALIDATED
    )


def _states(step: Step) -> dict[int, str]:
    return dict(
        Step.objects.filter(cooperation_id=step.cooperation_id).values_list("number", "state")
    )


def _check_unlocked(step: Step) -> None:
    locks = step_locks(step, _states(step))
    if locks:
        numbers = ", ".join(str(n) for n in locks)
        raise ValidationError(
            f"Cette étape est verrouillée : les étapes {numbers} doivent d'abord être validées par l'ARS."
            if len(locks) > 1
            else f"Cette étape est verrouillée : l'étape {numbers} doit d'abord être validée par l'ARS."
        )


def _require_team(user, step: Step) -> None:
    if not scoping.is_project_team(user, step.cooperation):
        raise PermissionDenied(TEAM_ONLY)


def _require_validator(user, step: Step) -> None:
    if not scoping.can_validate(user, step.cooperation):
        raise PermissionDenied(VALIDATOR_ONLY)


def _check_version(stored: Step, version: int | None) -> None:
    """StaleObjectError (French) when the user acted on a page older than the stored step;
    checked before judging anything else, so nothing is decided on an outdated page."""
    if version is not None and version != stored.version:
        raise StaleObjectError()


def _transition(
    step: Step,
    to_state: str,
    user,
    comment: str = "",
    *,
    version: int | None = None,
    **fields,
) -> Step:
    """Move the step through the workflow engine (core.workflow.transition), judged from
    the state stored now; `fields` are set on the step in the same save.

    `version`: the version the user's page showed (StaleObjectError, French, nothing
    written, when the step was saved since); None judges on the stored state alone. Either
    way the engine saves under the optimistic lock and bumps the version once, and writes
    one log row."""
    # Re-read under a row lock: the state may have moved since the page was displayed.
    fresh = Step.objects.select_for_update().get(pk=step.pk)
    decisions = (StepState.VALIDATED, StepState.RETURNED)
    if (
        to_state in decisions
        and fresh.state in decisions
        and not Step.workflow.allows(fresh.state, to_state)
    ):
        # A second decision (double click, two agents, two tabs): say who decided first.
        verb = "validée" if fresh.state == StepState.VALIDATED else "renvoyée à l'équipe projet"
        when = (
            f" le {timezone.localtime(fresh.decided_at):%d/%m/%Y à %H:%M}"
            if fresh.decided_at
            else ""
        )
        who = f" par {fresh.last_actor}" if fresh.last_actor else ""
        raise Step.workflow.refusal(
            fresh.state,
            to_state,
            f"Cette étape a déjà été {verb}{when}{who} : aucune nouvelle décision "
            "n'a été enregistrée.",
        )
    _check_version(fresh, version)
    check_transition(fresh, to_state)
    step.state = fresh.state
    step.last_actor = user
    for name, value in fields.items():
        setattr(step, name, value)
    transition(
        step,
        to_state,
        actor=user,
        comment=comment,
        expected_version=fresh.version,
        # Only what the move changes: the caller's instance may hold older values elsewhere.
        update_fields=["last_actor", "updated_at", *fields],
    )
    return step


@transaction.atomic
def step_submit(*, step: Step, user, version: int | None = None) -> Step:
    """Submit the step to the pilot ARS (team only; prerequisites validated, mandatory
    answers given). `version`: the step's version on the user's page (StaleObjectError
    when saved since). PermissionDenied / ValidationError (French), nothing written."""
    _require_team(user, step)
    _check_unlocked(step)
    check_transition(
        step, StepState.SUBMITTED, refusal="Seule une étape en cours peut être soumise à l'ARS."
    )
    # Everything missing_answers() reads, in a constant number of queries.
    step = (
        Step.objects.select_related("cooperation", "fiche")
        .prefetch_related("fiche__questions__legal_forms", "answers", "attachments")
        .get(pk=step.pk)
    )
    _check_version(step, version)
    missing = missing_answers(step)
    if missing:
        raise ValidationError(missing)
    _transition(
        step,
        StepState.SUBMITTED,
        user,
        version=version,
        submitted_at=timezone.now(),
        return_reason="",
    )
    _notify(
        ars_agents_of(step.cooperation),
        step,
        f"Étape {step.number} soumise : {step.cooperation.title}",
        f"L'étape {step.number} « {step.fiche.title} » de la coopération « {step.cooperation.title} » "
        f"attend votre validation.",
        kind="step_submitted",
        actor=user,
    )
    return step


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Indiquez le motif : l'équipe projet en a besoin pour agir."})
    return reason


@transaction.atomic
def step_validate(*, step: Step, user, comment: str = "", version: int | None = None) -> Step:
    """Validate a submitted step (an agent of the pilot ARS). `version` as for step_submit."""
    _require_validator(user, step)
    _transition(
        step,
        StepState.VALIDATED,
        user,
        comment.strip(),
        version=version,
        decided_at=timezone.now(),
    )
    _notify(
        project_team_of(step.cooperation),
        step,
        f"Étape {step.number} validée : {step.cooperation.title}",
        f"L'ARS a validé l'étape {step.number} « {step.fiche.title} »."
        + (f"\n\nCommentaire : {comment.strip()}" if comment.strip() else ""),
        kind="step_validated",
        actor=user,
    )
    return step


@transaction.atomic
def step_return(*, step: Step, user, reason: str, version: int | None = None) -> Step:
    """Return a submitted step to the team with a reason. `version` as for step_submit."""
    _require_validator(user, step)
    reason = _require_reason(reason)
    _transition(
        step,
        StepState.RETURNED,
        user,
        reason,
        version=version,
        decided_at=timezone.now(),
        return_reason=reason,
    )
    _notify(
        project_team_of(step.cooperation),
        step,
        f"Étape {step.number} renvoyée : {step.cooperation.title}",
        f"L'ARS a renvoyé l'étape {step.number} « {step.fiche.title} ».\n\nMotif : {reason}",
        kind="step_returned",
        actor=user,
    )
    return step


@transaction.atomic
def step_reopen(*, step: Step, user, reason: str, version: int | None = None) -> Step:
    """Reopen a validated step with a reason. `version` as for step_submit."""
    _require_validator(user, step)
    reason = _require_reason(reason)
    if step.state != StepState.VALIDATED:
        raise ValidationError("Seule une étape validée peut être rouverte.")
    _transition(
        step,
        StepState.IN_PROGRESS,
        user,
        f"Réouverture : {reason}",
        version=version,
        return_reason=reason,
    )
    _notify(
        project_team_of(step.cooperation),
        step,
        f"Étape {step.number} rouverte : {step.cooperation.title}",
        f"L'ARS a rouvert l'étape {step.number} « {step.fiche.title} ».\n\nMotif : {reason}",
        kind="step_reopened",
        actor=user,
    )
    return step
