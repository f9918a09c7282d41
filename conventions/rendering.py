"""Named fields of clause bodies and their safe substitution.

Admins write clause bodies with named fields such as {{ nom }} or {{ membres }}. We never
hand those bodies to a template engine: a regular expression replaces each known name
with plain text computed here, so an admin cannot reach objects, filters or tags.
Escaping happens later, where the text is written (HTML autoescape, PDF, DOCX).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


@dataclass
class Missing:
    """A piece of data a mandatory clause needs, with where to fill it in."""

    message: str
    url: str


@dataclass
class MemberFacts:
    membership: object
    terms: object | None

    @property
    def name(self) -> str:
        return self.membership.member_name

    @property
    def is_public(self) -> bool:
        return self.membership.member.legal_status == "public"

    @property
    def is_health_establishment(self) -> bool:
        membership = self.membership
        if membership.establishment_id:
            return membership.establishment.sector == "sanitaire"
        # A whole legal entity counts when it runs at least one health establishment.
        return any(e.sector == "sanitaire" for e in membership.legal_entity.establishments.all())


@dataclass
class Facts:
    """Everything a convention needs, loaded once (see facts_for())."""

    cooperation: object
    data: object
    members: list[MemberFacts] = field(default_factory=list)

    def data_url(self, anchor: str) -> str:
        return reverse("conventions:data", args=[self.cooperation.pk]) + f"#id_{anchor}"

    def terms_url(self, member: MemberFacts, anchor: str) -> str:
        return (
            reverse("conventions:member_terms", args=[self.cooperation.pk, member.membership.pk])
            + f"#id_{anchor}"
        )

    def cooperation_url(self, anchor: str) -> str:
        return reverse("cooperations:edit", args=[self.cooperation.pk]) + f"#id_{anchor}"


def percent(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal("0.01"))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def euros(value) -> str:
    value = Decimal(value).quantize(Decimal("0.01"))
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    return f"{grouped} €" if cents == "00" else f"{grouped},{cents} €"


def long_date(value) -> str:
    text = date_format(value, "j F Y")
    return f"1er{text[1:]}" if value.day == 1 else text


@dataclass(frozen=True)
class Placeholder:
    label: str
    value: Callable  # (Facts) -> str ("" when unknown)
    missing: Callable | None = None  # (Facts) -> list[Missing]; default: value empty


# The ConventionData fields each named field reads: the data form shows only these.
DATA_FIELDS = {
    "siege": ("seat",),
    "duree": ("indefinite_duration", "duration_years"),
    "nature_juridique": ("law_nature",),
    "capital": ("has_capital", "capital_amount"),
    "gouvernance": ("governance",),
    "administrateur": ("administrator",),
    "comptabilite": ("accounting",),
    "modalites_financieres": ("financial_terms",),
    "personnels": ("staff",),
    "equipements": ("equipment",),
    "praticiens": ("practitioners",),
    "adhesion_retrait": ("membership_rules",),
    "dissolution": ("dissolution",),
    "etablissement_support": ("support_membership",),
    "projet_medical": ("shared_medical_project",),
    "projet_soins": ("shared_care_project",),
    "fonctions_mutualisees": ("pooled_functions",),
    "comite_suivi": ("follow_up_committee",),
    "administrateur_adjoint": ("deputy_administrator",),
    "directeur": ("director",),
    "personnels_parties": ("parties_staff",),
    "resiliation": ("termination",),
    "repartition_activites": ("activities_split",),
    "exploitation": ("operating_terms",),
    "responsabilite_patients": ("liability_insurance",),
    "facturation": ("billing",),
    "donnees_personnelles": ("data_protection",),
    "delegations_ght": ("ght_delegations",),
    "chu": ("university_hospital",),
    "instances_ght": ("ght_bodies",),
    "instances_eps": ("public_establishment_bodies",),
}


def data_fields_for(template) -> set[str]:
    """ConventionData fields the template's clauses use."""
    fields = set()
    for clause in template.clauses.all():
        for name in placeholders_in(clause.body):
            fields.update(DATA_FIELDS.get(name, ()))
    return fields


def _text(attr: str, message: str):
    """A free-text field of ConventionData; `message` says, in French, that it is missing."""

    def value(facts: Facts) -> str:
        return (getattr(facts.data, attr) or "").strip()

    def missing(facts: Facts) -> list[Missing]:
        if value(facts):
            return []
        return [Missing(message, facts.data_url(attr))]

    return value, missing


