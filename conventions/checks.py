"""What must be true before a convention is generated: data known, legal rules respected.

Plain functions on already-loaded facts (no HTTP, a constant number of queries).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse

from conventions.models import ConventionData, MemberTerms
from conventions.rendering import Facts, MemberFacts, Missing, missing_for, percent, placeholders_in
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


def _public_rights(facts: Facts):
    """Share of rights held by public members, or None when a share is unknown."""
    if _share_sum(facts, "rights_share") is None:
        return None
    return sum((m.terms.rights_share for m in facts.members if m.is_public), Decimal(0))


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
    public_members = [m for m in facts.members if m.is_public]
    if template.check_public_law and facts.data.law_nature:
        public_rights = _public_rights(facts)
        all_public = bool(facts.members) and len(public_members) == len(facts.members)
        mostly_public = all_public or (public_rights is not None and public_rights > 50)
        if facts.data.law_nature == "public" and not public_members:
            errors.append(
                Missing(
                    "Un groupement de droit public doit compter des membres publics : "
                    "aucun membre n'est une personne publique.",
                    facts.data_url("law_nature"),
                )
            )
        elif facts.data.law_nature == "public" and public_rights is not None and not mostly_public:
            errors.append(
                Missing(
                    "Un groupement de droit public doit être majoritairement public : les membres "
                    f"publics ne détiennent que {percent(public_rights)} des droits.",
                    facts.data_url("law_nature"),
                )
            )
        elif facts.data.law_nature == "prive" and mostly_public:
            errors.append(
                Missing(
                    "Les membres publics sont majoritaires : le groupement est de droit public, "
                    "pas de droit privé.",
                    facts.data_url("law_nature"),
                )
            )
    if template.check_public_majority:
        public_rights = _public_rights(facts)
        if public_rights is not None and public_rights <= 50:
            errors.append(
                Missing(
                    "Les personnes publiques doivent détenir la majorité des droits : elles n'en "
                    f"détiennent que {percent(public_rights)}.",
                    members_url,
                )
            )
        elif public_rights is None and len(public_members) * 2 <= len(facts.members):
            errors.append(
                Missing(
                    "Les personnes publiques doivent être majoritaires parmi les membres.",
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
