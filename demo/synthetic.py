"""A synthetic national-scale dataset for benchmarks (`manage.py generate_synthetic`).

What it builds, deterministically from a seed:
- establishments (ET) spread over the 101 départements in proportion to the real SAE 2022
  register, in real communes, with a category / sector / legal-status mix close to the
  national FINESS register (pharmacies, EHPAD, home-care services, hospitals…);
- their legal entities (EJ): one per pharmacy or practice, a few sites per hospital or
  association, always in the same département and with the same legal status;
- cooperations piloted by the ARS of their main département, with 2 to 8 members drawn
  from that département (mostly ET, some whole EJ, a few who left), their départements,
  themes and typologies;
- one ARS agent per region and referents (directors) of the busiest establishments, all
  with the password SYNTHETIC_PASSWORD, so that benchmarks can sign in as them;
- optionally a FINESS extract in the official format (header `finess;etalab;…`,
  `structureet;` lines of 32 fields, then `geolocalisation;` lines, Latin-1) listing the
  same establishments, for the import benchmark.

Every FINESS number is valid (Luhn key) and never collides with a number already in the
database. Kit data (KIT 1 steps, evaluations, activities) comes from one generator per kit
(`KIT_GENERATORS`); a kit without one is listed as skipped in the report.
"""

import csv
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, transaction
from django.db.models import Count, DateTimeField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from cooperations.models import Cooperation, LegalForm, Membership, Nature, Theme, Typology
from evalimpact.models import Axis, Evaluation, EvaluationStatus, EvaluationTransition
from evalimpact.models import CatalogueVersion as EvalImpactCatalogue
from fiches.models import CatalogueVersion as FichesCatalogue
from fiches.models import Step, StepState, StepTransition
from suivi import tracking
from suivi.models import Activity, Deliverable
from territories.classification import sector_from_category, status_from_finess
from territories.finess import finess_error, with_check_key
from territories.models import ARS, Departement, Establishment, LegalEntity, LegalStatus

SYNTHETIC_PASSWORD = "KitCoop-bench-2026"
COOPERATION_CODE_PREFIX = "SYN-"
USERNAME_PREFIX = "synth."
KIT_APPS = ("fiches", "conventions", "evalimpact", "suivi")
EXTRACT_DATE = "2026-01-12"

# Serial ranges inside a département: ET and EJ numbers never overlap.
ET_SERIAL_START = 0.30
EJ_SERIAL_START = 0.75

# Overseas numbers start like the real ones (SAE 2022: 9701… Guadeloupe … 9805… Mayotte).
# Only to draw numbers: a site's territory comes from its commune, never from its number
# (9806… are Wallis-et-Futuna's).
OVERSEAS_NUMBER_PREFIX = {"971": "9701", "972": "9702", "973": "9703", "974": "9704", "976": "9805"}

PUB, PNL, PLU = LegalStatus.PUBLIC, LegalStatus.PRIVATE_NON_PROFIT, LegalStatus.PRIVATE_FOR_PROFIT
# The FINESS codes that make territories.classification read back the intended status.
STATUS_CODES = {PUB: ("1", "03"), PNL: ("6", "01"), PLU: ("5", "07")}
STATUS_LABELS = {
    PUB: ("Établissement public de santé", "Dotation globale"),
    PNL: ("Établissement privé non lucratif", "Tarif conventionnel"),
    PLU: ("Établissement privé lucratif", "Objectif quantifié national (OQN)"),
}
EJ_STATUS_CODES = {PUB: ("13", "21", "14"), PNL: ("60", "61", "63"), PLU: ("72", "73", "95")}


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    aggregated_code: str
    aggregated_label: str
    weight: float  # relative weight, roughly the share of the register in %
    statuses: tuple  # ((status, weight), …)
    prefix: str  # how names of this kind start
    single_site: bool = False  # one EJ per ET (pharmacies, practices)
    cooperates: bool = True  # shows up as a member of cooperations
    ape: str = "8610Z"