def _members_list(facts: Facts) -> str:
    lines = []
    for m in facts.members:
        membership = m.membership
        member = membership.member
        kind = "établissement" if membership.establishment_id else "entité juridique"
        line = (
            f"- {m.name}, {kind} de statut {member.get_legal_status_display().lower()}, "
            f"FINESS {membership.finess}"
        )
        commune = getattr(member, "commune", "")
        if commune:
            line += f", {commune}"
        if m.terms and m.terms.representative:
            line += f", représenté(e) par {m.terms.representative}"
        line += f" ({membership.get_role_display().lower()})"
        lines.append(line)
    return "\n".join(lines)


def _members_missing(facts: Facts) -> list[Missing]:
    if not facts.members:
        return [
            Missing(
                "La coopération n'a aucun membre actif.",
                reverse("cooperations:member_add", args=[facts.cooperation.pk]),
            )
        ]
    return [
        Missing(
            f"Le représentant signataire de {m.name} n'est pas renseigné.",
            facts.terms_url(m, "representative"),
        )
        for m in facts.members
        if not (m.terms and m.terms.representative)
    ]


def _per_member(attr: str, label: str, formatter=str):
    def value(facts: Facts) -> str:
        lines = []
        for m in facts.members:
            raw = getattr(m.terms, attr, None) if m.terms else None
            if raw in (None, ""):
                return ""
            lines.append(f"- {m.name} : {formatter(raw)}")
        return "\n".join(lines)

    def missing(facts: Facts) -> list[Missing]:
        return [
            Missing(f"{label} de {m.name} est manquante.", facts.terms_url(m, attr))
            for m in facts.members
            if not m.terms or getattr(m.terms, attr) in (None, "")
        ]

    return value, missing


def _duration(facts: Facts) -> str:
    data = facts.data
    if data.indefinite_duration:
        return "une durée indéterminée"
    if data.duration_years:
        return f"une durée de {data.duration_years} an{'s' if data.duration_years > 1 else ''}"
    return ""


def _duration_missing(facts: Facts) -> list[Missing]:
    if _duration(facts):
        return []
    return [
        Missing("La durée de la convention n'est pas renseignée.", facts.data_url("duration_years"))
    ]


def _start(facts: Facts) -> str:
    starts = facts.cooperation.starts_on
    return long_date(starts) if starts else ""


def _start_missing(facts: Facts) -> list[Missing]:
    if _start(facts):
        return []
    return [
        Missing(
            "La date d'effet de la coopération n'est pas renseignée.",
            facts.cooperation_url("starts_on"),
        )
    ]


def _capital(facts: Facts) -> str:
    data = facts.data
    if data.has_capital is False:
        return "est constitué sans capital"
    if data.has_capital and data.capital_amount is not None:
        return f"dispose d'un capital de {euros(data.capital_amount)}"
    return ""


def _capital_missing(facts: Facts) -> list[Missing]:
    data = facts.data
    if data.has_capital is None:
        return [
            Missing(
                "Il faut indiquer si le groupement a un capital.", facts.data_url("has_capital")
            )
        ]
    if data.has_capital and data.capital_amount is None:
        return [Missing("Le montant du capital est manquant.", facts.data_url("capital_amount"))]
    return []


def _is_liberal(member: MemberFacts) -> bool:
    return bool(member.terms and member.terms.liberal_professional) and not member.is_public


def required_law_nature(facts: Facts) -> str:
    """The nature CSP L6133-3 I imposes on a GCS, "" when the members choose.

    Only public persons, or public persons and liberal health professionals → "public";
    only private persons → "prive"; public and other private persons → "" (chosen in the
    convention constitutive).
    """
    if not facts.members:
        return ""
    public = [m for m in facts.members if m.is_public]
    if not public:
        return "prive"
    if all(m.is_public or _is_liberal(m) for m in facts.members):
        return "public"
    return ""


def nature_reason(facts: Facts) -> str:
    """Why the nature is what it is, in words (CSP L6133-3 I)."""
    required = required_law_nature(facts)
    if required == "public":
        if any(_is_liberal(m) for m in facts.members):
            return (
                "Le groupement ne réunit que des personnes publiques et des professionnels libéraux"
            )
        return "Le groupement ne réunit que des personnes publiques"
    if required == "prive":
        return "Le groupement ne réunit que des personnes privées"
    return (
        "Le groupement réunit des personnes publiques et des personnes privées : "
        "ses membres choisissent sa nature juridique dans la convention constitutive"
    )


def _law_nature(facts: Facts) -> str:
    nature = facts.data.law_nature
    return f"de {facts.data.get_law_nature_display().lower()}" if nature else ""


def _law_nature_missing(facts: Facts) -> list[Missing]:
    if facts.data.law_nature:
        return []
    return [
        Missing(
            "La nature juridique (droit public ou privé) n'est pas choisie.",
            facts.data_url("law_nature"),
        )
    ]


