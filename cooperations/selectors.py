"""Reads shared by several views."""

from django.core.cache import cache
from django.db.models import Q

from cooperations.choices import LEGAL_FORMS, THEMES, TYPOLOGIES
from cooperations.models import Cooperation, Membership, RegionalObjective
from core.history import entries_for, m2m_snapshots
from core.queries import union_all_tagged
from territories.choices import ARS_NAMES, DEPARTEMENT_CODES, DEPARTEMENTS

# The lists of the cooperation page, each with the cached labels of its reference table.
M2M_LABELS = {"departements": DEPARTEMENTS, "typologies": TYPOLOGIES, "themes": THEMES}


def m2m_labels(cooperation: Cooperation) -> dict[str, list[str]]:
    """{field: labels in the catalogue's order} in one query (a UNION ALL of the three link
    tables), the labels coming from the reference cache instead of three joins."""
    parts = []
    for name in M2M_LABELS:
        field = Cooperation._meta.get_field(name)
        through = field.remote_field.through
        parts.append(
            (through.objects.filter(cooperation_id=cooperation.pk), (field.m2m_reverse_name(),))
        )
    chosen: dict[int, set[int]] = {index: set() for index in range(len(parts))}
    for field_index, related_id in union_all_tagged(parts):
        chosen[field_index].add(related_id)
    return {
        name: [label for pk, label in reference.choices() if pk in chosen[index]]
        for index, (name, reference) in enumerate(M2M_LABELS.items())
    }


# A renamed ARS or legal form (labels of old entries) shows in the cached block within this.
RECENT_HISTORY_SECONDS = 600


def recent_history(cooperation: Cooperation, limit: int) -> list:
    """cooperation_history(), cached under the cooperation's state: every history record of
    the cooperation, of its members or of its kits' objects bumps `last_activity_at`
    (cooperations/activity.py) and a save bumps `version`, so a change gives a new key and
    the block is never stale about changes. The history is the same for every reader
    allowed to open the page (no permission-dependent part), so the key needs no scope.
    Saves the page 4 to 6 queries and the diff work on every view."""
    stamp = cooperation.last_activity_at.timestamp() if cooperation.last_activity_at else 0
    key = f"kc:coop-history:{cooperation.pk}:{cooperation.version}:{stamp}:{limit}"
    return cache.get_or_set(
        key, lambda: cooperation_history(cooperation, limit=limit), RECENT_HISTORY_SECONDS
    )


def cooperation_history(cooperation: Cooperation, limit: int = 50):
    """History of the cooperation and of its members, newest first (constant queries)."""
    coop_records = list(
        cooperation.history.select_related("history_user").order_by("-history_date")[:limit]
    )
    member_records = list(
        Membership.history.filter(cooperation_id=cooperation.pk)
        .select_related("history_user", "establishment", "legal_entity")
        .order_by("-history_date")[:limit]
    )
    labels = _fk_labels()
    m2m = m2m_snapshots(coop_records, ["departements", "typologies", "themes", "plan_objectives"])
    linked = set().union(*m2m.get("plan_objectives", {}).values()) if coop_records else set()
    labels["plan_objectives"] = dict(
        RegionalObjective.objects.filter(
            Q(ars_id=cooperation.pilot_ars_id) | Q(pk__in=list(linked))
        ).values_list("pk", "code")
    )
    entries = entries_for(
        coop_records, subject_of=lambda r: "Coopération", fk_labels=labels, m2m=m2m
    )
    entries += entries_for(
        member_records,
        subject_of=lambda r: "Membre : " + _member_name(r),
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _member_name(record) -> str:
    if record.establishment_id and record.establishment:
        return record.establishment.name
    if record.legal_entity_id and record.legal_entity:
        return record.legal_entity.name or record.legal_entity.finess
    return "membre supprimé"


def _fk_labels() -> dict:
    return {
        "pilot_ars": ARS_NAMES.labels(),
        "legal_form": LEGAL_FORMS.labels(),
        "departements": DEPARTEMENT_CODES.labels(),
        "typologies": TYPOLOGIES.labels(),
        "themes": THEMES.labels(),
    }
