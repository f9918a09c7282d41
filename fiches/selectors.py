"""Read-side queries of KIT 1, each in a constant number of SQL queries."""

from collections import Counter

from django.db.models import Prefetch, Q

from accounts.models import Role
from cooperations import scoping
from cooperations.models import Cooperation
from fiches.models import (
    Answer,
    Attachment,
    KnowledgePage,
    Step,
    StepState,
    StepTransition,
)
from fiches.services.workflow import step_locks


def stepper(cooperation: Cooperation) -> list[dict]:
    """The steps of a cooperation with their lock reasons (3 queries)."""
    steps = list(
        Step.objects.filter(cooperation=cooperation)
        .select_related("fiche", "last_actor")
        .prefetch_related("fiche__prerequisites")
        .order_by("number")
    )
    states = {s.number: s.state for s in steps}
    return [{"step": s, "locks": step_locks(s, states)} for s in steps]


def progress(rows_or_states) -> dict:
    states = [r["step"].state if isinstance(r, dict) else r for r in rows_or_states]
    counts = Counter(states)
    total = len(states)
    validated = counts.get(StepState.VALIDATED, 0)
    return {
        "total": total,
        "validated": validated,
        "submitted": counts.get(StepState.SUBMITTED, 0),
        "returned": counts.get(StepState.RETURNED, 0),
        "in_progress": counts.get(StepState.IN_PROGRESS, 0),
        "percent": round(100 * validated / total) if total else 0,
        # The DSFR stepper bar highlights the first step not validated yet.
        "current_step": min(validated + 1, total) if total else 0,
    }


def step_detail(step_pk: int, user):
    """The step with everything its page shows, fetched through the user's scope."""
    step = (
        Step.objects.visible_to(user)
        .select_related(
            "cooperation__pilot_ars", "cooperation__legal_form", "fiche__version", "last_actor"
        )
        .prefetch_related(
            "fiche__questions__legal_forms",
            "fiche__prerequisites",
            Prefetch(
                "fiche__knowledge_pages",
                queryset=KnowledgePage.objects.filter(is_published=True),
            ),
            Prefetch("answers", queryset=Answer.objects.all()),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("uploaded_by").order_by(
                    "slot", "-revision"
                ),
            ),
            Prefetch("transitions", queryset=StepTransition.objects.select_related("actor")),
            "comments__author",
        )
        .get(pk=step_pk)
    )
    # Fetched through the scope: the request's scope need not check it again.
    scoping.scope_for(user).note_visible(step.cooperation)
    return step


def validation_queue(user):
    """Steps submitted to the user's ARS, oldest first."""
    if user.role != Role.ARS_AGENT or not user.ars_id:
        return Step.objects.none()
    return (
        Step.objects.filter(state=StepState.SUBMITTED, cooperation__pilot_ars_id=user.ars_id)
        .select_related("cooperation", "fiche", "last_actor")
        .order_by("submitted_at", "pk")
    )


def team_todo(user):
    """Steps the referent's teams must act on: returned first, then those in progress."""
    return (
        Step.objects.filter(
            cooperation__in=Cooperation.objects.visible_to(user),
            state__in=[StepState.RETURNED, StepState.IN_PROGRESS],
        )
        .select_related("cooperation", "fiche")
        .order_by("-state", "updated_at", "pk")  # descending: "returned" before "in_progress"
    )


def search_pages(query: str = "", category: str = ""):
    pages = KnowledgePage.objects.filter(is_published=True)
    if category:
        pages = pages.filter(category=category)
    for word in query.split()[:8]:
        pages = pages.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return pages.order_by("category", "order", "title")
