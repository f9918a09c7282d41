"""Each legal form's generated convention, read as a lawyer would (issue 12).

For every model convention KitCoop offers: the text carries every mandatory mention of its
legal basis with the article and item next to the clause, no placeholder is left, and no
clause of another form's vocabulary appears. Sources: CSP R6133-1 I (GCS), L6133-7 and
R6133-13 II (GCS-ES), L6132-1 s. and R6132-6 (GHT), CASF L312-7, L312-7-2 and R312-194-7
(GCSMS, GTSMS), loi 2011-525 art. 98-122 (GIP); ../shared/domain/legal-forms.md.
"""

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from conventions import services
from conventions.exports import version_docx, version_pdf
from conventions.models import ConventionTemplate
from cooperations.models import LegalForm
from fiches.models import ChooserRule
from tests.conventions.test_services import TEMPLATE_CODES, cooperation_for
from tests.cooperations.factories import CooperationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

SIMPLE = [
    # (clause key, reference next to it, words the clause must say)
    ("parties", "L6134-1 (faculté de conclure)", "ne crée pas de personne morale"),
    # What a lawyer expects of a contract (legal-forms.md), though no text imposes it.
    ("objet", "Stipulation contractuelle", "coopèrent pour"),
    ("engagements", "Stipulation contractuelle", "s'engage à"),
    ("duree", "Stipulation contractuelle", "conclue pour"),
    ("suivi", "Stipulation contractuelle", "Comité de suivi"),
    ("financier", "Stipulation contractuelle", "Dispositions financières"),
    ("personnels", "Stipulation contractuelle", "demeure l'employeur"),
    ("praticiens", "CSP R6152-1", "activité partagée"),
    ("responsabilite", "CSP L1142-1 I et L1142-2", "assurance de responsabilité civile"),
    ("facturation", "Stipulation contractuelle", "facturés à l'Assurance maladie"),
    ("donnees", "RGPD art. 26", "responsables conjointes"),
    ("resiliation", "Stipulation contractuelle", "résilier"),
    ("modification", "Stipulation contractuelle", "avenant"),
    ("juridiction", "CJA R312-11", "tribunal administratif"),
]
GCS = [
    ("denomination", "CSP R6133-1 I 1°", "Son siège est fixé"),
    (
        "objet",
        "CSP R6133-1 I 2°",
        "Les activités sont réparties entre le groupement et ses membres",
    ),
    ("membres", "CSP R6133-1 I 3°", "professionnels de santé libéraux"),
    ("nature", "CSP R6133-1 I 4° ; CSP L6133-3 I", "personne morale de droit public"),
    ("duree", "CSP R6133-1 I 5°", "personnalité morale"),
    ("charges", "CSP R6133-1 I 6°", "révisées chaque année"),
    ("droits", "CSP R6133-1 I 7°", "Les droits des membres"),
    ("responsabilite", "CSP R6133-1 I 8°", "dettes du groupement"),
    ("gouvernance", "CSP R6133-1 I 9°", "représenté à l'assemblée générale"),
    ("capital", "CSP R6133-1 I 10°", "sans capital"),
    ("comptabilite", "CSP R6133-1 I 11°", "Comptabilité"),
    ("equipements", "CSP R6133-1 I 12°", "restent la propriété"),
    ("personnels", "CSP R6133-1 I 12° bis", "régime de droit public ou de droit privé"),
    ("dissolution", "CSP R6133-1 I 13°", "dissous"),
    ("praticiens", "CSP R6133-1 I 14°", "praticiens"),
    ("administrateur", "CSP R6133-1 I 16°", "administrateur adjoint"),
    ("modification", "CSP R6133-1-1", "réputé approuvé"),
]
GCS_ES_PUBLIC = [
    ("denomination", "CSP R6133-1 I 1° ; CSP L6133-7", "érigé en établissement public de santé"),
    ("autorisation", "CSP L6133-7", "établissement public de santé"),
    ("decision-unique", "CSP R6133-17 ; L6133-8", "fixe son échelle tarifaire"),
    ("instances", "CSP L6133-7 ; R6133-13 II", "conseil de surveillance"),
    ("instances", "CSP L6133-7 ; R6133-13 II", "commission médicale d'établissement"),
    ("direction", "CSP R6133-13 II", "directeur"),
    ("comptabilite", "CSP R6133-1 I 11° ; CSP R6133-13 II", "1er janvier de l'année qui suit"),
    ("equipements", "CSP R6133-1 I 12°", "équipements"),
    ("personnels", "CSP R6133-1 I 12° bis", "établissements publics de santé"),
    ("dissolution", "CSP R6133-1 I 13°", "dissous"),
]
GCSMS = [
    (key, f"CASF R312-194-7 {item}°", words)
    for key, item, words in [
        ("denomination", 1, "Son siège est fixé"),
        ("objet", 2, "pour objet"),
        ("membres", 3, "membres"),
        ("nature", 4, "personne morale"),
        ("duree", 5, "représentant de l'État dans le département"),
        ("capital", 6, "capital"),
        ("droits", 7, "droits"),
        ("charges", 8, "charges"),
        ("responsabilite", 9, "dettes"),
        ("gouvernance", 10, "assemblée générale"),
        ("administrateur", 11, "administrateur"),
        ("comptabilite", 12, "omptabilité"),
        ("personnels", 12, "placés de plein droit"),
        ("adhesion", 13, "adhésion"),
        ("dissolution", 14, "dissous"),
    ]
]
MENTIONS = {
    "convention-cooperation": SIMPLE,
    "partenariat-esms": [
        ("parties", "CASF L312-7 1° (faculté de conclure)", "ne crée pas de personne morale"),
        *SIMPLE[1:],
    ],
    "gcs-moyens": GCS,
    "gcs-exploitant": [
        *GCS,
        ("exploitation", "CSP L6133-1 4°", "dossier médical"),
        ("responsabilite-patients", "CSP L6133-1 4° ; L1142-1 I", "assurance"),
        ("facturation", "CSP L6133-1 4°", "facture"),
    ],
    "gcs-es": GCS_ES_PUBLIC,
    "gcs-es-prive": [
        *[m for m in GCS if m[0] != "nature"],
        ("autorisation", "CSP L6133-7", "établissement de santé privé"),
        ("decision-unique", "CSP R6133-17 ; L6133-8", "fixe son échelle tarifaire"),
    ],
    "gcsms": GCSMS,
    "gtsms": [
        *GCSMS,
        ("denomination", "CASF R312-194-7 1° ; CASF L312-7-2", "groupement territorial social"),
        ("obligation", "CASF L312-7-2", "rejoindre un groupement hospitalier de territoire"),
    ],
    "ght": [
        ("constitution", "CSP L6132-1 ; L6132-5-2", "personnalité morale"),
        ("membres", "CSP L6132-1 I", "qu'à un seul groupement hospitalier de territoire"),
        ("membres", "CSP L6132-1 I", "médico-sociaux publics peuvent être parties"),
        ("support", "CSP L6132-3 I", "établissement support"),
        ("pmp", "CSP L6132-2 II 1°", "projet médical partagé"),
        ("psp", "CSP L6132-2 II", "Projet de soins partagé"),
        ("duree", "CSP L6132-2 II", "conclue pour"),
        ("delegations", "CSP L6132-2 II 2° à 4°", "répartition des emplois médicaux"),
        ("fonctions", "CSP L6132-3 I 1° à 5°", "ressources humaines médicales"),
        ("plateaux", "CSP L6132-3 II et III", "biologie médicale et de pharmacie"),
        ("chu", "CSP L6132-1 III", "centre hospitalier universitaire"),
        ("gouvernance", "CSP L6132-2 II (instances)", "commission médicale de groupement"),
        ("gouvernance", "CSP L6132-2 II (instances)", "CSIRMT"),
        ("gouvernance", "CSP L6132-2 II (instances)", "comité territorial des élus locaux"),
        ("gouvernance", "CSP L6132-2 II (instances)", "représentant les usagers"),
        ("gouvernance", "CSP L6132-2 II (instances)", "conférence territoriale de dialogue social"),
        ("modification", "CSP R6132-6", "silence gardé deux mois vaut approbation"),
    ],
    "gip": [
        ("denomination", "Loi 2011-525, art. 99 1°", "personne morale de droit public"),
        ("membres", "Loi 2011-525, art. 99 2° ; art. 103", "mission de service public"),
        ("duree", "Loi 2011-525, art. 99 3°", "arrêté d'approbation de l'État"),
        ("objet", "Loi 2011-525, art. 99 4°", "intérêt général"),
        ("siege", "Loi 2011-525, art. 99 5°", "siège"),
        ("droits", "Loi 2011-525, art. 99 6°", "engagements du groupement"),
        ("gouvernance", "Loi 2011-525, art. 99 7° ; art. 105", "dissolution anticipée"),
        ("direction", "Loi 2011-525, art. 99 7°", "directeur"),
        ("participations", "Loi 2011-525, art. 99 8°", "participation"),
        ("comptabilite", "Loi 2011-525, art. 99 9°", "omptabilité"),
        ("personnels", "Loi 2011-525, art. 99 10° ; décret 2013-292", "régime"),
        (
            "controle",
            "Loi 2011-525, art. 114 et 115 ; décret 2012-91",
            "commissaire du Gouvernement",
        ),
        ("modification", "Loi 2011-525, art. 105 ; décret 2012-91", "préfet"),
    ],
}
NO_GROUP = ["assemblée générale", "liquidat", "administrateur", "groupement", "disso"]
FORBIDDEN = {
    "convention-cooperation": NO_GROUP,
    "partenariat-esms": NO_GROUP,
    "gcs-moyens": ["conseil de surveillance", "commissaire du Gouvernement", "résili"],
    "gcs-exploitant": ["conseil de surveillance", "commissaire du Gouvernement", "résili"],
    "gcs-es": ["administrateur", "assemblée générale", "commissaire du Gouvernement"],
    "gcs-es-prive": ["conseil de surveillance", "commissaire du Gouvernement"],
    "gcsms": ["conseil de surveillance", "CSP R6133", "résili"],
    "gtsms": ["conseil de surveillance", "CSP R6133", "résili"],
    "ght": ["collège médical", "assemblée générale", "administrateur", "liquidat"],
    "gip": ["administrateur", "CSP R6133", "résili"],
}


