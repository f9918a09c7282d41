"""Import of the FINESS 2026 "Structures" JSON flux (ANS), streamed in constant memory.

The file (plain or gzipped) holds `pmej` (legal entities, each with its sites `ege`), `gcc`
(GHT and their member legal entities) and `gco` (groupements de coopération). It is read
with ijson (C backend), one array at a time: `pmej` first — legal entities and sites are
upserted in batches —, then `gcc` and `gco`, which are small and are handed to the handlers
registered by other apps (cooperations turns them into GHT and groupement cooperations, see
cooperations/register.py). Everything runs in one transaction: a failure leaves nothing.

Leniency (the published examples do not follow their own schema): both spellings of the
keys (`informationsGeneralesPMEJ`/`informationsGeneralesPmej`, `pmSmsseId`/`pm_smsseId`,
`categorieentiteGeographiqueExercice`/`categorieEntiteGeographiqueExercice`), `metadata` or
top-level `schemaVersion`, names with trailing spaces, nulls where strings are expected: what
is there is read, what is missing is reported per entity, nothing is rejected wholesale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import ijson
from django.db import transaction
from django.utils import timezone

from territories.classification import category_label, sector_from_category, status_from_finess
from territories.geography import TerritoryResolver
from territories.identifiers import (
    normalise_commune_code,
    normalise_finess_number,
    normalise_phone,
    normalise_postcode,
    normalise_siren,
    normalise_siret,
)
from territories.nomenclatures import status_from_statut

ENTITY_FIELDS = [
    "name", "long_name", "name_source", "legal_status", "legal_status_code", "siren", "ape_code", "phone",
    "address", "postcode", "commune_code", "commune", "departement_id", "latitude",
    "longitude", "register_id", "opened_on", "closed_on", "is_closed", "finess_updated_on",
]  # fmt: skip
ESTABLISHMENT_FIELDS = [
    "name", "long_name", "category_code", "category_label", "aggregated_category_code",
    "aggregated_category_label", "legal_status", "sector", "siret", "phone", "address",
    "postcode", "commune_code", "commune", "departement_id", "latitude", "longitude",
    "opened_on", "authorised_on", "finess_updated_on", "register_id", "closed_on", "is_closed",
]  # fmt: skip


NAME_SOURCE = "répertoire FINESS (flux Structures, fiche de l'entité juridique)"


class NotAStructuresFile(ValueError):
    """The JSON is not the FINESS "Structures" flux: nothing was imported."""


@dataclass
class RegisterGroupings:
    """The `gcc` and `gco` arrays, handed to grouping handlers after the legal entities."""

    ght: list[dict]
    groupements: list[dict]
    generated_at: str = ""

    @staticmethod
    def entity_ids(register_ids: set[str]) -> dict[str, int]:
        """pmSmsseId → LegalEntity pk, for the ids present in the database."""
        from territories.models import LegalEntity

        result = {}
        ids = sorted(i for i in register_ids if i)
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            result.update(
                LegalEntity.objects.filter(register_id__in=chunk).values_list("register_id", "pk")
            )
        return result

    @staticmethod
    def establishment_ids(register_ids: set[str]) -> dict[str, int]:
        from territories.models import Establishment

        result = {}
        ids = sorted(i for i in register_ids if i)
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            result.update(
                Establishment.objects.filter(register_id__in=chunk).values_list("register_id", "pk")
            )
        return result


# Handlers called inside the import's transaction: handler(groupings, report).
GROUPING_HANDLERS: list[Callable] = []


def register_grouping_handler(handler: Callable) -> None:
    if handler not in GROUPING_HANDLERS:
        GROUPING_HANDLERS.append(handler)


def first(mapping: dict, *keys, default=None):
    """The value of the first key present (the flux spells some keys two ways)."""
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    return default


def text(value) -> str:
    return str(value).strip() if value is not None else ""


def parse_date(value) -> dt.date | None:
    value = text(value)[:10]
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _coordinate(value) -> Decimal | None:
    try:
        number = Decimal(text(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > 180:
        return None
    return number.quantize(Decimal("0.000001"))


def _phone(contacts) -> str:
    for contact in contacts or []:
        telecom = (contact or {}).get("telecom") or {}
        phone = normalise_phone(text(telecom.get("telephone")))
        if phone.value:
            return phone.value
    return ""


@dataclass
class Address:
    address: str = ""
    postcode: str = ""
    commune_code: str = ""
    commune: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    notes: list[str] = field(default_factory=list)


def read_address(addresses) -> Address:
    result = Address()
    chosen = next((a for a in addresses or [] if a and a.get("cogCommune")), None)
    chosen = chosen or next((a for a in addresses or [] if a), None)
    if not chosen:
        result.notes.append("aucune adresse")
        return result
    street = " ".join(
        p for p in (text(chosen.get(k)) for k in ("numeroVoie", "typeVoie", "libelleVoie")) if p
    )
    extra = [text(chosen.get(k)) for k in ("complementVoie", "lieuDit")]
    result.address = ", ".join(p for p in (street, *extra) if p)[:255]
    commune = normalise_commune_code(text(chosen.get("cogCommune")))
    result.commune_code = commune.value
    for item in (commune,):
        if item.note:
            result.notes.append(item.note)
        if item.error:
            result.notes.append(item.error)
    postcode = normalise_postcode(text(chosen.get("codePostal")))
    result.postcode = postcode.value
    if postcode.note or postcode.error:
        result.notes.append(postcode.note or postcode.error)
    routing = text(chosen.get("ligneAcheminement"))
    if result.postcode and routing.startswith(result.postcode):
        routing = routing[len(result.postcode) :].strip()
    result.commune = routing[:100]
    coordinates = chosen.get("coordonneesGeographique") or {}
    result.latitude = _coordinate(coordinates.get("directionLatitude"))
    result.longitude = _coordinate(coordinates.get("directionLongitude"))
    return result


def _closed(state: str, closed_on: dt.date | None, today: dt.date) -> bool:
    return state == "I" or bool(closed_on and closed_on <= today)


@dataclass
class _Batch:
    entities: list = field(default_factory=list)
    establishments: list = field(default_factory=list)


class StructuresImporter:
    def __init__(self, report, *, batch_size: int = 1000, progress=None, position=None):
        self.report = report
        self.batch_size = batch_size
        self.progress = progress
        self.position = position or (lambda: 0)
        self.territories = TerritoryResolver()
        self.today = timezone.localdate()
        self.batch = _Batch()

    # --- one legal entity and its sites ---------------------------------------------------
    def entity_row(self, record: dict) -> dict | None:
        report = self.report
        general = first(record, "informationsGeneralesPMEJ", "informationsGeneralesPmej") or {}
        raw_finess = text(first(general, "numFinessPm"))
        finess = normalise_finess_number(raw_finess, label="FINESS EJ")
        ref = f"EJ {raw_finess or '?'}"
        if not finess.ok:
            report.reject(None, f"entité juridique écartée : {finess.error}", ref=ref)
            return None
        ref = f"EJ {finess.value}"
        if finess.note:
            report.note(None, finess.note, ref=ref)
        name = text(general.get("denominationPm"))
        long_name = text(general.get("denominationLonguePmSmsse"))
        if not name and not long_name:
            report.note(None, "raison sociale absente du registre", ref=ref)
        siren = normalise_siren(text(general.get("siren")))
        if siren.note or siren.error:
            report.note(None, siren.note or f"{siren.error} (non enregistré)", ref=ref)
        address = read_address(record.get("adresse"))
        for note in address.notes:
            report.note(None, note, ref=ref)
        territory = self.territories.from_commune(address.commune_code)
        if territory.note:
            report.note(None, territory.note, ref=ref)
        statut = text(general.get("statutJuridique"))
        closed_on = parse_date(general.get("dateFermeture"))
        state = text(record.get("etatObjet"))
        return {
            "finess": finess.value,
            "name": (name or long_name)[:255],
            "long_name": long_name[:255],
            "name_source": NAME_SOURCE if (name or long_name) else "",
            "legal_status": status_from_statut(statut),
            "legal_status_code": statut[:4],
            "siren": siren.value,
            "ape_code": text(general.get("codeApe"))[:6],
            "phone": _phone(record.get("contact")),
            "address": address.address,
            "postcode": address.postcode,
            "commune_code": address.commune_code,
            "commune": address.commune,
            "departement_id": territory.departement_id,
            "latitude": address.latitude,
            "longitude": address.longitude,
            "register_id": text(first(general, "pmSmsseId", "pm_smsseId"))[:20],
            "opened_on": parse_date(general.get("dateCreation")),
            "closed_on": closed_on,
            "is_closed": _closed(state, closed_on, self.today),
            "finess_updated_on": parse_date(record.get("dateDerniereMaj")),
        }

    def establishment_row(self, record: dict, entity: dict) -> dict | None:
        report = self.report
        general = record.get("informationsGeneralesEGE") or record.get("informationsGeneralesEge")
        general = general or {}
        raw_finess = text(general.get("numFinessEge"))
        finess = normalise_finess_number(raw_finess, label="FINESS ET")
        ref = f"ET {raw_finess or '?'}"
        if not finess.ok:
            report.reject(None, f"établissement écarté : {finess.error}", ref=ref)
            return None
        ref = f"ET {finess.value}"
        if finess.note:
            report.note(None, finess.note, ref=ref)
        name = text(general.get("nomEgeCourt"))
        long_name = text(general.get("nomEgeLong"))
        complement = text(general.get("complementDenominationEg"))
        if complement and complement not in long_name:
            long_name = f"{long_name} {complement}".strip()
        if not name and not long_name:
            report.reject(None, "établissement écarté : nom absent du registre", ref=ref)
            return None
        category = text(
            first(
                record,
                "categorieentiteGeographiqueExercice",
                "categorieEntiteGeographiqueExercice",
                default=first(general, "categorieentiteGeographiqueExercice", default=""),
            )
        )
        if not category:
            report.note(None, "catégorie d'établissement absente du registre", ref=ref)
        siret = normalise_siret(text(general.get("siret")))
        if siret.error:
            report.note(None, f"{siret.error}", ref=ref)
        elif siret.note:
            report.note(None, siret.note, ref=ref)
        address = read_address(record.get("adresse"))
        for note in address.notes:
            report.note(None, note, ref=ref)
        territory = self.territories.from_commune(address.commune_code)
        if territory.note:
            report.note(None, territory.note, ref=ref)
        tariff = text(record.get("modefixationtarifaire"))
        status = entity["legal_status"]
        if status == "inconnu":
            status = status_from_finess("", tariff, category)
        closed_on = parse_date(general.get("dateFermeture"))
        state = text(record.get("etatObjet"))
        return {
            "finess": finess.value,
            "ej": entity["finess"],
            "name": (name or long_name)[:255],
            "long_name": long_name[:255],
            "category_code": category[:4],
            "category_label": category_label(category)[:255],
            "aggregated_category_code": "",
            "aggregated_category_label": "",
            "legal_status": status,
            "sector": sector_from_category(category, ""),
            "siret": siret.value,
            "phone": _phone(record.get("contact")),
            "address": address.address,
            "postcode": address.postcode,
            "commune_code": address.commune_code,
            "commune": address.commune,
            "departement_id": territory.departement_id,
            "latitude": address.latitude,
            "longitude": address.longitude,
            "opened_on": parse_date(general.get("dateOuverture")),
            "authorised_on": parse_date(general.get("datePremiereAutorisation")),
            "finess_updated_on": parse_date(record.get("dateDerniereMaj")),
            "register_id": text(general.get("egeId"))[:20],
            "closed_on": closed_on,
            "is_closed": _closed(state, closed_on, self.today),
        }

    def add(self, record: dict) -> None:
        if not isinstance(record, dict):
            self.report.reject(None, "entrée de « pmej » qui n'est pas un objet JSON")
            return
        entity = self.entity_row(record)
        if entity is None:
            return
        self.batch.entities.append(entity)
        for site in record.get("ege") or []:
            if not isinstance(site, dict):
                continue
            row = self.establishment_row(site, entity)
            if row is not None:
                self.batch.establishments.append(row)
        if len(self.batch.entities) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        from territories.importers import upsert_entities, upsert_establishments

        batch, self.batch = self.batch, _Batch()
        if batch.entities:
            upsert_entities(batch.entities, self.report, fields=ENTITY_FIELDS)
        if batch.establishments:
            upsert_establishments(batch.establishments, self.report, fields=ESTABLISHMENT_FIELDS)
        if self.progress:
            self.progress(self.position())


class _Counting:
    """A file wrapper counting the bytes read, for progress on gzipped files too."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.count += len(data)
        return data


