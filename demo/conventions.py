"""Demo conventions: one per legal form's template, at different states. Idempotent:
a cooperation that already has a convention is left as it is."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conventions import exports, services
from conventions.models import Convention, ConventionData, ConventionTemplate, MemberTerms
from cooperations.models import Cooperation, Membership, Phase
from territories.models import ARS, Departement, Establishment

# What every demo convention states, whatever its form.
BASE = {
    "indefinite_duration": False,
    "duration_years": 10,
    "has_capital": False,
    "practitioners": (
        "Les praticiens hospitaliers interviennent dans le cadre d'une activité partagée prévue "
        "par leur statut ; les praticiens libéraux signent un contrat d'exercice avec la partie "
        "qui les accueille et perçoivent directement leurs honoraires."
    ),
}

# A contract without a legal person: résiliation, the parties' own staff, what a lawyer expects.
CONVENTION = {
    "financial_terms": (
        "Chaque partie supporte les charges de son propre personnel ; les dépenses communes "
        "sont réparties à parts égales et refacturées chaque trimestre."
    ),
    "follow_up_committee": (
        "Un comité de suivi réunit les directeurs et un représentant médical de chaque partie "
        "deux fois par an ; il présente un bilan annuel à l'ARS."
    ),
    "parties_staff": (
        "Les agents qui interviennent chez une autre partie y sont mis à disposition par une "
        "convention individuelle qui précise leur temps de présence et leur encadrement."
    ),
    "liability_insurance": (
        "La partie qui accueille le patient répond des soins réalisés dans ses locaux ; chaque "
        "partie communique chaque année son attestation d'assurance aux autres."
    ),
    "billing": (
        "Les consultations avancées sont facturées à l'Assurance maladie par l'établissement "
        "qui emploie le praticien ; l'établissement d'accueil ne facture que ses propres actes."
    ),
    "data_protection": (
        "Le porteur tient le registre des traitements communs et répond aux demandes des "
        "personnes ; chaque partie informe les patients qu'elle accueille."
    ),
    "termination": (
        "Chaque partie peut résilier la convention par lettre recommandée avec un préavis de "
        "six mois ; un manquement grave permet une résiliation sans préavis après mise en "
        "demeure restée sans effet pendant un mois."
    ),
}

# A group with its own legal personality (GCS, GCSMS, GIP): assembly, staff, dissolution.
GROUP = {
    "governance": (
        "L'assemblée générale réunit un représentant de chaque membre. Elle se réunit au moins "
        "deux fois par an, délibère valablement si la moitié des droits est représentée et "
        "décide à la majorité des deux tiers des droits pour le budget et les adhésions."
    ),
    "administrator": (
        "L'administrateur est élu par l'assemblée générale parmi les représentants des membres, "
        "pour trois ans renouvelables. Il exécute les décisions de l'assemblée et représente le "
        "groupement en justice et dans les actes de la vie civile."
    ),
    "deputy_administrator": (
        "L'administrateur adjoint est élu en même temps que l'administrateur, pour la même "
        "durée, parmi les représentants d'un autre membre."
    ),
    "activities_split": (
        "Le groupement acquiert et entretient les équipements communs ; chaque membre garde "
        "la prise en charge de ses patients et ses autorisations."
    ),
    "accounting": (
        "Le budget est voté chaque année avant le 31 décembre. La comptabilité suit les règles "
        "de la comptabilité publique et est tenue par un comptable public désigné par arrêté."
    ),
    "staff": (
        "Les personnels restent employés par leur établissement d'origine et sont mis à "
        "disposition du groupement par convention ; le groupement rembourse les salaires au réel. "
        "Le groupement ne recrute pas de personnel propre."
    ),
    "equipment": (
        "Chaque membre conserve la propriété des biens qu'il met à disposition ; l'inventaire "
        "est annexé à la convention et mis à jour chaque année."
    ),
    "membership_rules": (
        "Toute adhésion est votée à l'unanimité de l'assemblée générale. Un membre peut se "
        "retirer à la fin d'un exercice avec un préavis de six mois. L'exclusion pour manquement "
        "grave est prononcée à la majorité des deux tiers, le membre entendu."
    ),
    "dissolution": (
        "Le groupement est dissous à l'arrivée de son terme, par décision de l'assemblée "
        "générale ou si un seul membre demeure. Le liquidateur répartit l'actif net entre les "
        "membres à proportion de leurs droits."
    ),
}

SPECIFIC = {
    "ght": {
        "indefinite_duration": True,
        "duration_years": None,
        "shared_medical_project": (
            "Le projet médical partagé organise cinq filières : urgences et soins non programmés, "
            "gériatrie, cancérologie, santé mentale et périnatalité, avec des consultations "
            "avancées dans chaque établissement partie."
        ),
        "shared_care_project": (
            "Le projet de soins partagé harmonise les protocoles infirmiers de gériatrie et "
            "organise des équipes mobiles de soins palliatifs sur le territoire."
        ),
        "pooled_functions": (
            "- Système d'information hospitalier convergent\n- Département de l'information "
            "médicale de territoire\n- Fonction achats\n- Coordination des instituts de formation"
            "\n- Stratégie commune de gestion des ressources humaines médicales"
        ),
        "ght_delegations": (
            "Aucune délégation d'activité ni transfert d'autorisation à la signature. Les postes "
            "de praticiens en gériatrie et en imagerie sont des postes partagés entre "
            "l'établissement support et les autres parties, répartis par le comité stratégique."
        ),
        "university_hospital": (
            "Le groupement est associé au CHU de la région par une convention d'association qui "
            "couvre l'enseignement, la recherche, la démographie médicale et le recours."
        ),
        "ght_bodies": (
            "Le comité stratégique, présidé par le directeur de l'établissement support, met en "
            "œuvre la convention. La commission médicale de groupement, la CSIRMT de groupement, "
            "l'instance des usagers et la conférence territoriale de dialogue social sont "
            "consultées sur le projet médical partagé ; le comité territorial des élus locaux "
            "en évalue la mise en œuvre."
        ),
    },
    "gcs-es": {
        "public_establishment_bodies": (
            "Le conseil de surveillance comprend deux représentants de chaque membre, des "
            "représentants des personnels et des usagers ; la commission médicale "
            "d'établissement réunit les praticiens de l'unité."
        ),
        "director": (
            "Le directeur est nommé dans les conditions applicables aux directeurs "
            "d'établissements publics de santé ; il conduit la politique de l'établissement."
        ),
        "staff": (
            "Les personnels mis à disposition par les membres conservent leur statut de la "
            "fonction publique hospitalière ; les recrutements propres suivent les règles des "
            "établissements publics de santé."
        ),
        "accounting": (
            "État prévisionnel des recettes et des dépenses voté chaque année ; comptable public "
            "désigné par arrêté."
        ),
        "membership_rules": (
            "Toute adhésion est décidée à l'unanimité des membres, après avis du conseil de "
            "surveillance. Un membre peut se retirer à la fin d'un exercice avec un préavis d'un "
            "an ; l'exclusion pour manquement grave est décidée par les autres membres, le membre "
            "entendu."
        ),
        "dissolution": (
            "Le groupement est dissous à l'arrivée de son terme, par décision unanime des membres "
            "ou si un seul membre demeure ; l'autorisation d'activité de soins qu'il détient prend "
            "fin avec lui. L'actif net est réparti entre les membres à proportion de leurs droits."
        ),
    },
    "gip": {
        "governance": (
            "L'assemblée générale réunit un représentant de chaque membre et décide à la "
            "majorité des deux tiers des voix ; la modification de la convention et la "
            "dissolution anticipée exigent l'unanimité."
        ),
        "director": (
            "Le directeur est nommé par l'assemblée générale pour trois ans ; il assure le "
            "fonctionnement du groupement et le représente en justice."
        ),
        "staff": (
            "Les personnels sont mis à disposition par les membres ; le groupement peut recruter "
            "des agents contractuels de droit public (décret 2013-292)."
        ),
        "accounting": "Comptabilité publique ; comptable public désigné par le ministre du budget.",
    },
    "gcsms": {
        "staff": (
            "Les agents hospitaliers qui assurent l'astreinte de nuit sont placés auprès du "
            "groupement ; les autres personnels sont mis à disposition par les membres."
        ),
    },
    "gtsms": {
        "staff": (
            "Les agents hospitaliers qui assurent la mission de coordination transférée au "
            "groupement y sont placés de plein droit ; les autres personnels restent mis à "
            "disposition par les membres."
        ),
    },
    "convention-cooperation": {"duration_years": 3},
    "partenariat-esms": {"duration_years": 5},
}

# Which family of clauses each demo template reads.
FAMILY = {
    "convention-cooperation": CONVENTION,
    "partenariat-esms": CONVENTION,
    "ght": {},
}


# template code → (cooperation code, title, region, département, establishments filter, state)
EXTRA = [
    (
        "convention-cooperation",
        "DEMO-CONV-COOP-38",
        "Convention Isère : consultations avancées de néphrologie",
        "84",
        "38",
        {"legal_status": "public"},
    ),
    (
        "partenariat-esms",
        "DEMO-CONV-ESMS-35",
        "Partenariat des EHPAD de Rennes et Vitré : astreinte de nuit",
        "53",
        "35",
        {"sector": "medico_social"},
    ),
    (
        "gcs-es",
        "DEMO-CONV-GCSES-69",
        "GCS-ES Lyon : unité de dialyse commune",
        "84",
        "69",
        {"legal_status": "public"},
    ),
    (
        "gtsms",
        "DEMO-CONV-GTSMS-01",
        "GTSMS de l'Ain : EHPAD publics autonomes",
        "84",
        "01",
        {"legal_status": "public", "sector": "medico_social"},
    ),
    (
        "gip",
        "DEMO-CONV-GIP-75",
        "GIP Paris : plateforme régionale de télémédecine",
        "11",
        "75",
        {},
    ),
]


def _cooperation_for(template_code, code, title, region, dep, filters, legal_form):
    ars = ARS.objects.filter(region_code=region).first()
    departement = Departement.objects.filter(code=dep).first()
    if ars is None or departement is None:
        return None
    # Created once: a second run leaves the row (and its history) untouched.
    cooperation, created = Cooperation.objects.get_or_create(
        external_code=code,
        defaults={
            "title": title,
            "objectives": (
                "Organiser une réponse commune aux besoins du territoire et partager les "
                "compétences rares entre les établissements parties."
            ),
            "pilot_ars": ars,
            "legal_form": legal_form,
            "nature": legal_form.nature,
            "phase": Phase.METTRE_EN_OEUVRE,
            "launched_on": date(2025, 10, 1),
            "starts_on": date(2026, 1, 1),
        },
    )
    if created:
        cooperation.departements.set([departement])
    if not cooperation.memberships.active().exists():
        candidates = Establishment.objects.filter(departement=departement, **filters).order_by(
            "finess"
        )
        chosen = list(candidates[:3])
        if template_code == "gip":
            # A public majority, and one private partner to show the rule holds.
            chosen = list(candidates.filter(legal_status="public")[:2]) + list(
                candidates.exclude(legal_status="public")[:1]
            )
        for index, establishment in enumerate(chosen):
            Membership.objects.get_or_create(
                cooperation=cooperation,
                establishment=establishment,
                left_on=None,
                defaults={
                    "role": "porteur" if index == 0 else "membre",
                    "joined_on": date(2025, 10, 1),
                },
            )
    return cooperation


def _shares(members) -> list[Decimal]:
    """Shares summing to 100, the porteur taking the remainder."""
    count = len(members)
    share = (Decimal(100) / count).quantize(Decimal("1"))
    shares = [share] * count
    shares[0] = Decimal(100) - share * (count - 1)
    return shares


def _represents(user, membership) -> bool:
    entity_ids = {e.pk for e in user.legal_entities.all()}
    if membership.legal_entity_id:
        return membership.legal_entity_id in entity_ids
    establishment = membership.establishment
    return (
        establishment.pk in {e.pk for e in user.establishments.all()}
        or establishment.legal_entity_id in entity_ids
    )


def _representative(index: int, membership, team=None) -> str:
    """The demo account when it represents the member (its name is on its own convention),
    otherwise a name no demo account bears (no director signing for another's establishment)."""
    if team is not None and _represents(team, membership):
        function = (team.job_title.split(",")[0].strip() or "directeur").lower()
        return f"{team.get_full_name()}, {function}"
    name = DIRECTORS[index % len(DIRECTORS)]
    return f"Mme {name}, directrice" if index % 2 == 0 else f"M. {name}, directeur"


def _fill(cooperation, template, team=None) -> None:
    memberships = sorted(
        cooperation.memberships.active().select_related("establishment", "legal_entity"),
        key=lambda m: ({"porteur": 0, "membre": 1}.get(m.role, 2), m.pk),
    )
    if not memberships:
        raise ValidationError("la coopération n'a aucun membre actif dans les données chargées.")
    shares = _shares(memberships)
    public_rights = sum(
        (s for m, s in zip(memberships, shares, strict=True) if m.member.legal_status == "public"),
        Decimal(0),
    )
    porteur = memberships[0]
    facts_values = {
        **BASE,
        **FAMILY.get(template.code, GROUP),
        **SPECIFIC.get(template.code, {}),
    }
    values = {
        **facts_values,
        "template": template,
        "seat": f"{porteur.member_name}, {getattr(porteur.member, 'commune', '') or 'siège du porteur'}",
        "law_nature": _law_nature(memberships, public_rights),
        "support_membership": porteur if template.code == "ght" else None,
    }
    if values["law_nature"] == "prive" and "accounting" in values:
        values["accounting"] = (
            "Le groupement tient une comptabilité privée certifiée par un commissaire aux comptes."
        )
    ConventionData.objects.update_or_create(cooperation=cooperation, defaults=values)
    for index, (membership, share) in enumerate(zip(memberships, shares, strict=True)):
        MemberTerms.objects.update_or_create(
            membership=membership,
            defaults={
                "representative": _representative(index, membership, team),
                "contribution": (
                    "Mise à disposition de locaux, d'équipements et de temps de personnel "
                    f"valorisés à {int(share) * 1000} € par an."
                ),
                "rights_share": share,
                "charges_share": share,
                "commitments": (
                    "Désigner un référent, partager les plannings et les données d'activité, "
                    "participer au comité de suivi."
                ),
            },
        )


def _law_nature(memberships, public_rights) -> str:
    """CSP L6133-3 I: only public members → public law, only private → private law; the demo's
    mixed groups choose public law when public members hold most rights."""
    statuses = {m.member.legal_status == "public" for m in memberships}
    if statuses == {True}:
        return "public"
    if statuses == {False}:
        return "prive"
    return "public" if public_rights > 50 else "prive"


# Surnames of no demo account (Roux, Benali, Morvan… are the directors who log in).
DIRECTORS = ["Lambert", "Moreau", "Lefebvre", "Fontaine", "Girard", "Chevalier", "Perrin"]


TEAM = {
    "GHT-84103": "directeur.fleyriat",
    "DEMO-GCS-IMAGERIE-31": "directeur.chu-toulouse",
    "DEMO-GCSMS-EHPAD-35": "directrice.ehpad",
    "DEMO-CONV-ESMS-35": "directrice.ehpad",
}


def _advance(cooperation, state: str, team, agent) -> Convention:
    """Generate, then walk the state machine up to `state` (team may be None: "Système")."""
    version = services.convention_generate(
        cooperation=cooperation, user=team, note="Première génération"
    )
    convention = version.convention
    if state == "draft":
        services.version_edit(
            convention=convention,
            user=team,
            preamble=(
                "Les parties travaillent ensemble depuis plusieurs années ; la présente convention "
                "formalise cette coopération."
            ),
            clauses={},
            expected_version=convention.version,
            note="Ajout du préambule",
        )
        return convention
    services.signature_start(convention=convention, user=team, expected_version=convention.version)
    signed_copy = exports.version_pdf(version)
    parties = (
        version.parties
        if state != "in_signature"
        else version.parties[: max(1, len(version.parties) // 2)]
    )
    for party in parties:
        services.signature_record(
            convention=convention,
            membership_id=party["membership"],
            user=team,
            signatory=party["representative"],
            signed_on=timezone.localdate(),
            signed_copy=SimpleUploadedFile("exemplaire-signe.pdf", signed_copy, "application/pdf"),
        )
    convention.refresh_from_db()
    if state in ("approved", "amended") and convention.status == "signed" and agent:
        services.approval_record(
            convention=convention,
            user=agent,
            decided_on=timezone.localdate(),
            reference=f"{timezone.localdate():%Y}-{cooperation.pk:04d}",
            expected_version=convention.version,
        )
        convention.refresh_from_db()
    if state == "amended":
        services.amendment_start(
            convention=convention,
            user=team,
            expected_version=convention.version,
            note="Avenant n° 1 : allongement de la durée",
        )
        convention.refresh_from_db()
    return convention


STATES = {
    "ght": "approved",
    "gcs-moyens": "in_signature",
    "gcsms": "draft",
    "convention-cooperation": "approved",  # lands on approval_not_required
    "partenariat-esms": "amended",
    "gcs-es": "draft",
    "gtsms": "draft",
    "gip": "signed",
}


def load(base: dict, stdout=None) -> None:
    write = stdout.write if stdout else (lambda *_: None)
    accounts = base.get("accounts", {})
    templates = {
        t.code: t for t in ConventionTemplate.objects.current().select_related("legal_form")
    }
    targets = [
        (templates.get("ght"), base.get("ght")),
        (templates.get("gcs-moyens"), base.get("gcs")),
        (templates.get("gcsms"), base.get("gcsms")),
    ]
    for template_code, code, title, region, dep, filters in EXTRA:
        template = templates.get(template_code)
        if template is None:
            continue
        targets.append(
            (
                template,
                _cooperation_for(
                    template_code, code, title, region, dep, filters, template.legal_form
                ),
            )
        )
    agents = {a.ars_id: a for a in accounts.values() if getattr(a, "is_ars_agent", False)}
    for template, cooperation in targets:
        if template is None or cooperation is None:
            continue
        if Convention.objects.filter(cooperation=cooperation).exists():
            continue
        if cooperation.starts_on is None:
            cooperation.starts_on = date(2026, 1, 1)
            cooperation.save(update_fields=["starts_on"])
        try:
            with transaction.atomic():
                team = accounts.get(TEAM.get(cooperation.external_code, ""))
                _fill(cooperation, template, team)
                agent = agents.get(cooperation.pilot_ars_id)
                convention = _advance(cooperation, STATES[template.code], team, agent)
        except ValidationError as error:
            # Demo data must never stop `load_demo`: say what was refused and carry on.
            write(f"Convention « {template.name} » non générée : {'; '.join(error.messages)}")
            continue
        write(
            f"Convention « {template.name} » pour « {cooperation.title} » : "
            f"{convention.get_status_display()}"
        )
