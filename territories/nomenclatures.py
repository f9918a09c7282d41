"""Code lists of the FINESS register used by the importers and the pages.

Sources (ANS, "Terminologies de santé", smt.esante.gouv.fr):
- TRE-R400 / JDV-J304 "FINESS statut juridique" (version 2026-02-23): the legal status of a
  legal entity (`statutJuridique` in the JSON flux, `stj` in the SAE);
- TRE-R372 "type de groupe GCO" (version 2026-03-30): the type of a groupement de
  coopération organique (`typeGco`);
- TRE-R360 "type de rôle entité groupe": `S` support, `M` member (`typeRoleEntiteGroupe`).

The family (public / private non-profit / private for-profit) of each legal status and the
legal form a groupement gets from its status are KitCoop's reading of these lists, written
here and in docs/register.md so that they can be checked and changed.
"""

from territories.models import LegalStatus

PUB, PNL, PLU, UNK = (
    LegalStatus.PUBLIC,
    LegalStatus.PRIVATE_NON_PROFIT,
    LegalStatus.PRIVATE_FOR_PROFIT,
    LegalStatus.UNKNOWN,
)

# code: (label, family)
STATUT_JURIDIQUE = {
    "01": ("État", PUB),
    "02": ("Département", PUB),
    "03": ("Commune", PUB),
    "04": ("Région", PUB),
    "05": ("Territoire d'outre-mer", PUB),
    "06": ("Autre collectivité territoriale", PUB),
    "07": ("Métropole ou pôle métropolitain", PUB),
    "08": ("Centre intercommunal d'action sociale", PUB),
    "10": ("Établissement public national d'hospitalisation", PUB),
    "11": ("Établissement public départemental d'hospitalisation", PUB),
    "12": ("Établissement public interdépartemental d'hospitalisation", PUB),
    "13": ("Établissement public communal d'hospitalisation", PUB),
    "14": ("Établissement public intercommunal d'hospitalisation", PUB),
    "15": ("Établissement public régional d'hospitalisation", PUB),
    "16": ("Syndicat inter-hospitalier", PUB),
    "17": ("Centre communal d'action sociale", PUB),
    "18": ("Établissement social et médico-social national", PUB),
    "19": ("Établissement social et médico-social départemental", PUB),
    "20": ("Établissement social et médico-social interdépartemental", PUB),
    "21": ("Établissement social et médico-social communal", PUB),
    "22": ("Établissement social et médico-social intercommunal", PUB),
    "23": ("Établissement social et médico-social régional", PUB),
    "24": ("Office public d'HLM", PUB),
    "25": ("Caisse des écoles", PUB),
    "26": ("Autre établissement public à caractère administratif", PUB),
    "27": ("Établissement public à caractère industriel ou commercial", PUB),
    "28": ("Groupement d'intérêt public (GIP)", PUB),
    "29": ("Groupement de coopération sanitaire public", PUB),
    "30": ("Groupement de coopération sociale ou médico-sociale public", PUB),
    "40": ("Régime général de sécurité sociale", PNL),
    "41": ("Régime spécial de sécurité sociale", PNL),
    "42": ("Institution de prévoyance", PNL),
    "43": ("Mutualité sociale agricole (MSA)", PNL),
    "44": ("Régime maladie des non-salariés non agricoles", PNL),
    "45": ("Régime vieillesse particulier", PNL),
    "46": ("Autre régime de prévoyance sociale", PNL),
    "47": ("Société mutualiste", PNL),
    "48": ("Assurance mutuelle agricole", PNL),
    "49": ("Autre organisme mutualiste", PNL),
    "50": ("Comité d'entreprise ou comité d'établissement", PNL),
    "51": ("Syndicat", PNL),
    "52": ("Syndicat de propriétaires", PNL),
    "60": ("Association loi 1901 non reconnue d'utilité publique", PNL),
    "61": ("Association loi 1901 reconnue d'utilité publique", PNL),
    "62": ("Association de droit local", PNL),
    "63": ("Fondation", PNL),
    "64": ("Congrégation", PNL),
    "65": ("Autre organisme privé à but non lucratif", PNL),
    "66": ("Groupement de coopération sociale ou médico-sociale privé", PNL),
    "70": ("Personne physique", PLU),
    "71": ("Société en nom collectif (SNC)", PLU),
    "72": ("Société à responsabilité limitée (SARL)", PLU),
    "73": ("Société anonyme (SA)", PLU),
    "74": ("Société civile", PLU),
    "75": ("Autre société", PLU),
    "76": ("Groupement d'intérêt économique (GIE)", PLU),
    "77": ("Autre organisme privé à caractère commercial", PLU),
    "78": ("Entreprise unipersonnelle à responsabilité limitée (EURL)", PLU),
    "79": ("Société civile de moyens (SCM)", PLU),
    "80": ("Société interprofessionnelle de soins ambulatoires (SISA)", PLU),
    "85": ("Société d'exercice libéral à responsabilité limitée (SELARL)", PLU),
    "86": ("Société d'exercice libéral à forme anonyme (SELAFA)", PLU),
    "87": ("Société d'exercice libéral en commandite par actions (SELCA)", PLU),
    "88": ("Société civile professionnelle (SCP)", PLU),
    # A GCS pursues a non-profit aim whatever its law (CSP L6133-1).
    "89": ("Groupement de coopération sanitaire privé", PNL),
    "90": ("Organisme de droit étranger", UNK),
    "91": ("Société d'exercice libéral par actions simplifiée (SELAS)", PLU),
    "93": ("Société en commandite", PLU),
    "95": ("Société par actions simplifiée (SAS)", PLU),
}

