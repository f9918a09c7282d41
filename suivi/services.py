"""Writes of the tracker. Keyword-only, atomic, validated before anything is saved."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import documents
from core.idempotency import save_unique
from core.locking import save_with_version
from core.text import is_plausible
from suivi import selectors
from suivi.models import (
    Activity,
    CopilMeeting,
    CopilPack,
    DateRevision,
    Deliverable,
    ProjectSettings,
    Risk,
    StatusReport,
)

BASELINE_FROZEN = (
    "La date planifiée est la référence du projet : une fois enregistrée, elle ne se modifie "
    "plus. Pour décaler l'échéance, saisissez une date révisée et son motif."
)
REASON_REQUIRED = (
    "Indiquez le motif du changement de date révisée : il sera conservé dans l'historique."
)
OVERRIDE_REASON_REQUIRED = (
    "Justifiez par écrit le forçage du respect du planning : la justification est affichée à côté "
    "de l'indicateur."
)


def _apply(instance, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])


# --- activities ---------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "title",
    "lead_name",
    "lead_member",
    "objectives",
    "description",
    "resources",
    "order",
)


def _check_activity(activity: Activity, depends_on) -> None:
    errors = {}
    member = activity.lead_member
    if member and (member.cooperation_id != activity.cooperation_id or member.left_on):
        errors["lead_member"] = (
            "L'établissement pilote doit être un membre actif de la coopération."
        )
    depends_on = list(depends_on or [])
    if any(d.cooperation_id != activity.cooperation_id for d in depends_on):
        errors["depends_on"] = "Un chantier ne peut dépendre que de chantiers du même projet."
    elif activity.pk and any(d.pk == activity.pk for d in depends_on):
        errors["depends_on"] = "Un chantier ne peut pas dépendre de lui-même."
    elif activity.pk and _creates_cycle(activity, depends_on):
        errors["depends_on"] = (
            "Ces dépendances formeraient une boucle (un chantier attendrait, indirectement, "
            "sa propre fin)."
        )
    if errors:
        raise ValidationError(errors)


def _creates_cycle(activity: Activity, depends_on) -> bool:
    edges: dict[int, set[int]] = {}
    through = Activity.depends_on.through.objects.filter(
        from_activity__cooperation_id=activity.cooperation_id
    ).values_list("from_activity_id", "to_activity_id")
    for source, target in through:
        edges.setdefault(source, set()).add(target)
    edges[activity.pk] = {d.pk for d in depends_on}
    stack, seen = list(edges[activity.pk]), set()
    while stack:
        current = stack.pop()
        if current == activity.pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, ()))
    return False


@transaction.atomic
def activity_create(*, cooperation, data: dict) -> Activity:
    activity = Activity(cooperation=cooperation)
    _apply(activity, data, ACTIVITY_FIELDS)
    _check_activity(activity, data.get("depends_on"))
    activity.full_clean()
    save_unique(activity, "Un chantier porte déjà cet intitulé dans ce projet.")
    if data.get("depends_on") is not None:
        activity.depends_on.set(data["depends_on"])
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, data: dict, version: int) -> Activity:
    _apply(activity, data, ACTIVITY_FIELDS)
    _check_activity(activity, data.get("depends_on"))
    activity.full_clean()
    save_with_version(activity, version)
    if data.get("depends_on") is not None:
        activity.depends_on.set(data["depends_on"])
    return activity


# --- deliverables -------------------------------------------------------------------------

DELIVERABLE_FIELDS = (
    "kind",
    "title",
    "planned_on",
    "done_on",
    "progress",
    "weight",
    "rag_override",
    "rag_override_reason",
)


def _check_deliverable(deliverable: Deliverable, today: date) -> None:
    errors = {}
    if deliverable.done_on and deliverable.done_on > today:
        errors["done_on"] = "La date de réalisation ne peut pas être postérieure à aujourd'hui."
    if deliverable.revised_on and not deliverable.planned_on:
        errors["revised_on"] = "Saisissez d'abord la date planifiée, avant toute date révisée."
    if deliverable.rag_override and not (deliverable.rag_override_reason or "").strip():
        errors["rag_override_reason"] = OVERRIDE_REASON_REQUIRED
    if not deliverable.rag_override:
        deliverable.rag_override_reason = ""
    progress = deliverable.progress
    if progress is not None and not 0 <= progress <= 100:
        errors["progress"] = "L'avancement est un pourcentage entre 0 et 100."
    if errors:
        raise ValidationError(errors)
    if deliverable.done_on:
        # Delivered means complete: the figure is derived, not typed a second time.
        deliverable.progress = 100


@transaction.atomic
def deliverable_create(*, activity: Activity, data: dict, today: date | None = None) -> Deliverable:
    deliverable = Deliverable(activity=activity)
    _apply(deliverable, data, DELIVERABLE_FIELDS)
    _check_deliverable(deliverable, today or timezone.localdate())
    deliverable.full_clean()
    deliverable.save()
    return deliverable


@transaction.atomic
def deliverable_update(
    *,
    deliverable: Deliverable,
    data: dict,
    version: int,
    user=None,
    revision_reason: str = "",
    today: date | None = None,
) -> Deliverable:
    stored = Deliverable.objects.get(pk=deliverable.pk)
    new_planned = data.get("planned_on", stored.planned_on)
    # The baseline is frozen, unless it is a legacy typo outside the plausible range
    # (year 1, 9999, 0026…): then the team corrects it once (core.text).
    frozen = stored.planned_on and is_plausible(stored.planned_on)
    if frozen and new_planned != stored.planned_on:
        raise ValidationError({"planned_on": BASELINE_FROZEN})
    new_revised = data.get("revised_on", stored.revised_on)
    revision = None
    if new_revised != stored.revised_on:
        if not (revision_reason or "").strip():
            raise ValidationError({"revision_reason": REASON_REQUIRED})
        revision = DateRevision(
            deliverable=deliverable,
            previous_date=stored.revised_on,
            new_date=new_revised,
            reason=revision_reason.strip(),
            created_by=user if user and user.is_authenticated else None,
        )
    _apply(deliverable, data, DELIVERABLE_FIELDS)
    deliverable.revised_on = new_revised
    _check_deliverable(deliverable, today or timezone.localdate())
    deliverable.full_clean()
    save_with_version(deliverable, version)
    if revision:
        revision.full_clean()
        revision.save()
    due = deliverable.revised_on or deliverable.planned_on
    if deliverable.done_on or (due and due >= (today or timezone.localdate())):
        # No longer late: the "overdue" notifications about it are handled.
        from notifications.services import settle

        settle(kinds=("deliverable_overdue",), target=deliverable)
    return deliverable


# --- risks --------------------------------------------------------------------------------

RISK_FIELDS = (
    "title",
    "description",
    "category",
    "probability",
    "impact",
    "owner",
    "mitigation",
    "status",
    "review_on",
)


@transaction.atomic
def risk_create(*, cooperation, data: dict) -> Risk:
    risk = Risk(cooperation=cooperation)
    _apply(risk, data, RISK_FIELDS)
    risk.full_clean()
    risk.save()
    return risk


@transaction.atomic
def risk_update(*, risk: Risk, data: dict, version: int) -> Risk:
    _apply(risk, data, RISK_FIELDS)
    risk.full_clean()
    save_with_version(risk, version)
    return risk


# --- settings and reports -----------------------------------------------------------------


SETTINGS_FIELDS = ("report_period_months", "reminder_days", "at_risk_max_days")


@transaction.atomic
def settings_update(*, cooperation, data: dict, version: int | None = None) -> ProjectSettings:
    """Update the tracker settings; with `version` (the form's), refused when stale.

    A cooperation without settings shows the defaults at version 1: the row is created at
    version 1 and the edit then goes through the same check, so that of two users editing
    the defaults at the same time, the second is told instead of silently overwriting."""
    current, _created = ProjectSettings.objects.get_or_create(cooperation=cooperation)
    _apply(current, data, SETTINGS_FIELDS)
    current.full_clean()
    if version is None:
        current.save()
    else:
        save_with_version(current, version)
    return current


REPORT_TEXT_FIELDS = (
    "achievements",
    "planning_comment",
    "risks_comment",
    "anticipation",
    "decisions_expected",
)


@transaction.atomic
def report_create(*, cooperation, user, data: dict, today: date | None = None) -> StatusReport:
    today = today or timezone.localdate()
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        raise ValidationError(
            {"period_end": "La fin de la période ne peut pas précéder son début."}
        )
    if start and start > today:
        raise ValidationError(
            {
                "period_start": "Un rapport porte sur une période commencée : choisissez un début passé."
            }
        )
    report = StatusReport(
        cooperation=cooperation,
        period_start=start,
        period_end=end,
        created_by=user if user and user.is_authenticated else None,
        snapshot=selectors.snapshot(cooperation, today),
    )
    _apply(report, data, REPORT_TEXT_FIELDS)
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:  # a concurrent request saved the same period first
        raise ValidationError("Un rapport existe déjà pour cette période.") from error
    from notifications.services import settle

    settle(kinds=("report_overdue",), cooperation=cooperation)
    return report


# --- COPIL meetings -----------------------------------------------------------------------


@transaction.atomic
def copil_meeting_create(*, cooperation, data: dict) -> CopilMeeting:
    meeting = CopilMeeting(cooperation=cooperation)
    _apply(meeting, data, ("held_on", "location", "agenda"))
    meeting.full_clean()
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:
        raise ValidationError({"held_on": "Un COPIL est déjà prévu ce jour-là."}) from error
    return meeting


@transaction.atomic
def copil_meeting_delete(*, meeting: CopilMeeting) -> None:
    meeting.delete()


# --- COPIL pack ---------------------------------------------------------------------------


def copil_pack_request(*, cooperation, user, request_key) -> tuple[CopilPack, bool]:
    """Create the pack for this request key (a double submit returns the same pack).

    Enqueued after commit; a broker that cannot be reached fails the pack with a French
    message (core.documents.enqueue), never the request."""
    with transaction.atomic():
        pack, created = CopilPack.objects.get_or_create(
            request_key=request_key,
            defaults={
                "cooperation": cooperation,
                "requested_by": user if user and user.is_authenticated else None,
            },
        )
        if pack.cooperation_id != cooperation.pk:
            raise ValidationError("Cette demande concerne une autre coopération.")
        if created:
            documents.enqueue_on_commit(CopilPack, pack.pk)
    return pack, created
