"""Initial model conventions, loaded by a data migration (national admins edit them in the
admin afterwards). Written in our own words from ../shared/domain/legal-forms.md.

Each clause: (key, title, body, mandatory, article cited). Named fields: see rendering.py.
"""

GCS_REF = "CSP R6133-1"
MODIFICATION = (
    "La présente convention ne peut être modifiée que par avenant, adopté par {instance} "
    "dans les conditions de majorité prévues ci-dessus. Chaque avenant est transmis pour "
    "approbation à {autorite} et prend effet à la publication de la décision."
)


def _groupement_clauses(ref: str, authority: str, law: str, extra: list | None = None) -> list:
    """The skeleton shared by GCS, GCS-ES and GCSMS (the article cited changes)."""
    clauses = [
        (
            "denomination",
            "Constitution et dénomination",
            "Les membres désignés ci-après constituent un {{ forme }} dénommé « {{ nom }} », "
            f"régi par {law} et par la présente convention constitutive.",
            True,
            ref,
        ),
        (
            "membres",
            "Membres du groupement",
            "Sont membres du groupement :\n{{ membres }}",
            True,
            ref,
        ),
        ("objet", "Objet", "Le groupement a pour objet :\n{{ objet }}", True, ref),
        (
            "siege",
            "Siège",
            "Le siège du groupement est fixé à {{ siege }}. L'assemblée générale peut le "
            "transférer en tout autre lieu.",
            True,
            ref,
        ),
        (
            "duree",
            "Durée",
            "Le groupement est constitué pour {{ duree }} à compter du {{ date_effet }}, "
            "et au plus tôt à la publication de la décision d'approbation.",
            True,
            ref,
        ),
        (
            "nature",
            "Nature juridique",
            "Le groupement est une personne morale {{ nature_juridique }}. Cette qualification "
            "découle de la composition de ses membres et de la répartition de leurs apports.",
            True,
            ref,
        ),
        (
            "capital",
            "Capital et apports",
            "Le groupement {{ capital }}.\nLes membres apportent :\n{{ apports }}",
            True,
            ref,
        ),
        (
            "droits",
            "Droits statutaires et participation aux charges",
            "Les droits des membres, qui fixent leur poids dans les votes, sont répartis ainsi :\n"
            "{{ droits }}\nLes membres participent aux charges de fonctionnement dans les "
            "proportions suivantes :\n{{ charges }}\nChacune de ces deux répartitions totalise 100 %.",
            True,
            ref,
        ),
        (
            "responsabilite",
            "Responsabilité des membres",
            "Entre eux comme à l'égard des tiers, les membres répondent des dettes du groupement "
            "à proportion de leurs droits statutaires, sans solidarité.",
            True,
            ref,
        ),
        ("gouvernance", "Assemblée générale", "{{ gouvernance }}", True, ref),
        ("administrateur", "Administrateur", "{{ administrateur }}", True, ref),
        (
            "comite-restreint",
            "Comité restreint",
            "L'assemblée générale peut instituer un comité restreint, composé de représentants "
            "des membres, chargé de préparer ses décisions et de suivre l'action de "
            "l'administrateur.",
            False,
            ref,
        ),
        ("comptabilite", "Budget et comptabilité", "{{ comptabilite }}", True, ref),
        ("personnels", "Personnels", "{{ personnels }}", True, ref),
        ("equipements", "Biens et équipements", "{{ equipements }}", False, ref),
        ("praticiens", "Exercice des praticiens", "{{ praticiens }}", True, ref),
        ("adhesion", "Adhésion, retrait et exclusion", "{{ adhesion_retrait }}", True, ref),
        ("dissolution", "Dissolution et liquidation", "{{ dissolution }}", True, ref),
        (
            "modification",
            "Modification de la convention",
            MODIFICATION.format(instance="l'assemblée générale", autorite=authority),
            True,
            ref,
        ),
        (
            "litiges",
            "Règlement des litiges",
            "Les membres recherchent un accord amiable avant toute action ; à défaut, le "
            "litige est porté devant la juridiction compétente.",
            False,
            "",
        ),
    ]
    for position, clause in extra or []:
        clauses.insert(position, clause)
    return clauses


