"""Derive legal status and sector from FINESS codes.

The ET extract carries no legal-status column; we read it from the SPH code
(codesph) and the tariff mode (codemft), then from the category. These rules are a
reading of the FINESS nomenclatures, documented here so they can be checked and changed.
"""

from territories.models import LegalStatus, Sector

# codesph: 1 public health establishment; 2-6 ESPIC and private establishments with a
# public-service mission; 7 not concerned.
SPH_STATUS = {
    "1": LegalStatus.PUBLIC,
    "2": LegalStatus.PRIVATE_NON_PROFIT,
    "3": LegalStatus.PRIVATE_NON_PROFIT,
    "4": LegalStatus.PRIVATE_NON_PROFIT,
    "5": LegalStatus.PRIVATE_FOR_PROFIT,
    "6": LegalStatus.PRIVATE_NON_PROFIT,
}


# Categories whose sites are all public, checked against SAE 2022 (tests/territories):
# 114 are the armed forces' hospitals; 122 are private obstetric clinics and 292 (CHS)
# counts private non-profit sites too, so neither says "public" on its own.
PUBLIC_CATEGORIES = {"101", "106", "355", "114"}
CATEGORY_LABELS = {
    "101": "Centre hospitalier régional (C.H.R.)",
    "106": "Centre hospitalier, ex-hôpital local",
    "109": "Établissement de santé privé autorisé en SSR",
    "114": "Hôpital des armées",
    "122": "Établissement de soins obstétriques et chirurgico-gynécologiques",
    "128": "Établissement de soins chirurgicaux",
    "129": "Établissement de soins médicaux",
    "131": "Centre de lutte contre le cancer",
    "141": "Centre de dialyse",
    "146": "Structure d'alternative à la dialyse en centre",
    "156": "Centre médico-psychologique (C.M.P.)",
    "161": "Maison de santé pour maladies mentales",
    "183": "Institut médico-éducatif (I.M.E.)",
    "209": "Service polyvalent d'aide et de soins à domicile (SPASAD)",
    "246": "Établissement et service d'aide par le travail (E.S.A.T.)",
    "255": "Maison d'accueil spécialisée (M.A.S.)",
    "292": "Centre hospitalier spécialisé lutte maladies mentales",
    "354": "Service de soins infirmiers à domicile (S.S.I.A.D.)",
    "355": "Centre hospitalier (C.H.)",
    "362": "Établissement de soins de longue durée",
    "365": "Établissement de soins pluridisciplinaire",
    "366": "Centre de soins médicaux",
    "437": "Foyer d'accueil médicalisé (F.A.M.)",
    "500": "Établissement d'hébergement pour personnes âgées dépendantes (EHPAD)",
    "696": "Groupement de coopération sanitaire érigé en établissement de santé",
}
MEDICO_SOCIAL_CATEGORIES = {
    "183",
    "209",
    "246",
    "255",
    "354",
    "437",
    "500",
    "202",
    "207",
    "381",
    "390",
    "395",
    "446",
    "460",
    "461",
    "462",
    "463",
    "464",
}


def status_from_finess(codesph: str, codemft: str, category: str) -> str:
    codesph = (codesph or "").strip()
    if codesph in SPH_STATUS:
        return SPH_STATUS[codesph]
    if category in PUBLIC_CATEGORIES:
        return LegalStatus.PUBLIC
    mft = (codemft or "").strip()
    # Tariff modes 03/04 are the public dotation globale; 06/07 private clinics (OQN).
    if mft in {"03", "04"}:
        return LegalStatus.PUBLIC
    if mft in {"06", "07", "08"}:
        return LegalStatus.PRIVATE_FOR_PROFIT
    return LegalStatus.UNKNOWN


def sector_from_category(category: str, aggregated: str = "") -> str:
    category, aggregated = (category or "").strip(), (aggregated or "").strip()
    if category in MEDICO_SOCIAL_CATEGORIES:
        return Sector.MEDICO_SOCIAL
    if aggregated.startswith("1"):
        return Sector.SANITAIRE
    if aggregated.startswith("4"):
        # 44xx: elderly and disabled people (medico-social); 46xx: social.
        return Sector.SOCIAL if aggregated.startswith("46") else Sector.MEDICO_SOCIAL
    if category[:1] in {"1", "3"} and category not in {"354"}:
        return Sector.SANITAIRE
    return Sector.UNKNOWN


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, f"Catégorie FINESS {code}" if code else "")
