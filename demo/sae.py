"""Load real establishments from the SAE 2022 identification table (demo data).

File quirks: Windows-1252 (a Latin-1 superset: ’ – Œ occur), `;` separated, one line per ET with its EJ (fi_ej); `catr`
gives the legal status family (PUB public, PNL private non-profit, PLU private for-profit).
"""

from pathlib import Path

from django.db import transaction

from core.tabular import read_table
from territories.classification import category_label, sector_from_category
from territories.finess import finess_error
from territories.models import Departement, Establishment, LegalEntity, LegalStatus

STATUS_BY_CATR = {
    "PUB": LegalStatus.PUBLIC,
    "PNL": LegalStatus.PRIVATE_NON_PROFIT,
    "PLU": LegalStatus.PRIVATE_FOR_PROFIT,
}


def _status(catr: str) -> str:
    return STATUS_BY_CATR.get((catr or "")[:3], LegalStatus.UNKNOWN)


@transaction.atomic
def load_sae_establishments(path: Path, departements: set[str] | None = None) -> int:
    deps = dict(Departement.objects.values_list("code", "pk"))
    # SAE uses FINESS's own codes for overseas départements (9A Guadeloupe…).
    deps.update(Departement.objects.exclude(finess_code="").values_list("finess_code", "pk"))
    # Read through the shared format detector (Windows-1252, ";"), like every importer.
    _detected, header, table = read_table(path, expected_columns=("fi", "fi_ej", "dep"))
    rows = []
    for _line, cells in table:
        r = dict(zip(header, cells, strict=False))
        if (
            (departements is None or r.get("dep") in departements)
            and not finess_error(r.get("fi", ""))
            and not finess_error(r.get("fi_ej", ""))
        ):
            rows.append(r)
    count = 0
    for row in rows:
        status = _status(row["catr"])
        # No name: `rs` is the site's name, not its legal entity's (an association would
        # bear the name of one of its centres). Names come from legal-entity sources.
        entity, created = LegalEntity.objects.get_or_create(
            finess=row["fi_ej"],
            defaults={
                "legal_status": status,
                "legal_status_code": row["stj"],
                "departement_id": deps.get(row["dep"]),
                "siren": (row["sir"] or "")[:9],
            },
        )
        street = " ".join(p for p in (row["NUMVOI"], row["TYPVOI"], row["NOMVOI"]) if p)
        # get_or_create: a second demo load must not rewrite rows nor their history.
        _, was_created = Establishment.objects.get_or_create(
            finess=row["fi"],
            defaults={
                "legal_entity": entity,
                "name": row["rs"],
                "category_code": row["cat"],
                "category_label": category_label(row["cat"]),
                "legal_status": status,
                "sector": sector_from_category(row["cat"], "1"),
                "siret": row["sir"][:14],
                "address": street,
                "postcode": row["CPO"],
                "commune_code": row["COMINSEE"],
                "commune": row["LIBCOM"] or row["NOMCOM"],
                "departement_id": deps.get(row["dep"]),
            },
        )
        count += was_created
    return count
