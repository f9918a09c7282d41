"""KIT 1 drafts by the project team: answers (with optimistic locking) and documents.
The first save of a step starts it (workflow._transition)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.locking import save_with_version
from core.uploads import safe_upload_name, validate_upload
from fiches.models import (
    Answer,
    Attachment,
    Question,
    QuestionKind,
    Step,
    StepState,
)
from fiches.services.questions import (
    _clean_plan_objectives,
    _date_order_errors,
    _free_text_answer,
    applicable_questions,
    clean_answer,
)
from fiches.services.workflow import _require_team, _transition


def step_save_answers(*, step: Step, user, values: dict, version: int) -> Step:
    """Save draft answers ({question code: raw value}); refused on a stale version.

    The valid answers are saved even when others are refused: the ValidationError then
    names only the refused ones (per question code), and the step's version has moved on.
    A step whose prerequisites await the ARS can be drafted; only its submission waits
    (`step_submit`).
    """
    errors = _save_valid_answers(step=step, user=user, values=values, version=version)
    if errors:
        raise ValidationError(errors)
    return step


@transaction.atomic
def _save_valid_answers(*, step: Step, user, values: dict, version: int) -> dict:
    _require_team(user, step)
    if step.state in (StepState.SUBMITTED, StepState.VALIDATED):
        raise ValidationError(
            "Cette étape est soumise à l'ARS ou validée : elle ne peut plus être modifiée."
        )
    questions = {q.code: q for q in applicable_questions(step)}
    cleaned, errors = {}, {}
    linked_objectives = None
    for code, raw in values.items():
        question = questions.get(code)
        if question is None or question.kind == QuestionKind.FILE:
            continue
        try:
            if question.kind == QuestionKind.PLAN_OBJECTIVES:
                if not raw and _free_text_answer(step, question):
                    continue  # an answer typed before the plan existed stays until replaced
                cleaned[question], linked_objectives = _clean_plan_objectives(step, raw)
            else:
                cleaned[question] = clean_answer(question, raw)
        except ValidationError as error:
            errors[code] = error.messages
    errors.update(_date_order_errors(step, questions, cleaned))
    cleaned = {q: v for q, v in cleaned.items() if q.code not in errors}
    if errors and not cleaned:
        return errors
    # The step first, under the optimistic lock (core.locking, the engine's lock): a stale
    # version is refused (StaleObjectError) before anything is written, and the version
    # moves once per save, by the engine.
    if step.state in (StepState.NOT_STARTED, StepState.RETURNED):
        # The first save (or the first after a return) starts the step.
        comment = "Reprise après renvoi" if step.state == StepState.RETURNED else ""
        _transition(
            step,
            StepState.IN_PROGRESS,
            user,
            comment,
            version=version,
            started_at=step.started_at or timezone.now(),
        )
    else:
        step.last_actor = user
        save_with_version(step, version, update_fields=["last_actor", "updated_at"])
    if linked_objectives is not None:
        # KIT 1 step 1 declares the plan objectives the cooperation serves (history kept).
        step.cooperation.plan_objectives.set(linked_objectives)
    existing = {a.question_id: a for a in Answer.objects.filter(step=step)}
    for question, value in cleaned.items():
        answer = existing.get(question.pk)
        if answer is None:
            Answer.objects.create(step=step, question=question, value=value, updated_by=user)
        elif answer.value != value:
            answer.value = value
            answer.updated_by = user
            answer.save()
    return errors


@transaction.atomic
def attachment_add(
    *, step: Step, user, uploaded, slot: str = "", question: Question | None = None
) -> Attachment:
    """Store a document; a second upload in the same slot becomes its next revision."""
    _require_team(user, step)
    if step.state in (StepState.SUBMITTED, StepState.VALIDATED):
        raise ValidationError(
            "Cette étape est soumise à l'ARS ou validée : ajoutez vos documents après un renvoi ou une réouverture."
        )
    # Documents are part of the draft: a step awaiting its prerequisites takes them too.
    validate_upload(uploaded)
    if question is not None:
        slot = question.label
    slot = (slot or "").strip()[:200] or "Autre document"
    # Lock the step row (PostgreSQL refuses FOR UPDATE with an aggregate) so that two
    # uploads in the same slot cannot both take the same revision number.
    Step.objects.select_for_update().filter(pk=step.pk).first()
    last = Attachment.objects.filter(step=step, slot=slot).aggregate(m=Max("revision"))["m"] or 0
    attachment = Attachment(
        step=step,
        question=question,
        slot=slot,
        revision=last + 1,
        original_name=uploaded.name[:255],
        size=uploaded.size,
        uploaded_by=user,
    )
    attachment.file.save(safe_upload_name(uploaded.name), uploaded, save=False)
    # If the database write fails, do not leave an orphan file on disk.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    if step.state == StepState.NOT_STARTED:
        _transition(step, StepState.IN_PROGRESS, user, started_at=timezone.now())
    return attachment
