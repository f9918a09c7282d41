"""Import of the public FINESS extract (ET level), streamed in constant memory.

Format: first line `finess;etalab;<n>;<date>`, then `structureet;` lines of 32 fields
and optional `geolocalisation;` lines. Latin-1 or UTF-8 (decided line by line, since
real extracts mix them after hand edits), `;` separated, fields possibly double-quoted.

Guarantees: a file that is not a FINESS extract changes nothing; the whole import is
one transaction (a crash leaves the database as it was); a re-import updates rows by
FINESS number and never duplicates; every rejected line is reported with its number
and a French reason.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction

from territories.classification import (
    category_label,
    sector_from_category,
    status_from_finess,
)
from territories.finess import departement_of, finess_error
from territories.models import Departement, Establishment, LegalEntity, LegalStatus
from territories.reference import FINESS_CODES_WITHOUT_ARS

ET_FIELDS = [
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab",
    "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph",
    "libsph", "dateouv", "dateautor", "datemaj", "numuai",
]  # fmt: skip
EXPECTED_FIELDS = len(ET_FIELDS) + 1  # with the leading "structureet" tag
MAX_REPORTED_REJECTS = 1000
UPDATED_FIELDS = [
    "legal_entity", "name", "long_name", "category_code", "category_label",
    "aggregated_category_code", "aggregated_category_label", "legal_status", "sector",
    "siret", "phone", "address", "postcode", "commune_code", "commune", "departement",
    "opened_on", "authorised_on", "finess_updated_on",
]  # fmt: skip


class NotAFinessFile(ValueError):
    """The file is not a FINESS extract at all: nothing was imported."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    geolocations: int = 0
    rejected: int = 0
    without_ars: int = 0
    rejected_lines: list = field(default_factory=list)

    def reject(self, line_number: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_lines) < MAX_REPORTED_REJECTS:
            self.rejected_lines.append({"line": line_number, "reason": reason})

    @property
    def imported(self) -> int:
        return self.created + self.updated


def decode_line(raw: bytes) -> str:
    # UTF-8 first; then Windows-1252, which public-sector exports often are in place of
    # Latin-1 (’ – Œ); Latin-1 decodes anything left.
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    # ISO dates (the extract's format) through the C parser: strptime cost ~3 s per
    # 100 000 lines (three dates a line). fromisoformat also takes 20240101, so check length.
    if len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def check_header(first_line: str) -> None:
    header = first_line.strip().lstrip("\ufeff").lower()
    if header.startswith("finess;etalab"):
        return
    if header.startswith("finess,etalab") or header.startswith("structureet,"):
        raise NotAFinessFile(
            "Le séparateur de ce fichier est la virgule : un extrait FINESS utilise le "
            "point-virgule (;). Aucune donnée n'a été importée."
        )
    raise NotAFinessFile(
        "Ce fichier n'est pas un extrait FINESS : sa première ligne devrait commencer par "
        "« finess;etalab ». Aucune donnée n'a été importée."
    )


class _DepartementResolver:
    def __init__(self):
        self.by_code = {}
        for pk, code, finess_code in Departement.objects.values_list("pk", "code", "finess_code"):
            self.by_code[code] = pk
            if finess_code:
                self.by_code[finess_code] = pk

    def resolve(self, code: str, finess: str):
        code = (code or "").strip().upper()
        if code in self.by_code:
            return self.by_code[code]
        if code.isdigit() and len(code) == 1:
            return self.by_code.get("0" + code)
        if code in FINESS_CODES_WITHOUT_ARS or not code:
            return None
        return self.by_code.get(departement_of(finess) or "")


def _row_to_values(row: list[str], departements: _DepartementResolver) -> dict:
    data = dict(zip(ET_FIELDS, (cell.strip() for cell in row[1:]), strict=False))
    finess_et = data["nofinesset"].upper()
    finess_ej = data["nofinessej"].upper()
    error = finess_error(finess_et)
    if error:
        raise ValueError(f"FINESS ET invalide : {error}")
    error = finess_error(finess_ej)
    if error:
        raise ValueError(f"FINESS EJ invalide : {error}")
    if not data["rs"]:
        raise ValueError("raison sociale vide")
    street = " ".join(p for p in (data["numvoie"], data["typvoie"], data["voie"]) if p)
    address = ", ".join(p for p in (street, data["compvoie"], data["lieuditbp"]) if p)
    routing = data["ligneacheminement"]
    postcode, _, commune = routing.partition(" ")
    category = data["categetab"]
    return {
        "finess": finess_et,
        "ej": finess_ej,
        "name": data["rs"][:255],
        "long_name": data["rslongue"][:255],
        "category_code": category[:4],
        "category_label": (data["libcategetab"] or category_label(category))[:255],
        "aggregated_category_code": data["categagretab"][:4],
        "aggregated_category_label": data["libcategagretab"][:255],
        "legal_status": status_from_finess(data["codesph"], data["codemft"], category),
        "sector": sector_from_category(category, data["categagretab"]),
        "siret": data["siret"][:14],
        "phone": data["telephone"][:20],
        "address": address[:255],
        "postcode": postcode[:10] if postcode.isdigit() else "",
        "commune_code": data["commune"][:5],
        "commune": (commune if postcode.isdigit() else routing)[:100],
        "departement_id": departements.resolve(data["departement"], finess_et),
        "opened_on": parse_date(data["dateouv"]),
        "authorised_on": parse_date(data["dateautor"]),
        "finess_updated_on": parse_date(data["datemaj"]),
    }


