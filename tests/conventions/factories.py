from datetime import date
from decimal import Decimal

import factory

from conventions import services
from conventions.models import ConventionData, MemberTerms, Status, Transition


class ConventionDataFactory(factory.django.DjangoModelFactory):
    """Every field a model convention may need, filled with plausible text."""

    class Meta:
        model = ConventionData

    seat = "Centre hospitalier de Bourg-en-Bresse, 900 route de Paris, 01000 Bourg-en-Bresse"
    duration_years = 10
    law_nature = "prive"
    has_capital = False
    governance = "L'assemblée générale réunit un représentant par membre ; elle statue à la majorité des droits."
    administrator = (
        "L'administrateur est élu par l'assemblée générale pour trois ans renouvelables."
    )
    accounting = (
        "Comptabilité privée tenue par un expert-comptable ; exercice calé sur l'année civile."
    )
    financial_terms = (
        "Chaque partie supporte ses propres frais ; les frais communs sont partagés à parts égales."
    )
    staff = "Les personnels restent employés par leur établissement et sont mis à disposition."
    equipment = "Les équipements d'imagerie sont mis à disposition par le porteur."
    practitioners = "Les praticiens hospitaliers et libéraux exercent selon une charte commune."
    membership_rules = (
        "Toute adhésion est votée à l'unanimité ; le retrait prend effet à la fin de l'exercice."
    )
    dissolution = (
        "Le groupement est dissous par décision unanime ; l'actif est réparti selon les droits."
    )
    shared_medical_project = "Filières gériatrique, urgences et cancérologie."
    shared_care_project = "Parcours infirmier commun en gériatrie."
    pooled_functions = "- Système d'information convergent\n- DIM de territoire\n- Achats"
    follow_up_committee = "Un comité de suivi réunit les directeurs deux fois par an."
    deputy_administrator = "L'adjoint est élu en même temps que l'administrateur."
    director = "Le directeur est nommé pour trois ans et représente l'établissement."
    parties_staff = "Les agents qui interviennent chez une autre partie y sont mis à disposition."
    termination = "Chaque partie peut résilier la convention avec un préavis de six mois."
    activities_split = "Le groupement exploite l'IRM ; les membres gardent leurs patients."
    operating_terms = "Admission par le groupement ; dossier médical unique tenu sur le site."
    liability_insurance = "Chaque partie communique son attestation d'assurance chaque année."
    billing = "L'établissement employeur du praticien facture les consultations avancées."
    data_protection = "Le porteur tient le registre des traitements communs."
    ght_delegations = "Postes partagés de gériatres répartis par le comité stratégique."
    university_hospital = "Convention d'association avec le CHU de la région."
    ght_bodies = "Le comité stratégique réunit les directeurs et décide à la majorité."
    public_establishment_bodies = (
        "Le conseil de surveillance comprend deux représentants par membre."
    )


class MemberTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberTerms

    representative = factory.Sequence(lambda n: f"Mme Directrice {n}, directrice")
    contribution = "Mise à disposition de locaux et d'un temps de secrétariat."
    rights_share = Decimal("50")
    charges_share = Decimal("50")
    commitments = "Participer au comité de suivi et partager ses plannings."


def complete(cooperation, shares=None, **data):
    """Fill the convention data of `cooperation` and the terms of each active member.

    `shares`: one rights/charges share per member (equal split by default).
    """
    order = {"porteur": 0, "membre": 1, "associe": 2}
    members = sorted(cooperation.memberships.active(), key=lambda m: (order.get(m.role, 9), m.pk))
    if shares is None:
        share = (Decimal(100) / len(members)).quantize(Decimal("0.01"))
        shares = [share] * len(members)
        shares[-1] = Decimal(100) - share * (len(members) - 1)
    convention_data = ConventionDataFactory(cooperation=cooperation, **data)
    for membership, share in zip(members, shares, strict=True):
        MemberTermsFactory(membership=membership, rights_share=share, charges_share=share)
    if cooperation.starts_on is None:
        cooperation.starts_on = date(2026, 9, 1)
        cooperation.save(update_fields=["starts_on"])
    return convention_data


def convention_with_log(world, extra: int, label: str = "Entrée"):
    """A generated convention of `world.coop_ara` (one transition) plus `extra` logged
    changes, commented "<label> 1" to "<label> <extra>" (oldest first)."""
    complete(world.coop_ara)
    convention = services.convention_generate(
        cooperation=world.coop_ara, user=world.referent_a
    ).convention
    Transition.objects.bulk_create(
        Transition(
            convention=convention,
            from_state=Status.DRAFT,
            to_state=Status.DRAFT,
            actor=world.referent_a,
            comment=f"{label} {index}",
        )
        for index in range(1, extra + 1)
    )
    return convention
