"""The legal-form chooser: questionnaire answers → forms ranked with reasons for and against.

The rules are data (`ChooserRule`, catalogue files `catalogues/chooser/<form>.yaml`, editable
in the admin): each (criterion, answer, form) row adds a weight (positive = for, negative =
against) and may exclude the form outright. A form's score is the sum of the weights of the
rows that match the answers; it is shown in words (`Ranked.verdict`), never as a number.
A form that no answer speaks for is not listed, unless an answer rules it out: excluded forms
come last with what rules them out.

What KitCoop already knows about the members (legal status, sector, current GHT, the
authorisations of the FINESS register) pre-fills the questionnaire: `known_facts()`.
"""

from dataclasses import dataclass, field

from cooperations import ght
from cooperations.models import LegalForm, Membership
from fiches.models import ChooserRule
from territories.models import EstablishmentActivity, Sector


@dataclass
class Ranked:
    legal_form: LegalForm
    score: int = 0
    excluded: bool = False
    reasons_for: list[str] = field(default_factory=list)
    reasons_against: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def has_argument(self) -> bool:
        """Worth showing: something speaks for it, or an answer rules it out (the team
        learns why not). A form with only minor points against is noise."""
        return bool(self.reasons_for or self.excluded)

    def as_json(self) -> dict:
        return {
            "code": self.legal_form.code,
            "name": self.legal_form.short_name,
            "score": self.score,
            "verdict": self.verdict,
            "excluded": self.excluded,
            "for": self.reasons_for,
            "against": self.reasons_against,
        }


def _verdict(entry: Ranked, best: int, first: bool) -> str:
    """The score in words: how well the form fits, relative to the best candidate."""
    if entry.excluded:
        return "Écartée"
    if first and entry.score > 0:
        return "La plus adaptée"
    if entry.score > 0 and entry.score * 10 >= best * 7:
        return "Très adaptée aussi"
    if entry.score > 0:
        return "Possible"
    return "Peu adaptée"


def rank_legal_forms(answers: dict) -> list[Ranked]:
    """Forms with at least one argument, best first; excluded forms last (one query)."""
    rules = ChooserRule.objects.select_related("legal_form").filter(legal_form__is_historical=False)
    ranked: dict[int, Ranked] = {}
    for rule in rules:
        entry = ranked.setdefault(rule.legal_form_id, Ranked(rule.legal_form))
        if answers.get(rule.criterion) != rule.value:
            continue
        entry.score += rule.weight
        if rule.excludes:
            entry.excluded = True
            entry.reasons_against.append(rule.reason)
        elif rule.weight > 0:
            entry.reasons_for.append(rule.reason)
        elif rule.weight < 0:
            entry.reasons_against.append(rule.reason)
    listed = sorted(
        (r for r in ranked.values() if r.has_argument),
        key=lambda r: (r.excluded, -r.score, r.legal_form.order, r.legal_form.name),
    )
    best = next((r.score for r in listed if not r.excluded), 0)
    for index, entry in enumerate(listed):
        entry.verdict = _verdict(entry, best, index == 0)
    return listed


@dataclass
class KnownFacts:
    """What the register says about the members, as pre-filled answers and sentences."""

    initial: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def known_facts(cooperation) -> KnownFacts:
    """Members' legal status and sector, their current GHT and their authorisations.

    A constant number of queries (memberships, GHT memberships, exemptions, activities).
    """
    memberships = list(
        Membership.objects.active()
        .filter(cooperation=cooperation)
        .select_related("establishment__legal_entity", "legal_entity")
        .order_by("pk")
    )
    facts = KnownFacts()
    if not memberships:
        facts.notes.append(
            "La coopération n'a pas encore de membre : répondez à toutes les questions."
        )
        return facts
    statuses = {m.member.legal_status for m in memberships}
    public = {s == "public" for s in statuses}
    if public == {True}:
        facts.initial["members_status"] = "public"
    elif public == {False}:
        facts.initial["members_status"] = "private"
    else:
        facts.initial["members_status"] = "mixed"
    sectors = {m.establishment.sector for m in memberships if m.establishment_id}
    if sectors and sectors <= {Sector.SANITAIRE}:
        facts.initial["sectors"] = "sanitaire"
    elif sectors and sectors <= {Sector.MEDICO_SOCIAL, Sector.SOCIAL}:
        facts.initial["sectors"] = "medico_social"
    elif Sector.SANITAIRE in sectors and sectors & {Sector.MEDICO_SOCIAL, Sector.SOCIAL}:
        facts.initial["sectors"] = "both"
    described = ", ".join(
        f"{m.member_name} ({m.member.get_legal_status_display().lower()}"
        + (f", {m.establishment.get_sector_display().lower()}" if m.establishment_id else "")
        + ")"
        for m in memberships
    )
    facts.notes.append(f"Membres connus du répertoire FINESS : {described}.")

    entity_ids = {m.legal_entity_id or m.establishment.legal_entity_id for m in memberships}
    by_entity = ght.ght_by_entity(entity_ids, exclude_cooperation_id=cooperation.pk)
    for membership in memberships:
        entity_id = membership.legal_entity_id or membership.establishment.legal_entity_id
        for grouping, _role in by_entity.get(entity_id, []):
            facts.notes.append(
                f"{membership.member_name} est partie au GHT « {grouping.title} » : un "
                "établissement public de santé ne peut être partie qu'à un seul GHT "
                "(CSP L6132-1 I)."
            )
    duty = [
        m
        for m in memberships
        if m.establishment_id
        and m.establishment.legal_status == "public"
        and m.establishment.sector == Sector.MEDICO_SOCIAL
        and not by_entity.get(m.establishment.legal_entity_id)
    ]
    facts.initial["esms_duty"] = "yes" if duty else "no"
    if duty:
        names = ", ".join(m.member_name for m in duty)
        facts.notes.append(
            f"{names} : ESMS public sans GHT. S'il est autonome (ni CCAS ni collectivité), il "
            "doit rejoindre un GHT ou un GTSMS (CASF L312-7-2) ; vérifiez son gestionnaire."
        )

    # Authorisations belong to the legal entity that holds them (FINESS "Activités" flux).
    activities = (
        EstablishmentActivity.objects.current()
        .filter(legal_entity_id__in=entity_ids, exercised=False)
        .only("nature_code", "legal_entity_id")
    )
    equipment = care = 0
    for activity in activities:
        if activity.is_equipment:
            equipment += 1
        else:
            care += 1
    if equipment or care:
        facts.notes.append(
            "Autorisations détenues par les membres (répertoire FINESS) : "
            f"{care} activité(s) de soins ou médico-sociale(s), {equipment} équipement(s) "
            "lourd(s). Une autorisation reste à son titulaire sauf si le groupement la reçoit."
        )
    return facts