CONVENTION_CLAUSES = [
    (
        "parties",
        "Parties",
        "La présente convention de coopération, fondée sur l'article L6134-1 du code de la "
        "santé publique, est conclue entre :\n"
        "{{ membres }}",
        True,
        "CSP L6134-1",
    ),
    (
        "objet",
        "Objet",
        "Les parties s'associent pour la coopération « {{ nom }} », qui vise à :\n{{ objet }}",
        True,
        "CSP L6134-1",
    ),
    (
        "engagements",
        "Engagements des parties",
        "Chaque partie s'engage à :\n{{ engagements }}",
        True,
        "CSP L6134-1",
    ),
    (
        "duree",
        "Durée",
        "La convention est conclue pour {{ duree }} à compter du {{ date_effet }}.",
        True,
        "CSP L6134-1",
    ),
    ("suivi", "Comité de suivi", "{{ comite_suivi }}", True, "CSP L6134-1"),
    ("financier", "Dispositions financières", "{{ modalites_financieres }}", True, "CSP L6134-1"),
    ("personnels", "Mise à disposition de personnels", "{{ personnels }}", False, ""),
    (
        "donnees",
        "Partage d'informations",
        "Les parties n'échangent que les données strictement nécessaires à la coopération, "
        "dans le respect du secret professionnel et du règlement général sur la protection "
        "des données.",
        False,
        "",
    ),
    (
        "resiliation",
        "Résiliation",
        "{{ dissolution }}",
        True,
        "CSP L6134-1",
    ),
    (
        "modification",
        "Modification",
        "Toute modification de la présente convention fait l'objet d'un avenant signé par "
        "l'ensemble des parties.",
        True,
        "CSP L6134-1",
    ),
]

ESMS_CLAUSES = [
    (
        "parties",
        "Parties",
        "La présente convention de partenariat entre établissements et services sociaux et "
        "médico-sociaux, fondée sur l'article L312-7 du code de l'action sociale et des "
        "familles, est conclue entre :\n{{ membres }}",
        True,
        "CASF L312-7",
    ),
    (
        "objet",
        "Objet du partenariat",
        "Les signataires organisent ensemble « {{ nom }} » afin de :\n{{ objet }}",
        True,
        "CASF L312-7",
    ),
    (
        "engagements",
        "Engagements des parties",
        "Chaque partie s'engage à :\n{{ engagements }}",
        True,
        "CASF L312-7",
    ),
    (
        "usagers",
        "Continuité de l'accompagnement des personnes",
        "Le partenariat ne modifie ni les droits des personnes accueillies ni les "
        "autorisations de chaque établissement ou service ; chaque gestionnaire reste "
        "responsable de l'accompagnement qu'il assure.",
        True,
        "CASF L312-7",
    ),
    (
        "duree",
        "Durée",
        "La convention est conclue pour {{ duree }} à compter du {{ date_effet }}.",
        True,
        "CASF L312-7",
    ),
    ("suivi", "Comité de suivi", "{{ comite_suivi }}", True, "CASF L312-7"),
    ("financier", "Dispositions financières", "{{ modalites_financieres }}", True, "CASF L312-7"),
    ("personnels", "Personnels partagés", "{{ personnels }}", False, ""),
    ("resiliation", "Résiliation", "{{ dissolution }}", True, "CASF L312-7"),
    (
        "modification",
        "Modification",
        "Toute modification fait l'objet d'un avenant signé par chaque gestionnaire et "
        "communiqué aux autorités qui ont autorisé les établissements et services concernés.",
        True,
        "CASF L312-7",
    ),
]

