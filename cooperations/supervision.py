"""Who supervises a cooperation: its pilot ARS and its départements (issue 14, item 2).

The rule (cooperations/scoping.py, docs/ARCHITECTURE.md): these fields are changed only by
an agent of the pilot ARS or a national admin (`supervision_apply`, also called by
`services.cooperation_update` when the edit form changes them), or by a request that the
pilot ARS accepts (`supervision_request` then `supervision_decide`). Every change is a
`SupervisionChange` row (who, when, from what to what; django-simple-history on top) and
sends `cooperation_moved` after commit, which tells the project team and the agents of
both the former and the new pilot ARS (notifications/services.py).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cooperations import scoping
from cooperations.models import Cooperation, SupervisionChange
from cooperations.signals import send_event

NOT_SUPERVISOR = (
    "Seuls les agents de l'ARS pilote et les administrateurs nationaux changent l'ARS pilote "
    "et les départements."
)


def departement_codes(departements) -> str:
    return ", ".join(sorted(d.code for d in departements))


def _check_target(pilot_ars, departements) -> None:
    departements = list(departements or [])
    if pilot_ars is None:
        raise ValidationError({"pilot_ars": "Choisissez l'ARS pilote."})
    if not departements:
        raise ValidationError({"departements": "Choisissez au moins un département concerné."})
    if not any(d.ars_id == pilot_ars.pk for d in departements):
        raise ValidationError(
            {"departements": f"Au moins un département concerné doit relever de l'{pilot_ars}."}
        )


def is_change(cooperation: Cooperation, pilot_ars, departements) -> bool:
    current = set(cooperation.departements.values_list("pk", flat=True))
    return pilot_ars.pk != cooperation.pilot_ars_id or {d.pk for d in departements} != current


def _moved_message(change: SupervisionChange, cooperation: Cooperation) -> str:
    before = f"{change.from_pilot_ars} (départements {change.from_departements})"
    after = (
        f"{change.to_pilot_ars} (départements {departement_codes(change.to_departements.all())})"
    )
    return f"« {cooperation.title} » : supervision passée de {before} à {after}."


def _announce(change: SupervisionChange, cooperation: Cooperation, actor) -> None:
    def send():
        # As committed (the caller's instance may still hold the former pilot ARS).
        moved = Cooperation.objects.get(pk=cooperation.pk)
        send_event(
            SupervisionChange,
            moved,
            "cooperation_moved",
            actor=actor,
            target=change,
            message=_moved_message(change, moved),
        )

    transaction.on_commit(send)


def _apply(cooperation: Cooperation, change: SupervisionChange) -> None:
    departements = list(change.to_departements.all())
    cooperation.pilot_ars = change.to_pilot_ars
    cooperation.version += 1
    cooperation.full_clean()
    cooperation.save()
    cooperation.departements.set(departements)


@transaction.atomic
def supervision_apply(
    *, cooperation: Cooperation, user, pilot_ars, departements, reason: str = ""
) -> SupervisionChange | None:
    """A supervisor's direct change (edit form or this module): logged and announced.

    Answers None when nothing changes. PermissionDenied for anyone else.
    """
    if not scoping.can_supervise(user, cooperation):
        raise PermissionDenied(NOT_SUPERVISOR)
    departements = list(departements)
    _check_target(pilot_ars, departements)
    if not is_change(cooperation, pilot_ars, departements):
        return None
    change = log_applied(
        cooperation=cooperation, user=user, pilot_ars=pilot_ars, departements=departements,
        reason=reason,
    )  # fmt: skip
    _apply(cooperation, change)
    return change


def log_applied(*, cooperation, user, pilot_ars, departements, reason: str = ""):
    """Record (and announce after commit) a supervisor's change, before it is applied:
    `cooperation` still holds the former pilot ARS and départements."""
    change = SupervisionChange.objects.create(
        cooperation=cooperation,
        status=SupervisionChange.Status.APPLIED,
        from_pilot_ars_id=cooperation.pilot_ars_id,
        to_pilot_ars=pilot_ars,
        from_departements=departement_codes(cooperation.departements.all()),
        reason=reason,
        requested_by=user,
        decided_by=user,
        decided_at=timezone.now(),
    )
    change.to_departements.set(departements)
    _announce(change, cooperation, user)
    return change


@transaction.atomic
def supervision_request(
    *, cooperation: Cooperation, user, pilot_ars, departements, reason: str
) -> SupervisionChange:
    """A request to the pilot ARS (project team, a concerned ARS). ValidationError (French)
    when it changes nothing, has no reason, or another request is pending."""
    if not scoping.can_comment(user, cooperation):
        raise PermissionDenied("Votre rôle ne permet pas de demander ce changement.")
    departements = list(departements)
    _check_target(pilot_ars, departements)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Expliquez à l'ARS pilote pourquoi ce changement."})
    if not is_change(cooperation, pilot_ars, departements):
        raise ValidationError(
            "Cette demande ne change ni l'ARS pilote ni les départements de la coopération."
        )
    change = SupervisionChange(
        cooperation=cooperation,
        from_pilot_ars_id=cooperation.pilot_ars_id,
        to_pilot_ars=pilot_ars,
        from_departements=departement_codes(cooperation.departements.all()),
        reason=reason,
        requested_by=user,
    )
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError:
        raise ValidationError(
            "Une demande de changement est déjà en attente pour cette coopération : "
            "l'ARS pilote doit d'abord y répondre."
        ) from None
    change.to_departements.set(departements)
    return change


@transaction.atomic
def supervision_decide(
    *, change: SupervisionChange, user, accept: bool, comment: str = ""
) -> SupervisionChange:
    """The pilot ARS (or a national admin) accepts or refuses a pending request."""
    change = SupervisionChange.objects.select_for_update().get(pk=change.pk)
    cooperation = Cooperation.objects.select_for_update().get(pk=change.cooperation_id)
    if not scoping.can_supervise(user, cooperation):
        raise PermissionDenied(NOT_SUPERVISOR)
    if change.status != SupervisionChange.Status.PENDING:
        raise ValidationError(
            f"Cette demande a déjà été traitée ({change.get_status_display().lower()})."
        )
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": "Expliquez le refus au demandeur."})
    change.status = (
        SupervisionChange.Status.ACCEPTED if accept else SupervisionChange.Status.REFUSED
    )
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_comment = comment
    if accept:
        departements = list(change.to_departements.all())
        _check_target(change.to_pilot_ars, departements)
        # What the cooperation is now (it may have changed since the request).
        change.from_pilot_ars_id = cooperation.pilot_ars_id
        change.from_departements = departement_codes(cooperation.departements.all())
        _apply(cooperation, change)
        _announce(change, cooperation, user)
    change.save()
    return change
