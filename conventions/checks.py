"""What must be true before a convention is generated: data known, legal rules respected.

Plain functions on already-loaded facts (no HTTP, a constant number of queries).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse

from conventions.models import ConventionData, MemberTerms
from conventions.rendering import (
    Facts,
    MemberFacts,
    Missing,
    missing_for,
    nature_reason,
    percent,
    placeholders_in,
    required_law_nature,
)
from cooperations.models import Membership, member_role_rank
from territories.models import Establishment

HUNDRED = Decimal("100")


def facts_for(cooperation) -> Facts:
    """Load the cooperation's convention data and active members with their terms."""
    data = (
        ConventionData.objects.select_related(
            "template", "support_membership__establishment", "support_membership__legal_entity"
        )
        .filter(cooperation=cooperation)
        .first()
    ) or ConventionData(cooperation=cooperation)
    memberships = (
        Membership.objects.active()
        .filter(cooperation=cooperation)
        .select_related("establishment", "legal_entity")
        .prefetch_related(
            Prefetch("convention_terms", queryset=MemberTerms.objects.all()),
            Prefetch(
                "legal_entity__establishments",
                queryset=Establishment.objects.only("pk", "sector", "legal_entity_id"),
            ),
        )
    )
    members = []
    # Porteur first, then members, then associates: the order the parties are named in.
    for membership in sorted(memberships, key=lambda m: (member_role_rank(m.role), m.pk)):
        try:
            terms = membership.convention_terms
        except MemberTerms.DoesNotExist:
            terms = None
        members.append(MemberFacts(membership, terms))
    return Facts(cooperation=cooperation, data=data, members=members)


@dataclass
class CheckResult:
    missing: list[Missing] = field(default_factory=list)
    errors: list[Missing] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors

    @property
    def messages(self) -> list[str]:
        return [item.message for item in self.missing + self.errors]


def _share_sum(facts: Facts, attr: str):
    values = [getattr(m.terms, attr, None) if m.terms else None for m in facts.members]
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def _public_side(member: MemberFacts) -> bool:
    """A public person, or a private one in charge of a public-service mission (GIP, art. 103)."""
    return member.is_public or bool(member.terms and member.terms.public_service_mission)


def _public_side_rights(facts: Facts):
    if _share_sum(facts, "rights_share") is None:
        return None
    return sum((m.terms.rights_share for m in facts.members if _public_side(m)), Decimal(0))


def legal_errors(facts: Facts, template, used: set[str]) -> list[Missing]:
    errors = []
    cooperation = facts.cooperation
    legal_form = template.legal_form
    members_url = reverse("cooperations:detail", args=[cooperation.pk]) + "#membres"
    shares_url = reverse("conventions:detail", args=[cooperation.pk]) + "#parts"
    if len(facts.members) < legal_form.min_members:
        errors.append(
            Missing(
                f"La forme « {legal_form.short_name} » exige au moins {legal_form.min_members} "
                f"membres : la coopération n'en compte que {len(facts.members)}.",
                members_url,
            )
        )
    for attr, placeholder, label in [
        ("rights_share", "droits", "des parts des droits statutaires"),
        ("charges_share", "charges", "des parts des charges"),
    ]:
        total = _share_sum(facts, attr)
        if placeholder in used and total is not None and total != HUNDRED:
            errors.append(
                Missing(
                    f"La somme {label} des membres est de {percent(total)} : "
                    "elle doit être égale à 100 %.",
                    shares_url,
                )
            )
    if template.check_public_law and facts.data.law_nature and facts.members:
        required = required_law_nature(facts)
        if required and facts.data.law_nature != required:
            errors.append(
                Missing(
                    f"{nature_reason(facts)} : le groupement est de "
                    f"{'droit public' if required == 'public' else 'droit privé'} "
                    "(CSP L6133-3 I). Choisissez cette nature juridique.",
                    facts.data_url("law_nature"),
                )
            )
    if template.law_nature and facts.members:
        required = required_law_nature(facts)
        chosen = facts.data.law_nature
        label = "droit public" if template.law_nature == "public" else "droit privé"
        if required and required != template.law_nature:
            errors.append(
                Missing(
                    f"Le modèle « {template.name} » vaut pour un groupement de {label} ; "
                    f"{nature_reason(facts)[0].lower()}{nature_reason(facts)[1:]} (CSP L6133-3 I). "
                    "Choisissez l'autre modèle de la forme juridique.",
                    facts.data_url("template"),
                )
            )
        elif chosen and chosen != template.law_nature:
            errors.append(
                Missing(
                    f"Le modèle « {template.name} » vaut pour un groupement de {label}, or la "
                    "nature juridique choisie est différente. Choisissez l'autre modèle ou "
                    "corrigez la nature juridique.",
                    facts.data_url("template"),
                )
            )
    if template.check_public_majority:
        public_rights = _public_side_rights(facts)
        public_side = [m for m in facts.members if _public_side(m)]
        if public_rights is not None and public_rights <= 50:
            errors.append(
                Missing(
                    "Les personnes publiques et les personnes privées chargées d'une mission de "
                    "service public doivent détenir ensemble plus de la moitié des droits (loi "
                    f"n° 2011-525, art. 103) : elles n'en détiennent que {percent(public_rights)}.",
                    members_url,
                )
            )
        elif public_rights is None and len(public_side) * 2 <= len(facts.members):
            errors.append(
                Missing(
                    "Les personnes publiques et les personnes privées chargées d'une mission de "
                    "service public doivent être majoritaires parmi les membres (loi n° 2011-525, "
                    "art. 103).",
                    members_url,
                )
            )
    if (
        template.check_health_establishment
        and facts.members
        and not any(m.is_health_establishment for m in facts.members)
    ):
        errors.append(
            Missing(
                "Un groupement de coopération sanitaire doit compter au moins un "
                "établissement de santé parmi ses membres.",
                members_url,
            )
        )
    if template.check_support_establishment:
        support = facts.data.support_membership
        active_ids = {m.membership.pk for m in facts.members}
        if support is not None and support.pk not in active_ids:
            errors.append(
                Missing(
                    f"L'établissement support ({support.member_name}) n'est plus membre actif.",
                    facts.data_url("support_membership"),
                )
            )
        elif support is not None and support.member.legal_status != "public":
            errors.append(
                Missing(
                    f"L'établissement support ({support.member_name}) doit être un établissement public.",
                    facts.data_url("support_membership"),
                )
            )
        for m in facts.members:
            if not m.is_public and m.membership.role != "associe":
                errors.append(
                    Missing(
                        f"{m.name} n'est pas un établissement public : il ne peut être "
                        "qu'associé ou partenaire du groupement.",
                        members_url,
                    )
                )
    return errors


def check(facts: Facts, template, clauses) -> CheckResult:
    """Missing data of the mandatory clauses, and the legal rules the template asks for.

    `clauses` are the template clauses, or the version clauses being kept (optional ones
    count only when included).
    """
    result = CheckResult()
    needed: list[str] = []
    used: set[str] = set()
    for clause in clauses:
        names = placeholders_in(clause.body)
        if getattr(clause, "included", True):
            used.update(names)
        if clause.mandatory:
            needed.extend(n for n in names if n not in needed)
    seen_messages = set()
    for name in needed:
        for item in missing_for(name, facts):
            if item.message not in seen_messages:
                seen_messages.add(item.message)
                result.missing.append(item)
    result.errors = legal_errors(facts, template, used)
    return result
