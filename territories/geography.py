"""The département of a register entry, from the register's authoritative field only.

- FINESS 2026 JSON flux: the INSEE commune code (`cogCommune`) of the address. Its first two
  characters are the département (01…95, 2A, 2B), or its first three overseas (971…988).
- Historical CSV extract: the `departement` field, in FINESS's own codes (01…95, 2A, 2B,
  9A Guadeloupe… 9F Mayotte, and codes of territories no ARS covers).

Never from the FINESS number's prefix: numbers starting with 9806 belong to Wallis-et-Futuna,
not to Mayotte, and a prefix says where a number was issued, not where the site is.

An unknown code, or a territory outside every ARS, resolves to None ("hors ARS") with a
French note that importers put in their report. Saint-Barthélemy (977) and Saint-Martin
(978) are served by the ARS Guadeloupe (CSP L1432-1 and the 2007 statutes): they resolve to
the Guadeloupe département (971) so that the ARS Guadeloupe sees them, with a note.
"""

from dataclasses import dataclass

from territories.identifiers import normalise_departement_code

# INSEE codes of the overseas territories, beyond the 5 overseas départements.
OVERSEAS_WITHOUT_ARS = {
    "975": "Saint-Pierre-et-Miquelon",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Île de Clipperton",
}
SERVED_BY_GUADELOUPE = {"977": "Saint-Barthélemy", "978": "Saint-Martin"}
# 985 was Mayotte's code before it became a département (976) in 2011: not in today's COG.
RETIRED_OVERSEAS = {"985": "ancien code de Mayotte, remplacé par 976 en 2011"}

# FINESS's own codes (CSV extract). 9A covers Guadeloupe, Saint-Barthélemy and Saint-Martin.
FINESS_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}
FINESS_WITHOUT_ARS = {
    "9E": "Saint-Pierre-et-Miquelon",
    "9J": "Wallis-et-Futuna",
    # Listed by earlier KitCoop reference data for the Pacific territories; unverified.
    "9K": "Polynésie française",
    "9L": "Nouvelle-Calédonie",
}
GUADELOUPE_POSTCODES = {"97133": "Saint-Barthélemy", "97150": "Saint-Martin"}

HORS_ARS = "hors ARS"


@dataclass(frozen=True)
class Territory:
    departement_id: int | None
    note: str | None = None  # French, for the import report

    @property
    def without_ars(self) -> bool:
        return self.departement_id is None


def departement_code_of_commune(commune_code: str) -> str:
    """`01053` → `01`; `2A004` → `2A`; `97411` → `974`; `98613` → `986`."""
    code = (commune_code or "").strip().upper()
    return code[:3] if code[:2] in {"97", "98"} else code[:2]


class TerritoryResolver:
    """Maps register codes to Departement ids, one query at construction."""

    def __init__(self):
        from territories.models import Departement

        self.by_code = dict(Departement.objects.values_list("code", "pk"))

    def from_commune(self, commune_code: str) -> Territory:
        """From an INSEE commune code (JSON flux)."""
        code = (commune_code or "").strip().upper()
        if not code:
            return Territory(None, f"{HORS_ARS} : adresse sans code commune INSEE")
        departement = departement_code_of_commune(code)
        if departement in self.by_code:
            return Territory(self.by_code[departement])
        return self._other(departement, f"commune {code}", f"code commune INSEE « {code} »")

    def _other(self, departement: str, where: str, what: str) -> Territory:
        if departement in SERVED_BY_GUADELOUPE:
            name = SERVED_BY_GUADELOUPE[departement]
            return Territory(
                self.by_code.get("971"), f"{name} ({where}) : rattaché à l'ARS Guadeloupe"
            )
        if departement in OVERSEAS_WITHOUT_ARS:
            name = OVERSEAS_WITHOUT_ARS[departement]
            return Territory(None, f"{HORS_ARS} : {name} ({where}) ne relève d'aucune ARS")
        if departement in RETIRED_OVERSEAS:
            return Territory(None, f"{HORS_ARS} : {what} inconnu ({RETIRED_OVERSEAS[departement]})")
        return Territory(None, f"{HORS_ARS} : {what} inconnu")

    def from_finess_code(self, code: str, postcode: str = "") -> Territory:
        """From the `departement` field of the CSV extract (FINESS's codes)."""
        normalised = normalise_departement_code(code)
        value = normalised.value
        if not value:
            return Territory(None, f"{HORS_ARS} : champ département vide")
        if value in self.by_code:
            return Territory(self.by_code[value], normalised.note)
        if value in FINESS_OVERSEAS:
            territory = self.by_code.get(FINESS_OVERSEAS[value])
            place = GUADELOUPE_POSTCODES.get((postcode or "").strip()) if value == "9A" else None
            note = f"{place} (code FINESS 9A) : rattaché à l'ARS Guadeloupe" if place else None
            return Territory(territory, note)
        if value in FINESS_WITHOUT_ARS:
            name = FINESS_WITHOUT_ARS[value]
            return Territory(
                None, f"{HORS_ARS} : {name} (code FINESS {value}) ne relève d'aucune ARS"
            )
        return self._other(value, f"département {value}", f"code de département « {value} »")
