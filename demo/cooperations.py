"""Demo data: real establishments (SAE 2022), the real FINESS 2026 JSON samples (legal
entities with their names, sites, GHT and groupements of the register), real GHT names,
three showcase cooperations and one account per role. Idempotent: every row is keyed by a
natural key. Reads only the repository's fixtures/ folder (see fixtures/README.md): a clone
runs alone."""

import csv
import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from accounts.models import Role, User
from cooperations.models import Cooperation, LegalForm, Membership, Phase, Theme, Typology
from demo.plan_objectives import load_plan_objectives
from demo.sae import load_sae_establishments
from territories.finess import with_check_key
from territories.importers import import_register_file
from territories.models import (
    ARS,
    Departement,
    Establishment,
    EstablishmentActivity,
    LegalEntity,
    LegalStatus,
    Sector,
)
from territories.services import name_entities_from_hospidiag

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FINESS_STRUCTURES = FIXTURES / "finess-2026" / "finess-structures-sample-20260309.json"
FINESS_ACTIVITIES = FIXTURES / "finess-2026" / "finess-activites-sample-20260401.json"
DEMO_DEPARTEMENTS = {"01", "38", "69", "31", "35", "75"}
DEMO_PASSWORD = "KitCoop-demo-2026"

DEMO_ACCOUNTS = [
    # username, first, last, role, region code, job title
    ("admin", "Alice", "Martin", Role.NATIONAL_ADMIN, None, "Administratrice nationale (DGOS)"),
    ("agent.ara", "Bruno", "Garcia", Role.ARS_AGENT, "84", "Chargé de mission offre de soins"),
    ("agent.occitanie", "Chloé", "Bernard", Role.ARS_AGENT, "76", "Référente coopérations"),
    ("agent.bretagne", "David", "Le Goff", Role.ARS_AGENT, "53", "Chargé de mission médico-social"),
    ("directeur.fleyriat", "Émilie", "Roux", Role.REFERENT, None, "Directrice, CH de Fleyriat"),
    (
        "directeur.chu-toulouse",
        "Farid",
        "Benali",
        Role.REFERENT,
        None,
        "Directeur des coopérations, CHU de Toulouse",
    ),
    ("directrice.ehpad", "Gaëlle", "Morvan", Role.REFERENT, None, "Directrice, EHPAD Les Tilleuls"),
    ("copil.invite", "Hugo", "Petit", Role.COPIL_GUEST, None, "Représentant des usagers au COPIL"),
]

EHPADS = [
    ("3500", "EHPAD LES TILLEULS", "RENNES", "35238", "35000", LegalStatus.PUBLIC),
    ("3501", "EHPAD RESIDENCE DU PARC", "VITRE", "35360", "35500", LegalStatus.PUBLIC),
    ("3502", "EHPAD LA CHESNAIE", "FOUGERES", "35115", "35300", LegalStatus.PRIVATE_NON_PROFIT),
]


def _ehpads(dep35) -> list[Establishment]:
    """Three fictitious EHPAD (SAE lists no EHPAD), with valid FINESS numbers."""
    result = []
    for index, (suffix, name, commune, insee, postcode, status) in enumerate(EHPADS):
        ej_finess = with_check_key(f"35{suffix}{90 + index:02d}"[:8])
        et_finess = with_check_key(f"35{suffix}{10 + index:02d}"[:8])
        entity, _ = LegalEntity.objects.get_or_create(
            finess=ej_finess,
            defaults={
                "name": f"{name} (GESTIONNAIRE)",
                "legal_status": status,
                "departement": dep35,
            },
        )
        et, _ = Establishment.objects.get_or_create(
            finess=et_finess,
            defaults={
                "legal_entity": entity,
                "name": name,
                "long_name": f"{name} – données de démonstration",
                "category_code": "500",
                "category_label": "Établissement d'hébergement pour personnes âgées dépendantes (EHPAD)",
                "aggregated_category_code": "4401",
                "aggregated_category_label": "Établissements et services pour personnes âgées",
                "legal_status": status,
                "sector": Sector.MEDICO_SOCIAL,
                "commune": commune,
                "commune_code": insee,
                "postcode": postcode,
                "departement": dep35,
            },
        )
        result.append(et)
    return result