# Relative weights of the main categories of the ~100 000 ET of the national FINESS register,
# roughly their shares in % (approximate codes and counts: a benchmark mix, not a reference).
CATEGORIES = [
    Category("620", "Pharmacie d'officine", "3401", "Pharmacies d'officine", 20.5,
             ((PLU, 1),), "PHARMACIE", single_site=True, cooperates=False, ape="4773Z"),
    Category("611", "Laboratoire de biologie médicale", "3301", "Laboratoires", 3.8,
             ((PLU, 9), (PNL, 1)), "LABORATOIRE", single_site=True, ape="8690B"),
    Category("500", "Établissement d'hébergement pour personnes âgées dépendantes", "4401",
             "Établissements et services pour personnes âgées", 7.6,
             ((PUB, 45), (PNL, 31), (PLU, 24)), "EHPAD", ape="8710A"),
    Category("202", "Résidence autonomie", "4401",
             "Établissements et services pour personnes âgées", 2.3,
             ((PUB, 60), (PNL, 35), (PLU, 5)), "RÉSIDENCE AUTONOMIE", ape="8730A"),
    Category("354", "Service de soins infirmiers à domicile (SSIAD)", "4401",
             "Établissements et services pour personnes âgées", 2.2,
             ((PUB, 30), (PNL, 65), (PLU, 5)), "SSIAD", ape="8810A"),
    Category("460", "Service d'aide et d'accompagnement à domicile (SAAD)", "4601",
             "Services sociaux à domicile", 7.4,
             ((PUB, 25), (PNL, 40), (PLU, 35)), "SAAD", ape="8810A"),
    Category("209", "Service polyvalent d'aide et de soins à domicile", "4401",
             "Établissements et services pour personnes âgées", 0.6,
             ((PUB, 30), (PNL, 65), (PLU, 5)), "SPASAD", ape="8810A"),
    Category("183", "Institut médico-éducatif (IME)", "4301",
             "Établissements pour enfants handicapés", 1.3,
             ((PUB, 10), (PNL, 90)), "IME", ape="8891B"),
    Category("182", "Service d'éducation spéciale et de soins à domicile", "4301",
             "Établissements pour enfants handicapés", 1.9,
             ((PUB, 10), (PNL, 90)), "SESSAD", ape="8891B"),
    Category("246", "Établissement et service d'aide par le travail (ESAT)", "4302",
             "Établissements pour adultes handicapés", 1.5,
             ((PUB, 12), (PNL, 88)), "ESAT", ape="8810C"),
    Category("255", "Maison d'accueil spécialisée (MAS)", "4302",
             "Établissements pour adultes handicapés", 0.7,
             ((PUB, 25), (PNL, 75)), "MAS", ape="8710B"),
    Category("437", "Foyer d'accueil médicalisé (FAM)", "4302",
             "Établissements pour adultes handicapés", 1.0,
             ((PUB, 15), (PNL, 85)), "FAM", ape="8710B"),
    Category("252", "Foyer de vie pour adultes handicapés", "4302",
             "Établissements pour adultes handicapés", 1.9,
             ((PUB, 15), (PNL, 85)), "FOYER DE VIE", ape="8720A"),
    Category("214", "Centre d'hébergement et de réinsertion sociale (CHRS)", "4602",
             "Établissements pour adultes et familles en difficulté", 0.9,
             ((PUB, 5), (PNL, 95)), "CHRS", ape="8790B"),
    Category("124", "Centre de santé", "2202", "Centres de santé", 3.0,
             ((PUB, 25), (PNL, 60), (PLU, 15)), "CENTRE DE SANTÉ", ape="8621Z"),
    Category("603", "Maison de santé pluriprofessionnelle", "2204",
             "Autres établissements de soins", 2.1,
             ((PLU, 80), (PNL, 20)), "MAISON DE SANTÉ", single_site=True, ape="8621Z"),
    Category("156", "Centre médico-psychologique (CMP)", "1204",
             "Établissements de lutte contre les maladies mentales", 3.1,
             ((PUB, 85), (PNL, 15)), "CMP", ape="8610Z"),
    Category("425", "Centre d'accueil thérapeutique à temps partiel (CATTP)", "1204",
             "Établissements de lutte contre les maladies mentales", 1.6,
             ((PUB, 85), (PNL, 15)), "CATTP", ape="8610Z"),
    Category("355", "Centre hospitalier (CH)", "1102", "Centres hospitaliers", 1.0,
             ((PUB, 1),), "CH", ape="8610Z"),
    Category("101", "Centre hospitalier régional (CHR)", "1101",
             "Centres hospitaliers régionaux", 0.2, ((PUB, 1),), "CHU", ape="8610Z"),
    Category("106", "Centre hospitalier, ex-hôpital local", "1102", "Centres hospitaliers",
             0.3, ((PUB, 1),), "HÔPITAL LOCAL", ape="8610Z"),
    Category("292", "Centre hospitalier spécialisé en santé mentale", "1204",
             "Établissements de lutte contre les maladies mentales", 0.1,
             ((PUB, 1),), "CHS", ape="8610Z"),
    Category("365", "Établissement de soins pluridisciplinaire", "1106",
             "Établissements de soins pluridisciplinaires", 0.7,
             ((PLU, 70), (PNL, 30)), "CLINIQUE", ape="8610Z"),
    Category("109", "Établissement de santé privé autorisé en SSR", "1108",
             "Établissements de soins de suite et de réadaptation", 1.0,
             ((PLU, 55), (PNL, 45)), "CENTRE DE RÉADAPTATION", ape="8610Z"),
    Category("141", "Centre de dialyse", "1109", "Établissements de dialyse", 0.8,
             ((PNL, 60), (PLU, 40)), "CENTRE DE DIALYSE", ape="8610Z"),
    Category("698", "Autre établissement de soins", "2204", "Autres établissements de soins",
             2.0, ((PNL, 50), (PLU, 50)), "CENTRE DE SOINS", ape="8690D"),
    Category("165", "Centre d'action médico-sociale précoce (CAMSP)", "4301",
             "Établissements pour enfants handicapés", 0.4,
             ((PUB, 40), (PNL, 60)), "CAMSP", ape="8899B"),
    Category("176", "Centre d'hébergement d'urgence", "4602",
             "Établissements pour adultes et familles en difficulté", 1.6,
             ((PUB, 10), (PNL, 90)), "HÉBERGEMENT D'URGENCE", cooperates=False, ape="8790B"),
    Category("462", "Lieu de vie et d'accueil", "4602",
             "Établissements pour adultes et familles en difficulté", 0.8,
             ((PNL, 80), (PLU, 20)), "LIEU DE VIE", cooperates=False, ape="8790B"),
    Category("238", "Centre d'accueil de demandeurs d'asile (CADA)", "4602",
             "Établissements pour adultes et familles en difficulté", 1.2,
             ((PNL, 100),), "CADA", cooperates=False, ape="8790B"),
    Category("446", "Service d'accompagnement à la vie sociale (SAVS)", "4302",
             "Établissements pour adultes handicapés", 2.4,
             ((PUB, 10), (PNL, 90)), "SAVS", ape="8899B"),
    Category("445", "Service d'accompagnement médico-social pour adultes handicapés", "4302",
             "Établissements pour adultes handicapés", 0.6,
             ((PUB, 10), (PNL, 90)), "SAMSAH", ape="8899B"),
    Category("253", "Foyer d'hébergement pour adultes handicapés", "4302",
             "Établissements pour adultes handicapés", 1.3,
             ((PUB, 15), (PNL, 85)), "FOYER D'HÉBERGEMENT", ape="8720A"),
    Category("177", "Maison d'enfants à caractère social", "4603",
             "Établissements de l'aide sociale à l'enfance", 2.2,
             ((PUB, 15), (PNL, 85)), "MAISON D'ENFANTS", cooperates=False, ape="8790A"),
    Category("189", "Centre médico-psycho-pédagogique (CMPP)", "4301",
             "Établissements pour enfants handicapés", 0.5,
             ((PNL, 90), (PUB, 10)), "CMPP", ape="8610Z"),
    Category("197", "Centre de soins, d'accompagnement et de prévention en addictologie",
             "2205", "Établissements de prévention", 0.6,
             ((PNL, 85), (PUB, 15)), "CSAPA", ape="8690D"),
    Category("295", "Centre de protection maternelle et infantile (PMI)", "2206",
             "Établissements de prévention", 4.5,
             ((PUB, 1),), "CENTRE DE PMI", cooperates=False, ape="8899B"),
    Category("213", "Service d'action éducative en milieu ouvert", "4603",
             "Établissements de l'aide sociale à l'enfance", 3.0,
             ((PNL, 90), (PUB, 10)), "SERVICE AEMO", cooperates=False, ape="8899B"),
    Category("608", "Centre de santé sexuelle et de planification", "2206",
             "Établissements de prévention", 1.2,
             ((PUB, 90), (PNL, 10)), "CENTRE DE PLANIFICATION", cooperates=False, ape="8690D"),
]  # fmt: skip
HOSPITAL_CATEGORIES = {"355", "101", "106", "292"}
# Sites per legal entity that owns several: mostly one, a few large groups.
SITES_PER_ENTITY = ((1, 52), (2, 18), (3, 10), (4, 7), (6, 6), (9, 4), (15, 3))

NICE_NAMES = [
    "LES TILLEULS", "LE CLOS FLEURI", "LES PRÉS FLEURIS", "SAINTE-THÉRÈSE", "SAINT-JOSEPH",
    "LA ROSERAIE", "LES GLYCINES", "L'ÉTOILE", "LE BOIS JOLI", "LES CÈDRES", "LA SOURCE",
    "LES HORTENSIAS", "BEL AIR", "LES MIMOSAS", "LE VAL DORÉ", "LES CHÊNES", "NOTRE-DAME",
    "LA CHÂTAIGNERAIE", "LES JARDINS D'ÉLISE", "LE MOULIN", "LES PEUPLIERS", "ARC-EN-CIEL",
    "LES LILAS", "LA PRAIRIE", "SAINT-LUC", "L'ESCALE", "LE PHARE", "LES SAULES", "LA COLLINE",
]  # fmt: skip
PHARMACY_NAMES = [
    "DU CENTRE", "DE LA GARE", "DE LA MAIRIE", "DU MARCHÉ", "DES HALLES", "DE L'ÉGLISE",
    "DU PONT", "PRINCIPALE", "DES ÉCOLES", "DU PARC", "DE LA POSTE", "DU CHÂTEAU",
]  # fmt: skip
STREETS = [
    ("R", "DE LA RÉPUBLIQUE"), ("AV", "JEAN JAURÈS"), ("R", "VICTOR HUGO"), ("BD", "PASTEUR"),
    ("PL", "DE L'ÉGLISE"), ("R", "DU GÉNÉRAL DE GAULLE"), ("CHE", "DES VIGNES"),
    ("R", "DES ÉCOLES"), ("AV", "DE LA GARE"), ("R", "GAMBETTA"), ("RTE", "DE PARIS"),
    ("ALL", "DES TILLEULS"), ("R", "SAINT-MARTIN"), ("QUA", "DES ÉCLUSES"), ("IMP", "DU MOULIN"),
]  # fmt: skip
ENTITY_KINDS = {
    PUB: ("CENTRE HOSPITALIER", "CCAS", "EHPAD PUBLIC AUTONOME", "DÉPARTEMENT"),
    PNL: ("ASSOCIATION", "FONDATION", "MUTUALITÉ FRANÇAISE", "CROIX-ROUGE FRANÇAISE"),
    PLU: ("SAS", "SARL", "SELAS", "SA"),
}
TITLE_PATTERNS = {
    "biologie": "Plateau de biologie partagé",
    "imagerie": "Imagerie médicale mutualisée",
    "sterilisation": "Stérilisation commune",
    "pharmacie": "Pharmacie à usage intérieur partagée",
    "maintenance": "Maintenance biomédicale commune",
    "achats": "Groupement d'achats",
    "blanchisserie": "Blanchisserie inter-établissements",
    "restauration": "Cuisine centrale partagée",
    "logistique": "Plateforme logistique commune",
    "si": "Dossier patient et système d'information partagés",
    "rh": "Équipe de remplacement mutualisée",
    "pds": "Permanence des soins partagée",
    "urgences": "Équipe territoriale des urgences",
    "geriatrie": "Filière gériatrique",
    "sante-mentale": "Parcours en santé mentale",
    "cancerologie": "Coordination en cancérologie",
    "perinatalite": "Réseau de périnatalité",
    "ssr": "Parcours de réadaptation",
    "handicap": "Plateforme d'accompagnement du handicap",
    "personnes-agees": "Dispositif renforcé de soutien à domicile",
    "telemedecine": "Téléconsultations en établissements",
    "formation": "Formation commune des équipes",
}
# Relative frequency of each legal form among new cooperations (unknown codes get 1).
LEGAL_FORM_WEIGHTS = {
    "convention": 45, "gcs-moyens": 14, "gcsms": 10, "gcs-es": 1, "ght": 1, "cht": 0.5,
    "gip": 3, "gie": 2, "fmih": 2, "reseau": 4, "cpt": 4, "cpts": 6,
}  # fmt: skip
PHASE_WEIGHTS = (
    ("comprendre", 22),
    ("decider", 20),
    ("mettre_en_oeuvre", 33),
    ("evaluer", 17),
    ("cloturee", 8),
)