def _support(facts: Facts) -> str:
    support = facts.data.support_membership
    if support is None:
        return ""
    return f"{support.member_name} (FINESS {support.finess})"


def _support_missing(facts: Facts) -> list[Missing]:
    if facts.data.support_membership_id:
        return []
    return [
        Missing("L'établissement support n'est pas désigné.", facts.data_url("support_membership"))
    ]


def _objet(facts: Facts) -> str:
    return (facts.cooperation.objectives or "").strip()


def _objet_missing(facts: Facts) -> list[Missing]:
    if _objet(facts):
        return []
    return [
        Missing(
            "L'objet (objectifs) de la coopération n'est pas renseigné.",
            facts.cooperation_url("objectives"),
        )
    ]


def _form_name(facts: Facts) -> str:
    """The form's name as it reads inside a sentence ("un groupement…", but "un GCS…")."""
    name = facts.cooperation.legal_form.name if facts.cooperation.legal_form else ""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _name(facts: Facts) -> str:
    return (facts.data.denomination or "").strip() or facts.cooperation.title


PLACEHOLDERS: dict[str, Placeholder] = {
    "nom": Placeholder("dénomination", _name, lambda facts: []),
    "objet": Placeholder("objet", _objet, _objet_missing),
    "forme": Placeholder("forme juridique", lambda f: _form_name(f), lambda f: []),
    "base_legale": Placeholder(
        "base légale",
        lambda f: f.cooperation.legal_form.legal_basis if f.cooperation.legal_form else "",
        lambda f: [],
    ),
    "ars": Placeholder("ARS pilote", lambda f: str(f.cooperation.pilot_ars), lambda f: []),
    "territoire": Placeholder(
        "territoire",
        lambda f: (
            f.cooperation.project_territory
            or ", ".join(str(d) for d in f.cooperation.departements.all())
        ),
        lambda f: [],
    ),
    "membres": Placeholder("membres", _members_list, _members_missing),
    "siege": Placeholder("siège", *_text("seat", "Le siège n'est pas renseigné.")),
    "duree": Placeholder("durée", _duration, _duration_missing),
    "date_effet": Placeholder("date d'effet", _start, _start_missing),
    "nature_juridique": Placeholder("nature juridique", _law_nature, _law_nature_missing),
    "motif_nature": Placeholder("motif de la nature juridique", nature_reason, lambda f: []),
    "capital": Placeholder("capital", _capital, _capital_missing),
    "apports": Placeholder("apports", *_per_member("contribution", "La description des apports")),
    "droits": Placeholder(
        "droits statutaires",
        *_per_member("rights_share", "La part des droits statutaires", percent),
    ),
    "charges": Placeholder(
        "part des charges", *_per_member("charges_share", "La part des charges", percent)
    ),
    "engagements": Placeholder(
        "engagements des parties", *_per_member("commitments", "La description des engagements")
    ),
    "gouvernance": Placeholder(
        "gouvernance", *_text("governance", "Les règles de gouvernance ne sont pas décrites.")
    ),
    "administrateur": Placeholder(
        "administrateur",
        *_text(
            "administrator",
            "Les modalités de désignation de l'administrateur ne sont pas décrites.",
        ),
    ),
    "comptabilite": Placeholder(
        "budget et comptabilité",
        *_text("accounting", "Le régime budgétaire et comptable n'est pas décrit."),
    ),
    "modalites_financieres": Placeholder(
        "modalités financières",
        *_text("financial_terms", "Les modalités financières ne sont pas décrites."),
    ),
    "personnels": Placeholder(
        "personnels du groupement",
        *_text("staff", "La situation des personnels du groupement n'est pas décrite."),
    ),
    "equipements": Placeholder(
        "équipements",
        *_text("equipment", "Les biens et équipements mis à disposition ne sont pas décrits."),
    ),
    "praticiens": Placeholder(
        "praticiens",
        *_text("practitioners", "Les conditions d'exercice des praticiens ne sont pas décrites."),
    ),
    "adhesion_retrait": Placeholder(
        "adhésion, retrait, exclusion",
        *_text(
            "membership_rules",
            "Les règles d'adhésion, de retrait et d'exclusion ne sont pas décrites.",
        ),
    ),
    "dissolution": Placeholder(
        "dissolution et liquidation",
        *_text(
            "dissolution",
            "Les cas de dissolution du groupement, sa liquidation et la dévolution des biens "
            "ne sont pas décrits.",
        ),
    ),
    "resiliation": Placeholder(
        "résiliation",
        *_text(
            "termination", "Les conditions de résiliation de la convention ne sont pas décrites."
        ),
    ),
    "administrateur_adjoint": Placeholder(
        "administrateur adjoint",
        *_text(
            "deputy_administrator",
            "La désignation de l'administrateur adjoint n'est pas décrite.",
        ),
    ),
    "directeur": Placeholder(
        "directeur",
        *_text("director", "La nomination et les pouvoirs du directeur ne sont pas décrits."),
    ),
    "personnels_parties": Placeholder(
        "personnels des parties",
        *_text(
            "parties_staff",
            "La situation des personnels de chaque partie n'est pas décrite.",
        ),
    ),
    "repartition_activites": Placeholder(
        "répartition des activités",
        *_text(
            "activities_split",
            "La répartition des activités entre le groupement et ses membres n'est pas décrite.",
        ),
    ),
    "exploitation": Placeholder(
        "exploitation des autorisations",
        *_text(
            "operating_terms",
            "Les conditions d'exploitation des autorisations des membres (admission, dossier "
            "médical, facturation) ne sont pas décrites.",
        ),
    ),
    "responsabilite_patients": Placeholder(
        "responsabilité et assurance",
        *_text(
            "liability_insurance",
            "La responsabilité et l'assurance de chaque partie à l'égard des patients ne sont "
            "pas décrites.",
        ),
    ),
    "facturation": Placeholder(
        "facturation",
        *_text("billing", "La partie qui facture l'Assurance maladie n'est pas désignée."),
    ),
    "donnees_personnelles": Placeholder(
        "protection des données",
        *_text(
            "data_protection",
            "Les rôles des parties au regard du RGPD ne sont pas décrits.",
        ),
    ),
    "delegations_ght": Placeholder(
        "délégations et emplois médicaux",
        *_text(
            "ght_delegations",
            "Les délégations, transferts d'activités et la répartition des emplois médicaux "
            "ne sont pas décrits.",
        ),
    ),
    "instances_ght": Placeholder(
        "instances du GHT",
        *_text(
            "ght_bodies",
            "La composition et le fonctionnement des instances du GHT ne sont pas décrits.",
        ),
    ),
    "instances_eps": Placeholder(
        "instances d'établissement public",
        *_text(
            "public_establishment_bodies",
            "La composition du conseil de surveillance et des instances n'est pas décrite.",
        ),
    ),
    "chu": Placeholder(
        "association au CHU",
        *_text("university_hospital", "L'association du GHT à un CHU n'est pas décrite."),
    ),
    "etablissement_support": Placeholder("établissement support", _support, _support_missing),
    "projet_medical": Placeholder(
        "projet médical partagé",
        *_text("shared_medical_project", "Le projet médical partagé n'est pas décrit."),
    ),
    "projet_soins": Placeholder(
        "projet de soins partagé",
        *_text("shared_care_project", "Le projet de soins partagé n'est pas décrit."),
    ),
    "fonctions_mutualisees": Placeholder(
        "fonctions mutualisées",
        *_text("pooled_functions", "Les fonctions mutualisées ne sont pas décrites."),
    ),
    "comite_suivi": Placeholder(
        "comité de suivi",
        *_text(
            "follow_up_committee",
            "La composition et le rôle du comité de suivi ne sont pas décrits.",
        ),
    ),
}