def _column(name: str) -> str:
    return Establishment._meta.get_field(name).column


def _upsert_with_copy(rows: list[dict], ej_ids: dict) -> None:
    """PostgreSQL: COPY the batch into a temporary table, then one INSERT … ON CONFLICT.

    Same result as bulk_create(update_conflicts=True), without building a model instance
    and a bound parameter per cell: bulk_create took two thirds of a 100 000-line import.
    """
    fields = [k for k in rows[0] if k != "ej"] + ["legal_entity_id"]
    columns = ", ".join(f'"{name}"' for name in fields)
    updates = ", ".join(f'"{_column(f)}" = EXCLUDED."{_column(f)}"' for f in UPDATED_FIELDS)
    table = Establishment._meta.db_table
    with connection.cursor() as cursor:
        # Only the copied columns, no constraint: the real table's constraints apply on
        # INSERT. Dropped at the end of the import's transaction.
        # Table and column names come from the model's meta, never from the file.
        create = f'CREATE TEMPORARY TABLE IF NOT EXISTS finess_batch ON COMMIT DROP AS SELECT {columns} FROM "{table}" WITH NO DATA'  # noqa: E501, S608
        cursor.execute(create)
        cursor.execute("TRUNCATE finess_batch")
        with cursor.cursor.copy(f"COPY finess_batch ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f] for f in fields[:-1]] + [ej_ids[row["ej"]]])
        upsert = f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM finess_batch ON CONFLICT ("finess") DO UPDATE SET {updates}'  # noqa: E501, S608
        cursor.execute(upsert)


def _flush(batch: list[dict], report: ImportReport) -> None:
    if not batch:
        return
    # A file may list the same ET twice: the last line wins.
    rows = list({row["finess"]: row for row in batch}.values())
    ej_numbers = {row["ej"] for row in rows}
    existing_ej = set(
        LegalEntity.objects.filter(finess__in=ej_numbers).values_list("finess", flat=True)
    )
    new_ej = []
    for row in rows:
        if row["ej"] not in existing_ej:
            existing_ej.add(row["ej"])
            new_ej.append(
                LegalEntity(
                    finess=row["ej"],
                    legal_status=row["legal_status"] or LegalStatus.UNKNOWN,
                    departement_id=row["departement_id"],
                )
            )
    LegalEntity.objects.bulk_create(new_ej, ignore_conflicts=True)
    ej_ids = dict(LegalEntity.objects.filter(finess__in=ej_numbers).values_list("finess", "pk"))
    existing_et = set(
        Establishment.objects.filter(finess__in=[r["finess"] for r in rows]).values_list(
            "finess", flat=True
        )
    )
    if connection.vendor == "postgresql":
        _upsert_with_copy(rows, ej_ids)
    else:
        objects = []
        for row in rows:
            values = {k: v for k, v in row.items() if k != "ej"}
            objects.append(Establishment(legal_entity_id=ej_ids[row["ej"]], **values))
        Establishment.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["finess"], update_fields=UPDATED_FIELDS
        )
    created = sum(1 for r in rows if r["finess"] not in existing_et)
    report.created += created
    report.updated += len(rows) - created
    report.without_ars += sum(1 for r in rows if r["departement_id"] is None)


def import_finess(
    lines: Iterable[bytes],
    *,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import an iterable of raw lines (a binary file object works). Returns the report.

    Raises NotAFinessFile, with nothing written, when the first line is not a FINESS header.
    """
    iterator = iter(lines)
    try:
        first = next(iterator)
    except StopIteration:
        raise NotAFinessFile("Le fichier est vide : aucune donnée n'a été importée.") from None
    check_header(decode_line(first).replace("\x00", ""))
    processed = len(first)
    report = ImportReport()
    departements = _DepartementResolver()
    with transaction.atomic():
        batch: list[dict] = []
        for line_number, raw in enumerate(iterator, start=2):
            processed += len(raw)
            text = decode_line(raw).rstrip("\r\n")
            if not text.strip():
                continue
            if "\x00" in text:
                report.reject(line_number, "caractère nul dans la ligne (fichier corrompu ?)")
                continue
            try:
                row = next(csv.reader([text], delimiter=";", quotechar='"'))
            except csv.Error as error:
                report.reject(line_number, f"ligne illisible ({error})")
                continue
            tag = row[0].strip().lower()
            if tag == "geolocalisation":
                report.geolocations += 1
                continue
            if tag != "structureet":
                report.reject(line_number, f"type de ligne inconnu « {row[0][:30]} »")
                continue
            if len(row) != EXPECTED_FIELDS:
                report.reject(
                    line_number,
                    f"{len(row)} champs au lieu de {EXPECTED_FIELDS} (ligne tronquée ou mal formée)",
                )
                continue
            try:
                batch.append(_row_to_values(row, departements))
            except ValueError as error:
                report.reject(line_number, str(error))
                continue
            if len(batch) >= batch_size:
                _flush(batch, report)
                batch = []
                if progress:
                    progress(processed)
        _flush(batch, report)
    if progress:
        progress(processed)
    return report
