"""Writes on cooperations and their members. Each function is atomic and validates first."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from cooperations import scoping, signals, supervision
from cooperations.models import Cooperation, MemberRole, Membership
from core.idempotency import save_unique
from core.locking import save_with_version
from core.text import required_text
from territories.models import Establishment, LegalEntity

M2M_FIELDS = ("departements", "typologies", "themes", "plan_objectives")


def _check_dates(data: dict) -> None:
    errors = {}
    launched, decided = data.get("launched_on"), data.get("decided_on")
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if launched and decided and decided < launched:
        errors["decided_on"] = "La date de décision ne peut pas précéder la date de lancement."
    if starts and ends and ends < starts:
        errors["ends_on"] = "La date de fin prévue ne peut pas précéder la date d'effet."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cooperation_create(*, user, data: dict) -> Cooperation:
    """Create a cooperation. A director who creates one becomes its porteur, through the
    first establishment (or legal entity) they represent, so that they keep access to it."""
    _check_dates(data)
    porteur = None
    if user.role == Role.REFERENT:
        porteur = user.establishments.first() or user.legal_entities.first()
        if porteur is None:
            raise ValidationError(
                "Votre compte n'est rattaché à aucun établissement : demandez à votre "
                "administrateur de le rattacher avant de créer une coopération."
            )
    m2m = {name: data.pop(name, None) for name in M2M_FIELDS}
    cooperation = Cooperation(created_by=user, **data)
    if cooperation.legal_form and not cooperation.nature:
        cooperation.nature = cooperation.legal_form.nature
    cooperation.full_clean()
    cooperation.save()
    for name, values in m2m.items():
        if values is not None:
            getattr(cooperation, name).set(values)
    if porteur is not None:
        membership_add(
            cooperation=cooperation,
            establishment=porteur if isinstance(porteur, Establishment) else None,
            legal_entity=porteur if isinstance(porteur, LegalEntity) else None,
            role=MemberRole.PORTEUR,
            joined_on=cooperation.launched_on,
            announce=False,
        )
    return cooperation


@transaction.atomic
def cooperation_update(*, cooperation: Cooperation, user, data: dict, version: int) -> Cooperation:
    """Save the edit form. A change of the pilot ARS or the départements (who supervises)
    is refused to anyone but the pilot ARS's agents and national admins, and is logged and
    announced (cooperations/supervision.py)."""
    _check_dates(data)
    m2m = {name: data.pop(name, None) for name in M2M_FIELDS}
    # The stored supervision: a ModelForm has already put the posted values on the instance.
    stored = Cooperation.objects.only("pk", "pilot_ars_id").get(pk=cooperation.pk)
    pilot_ars = data.get("pilot_ars") or cooperation.pilot_ars
    departements = m2m["departements"]
    if departements is None:
        departements = list(stored.departements.all())
    if supervision.is_change(stored, pilot_ars, departements):
        if not scoping.can_supervise(user, stored):
            raise ValidationError(supervision.NOT_SUPERVISOR)
        supervision.log_applied(
            cooperation=stored, user=user, pilot_ars=pilot_ars, departements=departements
        )
    for field, value in data.items():
        setattr(cooperation, field, value)
    if cooperation.legal_form and not cooperation.nature:
        cooperation.nature = cooperation.legal_form.nature
    cooperation.full_clean()
    save_with_version(cooperation, version)
    for name, values in m2m.items():
        if values is not None:
            getattr(cooperation, name).set(values)
    return cooperation


@transaction.atomic
def membership_add(
    *,
    cooperation: Cooperation,
    establishment=None,
    legal_entity=None,
    role: str = MemberRole.MEMBRE,
    joined_on: date | None = None,
    actor=None,
    announce: bool = True,
) -> Membership:
    """Add a member. `announce` sends the `member_added` event (not for the porteur that
    cooperation_create adds: the cooperation itself is new)."""
    if bool(establishment) == bool(legal_entity):
        raise ValidationError(
            "Choisissez un établissement ou une entité juridique (l'un des deux)."
        )
    for target in (establishment, legal_entity):
        if target is not None and target.is_closed:
            closed_on = f" le {target.closed_on:%d/%m/%Y}" if target.closed_on else ""
            raise ValidationError(
                f"{getattr(target, 'display_name', target)} (FINESS {target.finess}) est fermé"
                f"{closed_on} selon le répertoire FINESS : il ne peut plus rejoindre une "
                "coopération."
            )
    from cooperations.ght import check_single_ght

    check_single_ght(
        cooperation=cooperation, establishment=establishment, legal_entity=legal_entity
    )
    active = cooperation.memberships.active()
    if establishment and active.filter(establishment=establishment).exists():
        raise ValidationError(f"{establishment.name} est déjà membre de cette coopération.")
    if legal_entity and active.filter(legal_entity=legal_entity).exists():
        raise ValidationError(f"{legal_entity} est déjà membre de cette coopération.")
    membership = Membership(
        cooperation=cooperation,
        establishment=establishment,
        legal_entity=legal_entity,
        role=role,
        joined_on=joined_on or timezone.localdate(),
    )
    membership.full_clean()
    # Two pages adding the same member at the same moment: the unique constraint decides.
    save_unique(membership, f"{membership.member_name} est déjà membre de cette coopération.")
    if announce:
        message = (
            f"{membership.member_name} ({membership.get_role_display().lower()}) a rejoint la "
            f"coopération « {cooperation.title} »."
        )
        signals.announce(Membership, cooperation, "member_added", actor=actor, message=message)
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership, left_on: date | None = None) -> Membership:
    left_on = left_on or timezone.localdate()
    if membership.left_on:
        raise ValidationError("Ce membre s'est déjà retiré de la coopération.")
    if membership.joined_on and left_on < membership.joined_on:
        raise ValidationError(
            {"left_on": "La date de retrait ne peut pas précéder la date d'adhésion."}
        )
    membership.left_on = left_on
    membership.full_clean()
    membership.save()
    return membership


# --- regional plan objectives and ARS notes ---------------------------------------------


def can_edit_plan(user, ars_id) -> bool:
    """National admins edit every ARS's plan; an ARS agent, its own ARS's."""
    if not user.is_authenticated:
        return False
    return user.is_national_admin or (user.is_ars_agent and user.ars_id == ars_id)


@transaction.atomic
def objective_save(*, user, objective, data: dict):
    from django.core.exceptions import PermissionDenied

    ars = data.get("ars") or objective.ars
    if not can_edit_plan(user, ars.pk if ars else None):
        raise PermissionDenied(
            "Seuls l'administration nationale et les agents de cette ARS modifient son plan."
        )
    for name, value in data.items():
        setattr(objective, name, value)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def ars_note_add(*, cooperation, user, body: str):
    from django.core.exceptions import PermissionDenied

    from cooperations.models import ArsNote

    if not scoping.can_read_ars_notes(user, cooperation):
        raise PermissionDenied("Les notes privées sont réservées aux agents de l'ARS pilote.")
    body = required_text(
        body,
        max_length=10000,
        empty="La note est vide.",
        too_long="La note est trop longue (10 000 caractères au plus).",
    )
    note = ArsNote(cooperation=cooperation, ars_id=cooperation.pilot_ars_id, author=user, body=body)
    note.full_clean()
    note.save()
    return note