def placeholders_in(body: str) -> list[str]:
    seen = []
    for name in PLACEHOLDER_RE.findall(body or ""):
        if name not in seen:
            seen.append(name)
    return seen


ANY_BRACES_RE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)


def unknown_placeholders(body: str) -> list[str]:
    """Everything between braces that is not a known named field (attributes, filters and
    tags included): the admin is told at once instead of seeing it printed in a convention."""
    unknown = []
    for match in ANY_BRACES_RE.finditer(body or ""):
        inner = (match.group(1) if match.group(1) is not None else "%" + match.group(2)).strip()
        if inner not in PLACEHOLDERS and inner not in unknown:
            unknown.append(inner)
    return unknown


def missing_for(name: str, facts: Facts) -> list[Missing]:
    placeholder = PLACEHOLDERS[name]
    if placeholder.missing is not None:
        return placeholder.missing(facts)
    return [] if placeholder.value(facts) else [Missing(f"{placeholder.label} manquant", "")]


def render_body(body: str, facts: Facts) -> str:
    """Replace each known named field by its plain-text value; unknown names stay visible."""

    def replace(match):
        name = match.group(1)
        placeholder = PLACEHOLDERS.get(name)
        if placeholder is None:
            return match.group(0)
        value = placeholder.value(facts)
        return value if value else f"[à compléter : {placeholder.label}]"

    return PLACEHOLDER_RE.sub(replace, body or "")
