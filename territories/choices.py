"""Cached (pk, label) lists of the territorial reference tables (see core.refcache)."""

from core.refcache import Reference

ARS_NAMES = Reference("territories.ARS")
DEPARTEMENTS = Reference("territories.Departement")  # "01 – Ain"
DEPARTEMENT_CODES = Reference("territories.Departement", label=lambda d: d.code, name="code")
DEPARTEMENT_ARS = Reference("territories.Departement", label=lambda d: d.ars_id, name="ars")


def departement_ids_of(ars_id: int) -> list[int]:
    """The départements of a region, without a query once the list is cached."""
    return [pk for pk, departement_ars in DEPARTEMENT_ARS.choices() if departement_ars == ars_id]
