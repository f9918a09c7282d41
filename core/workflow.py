"""One workflow engine for every gated object (KIT 1 step, convention, evaluation).

Each app declares, beside its state enum, the moves it allows (``{from: {to, …}}``) and
puts a ``Workflow`` on the model that carries the state::

    class StepState(models.TextChoices): ...
    STEP_MOVES = {StepState.NOT_STARTED: {StepState.IN_PROGRESS}, ...}

    class Step(models.Model):
        workflow = Workflow(StepState, STEP_MOVES, field="state")

Its log is a concrete ``TransitionLog`` (who, when, from, to, comment) with a foreign key to
the object, reached by the reverse relation ``transitions``. ``transition()`` is the only
way a state moves: it refuses a move the enum does not declare (``TransitionRefused``, a
``ValidationError`` with a French reason naming both states by their labels), sets the
state, saves (through ``core.locking`` when an expected version is given) and writes the
log row, in one transaction. Conditions beyond the state (prerequisites validated, roles,
mandatory answers) stay in the app's services, which call ``transition()`` for the move.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.locking import save_with_version
from core.models import user_reference

WORKFLOWS: list["Workflow"] = []


class TransitionRefused(ValidationError):
    """A move the workflow does not allow from the object's current state.

    ``from_state`` and ``to_state`` hold the stored values; the message names them by their
    French labels (or by ``message`` when the service has a more helpful one)."""

    def __init__(self, message: str, *, from_state: str, to_state: str):
        super().__init__(message, code="transition_refused")
        self.from_state = from_state
        self.to_state = to_state


@dataclass(frozen=True)
class Workflow:
    """The states of one model, the moves allowed between them and where the log lives.

    - ``states``: the TextChoices enum of the state field;
    - ``moves``: ``{from value: {to value, …}}``; a state missing from it allows no move;
    - ``field``: the model field holding the state;
    - ``log``: the reverse relation from the object to its ``TransitionLog`` rows.
    """

    states: type[models.TextChoices]
    moves: Mapping[str, Iterable[str]]
    field: str = "status"
    log: str = "transitions"

    def __post_init__(self):
        WORKFLOWS.append(self)

    def label(self, value: str) -> str:
        """The French label of a stored state ("—" for none, the value if unknown)."""
        if not value:
            return "—"
        try:
            return str(self.states(value).label)
        except ValueError:
            return value

    def allows(self, from_state: str, to_state: str) -> bool:
        return to_state in self.moves.get(from_state, ())

    def refusal(self, from_state: str, to_state: str, message: str = "") -> TransitionRefused:
        return TransitionRefused(
            message
            or (
                f"Impossible de passer de l'état « {self.label(from_state)} » "
                f"à « {self.label(to_state)} »."
            ),
            from_state=from_state,
            to_state=to_state,
        )


def workflow_of(obj) -> Workflow:
    return type(obj).workflow


def check_transition(obj, to_state: str, *, refusal: str = "") -> None:
    """Raise TransitionRefused if `obj` may not move to `to_state` from its current state.

    For services that refuse early (before other checks) with their own French message;
    ``transition()`` checks again when the move is made."""
    workflow = workflow_of(obj)
    from_state = getattr(obj, workflow.field)
    if not workflow.allows(from_state, to_state):
        raise workflow.refusal(from_state, to_state, refusal)


def log_transition(
    obj, from_state: str, to_state: str, *, actor, comment: str = "", **log_fields
) -> "TransitionLog":
    """Write one log row without moving the state (the object's creation, a note on the
    current state such as a publication). Returns the row."""
    workflow = workflow_of(obj)
    return getattr(obj, workflow.log).create(
        from_state=from_state or "",
        to_state=to_state,
        actor=actor,
        comment=comment,
        **log_fields,
    )


def transition(
    obj,
    to_state: str,
    *,
    actor,
    comment: str = "",
    refusal: str = "",
    expected_version: int | None = None,
    update_fields: list[str] | None = None,
    log_fields: dict | None = None,
) -> "TransitionLog":
    """Move `obj` to `to_state` and log who did it, when, with which comment.

    - Refused (``TransitionRefused``, nothing written) unless the object's workflow declares
      the move from its current state; ``refusal`` replaces the generic French message.
    - ``expected_version``: save through ``core.locking.save_with_version`` (raises
      ``StaleObjectError`` when someone saved since); otherwise a plain ``save()``, limited
      to ``update_fields`` when given (the state field is added).
    - ``log_fields``: extra columns of the concrete log (e.g. the convention's version).
    The save and the log row are one transaction (a savepoint inside the caller's, so a
    caller that catches a stale version may go on). Returns the log row.
    """
    workflow = workflow_of(obj)
    from_state = getattr(obj, workflow.field)
    if not workflow.allows(from_state, to_state):
        raise workflow.refusal(from_state, to_state, refusal)
    with transaction.atomic():
        setattr(obj, workflow.field, to_state)
        if update_fields is not None and workflow.field not in update_fields:
            update_fields = [workflow.field, *update_fields]
        if expected_version is not None:
            save_with_version(obj, expected_version, update_fields=update_fields)
        else:
            obj.save(update_fields=update_fields)
        return log_transition(
            obj, from_state, to_state, actor=actor, comment=comment, **(log_fields or {})
        )


class TransitionLog(models.Model):
    """One move of a workflow: from which state to which, who, when, why.

    Concrete logs add the foreign key to their object (``related_name="transitions"``) and
    their ordering; the states are stored values of the object's enum, shown by their
    labels (``get_from_state_display``)."""

    from_state = models.CharField("de", max_length=30, blank=True)
    to_state = models.CharField("vers", max_length=30)
    actor = user_reference("par")
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    comment = models.TextField("commentaire", blank=True)

    # The model whose `workflow` gives the labels of the states (set by the concrete log).
    subject_model: type[models.Model]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    def get_from_state_display(self) -> str:
        return self.subject_model.workflow.label(self.from_state)

    def get_to_state_display(self) -> str:
        return self.subject_model.workflow.label(self.to_state)