def _cooperation(code: str, **fields) -> Cooperation:
    """Created once; a second run leaves it (and its history) untouched."""
    m2m = {k: fields.pop(k) for k in ("departements", "typologies", "themes") if k in fields}
    cooperation, created = Cooperation.objects.get_or_create(external_code=code, defaults=fields)
    if created:
        for name, values in m2m.items():
            getattr(cooperation, name).set(values)
    return cooperation


def _member(cooperation, *, role, joined_on, establishment=None, legal_entity=None):
    Membership.objects.get_or_create(
        cooperation=cooperation,
        establishment=establishment,
        legal_entity=legal_entity,
        left_on=None,
        defaults={"role": role, "joined_on": joined_on},
    )


# Words the SAE writes in capitals that French keeps in lower case inside a name.
_NAME_SMALL_WORDS = {"de", "des", "du", "et", "la", "le", "les", "en", "sur", "sous", "aux", "au"}
_NAME_ACRONYMS = {"CH", "CHU", "CHS", "CHR", "GHT", "GH", "HL"}


def ght_name(raw: str) -> str:
    """A readable GHT name from the SAE's capitals: "GHT Est Hérault et Sud Aveyron".

    The SAE file is Latin-1, which has no Œ: "CŒUR" arrives as "CUR". Some names are
    truncated at the source ("GHT DES CH DE"); they are kept as published.
    """
    words = re.sub(r"\bCUR\b", "CŒUR", raw.strip()).split()
    if words and words[0] == "GHT":
        words = words[1:]
    # Every word follows "GHT", so none is the first of the name: "GHT de la Guyane".
    return " ".join(["GHT", *(_name_word(word, 1) for word in words)])


def _name_word(word: str, index: int) -> str:
    if word in _NAME_ACRONYMS or any(char.isdigit() for char in word):
        return word
    if "-" in word:  # "PUY-DE-DÔME" -> "Puy-de-Dôme"
        parts = word.split("-")
        return "-".join([_name_word(parts[0], index), *(_name_word(p, 1) for p in parts[1:])])
    if index and word.lower() in _NAME_SMALL_WORDS:
        return word.lower()
    if index and word.upper().startswith(("D'", "L'")):
        return word[:2].lower() + word[2:].title()
    return word.title()