@dataclass
class Commune:
    insee: str
    name: str
    postcode: str


@dataclass
class Geography:
    """One département as the generator sees it."""

    code: str  # INSEE code
    name: str
    region_code: str
    number_prefix: str  # how its FINESS numbers start: "01", "2A", "9701"
    extract_code: str  # its code in the FINESS extract: "01", "2A", "9A"
    weight: float
    communes: list[Commune] = field(default_factory=list)


@dataclass
class EntityRow:
    finess: str
    name: str
    legal_status: str
    legal_status_code: str
    siren: str
    geography: Geography
    commune: Commune
    pk: int | None = None


@dataclass
class EstablishmentRow:
    finess: str
    entity: EntityRow
    category: Category
    name: str
    long_name: str
    legal_status: str
    sector: str
    street_number: str
    street_type: str
    street: str
    commune: Commune
    siret: str
    phone: str
    opened_on: date
    authorised_on: date
    pk: int | None = None

    @property
    def geography(self) -> Geography:
        return self.entity.geography

    @property
    def address(self) -> str:
        return " ".join(p for p in (self.street_number, self.street_type, self.street) if p)


@dataclass
class SyntheticReport:
    establishments: int = 0
    legal_entities: int = 0
    cooperations: int = 0
    memberships: int = 0
    users: int = 0
    finess_lines: int = 0
    geolocation_lines: int = 0
    json_entities: int = 0
    json_establishments: int = 0
    json_ght: int = 0
    json_groupements: int = 0
    kits: dict = field(default_factory=dict)  # app -> "n objets" or why it was skipped
    seconds: dict = field(default_factory=dict)


class SyntheticDataExists(Exception):
    pass


def sae_path() -> Path:
    """The full SAE file when the shared data sit beside the clone, else the demo's slice."""
    full = Path(settings.SHARED_DATA_DIR) / "sae-2022" / "ID_2022r.csv"
    return (
        full
        if full.exists()
        else Path(settings.BASE_DIR) / "fixtures" / "sae-2022" / "ID_2022r-demo.csv"
    )


def load_geography(path: Path | None = None) -> list[Geography]:
    """The 101 départements, weighted and populated with communes from the SAE 2022 file.

    Without the file every département gets the same weight and generic commune names,
    so the generator still works (on a fresh machine without the shared data).
    """
    geographies = []
    # The départements as the database holds them (territories' data migration): the one
    # list of the 101 départements, so the generator cannot drift from it.
    departements = Departement.objects.order_by("code").values_list(
        "code", "name", "ars__region_code", "finess_code"
    )
    for code, name, region, finess_code in departements:
        prefix = OVERSEAS_NUMBER_PREFIX.get(code, code)
        geographies.append(Geography(code, name, region, prefix, finess_code or code, weight=1.0))
    by_extract_code = {g.extract_code: g for g in geographies}
    path = path if path is not None else sae_path()
    if path.exists():
        counts: Counter = Counter()
        seen: set = set()
        with open(path, encoding="cp1252", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                geography = by_extract_code.get(row["dep"])
                if not geography:
                    continue
                counts[geography.code] += 1
                insee, commune = row["COMINSEE"], (row["LIBCOM"] or row["NOMCOM"]).strip()
                postcode = row["CPO"].strip()
                if (insee, commune) in seen or not commune or not postcode.isdigit():
                    continue
                seen.add((insee, commune))
                geography.communes.append(Commune(insee, commune.upper(), postcode))
        for geography in geographies:
            # Smoothed so that small départements still get their share of ET.
            geography.weight = counts[geography.code] + 5
    for geography in geographies:
        if not geography.communes:
            postcode = (geography.code.replace("2A", "20").replace("2B", "20") + "000")[:5]
            geography.communes = [
                Commune(
                    f"{geography.code[:2]}{n:03d}"[:5],
                    f"COMMUNE {n} ({geography.name})"[:60].upper(),
                    postcode,
                )
                for n in range(1, 6)
            ]
    return geographies


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), at least 1 each if possible."""
    if not weights:
        return []
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    weight_sum = sum(weights)
    exact = [rest * w / weight_sum for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: rest - sum(shares)]:
        shares[index] += 1
    return [s + floor for s in shares]


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class NumberAllocator:
    """Hands out unused valid FINESS numbers, ET and EJ from separate serial ranges."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.next_serial: dict = {}

    def allocate(self, geography: Geography, kind: str) -> str:
        prefix = geography.number_prefix
        digits = 8 - len(prefix)
        size = 10**digits
        key = (prefix, kind)
        start = int(size * (ET_SERIAL_START if kind == "et" else EJ_SERIAL_START))
        end = int(size * (EJ_SERIAL_START if kind == "et" else 1.0))
        serial = self.next_serial.get(key, start)
        while serial < end:
            number = with_check_key(f"{prefix}{serial:0{digits}d}")
            serial += 1
            if number not in self.taken:
                self.taken.add(number)
                self.next_serial[key] = serial
                return number
        raise ValueError(
            f"Plus de numéro FINESS synthétique libre pour le département {geography.code} : "
            "réduisez le nombre d'établissements."
        )