GHT_REF = "CSP L6132-2"
GHT_CLAUSES = [
    (
        "constitution",
        "Constitution",
        "Les établissements publics de santé désignés ci-après constituent le groupement "
        "hospitalier de territoire « {{ nom }} », régi par les articles L6132-1 et suivants "
        "du code de la santé publique. Le groupement "
        "n'a pas la personnalité morale.",
        True,
        GHT_REF,
    ),
    (
        "membres",
        "Établissements parties",
        "Sont parties au groupement :\n{{ membres }}",
        True,
        GHT_REF,
    ),
    (
        "support",
        "Établissement support",
        "L'établissement support du groupement est {{ etablissement_support }}. Il assure pour "
        "le compte des établissements parties les fonctions mutualisées définies ci-après.",
        True,
        GHT_REF,
    ),
    ("pmp", "Projet médical partagé", "{{ projet_medical }}", True, GHT_REF),
    ("psp", "Projet de soins partagé", "{{ projet_soins }}", True, GHT_REF),
    (
        "fonctions",
        "Fonctions mutualisées",
        "Sont mutualisées au sein du groupement :\n{{ fonctions_mutualisees }}",
        True,
        GHT_REF,
    ),
    ("gouvernance", "Instances du groupement", "{{ gouvernance }}", True, GHT_REF),
    (
        "associes",
        "Établissements associés et partenaires",
        "Des établissements privés, médico-sociaux ou assurant une activité d'hospitalisation "
        "à domicile peuvent être associés ou partenaires du groupement par convention avec "
        "l'établissement support.",
        False,
        GHT_REF,
    ),
    (
        "duree",
        "Durée",
        "La convention est conclue pour {{ duree }} à compter du {{ date_effet }}.",
        True,
        GHT_REF,
    ),
    (
        "modification",
        "Modification de la convention",
        # The GHT clauses set no voting rule of their own ("prévues ci-dessus" would
        # point at nothing): the amendment follows the strategic committee's rules.
        "La présente convention ne peut être modifiée que par avenant, adopté par le comité "
        "stratégique selon les règles de délibération fixées à l'article « Instances du "
        "groupement », après avis des instances des établissements parties. Chaque avenant "
        "est transmis pour approbation à la directrice ou au directeur général de l'ARS et "
        "prend effet à la publication de la décision.",
        True,
        GHT_REF,
    ),
]

GIP_REF = "Loi n° 2011-525, art. 98 à 122"
GIP_CLAUSES = [
    (
        "denomination",
        "Constitution et dénomination",
        "Les personnes désignées ci-après constituent un groupement d'intérêt public dénommé "
        "« {{ nom }} », régi par la loi n° 2011-525 du 17 mai 2011 (articles 98 à 122) et "
        "par la présente convention.",
        True,
        GIP_REF,
    ),
    ("membres", "Membres", "Sont membres du groupement :\n{{ membres }}", True, GIP_REF),
    ("objet", "Objet", "Le groupement a pour objet :\n{{ objet }}", True, GIP_REF),
    ("siege", "Siège", "Le siège du groupement est fixé à {{ siege }}.", True, GIP_REF),
    (
        "duree",
        "Durée",
        "Le groupement est constitué pour {{ duree }} à compter du {{ date_effet }}.",
        True,
        GIP_REF,
    ),
    (
        "capital",
        "Capital et contributions",
        "Le groupement {{ capital }}.\nLes contributions des membres sont les suivantes :\n{{ apports }}",
        True,
        GIP_REF,
    ),
    (
        "droits",
        "Droits statutaires et charges",
        "Les droits statutaires sont répartis ainsi :\n{{ droits }}\nLa contribution aux "
        "charges est répartie ainsi :\n{{ charges }}\nLes personnes publiques détiennent "
        "ensemble la majorité des droits.",
        True,
        GIP_REF,
    ),
    (
        "gouvernance",
        "Assemblée générale et conseil d'administration",
        "{{ gouvernance }}",
        True,
        GIP_REF,
    ),
    ("direction", "Directeur", "{{ administrateur }}", True, GIP_REF),
    ("comptabilite", "Régime budgétaire et comptable", "{{ comptabilite }}", True, GIP_REF),
    ("personnels", "Personnels", "{{ personnels }}", True, GIP_REF),
    ("adhesion", "Adhésion, retrait et exclusion", "{{ adhesion_retrait }}", True, GIP_REF),
    ("dissolution", "Dissolution et liquidation", "{{ dissolution }}", True, GIP_REF),
    (
        "reglement-interieur",
        "Règlement intérieur",
        "Un règlement intérieur, adopté par l'assemblée générale, précise le fonctionnement "
        "courant du groupement.",
        False,
        "",
    ),
    (
        "modification",
        "Modification de la convention",
        MODIFICATION.format(instance="l'assemblée générale", autorite="l'État"),
        True,
        GIP_REF,
    ),
]