def load(stdout=None) -> dict:
    write = stdout.write if stdout else (lambda *_: None)
    sae = FIXTURES / "sae-2022" / "ID_2022r-demo.csv"
    if not sae.exists():
        raise CommandError(
            f"Données ouvertes de la démo introuvables dans {FIXTURES} : le dossier fixtures/ "
            "du dépôt est incomplet (voir fixtures/README.md)."
        )
    created = load_sae_establishments(sae, DEMO_DEPARTEMENTS)
    write(f"Établissements SAE 2022 : {created} créés ({Establishment.objects.count()} au total)")
    _load_register(write)
    ars = {a.region_code: a for a in ARS.objects.all()}
    deps = {d.code: d for d in Departement.objects.all()}
    forms = {f.code: f for f in LegalForm.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    typologies = {t.code: t for t in Typology.objects.all()}
    ehpads = _ehpads(deps["35"])

    # Every GHT of the demo regions, from the real SAE 2022 GHT list.
    with open(FIXTURES / "sae-2022" / "GHT_2022r.csv", encoding="cp1252", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            region = row["CODE_GHT"][:2]
            # GHT 84103 is the showcase below, with its members and dates.
            if region not in {"84", "76", "53"} or row["CODE_GHT"] == "84103":
                continue
            _cooperation(
                f"GHT-{row['CODE_GHT']}",
                title=f"{ght_name(row['NOM_COMPLET_GHT'])} ({row['NOM_COURT_GHT']})",
                pilot_ars=ars[region],
                legal_form=forms["ght"],
                nature="fonctionnelle",
                phase=Phase.METTRE_EN_OEUVRE,
                starts_on=date(2016, 7, 1),
                objectives=(
                    "Groupement hospitalier de territoire (liste SAE 2022) : "
                    f"{row['NB_ETAB'] or 'nombre non publié d'} établissement(s), "
                    f"{row['LIT_MCO'] or 'nombre non publié de'} lits de MCO. Composition "
                    "inconnue dans les données de la démo : la liste SAE ne la donne pas ; "
                    "l'import du flux FINESS « Structures » national la complète."
                ),
                typologies=[typologies["parcours"]],
            )

    ght = _cooperation(
        "GHT-84103",
        title="GHT Bresse Haut-Bugey : projet médical partagé et fonctions mutualisées",
        objectives=(
            "Mettre en œuvre le projet médical partagé des hôpitaux publics de l'Ain (filières "
            "gériatrique, urgences, cancérologie) et mutualiser le système d'information, le DIM "
            "et les achats sous la responsabilité de l'établissement support."
        ),
        pilot_ars=ars["84"],
        legal_form=forms["ght"],
        nature="fonctionnelle",
        phase=Phase.METTRE_EN_OEUVRE,
        project_territory="Bresse, Dombes, Haut-Bugey",
        launched_on=date(2016, 1, 15),
        decided_on=date(2016, 6, 30),
        starts_on=date(2016, 7, 1),
        departements=[deps["01"]],
        typologies=[typologies["parcours"], typologies["efficience"]],
        themes=[themes["si"], themes["achats"], themes["geriatrie"], themes["urgences"]],
    )
    for finess, role in [
        ("010780054", "porteur"),
        ("010008407", "membre"),
        ("010780138", "membre"),
        ("010007987", "membre"),
        ("010009132", "membre"),
        ("010780120", "membre"),
    ]:
        entity = LegalEntity.objects.filter(finess=finess).first()
        if entity:
            _member(ght, role=role, joined_on=date(2016, 7, 1), legal_entity=entity)

    gcs = _cooperation(
        "DEMO-GCS-IMAGERIE-31",
        title="GCS Imagerie Toulouse-Comminges : plateau d'IRM et de scanner partagé",
        objectives=(
            "Créer un GCS de moyens pour exploiter en commun deux IRM et un scanner, organiser la "
            "permanence des soins en imagerie et partager les radiologues entre le CHU, une clinique "
            "et le CH de Comminges."
        ),
        pilot_ars=ars["76"],
        legal_form=forms["gcs-moyens"],
        nature="organique",
        phase=Phase.DECIDER,
        project_territory="Haute-Garonne et Comminges",
        launched_on=date(2025, 9, 1),
        departements=[deps["31"]],
        typologies=[typologies["efficience"], typologies["isolement"]],
        themes=[themes["imagerie"], themes["pds"], themes["rh"]],
    )
    for finess, role in [
        ("310781406", "porteur"),
        ("310000096", "membre"),
        ("310788898", "membre"),
        ("310780671", "membre"),
    ]:
        entity = LegalEntity.objects.filter(finess=finess).first()
        if entity:
            _member(gcs, role=role, joined_on=date(2025, 9, 1), legal_entity=entity)

    gcsms = _cooperation(
        "DEMO-GCSMS-EHPAD-35",
        title="GCSMS des EHPAD d'Ille-et-Vilaine : infirmière de nuit et achats partagés",
        objectives=(
            "Étudier un groupement de coopération médico-sociale entre trois EHPAD pour partager une "
            "astreinte infirmière de nuit, un temps de médecin coordonnateur et les achats."
        ),
        pilot_ars=ars["53"],
        legal_form=forms["gcsms"],
        nature="organique",
        phase=Phase.COMPRENDRE,
        launched_on=date(2026, 3, 1),
        departements=[deps["35"]],
        typologies=[typologies["efficience"], typologies["isolement"]],
        themes=[themes["personnes-agees"], themes["rh"], themes["achats"]],
    )
    for index, et in enumerate(ehpads):
        _member(
            gcsms,
            role="porteur" if index == 0 else "membre",
            joined_on=date(2026, 3, 1),
            establishment=et,
        )

    write(f"Objectifs des plans régionaux de santé : {load_plan_objectives()}")
    _link_objectives(ght, ["SRS-2.1", "SRS-2.2", "SRS-3.2", "SRS-3.3"])
    _link_objectives(gcs, ["SRS-IMG", "SRS-PDSES", "SRS-RH"])
    _link_objectives(gcsms, ["SRS-PA-1", "SRS-ACH"])
    for cooperation, short_name in (
        (ght, "GHT Bresse Haut-Bugey"),
        (gcs, "GCS Imagerie 31"),
        (gcsms, "GCSMS EHPAD 35"),
    ):
        if not cooperation.short_name:
            Cooperation.objects.filter(pk=cooperation.pk).update(short_name=short_name)
            cooperation.short_name = short_name
    accounts = _accounts(ars, ght, gcs, gcsms, ehpads)
    _ars_note(
        ght,
        accounts["agent.ara"],
        "Entretien avec la direction le 12/11 : le départ en retraite du DIM de territoire "
        "fragilise le chantier « dossier patient ». À suivre au prochain COPIL.",
    )
    write(
        f"Coopérations : {Cooperation.objects.count()} ; comptes de démonstration : {len(accounts)}"
    )
    return {"ght": ght, "gcs": gcs, "gcsms": gcsms, "accounts": accounts}


def _ars_note(cooperation, author, body) -> None:
    from cooperations.models import ArsNote

    ArsNote.objects.get_or_create(
        cooperation=cooperation,
        ars_id=cooperation.pilot_ars_id,
        body=body,
        defaults={"author": author},
    )


def _link_objectives(cooperation, codes) -> None:
    from cooperations.models import RegionalObjective

    wanted = RegionalObjective.objects.filter(ars_id=cooperation.pilot_ars_id, code__in=codes)
    if set(cooperation.plan_objectives.values_list("pk", flat=True)) != {o.pk for o in wanted}:
        cooperation.plan_objectives.set(wanted)


def _load_register(write) -> None:
    """The real FINESS 2026 samples (once), then hospital legal entities' names from Hospi Diag."""
    if not LegalEntity.objects.filter(finess="010000156").exclude(register_id="").exists():
        report = import_register_file(FINESS_STRUCTURES)
        write(
            f"FINESS 2026 (flux Structures, exemple ANS) : {report.entities_created} entités "
            f"juridiques et {report.created} établissements créés, "
            f"{report.entities_updated + report.updated} mis à jour"
        )
    if not EstablishmentActivity.objects.exists():
        report = import_register_file(FINESS_ACTIVITIES)
        write(
            f"FINESS 2026 (flux Activités, exemple ANS) : {report.counts.get('activities', 0)} activités"
        )
    named = name_entities_from_hospidiag(FIXTURES / "hospidiag-2022" / "hd2022-demo.csv")
    if named:
        write(f"Entités juridiques nommées d'après Hospi Diag 2022 : {named}")


def _accounts(ars, ght, gcs, gcsms, ehpads) -> dict:
    accounts = {}
    for username, first, last, role, region, job in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.kitcoop.local",
                "role": role,
                "ars": ars[region] if region else None,
                "job_title": job,
                "is_superuser": role == Role.NATIONAL_ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        accounts[username] = user
    accounts["directeur.fleyriat"].legal_entities.add(
        *LegalEntity.objects.filter(finess="010780054")
    )
    accounts["directeur.chu-toulouse"].legal_entities.add(
        *LegalEntity.objects.filter(finess="310781406")
    )
    accounts["directrice.ehpad"].establishments.add(ehpads[0])
    ght.copil_guests.add(accounts["copil.invite"])
    return accounts
