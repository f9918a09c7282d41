"""Import of the FINESS 2026 "Activités" JSON flux: authorised and exercised activities and
heavy equipment, per legal entity (`activitesAutorisees`) and per site (`ege[].activitesExercees`).

Streamed with ijson, one legal entity at a time, in one transaction. The register's legal
entities and sites must have been imported first (structures flux or CSV extract): an
activity whose holder is unknown is counted and reported, not invented. A re-import replaces
the activities of every legal entity present in the file (the flux is a full daily stock):
an activity that disappeared from the register disappears here too.

Leniency: the published example has `null` where its schema wants strings and CRLF line
endings; dates, codes and counts are read where present, and nothing else is required than
an activity id (`activiteAeId`) and a nature (`codeNature`).
"""

from __future__ import annotations

from collections.abc import Callable

import ijson
from django.db import transaction

from territories.identifiers import normalise_finess_number
from territories.nomenclatures import EQUIPMENT_NATURES
from territories.register_json import parse_date, text

BATCH_ENTITIES = 500


class NotAnActivitiesFile(ValueError):
    """The JSON is not the FINESS "Activités" flux: nothing was imported."""


def _specific_codes(nature: dict) -> dict:
    """The nature-specific codes (activity, modality, form…) as a flat {name: code} dict."""
    specific = (nature or {}).get("caracteristiquesSpecifiques") or {}
    codes = {}
    for key, value in specific.items():
        if key.startswith("typeActivite") and isinstance(value, dict):
            codes.update({k: text(v) for k, v in value.items() if v not in (None, "")})
    return codes


def _equipment_count(nature: dict) -> int | None:
    specific = (nature or {}).get("caracteristiquesSpecifiques") or {}
    total, found = 0, False
    for device in specific.get("appareil") or []:
        count = text((device or {}).get("nombreAppareilAMM"))
        if count.isdigit():
            total += int(count)
            found = True
    return total if found else None


def _capacity(capacities) -> int | None:
    total, found = 0, False
    for capacity in capacities or []:
        number = text((capacity or {}).get("nombre"))
        if number.isdigit():
            total += int(number)
            found = True
    return total if found else None


def activity_row(activity: dict, *, exercised: bool, report, ref: str) -> dict | None:
    generic = activity.get("caracteristiquesGeneriques") or {}
    nature = activity.get("nature") or {}
    register_id = text(generic.get("activiteAeId"))
    nature_code = text(nature.get("codeNature"))
    if not register_id or not nature_code:
        report.reject(None, "activité sans identifiant ou sans nature : écartée", ref=ref)
        return None
    codes = _specific_codes(nature)
    return {
        "register_id": register_id[:20],
        "exercised": exercised,
        "nature_code": nature_code[:10],
        "activity_type_code": text(generic.get("typeActiviteSMSSE"))[:10],
        "codes": codes,
        "authorisation_id": text(generic.get("identifiantAutorisation"))[:20],
        "arhgos_number": text(generic.get("numAutorisationArhgos"))[:40],
        "starts_on": parse_date(generic.get("dateDebutActiviteAutorisee")),
        "ends_on": parse_date(generic.get("dateFinActiviteAutorisee")),
        "effective_end_on": parse_date(generic.get("dateFinEffectiveActivite")),
        "lapses_on": parse_date(generic.get("dateCaduciteAutorisation")),
        "is_active": text(generic.get("etatObjet")) != "I",
        "equipment_count": _equipment_count(nature),
        "capacity": _capacity(activity.get("capacite")),
    }


class _Batch:
    def __init__(self):
        self.entities: dict[str, list] = {}  # EJ FINESS -> rows
        self.sites: dict[str, list] = {}  # ET FINESS -> rows


