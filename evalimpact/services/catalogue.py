"""Catalogue versions: a version used by an evaluation is frozen; editing it makes a copy
(``core.catalogue_versions``: ``copy_version``, ``version_for_edit``).

Two variants (models.CatalogueVariant), each versioned on its own: the hospital set and the
medico-social set. `variant_for(cooperation)` says which one a new evaluation takes.
"""

from django.core.exceptions import ValidationError

from evalimpact.models import (
    Activity,
    Axis,
    CatalogueVariant,
    CatalogueVersion,
    Indicator,
    ScoreLevel,
)
from territories.models import Sector

# Legal forms of the medico-social sector (CASF L312-7): their evaluations take the
# medico-social set whatever their members. GTSMS: groupement territorial social et
# médico-social (loi n° 2024-317 du 8 avril 2024, art. 17), when the catalogue has it.
MEDICO_SOCIAL_LEGAL_FORMS = {"gcsms", "gtsms"}
MEDICO_SOCIAL_SECTORS = {Sector.MEDICO_SOCIAL, Sector.SOCIAL}


NO_CATALOGUE = (
    "Aucun catalogue d'indicateurs Eval'Impact n'est en vigueur : une nouvelle évaluation ne "
    "peut pas être créée. Contactez l'administration nationale."
)


class NoCatalogueInForce(ValidationError):
    """No version of the variant is in force (withdrawn, or catalogues not loaded yet)."""


def current_catalogue(variant: str = CatalogueVariant.SANITAIRE) -> CatalogueVersion:
    """The version in force of ``variant``; NoCatalogueInForce (a ValidationError, French
    message NO_CATALOGUE) when none is, so that a page shows it rather than a 500."""
    version = CatalogueVersion.objects.filter(is_current=True, variant=variant).first()
    if version is None:
        raise NoCatalogueInForce(NO_CATALOGUE)
    return version


def member_sectors(cooperation) -> list[str]:
    """Sector of each current member: an establishment's own; a legal entity's, the one its
    open establishments share (unknown when they differ or are not known). One query."""
    from cooperations.models import Membership

    sectors = []
    members = (
        Membership.objects.filter(cooperation=cooperation, left_on__isnull=True)
        .select_related("establishment")
        .prefetch_related("legal_entity__establishments")
    )
    for membership in members:
        if membership.establishment_id:
            sectors.append(membership.establishment.sector)
        else:
            found = {
                e.sector
                for e in membership.legal_entity.establishments.all()
                if not e.is_closed and e.sector != Sector.UNKNOWN
            }
            sectors.append(found.pop() if len(found) == 1 else Sector.UNKNOWN)
    return sectors


def variant_for(cooperation) -> str:
    """The indicator set of a new evaluation of `cooperation`.

    Medico-social when its legal form is GCSMS or GTSMS, or when most of its members whose
    sector is known are social or medico-social establishments (an EHPAD partnership under
    a simple convention); otherwise the hospital set.
    """
    legal_form = getattr(cooperation.legal_form, "code", "") if cooperation.legal_form_id else ""
    if legal_form in MEDICO_SOCIAL_LEGAL_FORMS:
        variant = CatalogueVariant.MEDICO_SOCIAL
    else:
        known = [s for s in member_sectors(cooperation) if s != Sector.UNKNOWN]
        medico = sum(1 for s in known if s in MEDICO_SOCIAL_SECTORS)
        variant = (
            CatalogueVariant.MEDICO_SOCIAL
            if known and medico * 2 > len(known)
            else CatalogueVariant.SANITAIRE
        )
    if not CatalogueVersion.objects.filter(variant=variant, is_current=True).exists():
        return CatalogueVariant.SANITAIRE
    return variant


def proposed_activity(version: CatalogueVersion, theme_codes) -> str:
    """Code of the activity most of the themes point to (catalogue order breaks ties: care
    activities come before support functions), or "" when no theme points to any."""
    themes = set(theme_codes)
    best, best_count = "", 0
    for activity in Activity.objects.filter(version=version).order_by("order", "code"):
        count = len(themes & set(activity.themes or []))
        if count > best_count:
            best, best_count = activity.code, count
    return best


def retarget(obj, version: CatalogueVersion) -> None:
    """Point an unsaved admin edit of `obj` at its twin row in `version`.

    The twin is found by the natural key the row had before the edit (an admin may be
    changing the code itself).
    """
    model = type(obj)
    original = model.objects.filter(pk=obj.pk).first() if obj.pk else None
    twin = None
    if original is not None:
        key = {"score": original.score} if model is ScoreLevel else {"code": original.code}
        twin = model.objects.filter(version=version, **key).first()
    if model is Indicator and obj.axis_id:
        obj.axis = Axis.objects.get(version=version, code=obj.axis.code)
    obj.version = version
    obj.pk = twin.pk if twin else None
    obj._state.adding = twin is None
