"""KIT 1 writes: catalogue versioning, the step workflow, answers, comments, attachments,
the legal-form decision and notifications. Keyword-only, atomic, validated first."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from cooperations import scoping
from cooperations.models import Cooperation, LegalForm, Nature
from cooperations.signals import cooperation_event
from core.locking import StaleObjectError
from core.text import parse_number, validate_plausible_date
from core.uploads import safe_upload_name, validate_upload
from fiches.models import (
    Answer,
    Attachment,
    CatalogueVersion,
    Fiche,
    LegalFormDecision,
    Question,
    QuestionKind,
    Step,
    StepComment,
    StepState,
    StepTransition,
)

TEAM_ONLY = "Seuls les référents des établissements membres peuvent modifier et soumettre."
VALIDATOR_ONLY = "Seul un agent de l'ARS pilote peut valider, renvoyer ou rouvrir une étape."
MANDATORY_MESSAGE = "Réponse obligatoire avant de soumettre l'étape."
YES, NO = "oui", "non"


# --- Catalogue -------------------------------------------------------------------------


def current_version() -> CatalogueVersion:
    version = CatalogueVersion.objects.current()
    if version is None:
        raise ValidationError("Aucune version du catalogue KIT 1 n'est en vigueur.")
    return version


def version_in_use(version: CatalogueVersion) -> bool:
    return Step.objects.filter(fiche__version=version).exists()


@transaction.atomic
def catalogue_clone_version(*, version: CatalogueVersion, note: str = "") -> CatalogueVersion:
    """Copy a whole catalogue version (fiches, questions, links) and make the copy current."""
    number = (CatalogueVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    CatalogueVersion.objects.filter(is_current=True).update(is_current=False)
    clone = CatalogueVersion.objects.create(number=number, is_current=True, note=note)
    fiches = list(
        version.fiches.prefetch_related(
            "legal_forms", "knowledge_pages", "prerequisites", "questions__legal_forms"
        )
    )
    by_number = {}
    for fiche in fiches:
        copy = Fiche.objects.create(
            version=clone,
            number=fiche.number,
            title=fiche.title,
            phase=fiche.phase,
            purpose=fiche.purpose,
            guidance=fiche.guidance,
            documents_expected=fiche.documents_expected,
            offers_legal_form_chooser=fiche.offers_legal_form_chooser,
        )
        copy.legal_forms.set(fiche.legal_forms.all())
        copy.knowledge_pages.set(fiche.knowledge_pages.all())
        questions = list(fiche.questions.all())
        code_by_pk = {q.pk: q.code for q in questions}
        copies = {}
        for question in questions:
            legal_forms = list(question.legal_forms.all())
            earlier_code = code_by_pk.get(question.not_before_id)
            question.pk = None
            question.id = None
            question.fiche = copy
            question.not_before = None
            question._state.adding = True
            question.save()
            question.legal_forms.set(legal_forms)
            copies[question.code] = (question, earlier_code)
        # Date-order links point inside the fiche: remap them to the copied questions.
        for question, earlier_code in copies.values():
            if earlier_code in copies:
                question.not_before = copies[earlier_code][0]
                question.save(update_fields=["not_before"])
        by_number[fiche.number] = copy
    for fiche in fiches:
        by_number[fiche.number].prerequisites.set(
            [by_number[p.number] for p in fiche.prerequisites.all() if p.number in by_number]
        )
    return clone


def catalogue_version_for_edit(*, version: CatalogueVersion) -> CatalogueVersion:
    """Copy-on-write: a version already answered is frozen, so edits go to a fresh copy."""
    if not version.is_current:
        raise ValidationError(
            "Seule la version en vigueur du catalogue peut être modifiée ; "
            "les versions précédentes restent figées pour les étapes qui les utilisent."
        )
    if version_in_use(version):
        return catalogue_clone_version(
            version=version, note=f"Modification de la v{version.number} par l'administration"
        )
    return version


# --- Questions and answers -------------------------------------------------------------


def question_applies(question: Question, legal_form_id) -> bool:
    """A question restricted to some legal forms is asked only once such a form is chosen."""
    forms = [f.pk for f in question.legal_forms.all()]
    return not forms or legal_form_id in forms


def fiche_applies(fiche: Fiche, legal_form_id) -> bool:
    forms = [f.pk for f in fiche.legal_forms.all()]
    return not forms or legal_form_id in forms


def applicable_questions(step: Step) -> list[Question]:
    return [
        q for q in step.fiche.questions.all() if question_applies(q, step.cooperation.legal_form_id)
    ]


def _fr(number: Decimal) -> str:
    return format(number.normalize(), "f").replace(".", ",")


def clean_answer(question: Question, raw) -> str:
    """Normalise a raw answer to its stored text, or refuse it with a French message."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        return ""
    if question.kind == QuestionKind.YESNO:
        if value.lower() not in (YES, NO):
            raise ValidationError("Répondez par oui ou par non.")
        return value.lower()
    if question.kind == QuestionKind.CHOICE:
        if value not in question.choice_list:
            raise ValidationError(f"« {value} » ne fait pas partie des choix proposés.")
        return value
    if question.kind == QuestionKind.DATE:
        # The date picker sends aaaa-mm-jj; without one (an older browser, a script), people
        # type the jj/mm/aaaa that the error message shows.
        try:
            if "/" in value:
                day = datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar date, no time)
            else:
                day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError("Saisissez une date valide (jj/mm/aaaa).") from None
        validate_plausible_date(day)
        return day.isoformat()
    if question.kind == QuestionKind.NUMBER:
        # French formats ("1 200,5", non-breaking spaces), bounded length and exponent.
        number = parse_number(value)
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(
                f"La valeur doit être supérieure ou égale à {_fr(question.min_value)}."
            )
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(
                f"La valeur doit être inférieure ou égale à {_fr(question.max_value)}."
            )
        return format(number, "f")
    if question.kind == QuestionKind.FILE:
        return ""  # a file question is answered by an attachment, not by text
    if len(value) > 20000:
        raise ValidationError("La réponse est trop longue (20 000 caractères au plus).")
    return value


