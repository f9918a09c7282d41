"""Context functions for the shared screens (core.registry); constant query counts."""

from core.registry import CooperationSection, CopilSection, HomeWidget, NavItem, signed_in
from fiches import portfolio, selectors
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


# What KIT 1 adds to the shared screens (registered by KitConfig.ready()).
REGISTRY = (
    NavItem(label="Base de connaissances", url_name="fiches:kb_list", order=60),
    NavItem(
        label="Étapes à valider",
        url_name="fiches:queue",
        order=55,
        visible=signed_in("is_ars_agent"),
    ),
    CooperationSection(
        key="kit1",
        label="Fiches repères (KIT 1)",
        url_name="fiches:stepper",
        order=10,
        summary_template="fiches/_cooperation_summary.html",
        get_context=cooperation_summary,
    ),
    HomeWidget(
        key="kit1-queue",
        template="fiches/_home_queue.html",
        get_context=home_queue,
        order=10,
        visible=signed_in("is_ars_agent"),
    ),
    HomeWidget(
        key="kit1-todo",
        template="fiches/_home_todo.html",
        get_context=home_todo,
        order=10,
        visible=signed_in("is_referent"),
    ),
    portfolio.COLUMN,
    portfolio.FLAG,
    CopilSection(
        key="kit1",
        title="KIT 1 — avancement des fiches repères",
        template="fiches/_copil_section.html",
        get_context=copil_context,
        order=10,
    ),
)
