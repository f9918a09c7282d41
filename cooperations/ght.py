"""The GHT of public hospitals: "each établissement public de santé, unless exempted for its
specificity in the territorial offer of care, is party to one GHT convention" and "may be
party to one GHT only" (CSP L6132-1, I).

A GHT is a cooperation of legal form `ght` that is not closed (phase `cloturee`). A public
hospital is a legal entity whose FINESS statut juridique is an établissement public de santé
(territories.nomenclatures.PUBLIC_HOSPITAL_STATUS_CODES). It is in a GHT when it is an
active member, as a legal entity or through one of its sites.

Every function runs a constant number of queries, whatever the region's size.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from cooperations.models import Cooperation, GHTExemption, Membership, Phase
from territories.models import Departement, LegalEntity
from territories.nomenclatures import PUBLIC_HOSPITAL_STATUS_CODES

GHT_FORM = "ght"
LEGAL_BASIS = "CSP, art. L6132-1, I"


def is_ght(cooperation: Cooperation) -> bool:
    return bool(cooperation.legal_form_id and cooperation.legal_form.code == GHT_FORM)


def _public_hospital_codes() -> set[str]:
    # Codes may be stored with or without their leading zero by older imports.
    return set(PUBLIC_HOSPITAL_STATUS_CODES) | {c.lstrip("0") for c in PUBLIC_HOSPITAL_STATUS_CODES}


def public_hospitals():
    return LegalEntity.objects.filter(legal_status_code__in=_public_hospital_codes())


def ght_memberships(legal_entity_ids, *, exclude_cooperation_id=None):
    """Active memberships of open GHT held by these legal entities or their sites."""
    ids = list(legal_entity_ids)
    queryset = (
        Membership.objects.active()
        .filter(cooperation__legal_form__code=GHT_FORM)
        .exclude(cooperation__phase=Phase.CLOTUREE)
        .filter(Q(legal_entity_id__in=ids) | Q(establishment__legal_entity_id__in=ids))
        .select_related("cooperation", "establishment")
        .order_by("cooperation__title", "pk")
    )
    if exclude_cooperation_id:
        queryset = queryset.exclude(cooperation_id=exclude_cooperation_id)
    return queryset


def ght_by_entity(legal_entity_ids, *, exclude_cooperation_id=None) -> dict[int, list]:
    """{legal entity id: [(GHT cooperation, role), …]} — one query."""
    result: dict[int, list] = defaultdict(list)
    seen = set()
    for membership in ght_memberships(
        legal_entity_ids, exclude_cooperation_id=exclude_cooperation_id
    ):
        owner = membership.legal_entity_id or membership.establishment.legal_entity_id
        if (owner, membership.cooperation_id) in seen:
            continue
        seen.add((owner, membership.cooperation_id))
        result[owner].append((membership.cooperation, membership.role))
    return result


def active_exemptions(legal_entity_ids) -> dict[int, GHTExemption]:
    today = timezone.localdate()
    exemptions = GHTExemption.objects.filter(
        legal_entity_id__in=list(legal_entity_ids), decided_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return {e.legal_entity_id: e for e in exemptions.order_by("decided_on")}


def check_single_ght(*, cooperation: Cooperation, establishment=None, legal_entity=None) -> None:
    """Refuse a public hospital joining a second GHT (ValidationError in French)."""
    if not is_ght(cooperation):
        return
    entity = legal_entity or (establishment.legal_entity if establishment else None)
    if entity is None or not entity.is_public_hospital:
        return
    others = ght_by_entity([entity.pk], exclude_cooperation_id=cooperation.pk).get(entity.pk)
    if not others:
        return
    names = ", ".join(f"« {ght.title} »" for ght, _role in others)
    raise ValidationError(
        f"{entity.display_name} (FINESS {entity.finess}) est un établissement public de santé "
        f"déjà partie au GHT {names}. Un établissement public de santé ne peut être partie "
        f"qu'à un seul groupement hospitalier de territoire ({LEGAL_BASIS}). Pour changer de "
        "GHT, enregistrez d'abord son retrait du groupement actuel."
    )


@dataclass
class GHTRow:
    cooperation: Cooperation
    support: list = field(default_factory=list)  # memberships
    members: list = field(default_factory=list)
    grouping: object = None

    @property
    def composition_unknown(self) -> bool:
        return not self.support and not self.members


@dataclass
class RegionGHT:
    ght: list[GHTRow]
    without_ght: list  # public hospital legal entities
    in_several: list  # (legal entity, [GHT titles])
    exempted: list  # (legal entity, exemption)

    @property
    def unknown_compositions(self) -> int:
        return sum(1 for row in self.ght if row.composition_unknown)


def region_overview(ars, ght_queryset) -> RegionGHT:
    """The GHT of a region (from `ght_queryset`, already scoped to the user) with their
    members, and the region's public hospitals in no GHT or in several. Constant queries."""
    cooperations = list(
        ght_queryset.filter(legal_form__code=GHT_FORM, pilot_ars=ars)
        .exclude(phase=Phase.CLOTUREE)
        .select_related("register_grouping")
        .order_by("title", "pk")
    )
    rows = {c.pk: GHTRow(c, grouping=getattr(c, "register_grouping", None)) for c in cooperations}
    memberships = (
        Membership.objects.active()
        .filter(cooperation_id__in=list(rows))
        .select_related("legal_entity", "establishment__legal_entity")
        .by_rank("cooperation_id")
    )
    for membership in memberships:
        row = rows[membership.cooperation_id]
        target = row.support if membership.role in ("support", "porteur") else row.members
        target.append(membership)
    departement_ids = list(Departement.objects.filter(ars=ars).values_list("pk", flat=True))
    hospitals = list(
        public_hospitals()
        .filter(departement_id__in=departement_ids, is_closed=False)
        .select_related("departement")
        .order_by("name", "finess")
    )
    ids = [h.pk for h in hospitals]
    by_entity = ght_by_entity(ids)
    exemptions = active_exemptions(ids)
    without, several, exempted = [], [], []
    for hospital in hospitals:
        ghts = by_entity.get(hospital.pk, [])
        if len(ghts) > 1:
            several.append((hospital, [g.title for g, _role in ghts]))
        elif not ghts:
            if hospital.pk in exemptions:
                exempted.append((hospital, exemptions[hospital.pk]))
            else:
                without.append(hospital)
    return RegionGHT(list(rows.values()), without, several, exempted)