def plan_objective_choices(step: Step) -> list[tuple[str, str]]:
    """(code, label) of the pilot ARS's plan objectives: current ones, and historical ones
    the cooperation already serves."""
    from django.db.models import Q as _Q

    from cooperations.models import HISTORICAL_PLAN_KINDS, RegionalObjective

    objectives = (
        RegionalObjective.objects.filter(ars_id=step.cooperation.pilot_ars_id)
        .filter(~_Q(kind__in=HISTORICAL_PLAN_KINDS) | _Q(cooperations=step.cooperation_id))
        .distinct()
        .order_by("kind", "order", "code")
    )
    return [(o.code, f"{o.code} — {o.title}") for o in objectives]


def _clean_plan_objectives(step: Step, raw) -> tuple[str, list]:
    """The chosen objective codes, checked against the pilot ARS's plan; stored as
    "CODE, CODE" (the answer) and linked to the cooperation (the portfolio counts them)."""
    from cooperations.models import RegionalObjective

    if isinstance(raw, list | tuple):
        codes = [str(c).strip() for c in raw if str(c).strip()]
    else:
        codes = [c.strip() for c in str(raw or "").split(",") if c.strip()]
    found = {
        o.code: o
        for o in RegionalObjective.objects.filter(
            ars_id=step.cooperation.pilot_ars_id, code__in=codes
        )
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            "Ces objectifs ne figurent pas dans le plan régional de l'ARS pilote : "
            + ", ".join(unknown)
            + "."
        )
    ordered = sorted(found.values(), key=lambda o: (o.kind, o.order, o.code))
    return ", ".join(o.code for o in ordered), ordered


def _free_text_answer(step: Step, question: Question) -> bool:
    """True when the stored answer is free text from before KIT 1 offered the plan's
    objectives (not a list of objective codes)."""
    from cooperations.models import RegionalObjective

    value = Answer.objects.filter(step=step, question=question).values_list("value", flat=True)
    value = value.first() or ""
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes:
        return False
    known = RegionalObjective.objects.filter(
        ars_id=step.cooperation.pilot_ars_id, code__in=codes
    ).count()
    return known != len(set(codes))


def missing_answers(step: Step) -> dict[str, str]:
    """{question code: message} for the mandatory questions still unanswered."""
    answered = {a.question_id for a in step.answers.all() if a.value}
    with_file = {a.question_id for a in step.attachments.all() if a.question_id}
    missing = {}
    for question in applicable_questions(step):
        if not question.mandatory:
            continue
        done = (
            question.pk in with_file
            if question.kind == QuestionKind.FILE
            else question.pk in answered
        )
        if not done:
            missing[question.code] = MANDATORY_MESSAGE
    return missing


