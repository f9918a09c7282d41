"""KIT 1 steps due: created from the catalogue version in force when a cooperation is
created, when its legal form changes, or when the catalogue changes."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from cooperations.models import Cooperation
from fiches.models import (
    Answer,
    Attachment,
    CatalogueVersion,
    Fiche,
    Step,
    StepComment,
    StepState,
    StepTransition,
)
from fiches.services.questions import fiche_applies

# Steps are created when they become due, never on a page view (a GET only reads):
# - when a cooperation is created, and when its legal form changes (fiches/receivers.py,
#   a post_save receiver on Cooperation): steps_ensure / steps_sync_legal_form;
# - when the national admin changes which legal forms a fiche of the catalogue in force
#   applies to (fiches/admin.py): steps_ensure_all.
# Steps are always created from the version in force; existing steps keep the fiche (and
# so the catalogue version) they were opened with.

STEP_BATCH_SIZE = 2000


def _applicable_numbers(version: CatalogueVersion, legal_form_id) -> dict[int, Fiche]:
    fiches = version.fiches.prefetch_related("legal_forms")
    return {f.number: f for f in fiches if fiche_applies(f, legal_form_id)}


def steps_ensure(*, cooperation: Cooperation) -> int:
    """Create the missing steps of a cooperation from the catalogue version in force.

    Idempotent; returns the number of steps created."""
    version = CatalogueVersion.objects.current()
    if version is None:
        return 0
    return _create_missing(cooperation, _applicable_numbers(version, cooperation.legal_form_id))


def _create_missing(cooperation: Cooperation, due: dict[int, Fiche]) -> int:
    """Create the steps of `due` ({number: fiche}) the cooperation does not have yet."""
    existing = set(cooperation.kit1_steps.values_list("number", flat=True))
    new = [
        Step(cooperation=cooperation, fiche=fiche, number=number)
        for number, fiche in due.items()
        if number not in existing
    ]
    if new:
        # Two concurrent saves may both try: the unique constraint decides.
        Step.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _untouched(steps):
    """Steps nobody worked on: not started, no answer, document, comment or transition."""
    return steps.filter(state=StepState.NOT_STARTED).filter(
        ~Exists(Answer.objects.filter(step=OuterRef("pk"))),
        ~Exists(Attachment.objects.filter(step=OuterRef("pk"))),
        ~Exists(StepComment.objects.filter(step=OuterRef("pk"))),
        ~Exists(StepTransition.objects.filter(step=OuterRef("pk"))),
    )


@transaction.atomic
def steps_sync_legal_form(*, cooperation: Cooperation) -> None:
    """Align the steps of a cooperation with its (new) legal form.

    - The steps of the fiches that now apply are created (as steps_ensure does).
    - A step whose fiche no longer applies is removed only if nobody worked on it (not
      started, no answer, document, comment or transition): it holds nothing, and it comes
      back if the legal form changes again. A step with any work on it is kept as it is,
      with its answers and its log: a change of legal form never erases what the team and
      the ARS have written; it stays on the stepper with its state.
    """
    version = CatalogueVersion.objects.current()
    if version is None:
        return
    # The fiches that apply are read once, for both the creations and the removals.
    due = _applicable_numbers(version, cooperation.legal_form_id)
    _create_missing(cooperation, due)
    stale = _untouched(Step.objects.filter(cooperation=cooperation).exclude(number__in=due))
    for step in stale:
        step.delete()  # one by one, so that the history records the removal


@transaction.atomic
def steps_ensure_all() -> int:
    """Create, for every cooperation, the steps due from the catalogue version in force.

    Called when the national admin changes the catalogue (a fiche's legal forms may make it
    apply to more cooperations). A catalogue change never rewrites the answers already
    given, so this only adds the missing steps, from the version in force: existing steps
    keep their fiche, version, state and answers, and a step whose fiche no longer applies
    after the change is not removed (unlike a change of the cooperation's own legal form,
    the team did not ask for anything: the ARS decides what to do with it).

    One anti-join per fiche of the version in force, inserts in batches: it stays cheap at
    national scale when nothing is missing (the usual case). Returns the number created."""
    version = CatalogueVersion.objects.current()
    if version is None:
        return 0
    created = 0
    for fiche in version.fiches.prefetch_related("legal_forms"):
        forms = [f.pk for f in fiche.legal_forms.all()]
        cooperations = Cooperation.objects.filter(
            ~Exists(Step.objects.filter(cooperation=OuterRef("pk"), number=fiche.number))
        )
        if forms:
            cooperations = cooperations.filter(legal_form_id__in=forms)
        batch = []
        for pk in cooperations.values_list("pk", flat=True).iterator(chunk_size=STEP_BATCH_SIZE):
            batch.append(Step(cooperation_id=pk, fiche=fiche, number=fiche.number))
            if len(batch) >= STEP_BATCH_SIZE:
                Step.objects.bulk_create(batch, ignore_conflicts=True)
                created, batch = created + len(batch), []
        Step.objects.bulk_create(batch, ignore_conflicts=True)
        created += len(batch)
    return created