def _generated(code, world):
    cooperation, members, template = cooperation_for(code)
    version = services.convention_generate(cooperation=cooperation, user=world.referent_a)
    return {c.key: c for c in version.clauses.all()}, template


def test_every_offered_form_is_covered():
    """Every current template is read below, and every form offered for a new project has a
    model convention or at least chooser rules."""
    assert set(MENTIONS) == set(TEMPLATE_CODES)
    assert set(MENTIONS) == set(ConventionTemplate.objects.current().values_list("code", flat=True))
    with_template = set(
        ConventionTemplate.objects.current().values_list("legal_form__code", flat=True)
    )
    with_rules = set(ChooserRule.objects.values_list("legal_form__code", flat=True))
    offered = LegalForm.objects.filter(is_historical=False).values_list("code", flat=True)
    for code in offered:
        assert code in with_template or code in with_rules, code


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_the_generated_text_carries_each_mandatory_mention_with_its_reference(code, world):
    clauses, template = _generated(code, world)
    for key, reference, words in MENTIONS[code]:
        clause = clauses[key]
        assert reference in clause.legal_reference, (key, clause.legal_reference)
        assert words.lower() in (clause.title + "\n" + clause.body).lower(), (key, clause.body)
    for clause in clauses.values():
        assert "[à compléter" not in clause.body, clause.key
        if clause.mandatory:
            assert clause.legal_reference, clause.key


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_no_other_forms_vocabulary_appears(code, world):
    clauses, template = _generated(code, world)
    text = "\n".join(f"{c.title}\n{c.body}\n{c.legal_reference}" for c in clauses.values())
    for word in FORBIDDEN[code]:
        assert word.lower() not in text.lower(), word
    if code in ("gcsms", "gtsms"):
        assert not re.search(r"R312-194-1(?!\d)", text), "GCSMS cites R312-194-7, not R312-194-1"


