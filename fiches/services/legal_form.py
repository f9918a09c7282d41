"""KIT 1 legal-form decision: the team's choice, recorded and set on the cooperation."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cooperations import scoping
from cooperations.models import Cooperation, LegalForm, Nature
from core.locking import save_with_version
from fiches.models import (
    LegalFormDecision,
)
from fiches.services.workflow import TEAM_ONLY


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
    fresh.full_clean()
    # Under the row lock the stored version is current: the shared lock moves it once, so
    # an edit form opened before the decision is refused as stale.
    save_with_version(fresh, fresh.version)
    cooperation.legal_form, cooperation.nature, cooperation.version = (
        fresh.legal_form,
        fresh.nature,
        fresh.version,
    )
    return decision