class EstablishmentGenerator:
    def __init__(self, seed: int, geographies: list[Geography], taken: set[str] | None = None):
        self.rng = random.Random(seed)
        self.geographies = geographies
        self.numbers = NumberAllocator(set(taken or ()))

    def _entity(self, geography: Geography, status: str, category: Category) -> EntityRow:
        rng = self.rng
        commune = rng.choice(geography.communes)
        if category.single_site:
            name = f"{category.prefix} {rng.choice(PHARMACY_NAMES if category.code == '620' else NICE_NAMES)}"
            if status == PLU:
                name = f"{rng.choice(ENTITY_KINDS[PLU])} {name}"
        elif category.code in HOSPITAL_CATEGORIES:
            name = f"CENTRE HOSPITALIER DE {commune.name}"
        else:
            name = f"{rng.choice(ENTITY_KINDS[status])} {rng.choice(NICE_NAMES)}"
        return EntityRow(
            finess=self.numbers.allocate(geography, "ej"),
            name=name[:255],
            legal_status=status,
            legal_status_code=rng.choice(EJ_STATUS_CODES[status]),
            siren=f"{rng.randrange(10**8, 10**9)}",
            geography=geography,
            commune=commune,
        )

    def _establishment(self, entity: EntityRow, category: Category) -> EstablishmentRow:
        rng = self.rng
        commune = entity.commune if rng.random() < 0.6 else rng.choice(entity.geography.communes)
        if category.code == "620":
            name = f"PHARMACIE {rng.choice(PHARMACY_NAMES)}"
        elif category.code in HOSPITAL_CATEGORIES:
            name = f"{category.prefix} DE {commune.name}"
        else:
            name = f"{category.prefix} {rng.choice(NICE_NAMES)}"
        opened = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 23000))
        sph, mft = STATUS_CODES[entity.legal_status]
        street_type, street = rng.choice(STREETS)
        return EstablishmentRow(
            finess=self.numbers.allocate(entity.geography, "et"),
            entity=entity,
            category=category,
            name=name[:255],
            long_name=f"{name} - {commune.name}"[:255],
            legal_status=status_from_finess(sph, mft, category.code),
            sector=sector_from_category(category.code, category.aggregated_code),
            street_number=str(rng.randrange(1, 200)),
            street_type=street_type,
            street=street,
            commune=commune,
            siret=f"{entity.siren}{rng.randrange(0, 10**5):05d}",
            phone=f"0{rng.randrange(1, 6)}{rng.randrange(10**7, 10**8)}",
            opened_on=opened,
            authorised_on=opened - timedelta(days=rng.randrange(30, 400)),
        )

    def departement(
        self, geography: Geography, count: int
    ) -> Iterator[EntityRow | EstablishmentRow]:
        """Yield each legal entity before its establishments, `count` ET in all.

        Each ET draws its category from the national mix, so the mix holds whatever the
        grouping; multi-site ET then join the open legal entity of their legal status
        (a hospital with its EHPAD, an association with its IME and ESAT…).
        """
        rng = self.rng
        weighted = [(c, c.weight) for c in CATEGORIES]
        open_entities: dict[str, list] = {}  # status -> [entity, sites still to attach]
        for _ in range(count):
            category = _pick(rng, weighted)
            status = _pick(rng, category.statuses)
            slot = None if category.single_site else open_entities.get(status)
            if slot and slot[1] > 0:
                slot[1] -= 1
                entity = slot[0]
            else:
                entity = self._entity(geography, status, category)
                yield entity
                if not category.single_site:
                    open_entities[status] = [entity, _pick(rng, SITES_PER_ENTITY) - 1]
            yield self._establishment(entity, category)

    def rows(self, total: int) -> Iterator[EntityRow | EstablishmentRow]:
        counts = allocate(total, [g.weight for g in self.geographies])
        for geography, count in zip(self.geographies, counts, strict=True):
            yield from self.departement(geography, count)


# --- The official FINESS extract format ---------------------------------------------------


def _clean(value: str) -> str:
    return (value or "").replace(";", " ").replace('"', " ").replace("\n", " ")


def finess_line(et: EstablishmentRow) -> str:
    """One `structureet;` line of 32 fields, as in the public extract."""
    sph, mft = STATUS_CODES[et.entity.legal_status]
    sph_label, mft_label = STATUS_LABELS[et.entity.legal_status]
    geography = et.geography
    fields = [
        "structureet",
        et.finess,
        et.entity.finess,
        et.name,
        et.long_name,
        "",  # complrs
        "",  # compldistrib
        et.street_number,
        et.street_type,
        et.street,
        "",  # compvoie
        "",  # lieuditbp
        et.commune.insee[-3:],  # the extract gives the commune code within the département
        geography.extract_code,
        geography.name.upper(),
        f"{et.commune.postcode} {et.commune.name}",
        et.phone,
        "",  # telecopie
        et.category.code,
        et.category.label,
        et.category.aggregated_code,
        et.category.aggregated_label,
        et.siret,
        et.category.ape,
        mft,
        mft_label,
        sph,
        sph_label,
        et.opened_on.isoformat(),
        et.authorised_on.isoformat(),
        EXTRACT_DATE,
        "",  # numuai
    ]
    return ";".join(_clean(v) for v in fields)


def geolocation_line(et: EstablishmentRow, rng: random.Random) -> str:
    x = 100000 + rng.random() * 1100000
    y = 6040000 + rng.random() * 1100000
    return (
        f"geolocalisation;{et.finess};{x:.1f};{y:.1f};"
        f"1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;{EXTRACT_DATE}"
    )


class FinessExtractWriter:
    """Writes the extract while the establishments are generated (constant memory):
    `structureet` lines go straight to the file, `geolocalisation` lines (one ET in five,
    like the partial geocoding of the real file) to a side file appended at the end."""

    def __init__(self, path: Path, declared_lines: int, seed: int):
        self.path = Path(path)
        self.geo_path = self.path.with_name(self.path.name + ".geo.tmp")
        self.rng = random.Random(seed + 1)
        self.handle = open(self.path, "w", encoding="latin-1", newline="\r\n")  # noqa: SIM115
        self.geo_handle = open(self.geo_path, "w", encoding="latin-1", newline="\r\n")  # noqa: SIM115
        self.handle.write(f"finess;etalab;{declared_lines};{EXTRACT_DATE}\n")
        self.lines = 0
        self.geolocations = 0

    def write(self, et: EstablishmentRow) -> None:
        self.handle.write(finess_line(et) + "\n")
        self.lines += 1
        if self.rng.random() < 0.2:
            self.geo_handle.write(geolocation_line(et, self.rng) + "\n")
            self.geolocations += 1

    def close(self) -> None:
        self.geo_handle.close()
        with open(self.geo_path, encoding="latin-1", newline="") as geo:
            for chunk in iter(lambda: geo.read(1 << 20), ""):
                self.handle.write(chunk.replace("\r\n", "\n"))
        self.handle.close()
        self.geo_path.unlink()

    def abort(self) -> None:
        self.handle.close()
        self.geo_handle.close()
        self.geo_path.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


def write_finess_extract(path: Path, establishments: int, *, seed: int = 2026) -> SyntheticReport:
    """Only the extract file, without touching the database (numbers from a fresh register)."""
    report = SyntheticReport()
    generator = EstablishmentGenerator(seed, load_geography())
    writer = FinessExtractWriter(path, establishments, seed)
    try:
        for row in generator.rows(establishments):
            if isinstance(row, EstablishmentRow):
                writer.write(row)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    report.finess_lines, report.geolocation_lines = writer.lines, writer.geolocations
    return report


# --- The FINESS 2026 "Structures" JSON flux ------------------------------------------------

GCO_KINDS = (  # (statut juridique, typeGco, weight): groupements of the national register
    ("29", "003", 30), ("89", "003", 20), ("29", "002", 3), ("30", "", 12), ("66", "", 10),
    ("28", "", 3), ("60", "001", 22),
)  # fmt: skip
GCO_PER_ESTABLISHMENTS = 65  # about 1 500 groupements for 100 000 establishments


def _cog(commune: Commune, geography: Geography) -> str:
    """An INSEE commune code of the département (the SAE writes 9A1… overseas)."""
    insee = commune.insee
    if len(geography.code) == 3:
        return geography.code + insee[-2:].rjust(2, "0")
    return insee if insee[:2] == geography.code else geography.code + insee[-3:].rjust(3, "0")


def _address(commune: Commune, geography: Geography, street: str = "") -> list:
    return [
        {
            "usageAdresse": "02",
            "libelleVoie": street,
            "cogCommune": _cog(commune, geography),
            "codePostal": commune.postcode,
            "ligneAcheminement": commune.name,
        }
    ]