def test_simple_conventions_cite_no_mandatory_clause_source(world):
    for code in ("convention-cooperation", "partenariat-esms"):
        clauses, _template = _generated(code, world)
        references = [c.legal_reference for c in clauses.values() if c.key != "parties"]
        assert not any("L6134-1" in r or "L312-7" in r for r in references), references


def test_the_public_gcs_es_model_is_refused_for_private_members(world):
    from tests.conventions.factories import complete
    from tests.territories.factories import EstablishmentFactory

    gcs_es = LegalForm.objects.get(code="gcs-es")
    coop = CooperationFactory(legal_form=gcs_es)
    for index in range(2):
        MembershipFactory(
            cooperation=coop,
            establishment=EstablishmentFactory(private_clinic=True),
            role="porteur" if index == 0 else "membre",
        )
    public_model = ConventionTemplate.objects.get(code="gcs-es", is_current=True)
    complete(coop, template=public_model)
    with pytest.raises(services.NotReadyError) as raised:
        services.convention_generate(cooperation=coop, user=world.referent_a)
    assert raised.value.result.messages == [
        "Le modèle « Convention constitutive de GCS-ES de droit public » vaut pour un groupement "
        "de droit public ; le groupement ne réunit que des personnes privées (CSP L6133-3 I). "
        "Choisissez l'autre modèle de la forme juridique."
    ]
    coop.convention_data.template = ConventionTemplate.objects.get(
        code="gcs-es-prive", is_current=True
    )
    coop.convention_data.save()
    version = services.convention_generate(cooperation=coop, user=world.referent_a)
    assert "établissement de santé privé" in version.clauses.get(key="autorisation").body