def _flush(batch: _Batch, report) -> None:
    from territories.models import Establishment, EstablishmentActivity, LegalEntity

    entity_ids = dict(
        LegalEntity.objects.filter(finess__in=list(batch.entities)).values_list("finess", "pk")
    )
    site_ids = dict(
        Establishment.objects.filter(finess__in=list(batch.sites)).values_list("finess", "pk")
    )
    objects, seen = [], set()
    for finess, rows in batch.entities.items():
        if finess not in entity_ids:
            report.counts["unknown_holders"] = report.counts.get("unknown_holders", 0) + 1
            report.note(
                None,
                f"entité juridique absente du référentiel : {len(rows)} activité(s) non reprise(s)",
                ref=f"EJ {finess}",
            )
            continue
        for row in rows:
            objects.append(EstablishmentActivity(legal_entity_id=entity_ids[finess], **row))
    for finess, rows in batch.sites.items():
        if finess not in site_ids:
            report.counts["unknown_holders"] = report.counts.get("unknown_holders", 0) + 1
            report.note(
                None,
                f"établissement absent du référentiel : {len(rows)} activité(s) non reprise(s)",
                ref=f"ET {finess}",
            )
            continue
        for row in rows:
            objects.append(EstablishmentActivity(establishment_id=site_ids[finess], **row))
    unique = []
    for obj in objects:
        if obj.register_id in seen:
            report.note(
                None, f"activité {obj.register_id} listée deux fois : la première est gardée"
            )
            continue
        seen.add(obj.register_id)
        unique.append(obj)
    # The flux is a full stock per legal entity: replace what these holders had.
    EstablishmentActivity.objects.filter(legal_entity_id__in=list(entity_ids.values())).delete()
    EstablishmentActivity.objects.filter(establishment_id__in=list(site_ids.values())).delete()
    EstablishmentActivity.objects.filter(register_id__in=[o.register_id for o in unique]).delete()
    EstablishmentActivity.objects.bulk_create(unique, batch_size=1000)
    report.counts["activities"] = report.counts.get("activities", 0) + len(unique)
    report.counts["equipments"] = report.counts.get("equipments", 0) + sum(
        1 for o in unique if o.nature_code in EQUIPMENT_NATURES or o.equipment_count
    )


def import_activities(
    open_file: Callable,
    report,
    *,
    progress: Callable[[int], None] | None = None,
    position: Callable[[], int] | None = None,
):
    """Import the activities flux; `open_file()` returns the (decompressed) JSON stream.

    Raises NotAnActivitiesFile (nothing written) when the JSON holds no `pmej` entry with
    activities.
    """
    handle = open_file()
    entries = 0
    try:
        with transaction.atomic():
            batch = _Batch()
            for record in ijson.items(handle, "pmej.item", use_float=False):
                if not isinstance(record, dict):
                    continue
                entries += 1
                raw = text(record.get("numFiness") or record.get("numeroFiness"))
                finess = normalise_finess_number(raw, label="FINESS EJ")
                if not finess.ok:
                    report.reject(None, f"entrée écartée : {finess.error}", ref=f"EJ {raw or '?'}")
                    continue
                ref = f"EJ {finess.value}"
                rows = batch.entities.setdefault(finess.value, [])
                for activity in record.get("activitesAutorisees") or []:
                    row = activity_row(activity or {}, exercised=False, report=report, ref=ref)
                    if row:
                        rows.append(row)
                for site in record.get("ege") or []:
                    site = site or {}
                    raw_site = text(site.get("numFinessEge"))
                    site_finess = normalise_finess_number(raw_site, label="FINESS ET")
                    if not site_finess.ok:
                        report.reject(
                            None, f"site écarté : {site_finess.error}", ref=f"ET {raw_site or '?'}"
                        )
                        continue
                    site_rows = batch.sites.setdefault(site_finess.value, [])
                    for activity in site.get("activitesExercees") or []:
                        row = activity_row(
                            activity or {},
                            exercised=True,
                            report=report,
                            ref=f"ET {site_finess.value}",
                        )
                        if row:
                            site_rows.append(row)
                if len(batch.entities) >= BATCH_ENTITIES:
                    _flush(batch, report)
                    batch = _Batch()
                    if progress and position:
                        progress(position())
            _flush(batch, report)
            if not entries:
                raise NotAnActivitiesFile(
                    "Ce fichier JSON ne contient aucune entrée « pmej » : ce n'est pas le flux "
                    "FINESS Activités. Aucune donnée n'a été importée."
                )
    finally:
        handle.close()
    if progress and position:
        progress(position())
    return report