def _items(open_file: Callable, prefix: str):
    handle = open_file()
    try:
        yield from ijson.items(handle, prefix, use_float=False)
    finally:
        handle.close()


def import_structures(
    open_file: Callable,
    report,
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    position: Callable[[], int] | None = None,
):
    """Import the structures flux. `open_file()` returns a new binary stream of the
    (decompressed) JSON each time it is called: the file is read once per top-level array.

    Raises NotAStructuresFile (nothing written) when the JSON has no `pmej` array of legal
    entities, and ijson.JSONError for a truncated or malformed file (nothing written).
    """
    importer = StructuresImporter(
        report, batch_size=batch_size, progress=progress, position=position
    )
    seen = {"pmej": 0}
    with transaction.atomic():
        for record in _items(open_file, "pmej.item"):
            seen["pmej"] += 1
            importer.add(record)
        importer.flush()
        if not seen["pmej"]:
            raise NotAStructuresFile(
                "Ce fichier JSON ne contient aucune entité juridique (tableau « pmej ») : ce "
                "n'est pas le flux FINESS Structures. Aucune donnée n'a été importée."
            )
        groupings = RegisterGroupings(
            ght=list(_items(open_file, "gcc.item")),
            groupements=list(_items(open_file, "gco.item")),
            generated_at=_generated_at(open_file),
        )
        report.counts["ght_in_file"] = len(groupings.ght)
        report.counts["groupements_in_file"] = len(groupings.groupements)
        for handler in GROUPING_HANDLERS:
            handler(groupings, report)
    return report


def _generated_at(open_file: Callable) -> str:
    handle = open_file()
    try:
        for prefix, event, value in ijson.parse(handle):
            if prefix in ("generatedAt", "metadata.generatedAt") and event == "string":
                return value
            if prefix in ("pmej", "gcc", "gco") and event == "start_array":
                break
    except ijson.JSONError:
        return ""
    finally:
        handle.close()
    return ""
