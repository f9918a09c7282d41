"""Context functions for the shared screens (core.registry); constant query counts."""

from fiches import selectors
from fiches.models import Step, StepState

HOME_LIMIT = 8


def cooperation_summary(request, cooperation) -> dict:
    states = list(Step.objects.filter(cooperation=cooperation).values_list("number", "state"))
    current = next((n for n, s in sorted(states) if s != "validated"), None)
    return {"progress": selectors.progress([s for _n, s in states]), "current": current}


def home_queue(request) -> dict:
    queue = selectors.validation_queue(request.user)
    return {"steps": list(queue[:HOME_LIMIT]), "total": queue.count()}


def home_todo(request) -> dict:
    todo = selectors.team_todo(request.user)
    return {"steps": list(todo[:HOME_LIMIT]), "total": todo.count()}


def copil_context(cooperation) -> dict | None:
    """The KIT 1 section of the COPIL pack, left out while the team has not started any
    step (the steps exist from the creation of the cooperation: nothing to report yet)."""
    rows = selectors.stepper(cooperation)
    if all(row["step"].state == StepState.NOT_STARTED for row in rows):
        return None
    return {"rows": rows, "progress": selectors.progress(rows), "cooperation": cooperation}