class StructuresJsonWriter:
    """Writes the national "Structures" JSON in the official format (keys as in the ANS
    sample: gcc, gco, pmej with nested ege), in constant memory: legal entities go to a side
    file as each département is generated, GHT and groupements are written first at the end
    (as in the published file), then the legal entities are appended."""

    def __init__(self, path: Path, seed: int):
        self.path = Path(path)
        self.side = self.path.with_name(self.path.name + ".pmej.tmp")
        self.rng = random.Random(seed + 2)
        self.handle = open(self.side, "w", encoding="utf-8")  # noqa: SIM115
        self.entities = 0
        self.establishments = 0
        self.next_pm = 1
        self.next_ege = 1
        self.ght_members: dict[str, list] = defaultdict(list)  # region -> [pm id]
        self.groupements: list[dict] = []
        self.first = True

    def _write(self, record: dict) -> None:

        self.handle.write(("" if self.first else ",\n") + json.dumps(record, ensure_ascii=False))
        self.first = False

    def departement(self, geography: Geography, rows: list) -> None:
        sites: dict[str, list] = defaultdict(list)
        entities: list[EntityRow] = []
        for row in rows:
            if isinstance(row, EntityRow):
                entities.append(row)
            else:
                sites[row.entity.finess].append(row)
        pm_ids = []
        for entity in entities:
            own = sites.get(entity.finess, [])
            hospital = entity.legal_status == PUB and any(
                s.category.code in HOSPITAL_CATEGORIES for s in own
            )
            statut = "13" if hospital else entity.legal_status_code
            pm_id = str(self.next_pm)
            self.next_pm += 1
            pm_ids.append(pm_id)
            if hospital:
                self.ght_members[geography.region_code].append(pm_id)
            self._write(
                self._entity(pm_id, entity.finess, entity.name, statut, entity, own, geography)
            )
        for _ in range(max(1, len(rows) // GCO_PER_ESTABLISHMENTS)):
            statut, gco_type = _pick(self.rng, [((s, t), w) for s, t, w in GCO_KINDS])
            pm_id = str(self.next_pm)
            self.next_pm += 1
            number = self.numbers.allocate(geography, "ej")
            commune = self.rng.choice(geography.communes)
            name = f"GROUPEMENT {self.rng.choice(NICE_NAMES)} {commune.name}"
            record = self._entity(pm_id, number, name, statut, None, [], geography, commune=commune)
            self._write(record)
            members = self.rng.sample(pm_ids, min(len(pm_ids), self.rng.randint(2, 6)))
            self.groupements.append(
                {
                    "pmSmsseId": pm_id,
                    "typeGco": gco_type,
                    "pmejDuGco": [{"pmSmsseId": m, "typeRoleEntiteGroupe": "M"} for m in members],
                    "egeDuGco": [],
                }
            )

    def _entity(self, pm_id, finess, name, statut, entity, sites, geography, commune=None) -> dict:
        commune = commune or entity.commune
        self.entities += 1
        ege = []
        for site in sites:
            self.establishments += 1
            ege.append(
                {
                    "informationsGeneralesEGE": {
                        "egeId": str(self.next_ege),
                        "numFinessEge": site.finess,
                        "nomEgeCourt": site.name,
                        "nomEgeLong": site.long_name,
                        "siret": site.siret,
                        "dateOuverture": site.opened_on.isoformat(),
                        "datePremiereAutorisation": site.authorised_on.isoformat(),
                    },
                    "categorieentiteGeographiqueExercice": site.category.code,
                    "modefixationtarifaire": STATUS_CODES[site.entity.legal_status][1],
                    "adresse": _address(site.commune, geography, site.address),
                    "contact": [
                        {"typeContact": {"roleContact": "01"}, "telecom": {"telephone": site.phone}}
                    ],
                    "evenement": [],
                    "etatObjet": "A",
                    "dateDerniereMaj": f"{EXTRACT_DATE} 00:00:00",
                }
            )
            self.next_ege += 1
        return {
            "informationsGeneralesPMEJ": {
                "pmSmsseId": pm_id,
                "numFinessPm": finess,
                "denominationPm": name[:60],
                "denominationLonguePmSmsse": name,
                "siren": entity.siren if entity else f"{self.rng.randrange(10**8, 10**9)}",
                "statutJuridique": statut,
                "typePersonneMorale": "01",
                "dateCreation": "1990-01-01",
            },
            "adresse": _address(commune, geography),
            "contact": [],
            "evenement": [],
            "ege": ege,
            "etatObjet": "A",
            "dateDerniereMaj": f"{EXTRACT_DATE} 00:00:00",
        }

    def close(self, ght_list: list[tuple[str, str, str]]) -> None:
        """Assemble the file: GHT (one per line of the SAE GHT list, members spread over the
        region's public hospitals), groupements, then the legal entities."""

        self.handle.close()
        by_region: dict[str, list] = defaultdict(list)
        for code, name, region in ght_list:
            by_region[region].append((code, name))
        gcc = []
        for region, ghts in by_region.items():
            members = self.ght_members.get(region, [])
            shares = [members[i :: len(ghts)] for i in range(len(ghts))]
            for (code, name), share in zip(ghts, shares, strict=True):
                gcc.append(
                    {
                        "gccId": str(len(gcc) + 1),
                        "nomGcc": name,
                        "typeGcc": "001",
                        "gccIdentifiantExterne": code,
                        "pmejDuGcc": [
                            {"pmSmsseId": pm, "typeRoleEntiteGroupe": "S" if i == 0 else "M"}
                            for i, pm in enumerate(share)
                        ],
                        "egeDuGcc": [],
                        "etatObjet": "A",
                        "dateDerniereMaj": f"{EXTRACT_DATE} 00:00:00",
                    }
                )
        self.ght = len(gcc)
        with open(self.path, "w", encoding="utf-8") as out:
            out.write(
                '{"schemaVersion": "v1.0.0", "generatedAt": "' + EXTRACT_DATE + 'T05:00:00Z",\n'
            )
            out.write('"gcc": ' + json.dumps(gcc, ensure_ascii=False) + ",\n")
            out.write('"gco": ' + json.dumps(self.groupements, ensure_ascii=False) + ",\n")
            out.write('"pmej": [\n')
            with open(self.side, encoding="utf-8") as side:
                for chunk in iter(lambda: side.read(1 << 20), ""):
                    out.write(chunk)
            out.write("\n]}\n")
        self.side.unlink()

    def abort(self) -> None:
        self.handle.close()
        self.side.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


def ght_list() -> list[tuple[str, str, str]]:
    """(SAE code, name, region code) of the 136 GHT of 2022 (fixtures/sae-2022/GHT_2022r.csv)."""
    path = Path(settings.BASE_DIR) / "fixtures" / "sae-2022" / "GHT_2022r.csv"
    with open(path, encoding="cp1252", newline="") as handle:
        return [
            (row["CODE_GHT"], row["NOM_COMPLET_GHT"].strip(), row["CODE_GHT"][:2])
            for row in csv.DictReader(handle, delimiter=";")
            # One line of the 2022 file is broken (a name cut by a stray separator).
            if len(row["CODE_GHT"] or "") == 5 and row["CODE_GHT"].isdigit()
        ]


def write_structures_json(path: Path, establishments: int, *, seed: int = 2026) -> SyntheticReport:
    """The national "Structures" JSON for the import benchmark (no database access)."""
    report = SyntheticReport()
    generator = EstablishmentGenerator(seed, load_geography())
    writer = StructuresJsonWriter(path, seed)
    writer.numbers = generator.numbers
    try:
        counts = allocate(establishments, [g.weight for g in generator.geographies])
        for geography, count in zip(generator.geographies, counts, strict=True):
            writer.departement(geography, list(generator.departement(geography, count)))
        writer.close(ght_list())
    except BaseException:
        writer.abort()
        raise
    report.json_entities = writer.entities
    report.json_establishments = writer.establishments
    report.json_ght = writer.ght
    report.json_groupements = len(writer.groupements)
    return report


def check_extract_line(line: str) -> str | None:
    """Why a `structureet` line would be refused (used by the tests), or None."""
    fields = line.split(";")
    if len(fields) != 32:
        return f"{len(fields)} champs"
    return finess_error(fields[1]) or finess_error(fields[2])


# --- Loading into the database --------------------------------------------------------------


def _flush_register(entities: list, establishments: list, batch_size: int, dep_pks: dict):

    if entities:
        objects = [
            LegalEntity(
                finess=e.finess,
                name=e.name,
                legal_status=e.legal_status,
                legal_status_code=e.legal_status_code,
                siren=e.siren,
                address="",
                postcode=e.commune.postcode,
                commune_code=e.commune.insee,
                commune=e.commune.name,
                departement_id=dep_pks[e.geography.code],
            )
            for e in entities
        ]
        LegalEntity.objects.bulk_create(objects, batch_size=batch_size)
        for row, obj in zip(entities, objects, strict=True):
            row.pk = obj.pk
    if establishments:
        objects = [
            Establishment(
                finess=et.finess,
                legal_entity_id=et.entity.pk,
                name=et.name,
                long_name=et.long_name,
                category_code=et.category.code,
                category_label=et.category.label,
                aggregated_category_code=et.category.aggregated_code,
                aggregated_category_label=et.category.aggregated_label,
                legal_status=et.legal_status,
                sector=et.sector,
                siret=et.siret,
                phone=et.phone,
                address=et.address,
                postcode=et.commune.postcode,
                commune_code=et.commune.insee,
                commune=et.commune.name,
                departement_id=dep_pks[et.geography.code],
                opened_on=et.opened_on,
                authorised_on=et.authorised_on,
                finess_updated_on=date.fromisoformat(EXTRACT_DATE),
            )
            for et in establishments
        ]
        Establishment.objects.bulk_create(objects, batch_size=batch_size)
        for row, obj in zip(establishments, objects, strict=True):
            row.pk = obj.pk


@dataclass(frozen=True)
class Candidate:
    """What cooperation building needs to know about an establishment (kept for all ET)."""

    et_pk: int
    ej_pk: int
    hospital: bool


def load_register(
    *,
    establishments: int,
    seed: int,
    batch_size: int,
    writer: FinessExtractWriter | None,
    report: SyntheticReport,
) -> dict[str, list[Candidate]]:
    """Create EJ and ET; return, per département code, the ET that may join cooperations."""

    taken = set(Establishment.objects.values_list("finess", flat=True))
    taken |= set(LegalEntity.objects.values_list("finess", flat=True))
    dep_pks = dict(Departement.objects.values_list("code", "pk"))
    generator = EstablishmentGenerator(seed, load_geography(), taken)
    candidates: dict[str, list[Candidate]] = defaultdict(list)
    entities: list[EntityRow] = []
    sites: list[EstablishmentRow] = []

    def flush():
        _flush_register(entities, sites, batch_size, dep_pks)
        for et in sites:
            if et.category.cooperates:
                candidates[et.geography.code].append(
                    Candidate(et.pk, et.entity.pk, et.category.code in HOSPITAL_CATEGORIES)
                )
        report.legal_entities += len(entities)
        report.establishments += len(sites)
        entities.clear()
        sites.clear()

    for row in generator.rows(establishments):
        if isinstance(row, EntityRow):
            entities.append(row)
            continue
        sites.append(row)
        if writer:
            writer.write(row)
        if len(sites) >= batch_size:
            flush()
    flush()
    return candidates


MEMBER_COUNTS = ((2, 25), (3, 25), (4, 18), (5, 12), (6, 9), (8, 7), (12, 3), (30, 1))


def _members(rng: random.Random, pool: list[Candidate], hospitals: list[Candidate], size: int):
    """(porteur, others): distinct ET, the porteur most often a hospital."""
    size = min(size, len(pool))
    porteur = rng.choice(hospitals) if hospitals and rng.random() < 0.6 else rng.choice(pool)
    others: list[Candidate] = []
    seen = {porteur.et_pk}
    # Bounded: a small pool simply gives a smaller cooperation.
    for _ in range(size * 3):
        if len(others) >= size - 1:
            break
        candidate = rng.choice(pool)
        if candidate.et_pk not in seen:
            seen.add(candidate.et_pk)
            others.append(candidate)
    return porteur, others


def load_cooperations(
    *,
    count: int,
    seed: int,
    batch_size: int,
    candidates: dict[str, list[Candidate]],
    report: SyntheticReport,
) -> list[int]:
    """Create the cooperations with their members; return their ids."""

    rng = random.Random(seed + 2)
    departements = list(Departement.objects.select_related("ars").order_by("code"))
    by_region: dict[str, list] = defaultdict(list)
    for departement in departements:
        by_region[departement.ars.region_code].append(departement)
    usable = [d for d in departements if len(candidates.get(d.code, ())) >= 2]
    if count and not usable:
        raise ValueError(
            "Pas assez d'établissements pour former des coopérations : augmentez --establishments."
        )
    hospitals = {d.code: [c for c in candidates[d.code] if c.hospital] for d in usable}
    forms = list(LegalForm.objects.all())
    form_weights = [
        (f, 0.2 if f.is_historical else LEGAL_FORM_WEIGHTS.get(f.code, 1)) for f in forms
    ]
    themes = list(Theme.objects.all())
    typologies = list(Typology.objects.all())
    typology_weights = [
        (t, {"parcours": 45, "efficience": 40, "isolement": 15}.get(t.code, 10)) for t in typologies
    ]
    Departements = Cooperation.departements.through
    Themes = Cooperation.themes.through
    Typologies = Cooperation.typologies.through
    per_departement = allocate(count, [len(candidates[d.code]) for d in usable])
    plan = [d for d, n in zip(usable, per_departement, strict=True) for _ in range(n)]
    rng.shuffle(plan)
    ids: list[int] = []
    reason = "Jeu de données synthétique (banc de performance)"
    for start in range(0, len(plan), batch_size):
        chunk = plan[start : start + batch_size]
        coops, extras = [], []
        for offset, main in enumerate(chunk):
            number = start + offset + 1
            theme = rng.choice(themes) if themes else None
            legal_form = _pick(rng, form_weights) if forms else None
            phase = _pick(rng, PHASE_WEIGHTS)
            launched = date(2017, 1, 1) + timedelta(days=rng.randrange(0, 3300))
            decided = starts = ends = None
            if phase != "comprendre":
                decided = launched + timedelta(days=rng.randrange(60, 400))
            if phase in {"mettre_en_oeuvre", "evaluer", "cloturee"}:
                starts = decided + timedelta(days=rng.randrange(0, 180))
                ends = starts + timedelta(days=365 * rng.randrange(3, 6))
            pool = candidates[main.code]
            place = main.name
            pattern = TITLE_PATTERNS.get(theme.code, theme.name) if theme else "Coopération"
            coops.append(
                Cooperation(
                    title=f"{pattern} – {place}",
                    objectives=(
                        f"Organiser ensemble « {pattern.lower()} » entre les établissements "
                        f"du territoire ({main.name}) et en suivre les effets."
                    ),
                    pilot_ars_id=main.ars_id,
                    project_territory=main.name,
                    nature=(legal_form.nature if legal_form else Nature.FONCTIONNELLE),
                    legal_form=legal_form,
                    phase=phase,
                    launched_on=launched,
                    decided_on=decided,
                    starts_on=starts,
                    ends_on=ends,
                    external_code=f"{COOPERATION_CODE_PREFIX}{number:06d}",
                )
            )
            size = _pick(rng, MEMBER_COUNTS)
            porteur, others = _members(rng, pool, hospitals[main.code], size)
            other_deps = [d for d in by_region[main.ars.region_code] if d.pk != main.pk]
            deps = [main]
            if other_deps and rng.random() < 0.25:
                deps += rng.sample(other_deps, min(len(other_deps), rng.choice([1, 1, 2])))
            extra_themes = [theme] if theme else []
            if len(themes) > 1 and rng.random() < 0.3:
                second = rng.choice(themes)
                if second != theme:
                    extra_themes.append(second)
            typology = _pick(rng, typology_weights) if typologies else None
            extras.append((porteur, others, deps, extra_themes, typology, decided or launched))
        bulk_create_with_history(
            coops, Cooperation, batch_size=batch_size, default_change_reason=reason
        )
        links_dep, links_theme, links_typo, memberships = [], [], [], []
        for coop, (porteur, others, deps, coop_themes, typology, joined) in zip(
            coops, extras, strict=True
        ):
            ids.append(coop.pk)
            links_dep += [Departements(cooperation_id=coop.pk, departement_id=d.pk) for d in deps]
            links_theme += [Themes(cooperation_id=coop.pk, theme_id=t.pk) for t in coop_themes]
            if typology:
                links_typo.append(Typologies(cooperation_id=coop.pk, typology_id=typology.pk))
            memberships.append(
                Membership(
                    cooperation_id=coop.pk,
                    establishment_id=porteur.et_pk,
                    role="porteur",
                    joined_on=joined,
                )
            )
            member_ejs = {porteur.ej_pk}
            for member in others:
                left_on = None
                if rng.random() < 0.05:
                    left_on = joined + timedelta(days=rng.randrange(30, 900))
                as_entity = rng.random() < 0.1 and member.ej_pk not in member_ejs
                member_ejs.add(member.ej_pk)
                memberships.append(
                    Membership(
                        cooperation_id=coop.pk,
                        establishment_id=None if as_entity else member.et_pk,
                        legal_entity_id=member.ej_pk if as_entity else None,
                        role="associe" if rng.random() < 0.1 else "membre",
                        joined_on=joined,
                        left_on=left_on,
                    )
                )
        Departements.objects.bulk_create(links_dep, batch_size=batch_size)
        Themes.objects.bulk_create(links_theme, batch_size=batch_size)
        Typologies.objects.bulk_create(links_typo, batch_size=batch_size)
        bulk_create_with_history(
            memberships, Membership, batch_size=batch_size, default_change_reason=reason
        )
        report.cooperations += len(coops)
        report.memberships += len(memberships)
    return ids


def load_users(*, directors: int, report: SyntheticReport) -> None:
    """One agent per ARS and referents of the ET that belong to the most cooperations."""

    # One hash for all: hashing is deliberately slow.
    password = make_password(SYNTHETIC_PASSWORD)
    users = [
        User(
            username=f"{USERNAME_PREFIX}agent.{ars.region_code}",
            email=f"agent.{ars.region_code}@synthetique.invalid",
            first_name="Agent",
            last_name=ars.region_name,
            role=Role.ARS_AGENT,
            ars=ars,
            password=password,
            job_title="Chargé de mission coopérations (synthétique)",
        )
        for ars in ARS.objects.all()
    ]
    busiest = list(
        Establishment.objects.filter(
            memberships__left_on__isnull=True,
            memberships__cooperation__external_code__startswith=COOPERATION_CODE_PREFIX,
        )
        .annotate(active=Count("memberships"))
        .order_by("-active", "pk")
        .values_list("pk", "name")[:directors]
    )
    for index, (_pk, name) in enumerate(busiest, start=1):
        users.append(
            User(
                username=f"{USERNAME_PREFIX}directeur.{index:03d}",
                email=f"directeur.{index:03d}@synthetique.invalid",
                first_name="Direction",
                last_name=name[:150],
                role=Role.REFERENT,
                password=password,
                job_title="Directeur d'établissement (synthétique)",
            )
        )
    User.objects.bulk_create(users)
    created = {u.username: u.pk for u in users}
    Through = User.establishments.through
    Through.objects.bulk_create(
        Through(user_id=created[f"{USERNAME_PREFIX}directeur.{index:03d}"], establishment_id=pk)
        for index, (pk, _name) in enumerate(busiest, start=1)
    )
    report.users = len(users)


# Kit data: what the benchmarked pages read (KIT 1 steps, evaluations, activities), one
# generator per kit below. Kit rows are bulk-inserted without history records: they are
# benchmark fixtures, not user changes.
VALIDATED_STEPS_BY_PHASE = {
    "comprendre": 1, "decider": 4, "mettre_en_oeuvre": 8, "evaluer": 11, "cloturee": 99,
}  # fmt: skip
ACTIVITY_TITLES = [
    "Gouvernance et instances", "Organisation médicale commune", "Système d'information",
    "Ressources humaines partagées", "Communication aux équipes", "Logistique et achats",
]  # fmt: skip


def _coops(ids: list[int]):

    for start in range(0, len(ids), 2000):
        yield from Cooperation.objects.filter(pk__in=ids[start : start + 2000]).values(
            "pk", "phase", "legal_form_id", "launched_on", "decided_on", "starts_on"
        )


def _step_dates(state: str, launched_on, index: int, rng) -> dict:
    """Timestamps as the workflow leaves them: the ARS queue sorts on submitted_at."""
    if state == "not_started":
        return {}
    base = launched_on or date(2024, 1, 1)
    day = base + timedelta(days=30 * index)
    started = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    started += timedelta(minutes=rng.randrange(600))
    dates = {"started_at": started}
    if state in {"submitted", "validated", "returned"}:
        dates["submitted_at"] = started + timedelta(days=rng.randrange(5, 25), hours=2)
    if state in {"validated", "returned"}:
        dates["decided_at"] = dates["submitted_at"] + timedelta(days=rng.randrange(1, 15))
    return dates


SYNTHETIC_MOVE = "Données synthétiques"


def _log_moves(log, subject: str, objects: list, *, initial: str, field: str, at, batch_size):
    """The history of objects created directly in their state: one `log` row (a
    core.workflow.TransitionLog, `subject` its foreign key) per object not in its `initial`
    state, from that state to its own, by no one (actor None: the generator put it there),
    commented SYNTHETIC_MOVE and dated by `at` (an expression on the object's model).
    Bulk writes only: an insert and an UPDATE per batch, no query per object."""
    rows = [
        log(
            **{subject: obj},
            from_state=initial,
            to_state=getattr(obj, field),
            actor=None,
            comment=SYNTHETIC_MOVE,
        )
        for obj in objects
        if getattr(obj, field) != initial
    ]
    log.objects.bulk_create(rows, batch_size=batch_size)
    # `at` is auto_now_add (the insert writes now): each row then takes its object's date.
    model = log._meta.get_field(subject).related_model
    moved_at = Subquery(model.objects.filter(pk=OuterRef(f"{subject}_id")).values(moved=at)[:1])
    for start in range(0, len(rows), batch_size):
        pks = [row.pk for row in rows[start : start + batch_size]]
        log.objects.filter(pk__in=pks).update(at=moved_at)


def _kit1_steps(cooperation_ids, rng, batch_size) -> int:

    version = FichesCatalogue.objects.filter(is_current=True).first()
    if version is None:
        raise LookupError("aucune version du catalogue des fiches en vigueur")
    fiches = list(version.fiches.prefetch_related("legal_forms").order_by("number"))
    forms = {f.pk: {lf.pk for lf in f.legal_forms.all()} for f in fiches}
    created, batch = 0, []
    for coop in _coops(cooperation_ids):
        mine = [f for f in fiches if not forms[f.pk] or coop["legal_form_id"] in forms[f.pk]]
        validated = VALIDATED_STEPS_BY_PHASE.get(coop["phase"], 0)
        for index, fiche in enumerate(mine):
            state = "not_started"
            if index < validated:
                state = "validated"
            elif index == validated:
                state = rng.choice(["in_progress", "submitted", "returned"])
            batch.append(
                Step(
                    cooperation_id=coop["pk"],
                    fiche=fiche,
                    number=fiche.number,
                    state=state,
                    **_step_dates(state, coop["launched_on"], index, rng),
                )
            )
        if len(batch) >= batch_size:
            created += _create_steps(batch, batch_size)
            batch = []
    return created + _create_steps(batch, batch_size)


def _create_steps(batch: list[Step], batch_size: int) -> int:
    """Insert the steps and their history (one log row per step already moved)."""
    Step.objects.bulk_create(batch, batch_size=batch_size)
    _log_moves(
        StepTransition,
        "step",
        batch,
        initial=StepState.NOT_STARTED,
        field="state",
        at=Coalesce("decided_at", "submitted_at", "started_at"),
        batch_size=batch_size,
    )
    return len(batch)


def _evaluations(cooperation_ids, rng, batch_size) -> int:

    version = EvalImpactCatalogue.objects.filter(is_current=True).first()
    if version is None:
        raise LookupError("aucune version du catalogue Eval'Impact en vigueur")
    axes = list(Axis.objects.filter(version=version))
    batch = []
    for coop in _coops(cooperation_ids):
        kinds = {"mettre_en_oeuvre": ["potential"], "evaluer": ["potential", "effective"]}
        kinds["cloturee"] = kinds["evaluer"]
        for kind in kinds.get(coop["phase"], []):
            scores = {str(a.code): round(rng.uniform(20, 95), 1) for a in axes}
            day = coop["decided_on"] or coop["launched_on"]
            if kind == "effective":
                day = (coop["starts_on"] or day) + timedelta(days=365)
            batch.append(
                Evaluation(
                    cooperation_id=coop["pk"],
                    catalogue=version,
                    kind=kind,
                    evaluated_on=day,
                    status="final",
                    axis_scores=scores,
                    overall_score=round(sum(scores.values()) / max(1, len(scores)), 1),
                )
            )
    Evaluation.objects.bulk_create(batch, batch_size=batch_size)
    _log_moves(
        EvaluationTransition,
        "evaluation",
        batch,
        initial=EvaluationStatus.DRAFT,
        field="status",
        at=Cast("evaluated_on", DateTimeField()),
        batch_size=batch_size,
    )
    return len(batch)


def _activities(cooperation_ids, rng, batch_size) -> int:

    activities, plans = [], []
    for coop in _coops(cooperation_ids):
        if coop["phase"] not in {"mettre_en_oeuvre", "evaluer", "cloturee"}:
            continue
        start = coop["starts_on"] or coop["decided_on"] or coop["launched_on"]
        for order, title in enumerate(rng.sample(ACTIVITY_TITLES, 3), start=1):
            activities.append(Activity(cooperation_id=coop["pk"], title=title, order=order))
            plans.append((start, coop["phase"]))
    Activity.objects.bulk_create(activities, batch_size=batch_size)
    # bulk_create sends no post_save: the tracking dates the home page filters on
    # (suivi.tracking) are computed here, in one pass, for the cooperations just tracked.
    tracking.refresh({activity.cooperation_id for activity in activities})
    deliverables = []
    for activity, (start, phase) in zip(activities, plans, strict=True):
        for number in (1, 2):
            planned = start + timedelta(days=rng.randrange(60, 720))
            done = phase == "cloturee" or (phase == "evaluer" and number == 1)
            deliverables.append(
                Deliverable(
                    activity_id=activity.pk,
                    kind="jalon" if number == 2 else "livrable",
                    title=f"{activity.title} : {'jalon' if number == 2 else 'livrable'} {number}",
                    planned_on=planned,
                    done_on=planned if done else None,
                    progress=100 if done else rng.choice([0, 20, 50, 80]),
                )
            )
    Deliverable.objects.bulk_create(deliverables, batch_size=batch_size)
    return len(activities) + len(deliverables)


# In KIT_APPS order (each kit's random stream is seeded by its place there). The conventions
# kit has none: no benchmarked page reads a convention.
KIT_GENERATORS = {"fiches": _kit1_steps, "evalimpact": _evaluations, "suivi": _activities}


def load_kits(*, cooperation_ids: list[int], seed: int, batch_size: int, report) -> None:
    """Kit data for the cooperations of `cooperation_ids`; `report.kits[app]` says, per kit
    of KIT_APPS, "<n> objets créés" or why it was skipped.

    A kit whose generator fails (no current catalogue: LookupError; a database error…) is
    skipped in a savepoint, so the rest of the dataset stays, and the reason reported.
    """
    for index, app in enumerate(KIT_APPS):
        rng = random.Random(seed + 10 + index)
        generator = KIT_GENERATORS.get(app)
        if generator is None:
            report.kits[app] = "ignoré : pas de générateur pour ce kit"
            continue
        try:
            with transaction.atomic():
                created = generator(cooperation_ids, rng, batch_size)
        except (LookupError, AttributeError, TypeError, ValueError, DatabaseError) as error:
            report.kits[app] = f"ignoré : {type(error).__name__} ({str(error)[:200]})"
            continue
        report.kits[app] = f"{created} objets créés"


def synthetic_data_present() -> bool:

    return (
        Cooperation.objects.filter(external_code__startswith=COOPERATION_CODE_PREFIX).exists()
        or User.objects.filter(username__startswith=USERNAME_PREFIX).exists()
    )


def generate(
    *,
    establishments: int,
    cooperations: int,
    seed: int = 2026,
    finess_file: Path | None = None,
    batch_size: int = 2000,
    directors: int = 50,
    with_kits: bool = True,
    write: Callable[[str], None] = lambda _message: None,
) -> SyntheticReport:
    """Load the whole dataset in one transaction: a failure leaves nothing behind."""

    if synthetic_data_present():
        raise SyntheticDataExists(
            "Des données synthétiques sont déjà chargées dans cette base (coopérations "
            f"« {COOPERATION_CODE_PREFIX}… » ou comptes « {USERNAME_PREFIX}… ») : "
            "utilisez une base neuve."
        )
    report = SyntheticReport()
    writer = FinessExtractWriter(finess_file, establishments, seed) if finess_file else None
    try:
        with transaction.atomic():
            clock = time.perf_counter()
            candidates = load_register(
                establishments=establishments,
                seed=seed,
                batch_size=batch_size,
                writer=writer,
                report=report,
            )
            report.seconds["établissements"] = time.perf_counter() - clock
            write(
                f"{report.establishments} établissements et {report.legal_entities} entités "
                f"juridiques créés ({report.seconds['établissements']:.1f} s)"
            )
            clock = time.perf_counter()
            ids = load_cooperations(
                count=cooperations,
                seed=seed,
                batch_size=batch_size,
                candidates=candidates,
                report=report,
            )
            report.seconds["coopérations"] = time.perf_counter() - clock
            write(
                f"{report.cooperations} coopérations et {report.memberships} adhésions créées "
                f"({report.seconds['coopérations']:.1f} s)"
            )
            clock = time.perf_counter()
            load_users(directors=directors, report=report)
            if with_kits:
                load_kits(cooperation_ids=ids, seed=seed, batch_size=batch_size, report=report)
            report.seconds["comptes et kits"] = time.perf_counter() - clock
    except BaseException:
        if writer:
            writer.abort()
        raise
    if writer:
        writer.close()
        report.finess_lines, report.geolocation_lines = writer.lines, writer.geolocations
    return report