# --- Steps ---------------------------------------------------------------------------------


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
    due = _applicable_numbers(version, cooperation.legal_form_id)
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

    - The steps of the fiches that now apply are created (steps_ensure).
    - A step whose fiche no longer applies is removed only if nobody worked on it (not
      started, no answer, document, comment or transition): it holds nothing, and it comes
      back if the legal form changes again. A step with any work on it is kept as it is,
      with its answers and its log: a change of legal form never erases what the team and
      the ARS have written; it stays on the stepper with its state.
    """
    version = CatalogueVersion.objects.current()
    if version is None:
        return
    steps_ensure(cooperation=cooperation)
    due = _applicable_numbers(version, cooperation.legal_form_id)
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


ALLOWED = {
    StepState.NOT_STARTED: {StepState.IN_PROGRESS},
    StepState.IN_PROGRESS: {StepState.SUBMITTED},
    StepState.SUBMITTED: {StepState.VALIDATED, StepState.RETURNED},
    StepState.RETURNED: {StepState.IN_PROGRESS},
    StepState.VALIDATED: {StepState.IN_PROGRESS},
}


def _transition(step: Step, to_state: str, user, comment: str = "", **fields) -> Step:
    # Re-read under a row lock: the state may have moved since the page was displayed.
    fresh = Step.objects.select_for_update().get(pk=step.pk)
    decisions = (StepState.VALIDATED, StepState.RETURNED)
    if to_state in decisions and fresh.state in decisions and to_state not in ALLOWED[fresh.state]:
        # A second decision (double click, two agents, two tabs): say who decided first.
        verb = "validée" if fresh.state == StepState.VALIDATED else "renvoyée à l'équipe projet"
        when = (
            f" le {timezone.localtime(fresh.decided_at):%d/%m/%Y à %H:%M}"
            if fresh.decided_at
            else ""
        )
        who = f" par {fresh.last_actor}" if fresh.last_actor else ""
        raise ValidationError(
            f"Cette étape a déjà été {verb}{when}{who} : aucune nouvelle décision "
            "n'a été enregistrée."
        )
    if to_state not in ALLOWED[fresh.state]:
        raise ValidationError(
            f"Impossible de passer de l'état « {StepState(fresh.state).label} » "
            f"à « {StepState(to_state).label} »."
        )
    from_state = fresh.state
    step.state = to_state
    step.last_actor = user
    step.version = fresh.version + 1
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()
    StepTransition.objects.create(
        step=step, from_state=from_state, to_state=to_state, actor=user, comment=comment
    )
    return step


def _date_order_errors(step: Step, questions: dict, cleaned: dict) -> dict:
    """Dates that must not precede another date of the same fiche (data: Question.not_before)."""
    values = dict(Answer.objects.filter(step=step).values_list("question__code", "value"))
    values.update({q.code: v for q, v in cleaned.items()})
    by_pk = {q.pk: q for q in questions.values()}
    errors = {}
    for question in questions.values():
        earlier = by_pk.get(question.not_before_id)
        if question.kind != QuestionKind.DATE or earlier is None:
            continue
        later_value, earlier_value = values.get(question.code), values.get(earlier.code)
        if later_value and earlier_value and later_value < earlier_value:
            shown = date.fromisoformat(earlier_value).strftime("%d/%m/%Y")
            errors[question.code] = [
                f"Cette date ne peut pas précéder « {earlier.label} » ({shown})."
            ]
    return errors


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
    updated = Step.objects.filter(pk=step.pk, version=version).update(version=version + 1)
    if not updated:
        raise StaleObjectError()
    step.version = version + 1
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
    if step.state in (StepState.NOT_STARTED, StepState.RETURNED):
        comment = "Reprise après renvoi" if step.state == StepState.RETURNED else ""
        _transition(
            step, StepState.IN_PROGRESS, user, comment, started_at=step.started_at or timezone.now()
        )
    else:
        step.last_actor = user
        step.save(update_fields=["last_actor", "updated_at"])
    return errors


@transaction.atomic
def step_submit(*, step: Step, user) -> Step:
    _require_team(user, step)
    _check_unlocked(step)
    if step.state != StepState.IN_PROGRESS:
        raise ValidationError("Seule une étape en cours peut être soumise à l'ARS.")
    step = Step.objects.select_related("cooperation", "fiche").get(pk=step.pk)
    missing = missing_answers(step)
    if missing:
        raise ValidationError(missing)
    _transition(step, StepState.SUBMITTED, user, submitted_at=timezone.now(), return_reason="")
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
def step_validate(*, step: Step, user, comment: str = "") -> Step:
    _require_validator(user, step)
    _transition(step, StepState.VALIDATED, user, comment.strip(), decided_at=timezone.now())
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
def step_return(*, step: Step, user, reason: str) -> Step:
    _require_validator(user, step)
    reason = _require_reason(reason)
    _transition(
        step, StepState.RETURNED, user, reason, decided_at=timezone.now(), return_reason=reason
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
def step_reopen(*, step: Step, user, reason: str) -> Step:
    _require_validator(user, step)
    reason = _require_reason(reason)
    if step.state != StepState.VALIDATED:
        raise ValidationError("Seule une étape validée peut être rouverte.")
    _transition(step, StepState.IN_PROGRESS, user, f"Réouverture : {reason}", return_reason=reason)
    _notify(
        project_team_of(step.cooperation),
        step,
        f"Étape {step.number} rouverte : {step.cooperation.title}",
        f"L'ARS a rouvert l'étape {step.number} « {step.fiche.title} ».\n\nMotif : {reason}",
        kind="step_reopened",
        actor=user,
    )
    return step


# --- Comments and attachments --------------------------------------------------------------


@transaction.atomic
def comment_add(*, step: Step, user, body: str) -> StepComment:
    if not scoping.can_comment(user, step.cooperation):
        raise PermissionDenied("Votre rôle ne permet pas de commenter cette coopération.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Le commentaire est vide."})
    if len(body) > 5000:
        raise ValidationError({"body": "Le commentaire est trop long (5 000 caractères au plus)."})
    comment = StepComment(step=step, author=user, body=body)
    comment.full_clean()
    comment.save()
    cooperation = step.cooperation
    message = (
        f"{user} a commenté l'étape {step.number} de « {cooperation.title} » :\n\n{body[:600]}"
    )
    transaction.on_commit(
        lambda: cooperation_event.send(
            sender=StepComment,
            cooperation=cooperation,
            kind="step_comment",
            actor=user,
            target=step,
            message=message,
        )
    )
    return comment


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


# --- Legal form --------------------------------------------------------------------------


@transaction.atomic
def legal_form_record(
    *,
    cooperation: Cooperation,
    user,
    legal_form: LegalForm,
    answers: dict,
    ranking: list,
    justification: str = "",
) -> LegalFormDecision:
    """Record the team's choice and set it on the cooperation (tracked by its history)."""
    if not scoping.is_project_team(user, cooperation):
        raise PermissionDenied(TEAM_ONLY)
    if legal_form.is_historical:
        raise ValidationError("Cette forme juridique n'est plus créée : choisissez-en une autre.")
    decision = LegalFormDecision.objects.create(
        cooperation=cooperation,
        answers=answers,
        ranking=ranking,
        legal_form=legal_form,
        justification=(justification or "").strip(),
        decided_by=user,
    )
    fresh = Cooperation.objects.select_for_update().get(pk=cooperation.pk)
    fresh.legal_form = legal_form
    fresh.nature = Nature.ORGANIQUE if legal_form.has_legal_personality else Nature.FONCTIONNELLE
    fresh.version += 1
    fresh.full_clean()
    fresh.save()
    cooperation.legal_form, cooperation.nature, cooperation.version = (
        fresh.legal_form,
        fresh.nature,
        fresh.version,
    )
    return decision


# --- Notifications -----------------------------------------------------------------------


def _notify(recipients, step: Step, subject: str, message: str, *, kind: str, actor=None):
    """Step events go to the notification engine (notifications.services), which settles
    what they answer (a decision settles the "submitted" notifications of the step)."""
    from notifications import services as notifications

    return notifications.notify(
        cooperation=step.cooperation,
        kind=kind,
        recipients=recipients,
        subject=subject,
        message=message,
        url=step.get_absolute_url(),
        target=step,
        actor=actor,
    )


def ars_agents_of(cooperation: Cooperation):
    from notifications.services import pilot_ars_agents

    return pilot_ars_agents(cooperation)


def project_team_of(cooperation: Cooperation):
    from notifications.services import project_team

    return project_team(cooperation)