ES_AUTHORISATION = (
    6,
    (
        "autorisation",
        "Autorisation d'activité de soins",
        "Le groupement est titulaire d'une ou plusieurs autorisations d'activité de soins pour "
        "réaliser son objet ; il est de ce fait érigé en établissement de santé et en assume "
        "les obligations.",
        True,
        "CSP L6133-7",
    ),
)

# code, legal form, name, document title, order, description, checks, clauses
TEMPLATES = [
    (
        "convention-cooperation",
        "convention",
        "Convention de coopération",
        "Convention de coopération",
        10,
        "Contrat entre établissements, sans création de personne morale.",
        {},
        CONVENTION_CLAUSES,
    ),
    (
        "partenariat-esms",
        "convention",
        "Convention de partenariat entre ESMS",
        "Convention de partenariat médico-social",
        11,
        "Variante médico-sociale de la convention de coopération.",
        {},
        ESMS_CLAUSES,
    ),
    (
        "gcs-moyens",
        "gcs-moyens",
        "Convention constitutive de GCS de moyens",
        "Convention constitutive du groupement de coopération sanitaire",
        20,
        "Groupement de moyens (plateaux, logistique, équipements).",
        {"check_public_law": True, "check_health_establishment": True},
        _groupement_clauses(
            GCS_REF,
            "la directrice ou au directeur général de l'ARS",
            "les articles L6133-1 et suivants du code de la santé publique",
        ),
    ),
    (
        "gcs-es",
        "gcs-es",
        "Convention constitutive de GCS érigé en établissement de santé",
        "Convention constitutive du GCS établissement de santé",
        30,
        "GCS titulaire d'une autorisation d'activité de soins.",
        {"check_public_law": True, "check_health_establishment": True},
        _groupement_clauses(
            GCS_REF,
            "la directrice ou au directeur général de l'ARS",
            "les articles L6133-1 et suivants du code de la santé publique",
            extra=[ES_AUTHORISATION],
        ),
    ),
    (
        "gcsms",
        "gcsms",
        "Convention constitutive de GCSMS",
        "Convention constitutive du groupement de coopération sociale ou médico-sociale",
        40,
        "Groupement médico-social (SSIAD mutualisé, recrutements partagés…).",
        {"check_public_law": True},
        _groupement_clauses(
            "CASF R312-194-1",
            "l'autorité qui a autorisé les établissements et services membres",
            "l'article L312-7 du code de l'action sociale et des familles",
        ),
    ),
    (
        "ght",
        "ght",
        "Convention constitutive de GHT",
        "Convention constitutive du groupement hospitalier de territoire",
        50,
        "Projet médical partagé, établissement support et fonctions mutualisées.",
        {"check_support_establishment": True},
        GHT_CLAUSES,
    ),
    (
        "gip",
        "gip",
        "Convention constitutive de GIP",
        "Convention constitutive du groupement d'intérêt public",
        60,
        "Groupement d'intérêt public à majorité publique.",
        {"check_public_majority": True},
        GIP_CLAUSES,
    ),
]