# Établissements publics de santé (CSP L6141-1): the "public hospitals" that must be party
# to one GHT (CSP L6132-1, I).
PUBLIC_HOSPITAL_STATUS_CODES = frozenset({"10", "11", "12", "13", "14", "15"})


def statut_label(code: str) -> str:
    code = (code or "").strip()
    if not code:
        return ""
    label = STATUT_JURIDIQUE.get(code.zfill(2), (None, None))[0]
    return f"{label} ({code})" if label else f"statut juridique {code} (hors nomenclature)"


def status_from_statut(code: str) -> str:
    """Legal-status family of a FINESS statut juridique code (UNKNOWN if not in the list)."""
    code = (code or "").strip()
    if not code:
        return UNK
    return STATUT_JURIDIQUE.get(code.zfill(2), (None, UNK))[1]


# TRE-R372: types of groupement de coopération organique (typeGco).
GCO_TYPES = {
    "001": "Communauté professionnelle territoriale de santé (CPTS)",
    "002": "Groupement de coopération sanitaire – établissement de santé",
    "003": "Groupement de coopération sanitaire de moyens",
    "004": "Groupement de coopération sanitaire exploitant",
}

# Legal form (KitCoop catalogue code) of a groupement, from its EJ's statut juridique.
# GCS statuses are refined by typeGco below (moyens vs établissement de santé).
LEGAL_FORM_BY_STATUT = {
    "28": "gip",
    "29": "gcs",
    "89": "gcs",
    "30": "gcsms",
    "66": "gcsms",
    "76": "gie",
}
# A GCS that holds an authorisation of care activity is an établissement de santé
# (CSP L6133-7): "exploitant" (004) as well as "établissement de santé" (002).
GCS_FORM_BY_TYPE = {"002": "gcs-es", "003": "gcs-moyens", "004": "gcs-es"}
LEGAL_FORM_BY_GCO_TYPE = {"001": "cpts", **GCS_FORM_BY_TYPE}

# What docs/register.md and the import page show (statut or type → form, why).
LEGAL_FORM_RULES = [
    ("Statut juridique 29 ou 89 (GCS public ou privé), type 003", "GCS de moyens", "CSP L6133-1"),
    (
        "Statut juridique 29 ou 89, type 002 (GCS – établissement de santé) ou 004 (GCS exploitant)",
        "GCS érigé en établissement de santé",
        "CSP L6133-7 : un GCS titulaire d'une autorisation d'activité de soins est un établissement de santé",
    ),
    ("Statut juridique 29 ou 89, type absent", "GCS de moyens", "forme par défaut d'un GCS"),
    ("Statut juridique 30 ou 66 (GCSMS public ou privé)", "GCSMS", "CASF L312-7"),
    ("Statut juridique 28 (GIP)", "GIP", "loi n° 2011-525 du 17 mai 2011"),
    ("Statut juridique 76 (GIE)", "GIE", "Code de commerce L251-1"),
    ("Type 001 (CPTS), quel que soit le statut (souvent une association)", "CPTS", "CSP L1434-12"),
    (
        "Autre statut avec un type GCS (002, 003, 004)",
        "forme du type, avec une note d'incohérence",
        "le registre se contredit : à vérifier",
    ),
    (
        "Entité juridique du groupement absente du fichier",
        "groupement non importé, signalé dans le compte rendu",
        "ni son nom, ni son statut, ni son ARS ne sont connus",
    ),
]


def groupement_legal_form(statut: str, gco_type: str) -> tuple[str | None, str]:
    """(legal form code or None, French explanation) for a groupement of the register."""
    statut = (statut or "").strip().zfill(2) if statut else ""
    gco_type = (gco_type or "").strip()
    type_label = GCO_TYPES.get(gco_type, f"type {gco_type}" if gco_type else "type absent")
    if gco_type == "001":
        return "cpts", f"type {gco_type} ({type_label})"
    by_statut = LEGAL_FORM_BY_STATUT.get(statut)
    if by_statut == "gcs":
        form = GCS_FORM_BY_TYPE.get(gco_type, "gcs-moyens")
        return form, f"statut juridique {statut_label(statut)}, {type_label}"
    if by_statut:
        return by_statut, f"statut juridique {statut_label(statut)}"
    by_type = LEGAL_FORM_BY_GCO_TYPE.get(gco_type)
    if by_type and statut:
        return by_type, (
            f"{type_label} ; le statut juridique {statut_label(statut)} n'est pas celui d'un "
            "groupement : à vérifier"
        )
    if by_type:
        return by_type, f"{type_label} (statut juridique inconnu)"
    return None, f"statut juridique {statut_label(statut) or 'inconnu'}, {type_label}"


# Natures of activities in the "FINESS Activités" flux. The flux carries codes only; labels
# below are read from the names of the flux's own fields. Where the flux says nothing, the
# label says so rather than guess.
ACTIVITY_NATURES = {
    "ASR": "Activité de soins soumise à autorisation",
    "ASRC": "Activité de soins soumise à autorisation",
    "AASA": "Autre activité de soins soumise à autorisation",
    "EML": "Équipement matériel lourd",
    "AMM": "Activité AMM (appareils ; libellé non publié dans le flux)",
    "AMF": "Activité AMF (libellé non publié dans le flux)",
    "ASDR": "Activité sanitaire diverse régulée",
    "ASMR": "Activité sociale ou médico-sociale régulée",
    "ASOCR": "Activité sociale régulée",
    "AER": "Activité d'enseignement régulée",
}
EQUIPMENT_NATURES = frozenset({"EML", "AMM"})


def nature_label(code: str) -> str:
    return ACTIVITY_NATURES.get(code or "", f"Nature {code} (libellé non publié dans le flux)")