@pytest.mark.parametrize("code", ["gcs-moyens", "gcsms", "ght", "gip"])
def test_the_signed_files_carry_each_mandatory_mention_with_its_reference(code, world):
    """What the parties sign is the PDF and the DOCX, not the rows: each mandatory mention's
    reference and words are read back from both files (reference on a line of its own, as
    references hold parentheses of their own)."""
    cooperation, _members, _template = cooperation_for(code)
    version = services.convention_generate(cooperation=cooperation, user=world.referent_a)
    pdf = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(version_pdf(version))).pages
    )
    docx = " ".join(p.text for p in Document(io.BytesIO(version_docx(version))).paragraphs)
    for text in (pdf, docx):
        for _key, reference, words in MENTIONS[code]:
            assert f"Référence : {reference}" in text, reference
            assert words.lower() in text.lower(), words
    assert "((" not in pdf and "))" not in pdf


def _docx_articles(version) -> dict[str, str]:
    """The DOCX of `version` read back: each article's heading → its text (reference line and
    paragraphs), as the signatories will read it."""
    from docx import Document

    from conventions import exports

    document = Document(io.BytesIO(exports.version_docx(version)))
    sections, current = {}, None
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            current = paragraph.text if paragraph.text.startswith("Article ") else None
            if current is not None:
                sections[current] = ""
        elif current is not None:
            sections[current] += paragraph.text + "\n"
    return sections


@pytest.mark.parametrize("code", TEMPLATE_CODES)
def test_the_docx_prints_each_mandatory_mention_under_its_article_with_its_reference(code, world):
    """What is signed is the document, not the database rows: each mention checked above is
    printed in its own article of the DOCX, with the article and item it comes from."""
    cooperation, _members, _template = cooperation_for(code)
    version = services.convention_generate(cooperation=cooperation, user=world.referent_a)
    included = [c for c in version.clauses.all() if c.included]
    headings = {c.key: f"Article {n} — {c.title}" for n, c in enumerate(included, start=1)}
    sections = _docx_articles(version)
    for key, reference, words in MENTIONS[code]:
        text = sections[headings[key]]
        reference_line = text.split("\n", 1)[0]
        assert reference_line.startswith("Référence : ") and reference in reference_line, (
            key,
            reference_line,
        )
        assert words.lower() in (headings[key] + "\n" + text).lower(), (key, text)
    assert "[à compléter" not in "\n".join(sections.values())
