"""Imports of the FINESS register: the 2026 JSON flux and the historical CSV extract.

`import_register_file(path)` looks at the file once (core.tabular.detect) and runs the
right importer: the "Structures" JSON flux (territories/register_json.py), the
"Activités" JSON flux (territories/activities.py), or the CSV extract (below), also when a
spreadsheet saved it as .xlsx, gzipped it, or left CR-only line endings.

The CSV extract: first line `finess;etalab;<n>;<date>`, then `structureet;` lines of 32
fields and optional `geolocalisation;` lines; Latin-1 or UTF-8 (decided line by line, since
real extracts mix them after hand edits), fields possibly double-quoted.

Guarantees, for every format: a file that is not a register file changes nothing; the whole
import is one transaction (a crash leaves the database as it was); a re-import updates rows
by FINESS number and never duplicates; every rejected line and every correction (FINESS
leading zero restored, SIRET in scientific notation refused, territory "hors ARS"…) is
reported with its line number (CSV) or its FINESS number (JSON) and a French reason. The
département comes from the register's own field, never from the FINESS number.
"""

import contextlib
import csv
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import connection, transaction

from core import locks
from core.tabular import FormatError, detect, iter_lines, open_binary, read_table
from core.text import printable
from territories.classification import (
    category_label,
    sector_from_category,
    status_from_finess,
)
from territories.geography import TerritoryResolver
from territories.identifiers import (
    normalise_departement_code,
    normalise_finess_number,
    normalise_phone,
    normalise_postcode,
    normalise_siret,
)
from territories.models import Establishment, LegalEntity, LegalStatus

ET_FIELDS = [
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab",
    "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph",
    "libsph", "dateouv", "dateautor", "datemaj", "numuai",
]  # fmt: skip
EXPECTED_FIELDS = len(ET_FIELDS) + 1  # with the leading "structureet" tag
MAX_REPORTED_REJECTS = 1000
MAX_REPORTED_NOTES = 2000
MAX_LISTED_CHANGES = 50
# What a CSV line updates. Closing state, register ids and coordinates come only from the
# JSON flux: an old CSV must not reopen a site the register closed.
UPDATED_FIELDS = [
    "legal_entity", "name", "long_name", "category_code", "category_label",
    "aggregated_category_code", "aggregated_category_label", "legal_status", "sector",
    "siret", "phone", "address", "postcode", "commune_code", "commune", "departement",
    "opened_on", "authorised_on", "finess_updated_on",
]  # fmt: skip


# Row keys that are column names rather than field names.
FIELD_NAMES = {"departement_id": "departement"}


class NotAFinessFile(ValueError):
    """The file is not a FINESS register file at all: nothing was imported."""


IMPORT_LOCK = "territories.finess-import"
IMPORT_BUSY_MESSAGE = (
    "Un autre import FINESS est en cours : deux imports ne peuvent pas écrire le répertoire "
    "en même temps. Relancez celui-ci quand le précédent sera terminé ; rien n'a été importé."
)


class ImportBusy(Exception):  # noqa: N818 - reads as a state
    """Another FINESS import holds the lock: nothing was imported (French message)."""

    def __init__(self, message: str = IMPORT_BUSY_MESSAGE):
        self.message = message
        super().__init__(message)


@dataclass
class ImportReport:
    kind: str = "finess-csv"
    format_description: str = ""
    created: int = 0  # establishments (ET)
    updated: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    geolocations: int = 0
    rejected: int = 0
    without_ars: int = 0
    notes_count: int = 0
    rejected_lines: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)

    def reject(self, line_number: int | None, reason: str, *, ref: str | None = None) -> None:
        self.rejected += 1
        if len(self.rejected_lines) < MAX_REPORTED_REJECTS:
            item = {"line": line_number, "reason": reason}
            if ref:
                item["ref"] = ref
            self.rejected_lines.append(item)

    def note(self, line_number: int | None, text: str, *, ref: str | None = None) -> None:
        """A correction made or a remark on a line that was imported."""
        self.notes_count += 1
        if len(self.notes) < MAX_REPORTED_NOTES:
            item = {"line": line_number, "note": text}
            if ref:
                item["ref"] = ref
            self.notes.append(item)

    def change(self, kind: str, label: str) -> None:
        counts = self.changes.setdefault("counts", {})
        counts[kind] = counts.get(kind, 0) + 1
        listed = self.changes.setdefault(kind, [])
        if len(listed) < MAX_LISTED_CHANGES:
            listed.append(label)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary_lines(self) -> list[str]:
        """The report in French, as the command prints it and the web page shows it."""
        lines = []
        if self.format_description:
            lines.append(f"Format : {self.format_description}.")
        if self.kind == "finess-activities":
            lines.append(
                f"Activités enregistrées : {self.counts.get('activities', 0)} "
                f"(dont {self.counts.get('equipments', 0)} équipements) ; "
                f"entités ou établissements inconnus du référentiel : "
                f"{self.counts.get('unknown_holders', 0)} ; rejetées : {self.rejected}"
            )
        else:
            lines.append(
                f"Établissements créés : {self.created} ; mis à jour : {self.updated} ; "
                f"lignes de géolocalisation : {self.geolocations} ; rejetées : {self.rejected} ; "
                f"hors ARS : {self.without_ars}"
            )
            if self.kind == "finess-structures":
                lines.append(
                    f"Entités juridiques créées : {self.entities_created} ; mises à jour : "
                    f"{self.entities_updated}"
                )
        for line in self.counts.get("grouping_lines", []):
            lines.append(line)
        if self.notes_count:
            lines.append(f"Corrections et remarques : {self.notes_count}")
        return lines


def _where(item: dict) -> str:
    if item.get("line") is not None:
        return f"ligne {item['line']}"
    return item.get("ref") or "fichier"


def report_details(report: "ImportReport", limit: int = 200) -> list[str]:
    lines = [f"  {_where(i)} : {i['reason']}" for i in report.rejected_lines[:limit]]
    if report.rejected > limit:
        lines.append(f"  … et {report.rejected - limit} autres rejets")
    lines += [f"  {_where(i)} : {i['note']}" for i in report.notes[:limit]]
    if report.notes_count > limit:
        lines.append(f"  … et {report.notes_count - limit} autres remarques")
    return lines


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
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise ValueError(f"date illisible « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def check_header(row: list[str]) -> None:
    first = [cell.strip().lstrip("\ufeff").lower() for cell in row[:2]]
    if first == ["finess", "etalab"]:
        return
    joined = ";".join(row).lower()
    if joined.lstrip("\ufeff").startswith(("finess,etalab", "structureet,")):
        raise NotAFinessFile(
            "Le séparateur de ce fichier est la virgule : un extrait FINESS utilise le "
            "point-virgule (;). Aucune donnée n'a été importée."
        )
    found = printable(";".join(row).lstrip("\ufeff"))
    found = found if len(found) <= 60 else found[:59] + "…"
    raise NotAFinessFile(
        "Ce fichier n'est pas un extrait FINESS ni un flux JSON FINESS 2026 : sa première "
        f"ligne commence par « {found} », là où un extrait commence par « finess;etalab » "
        "et un flux JSON par « { » ou « [ ». Aucune donnée n'a été importée."
    )


def _row_to_values(row: list[str], territories: TerritoryResolver, notes: list[str]) -> dict:
    data = dict(zip(ET_FIELDS, (cell.strip() for cell in row[1:]), strict=False))
    finess_et = normalise_finess_number(data["nofinesset"], label="FINESS ET")
    if not finess_et.ok:
        raise ValueError(f"FINESS ET invalide : {finess_et.error}")
    finess_ej = normalise_finess_number(data["nofinessej"], label="FINESS EJ")
    if not finess_ej.ok:
        raise ValueError(f"FINESS EJ invalide : {finess_ej.error}")
    notes += [n for n in (finess_et.note, finess_ej.note) if n]
    if not data["rs"]:
        raise ValueError("raison sociale vide")
    street = " ".join(p for p in (data["numvoie"], data["typvoie"], data["voie"]) if p)
    address = ", ".join(p for p in (street, data["compvoie"], data["lieuditbp"]) if p)
    routing = data["ligneacheminement"]
    first_word, _, rest = routing.partition(" ")
    postcode = normalise_postcode(first_word) if first_word.isdigit() else None
    if postcode and postcode.note:
        notes.append(postcode.note)
    siret = normalise_siret(data["siret"])
    if siret.error:
        notes.append(f"refus : {siret.error}")
    elif siret.note:
        notes.append(siret.note)
    phone = normalise_phone(data["telephone"])
    if phone.note:
        notes.append(phone.note)
    territory = territories.from_finess_code(
        data["departement"], postcode.value if postcode else ""
    )
    if territory.note:
        notes.append(territory.note)
    category = data["categetab"]
    commune_code = data["commune"]
    departement_code = normalise_departement_code(data["departement"]).value
    if len(departement_code) == 2 and commune_code.isdigit() and len(commune_code) <= 3:
        # The extract gives the commune's code within its (metropolitan) département.
        commune_code = departement_code + commune_code.zfill(3)
    return {
        "finess": finess_et.value,
        "ej": finess_ej.value,
        "name": data["rs"][:255],
        "long_name": data["rslongue"][:255],
        "category_code": category[:4],
        "category_label": (data["libcategetab"] or category_label(category))[:255],
        "aggregated_category_code": data["categagretab"][:4],
        "aggregated_category_label": data["libcategagretab"][:255],
        "legal_status": status_from_finess(data["codesph"], data["codemft"], category),
        "sector": sector_from_category(category, data["categagretab"]),
        "siret": siret.value,
        "phone": phone.value[:20],
        "address": address[:255],
        "postcode": postcode.value if postcode else "",
        "commune_code": commune_code[:5],
        "commune": (rest if postcode else routing)[:100],
        "departement_id": territory.departement_id,
        "opened_on": parse_date(data["dateouv"]),
        "authorised_on": parse_date(data["dateautor"]),
        "finess_updated_on": parse_date(data["datemaj"]),
        # Not null in the table; never updated from a CSV (see UPDATED_FIELDS).
        "register_id": "",
        "is_closed": False,
    }


def _copy_upsert(model, rows: list[dict], update_fields: list[str]) -> None:
    """PostgreSQL: COPY the batch into a temporary table, then one INSERT … ON CONFLICT on
    the FINESS number.

    Same result as bulk_create(update_conflicts=True), without building a model instance
    and a bound parameter per cell: bulk_create took two thirds of a 100 000-line import.
    Rows are dicts of column names (ForeignKey columns with their `_id`).
    """
    meta = model._meta
    fields = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in fields)
    updates = ", ".join(
        f'"{meta.get_field(f).column}" = EXCLUDED."{meta.get_field(f).column}"'
        for f in update_fields
    )
    table = meta.db_table
    batch_table = f"finess_batch_{meta.model_name}_{len(fields)}"
    with connection.cursor() as cursor:
        # Only the copied columns, no constraint: the real table's constraints apply on
        # INSERT. Dropped at the end of the import's transaction.
        # Table and column names come from the model's meta, never from the file.
        create = f'CREATE TEMPORARY TABLE IF NOT EXISTS {batch_table} ON COMMIT DROP AS SELECT {columns} FROM "{table}" WITH NO DATA'  # noqa: E501, S608
        cursor.execute(create)
        cursor.execute(f"TRUNCATE {batch_table}")
        with cursor.cursor.copy(f"COPY {batch_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f] for f in fields])
        upsert = f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM {batch_table} ON CONFLICT ("finess") DO UPDATE SET {updates}'  # noqa: E501, S608
        cursor.execute(upsert)


def upsert_entities(rows: list[dict], report: ImportReport, *, fields: list[str]) -> None:
    """Create or update legal entities by FINESS number (rows: dicts of model fields)."""
    rows = list({row["finess"]: row for row in rows}.values())
    existing = {
        finess: (name, closed)
        for finess, name, closed in LegalEntity.objects.filter(
            finess__in=[r["finess"] for r in rows]
        ).values_list("finess", "name", "is_closed")
    }
    update_fields = [FIELD_NAMES.get(f, f) for f in fields]
    if connection.vendor == "postgresql":
        _copy_upsert(LegalEntity, rows, update_fields)
    else:
        LegalEntity.objects.bulk_create(
            [LegalEntity(**row) for row in rows],
            update_conflicts=True,
            unique_fields=["finess"],
            update_fields=update_fields,
            batch_size=1000,
        )
    for row in rows:
        before = existing.get(row["finess"])
        label = f"{row['finess']} {row['name']}".strip()
        if before is None:
            report.entities_created += 1
            continue
        report.entities_updated += 1
        if row.get("is_closed") and not before[1]:
            report.change("closed_entities", label)
        if before[0] and row["name"] and before[0] != row["name"]:
            report.change("renamed_entities", f"{row['finess']} : {before[0]} → {row['name']}")


def upsert_establishments(
    rows: list[dict], report: ImportReport, *, fields: list[str], create_entities: bool = False
) -> None:
    """Create or update establishments by FINESS number; rows carry their EJ number ("ej").

    With create_entities (CSV extract), a legal entity unknown so far is created with its
    number only: the ET extract carries no legal-entity name, and a site's name is not its
    legal entity's.
    """
    # A file may list the same ET twice: the last line wins.
    rows = list({row["finess"]: row for row in rows}.values())
    ej_numbers = {row["ej"] for row in rows}
    if create_entities:
        known = set(
            LegalEntity.objects.filter(finess__in=ej_numbers).values_list("finess", flat=True)
        )
        new_ej = {}
        for row in rows:
            if row["ej"] not in known and row["ej"] not in new_ej:
                new_ej[row["ej"]] = LegalEntity(
                    finess=row["ej"],
                    legal_status=row["legal_status"] or LegalStatus.UNKNOWN,
                    departement_id=row["departement_id"],
                )
        LegalEntity.objects.bulk_create(new_ej.values(), ignore_conflicts=True)
        report.entities_created += len(new_ej)
    ej_ids = dict(LegalEntity.objects.filter(finess__in=ej_numbers).values_list("finess", "pk"))
    existing = {
        finess: (name, closed)
        for finess, name, closed in Establishment.objects.filter(
            finess__in=[r["finess"] for r in rows]
        ).values_list("finess", "name", "is_closed")
    }
    update_fields = ["legal_entity", *(FIELD_NAMES.get(f, f) for f in fields)]
    if connection.vendor == "postgresql":
        copied = [
            {**{k: v for k, v in row.items() if k != "ej"}, "legal_entity_id": ej_ids[row["ej"]]}
            for row in rows
        ]
        _copy_upsert(Establishment, copied, update_fields)
    else:
        objects = []
        for row in rows:
            values = {k: v for k, v in row.items() if k != "ej"}
            objects.append(Establishment(legal_entity_id=ej_ids[row["ej"]], **values))
        Establishment.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["finess"], update_fields=update_fields
        )
    for row in rows:
        before = existing.get(row["finess"])
        label = f"{row['finess']} {row['name']}"
        if before is None:
            report.created += 1
            report.change("new_establishments", label)
        else:
            report.updated += 1
            if row.get("is_closed") and not before[1]:
                report.change("closed_establishments", label)
            if before[0] != row["name"]:
                report.change(
                    "renamed_establishments", f"{row['finess']} : {before[0]} → {row['name']}"
                )
    report.without_ars += sum(1 for r in rows if r["departement_id"] is None)


def _flush(batch: list[dict], report: ImportReport) -> None:
    if batch:
        upsert_establishments(batch, report, fields=UPDATED_FIELDS[1:], create_entities=True)


def _rows_from_lines(lines: Iterable[bytes], report: ImportReport) -> Iterator[tuple[int, list]]:
    for line_number, raw in enumerate(lines, start=1):
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
        yield line_number, row, len(raw) + 1


def _import_rows(
    rows: Iterator,
    report: ImportReport,
    *,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    try:
        _line, header, processed = next(rows)
    except StopIteration:
        raise NotAFinessFile("Le fichier est vide : aucune donnée n'a été importée.") from None
    check_header(header)
    territories = TerritoryResolver()
    with transaction.atomic():
        batch: list[dict] = []
        for line_number, row, size in rows:
            processed += size
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
            notes: list[str] = []
            try:
                batch.append(_row_to_values(row, territories, notes))
            except ValueError as error:
                report.reject(line_number, str(error))
                continue
            for note in notes:
                report.note(line_number, note)
            if len(batch) >= batch_size:
                _flush(batch, report)
                batch = []
                if progress:
                    progress(processed)
        _flush(batch, report)
    if progress:
        progress(processed)
    return report


def import_finess(
    lines: Iterable[bytes],
    *,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import the CSV extract from raw lines (a binary file object works). Returns the report.

    A binary file object is split on any line ending (CRLF, LF, CR only). Raises
    NotAFinessFile, with nothing written, when the first line is not a FINESS header.
    """
    report = report or ImportReport()
    if hasattr(lines, "read"):
        lines = iter_lines(lines)
    else:
        # Lines handed over already split: a CR-only file arrives as one "line".
        lines = (part for raw in lines for part in _split_cr(raw))
    return _import_rows(
        _rows_from_lines(lines, report), report, batch_size=batch_size, progress=progress
    )


def _split_cr(raw: bytes) -> list[bytes]:
    raw = raw.rstrip(b"\r\n")
    return raw.split(b"\r") if b"\r" in raw else [raw]


def _rows_from_table(rows: Iterator[tuple[int, list[str]]], header: list[str]):
    yield 1, header, 0
    for line_number, row in rows:
        # A spreadsheet pads rows to the widest one: trailing empty cells are not fields.
        while len(row) > EXPECTED_FIELDS and not row[-1]:
            row = row[:-1]
        yield line_number, row, 0


def import_register_file(
    path: Path | str | None = None,
    *,
    name: str | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    expect: str | None = None,
    lock_wait: float = 0.0,
    on_start: Callable[[], None] | None = None,
    source: Callable[[], AbstractContextManager[Path]] | None = None,
) -> ImportReport:
    """Import any register file: detect its format, then run the matching importer.

    `expect="finess-activities"` refuses any other file (the activities command).
    Raises NotAFinessFile (nothing written) with a French message saying what the file is.
    Imports are serialised (core.locks, an advisory lock on PostgreSQL: two imports in
    parallel deadlocked on the same rows): waits `lock_wait` seconds for a running import,
    then raises ImportBusy (nothing written); `on_start` is called once the lock is held.
    `source` (instead of `path`) gives the file only then, as a context manager yielding its
    path: a scheduled refresh downloads it once it holds the lock and has claimed its run,
    so a duplicate delivery waiting for the lock downloads nothing.
    """
    try:
        with locks.exclusive(IMPORT_LOCK, wait=lock_wait):
            if on_start is not None:
                on_start()
            with source() if source is not None else contextlib.nullcontext(path) as file:
                return _import_register_file(
                    file, name=name, batch_size=batch_size, progress=progress, expect=expect
                )
    except locks.LockBusy as busy:
        raise ImportBusy() from busy


def _import_register_file(
    path: Path | str,
    *,
    name: str | None,
    batch_size: int,
    progress: Callable[[int], None] | None,
    expect: str | None,
) -> ImportReport:
    from territories import activities, register_json

    path = Path(path)
    try:
        detected = detect(path, name=name)
    except FormatError as error:
        raise NotAFinessFile(str(error)) from error
    report = ImportReport(format_description=detected.describe())
    if expect == "finess-activities" and detected.json_flavour != expect:
        raise NotAFinessFile(
            f"Ce fichier n'est pas le flux JSON FINESS « Activités » ({detected.describe()}). "
            "Importez-le avec import_finess. Aucune donnée n'a été importée."
        )
    if detected.kind == "json":
        counter: dict = {}

        def open_file():
            raw = open(path, "rb")  # noqa: SIM115 - closed by the caller of open_file
            counted = register_json._Counting(raw)
            counter["current"] = counted
            if detected.compressed:
                import gzip

                return _Closing(gzip.GzipFile(fileobj=counted), raw)
            return _Closing(counted, raw)

        def position() -> int:
            return counter["current"].count if "current" in counter else 0

        try:
            if detected.json_flavour == "finess-activities":
                report.kind = "finess-activities"
                return activities.import_activities(
                    open_file, report, progress=progress, position=position
                )
            report.kind = "finess-structures"
            return register_json.import_structures(
                open_file,
                report,
                batch_size=max(1, batch_size // 2),
                progress=progress,
                position=position,
            )
        except (register_json.NotAStructuresFile, activities.NotAnActivitiesFile) as error:
            raise NotAFinessFile(str(error)) from error
        except register_json.ijson.JSONError as error:
            raise NotAFinessFile(
                f"Le fichier JSON est tronqué ou mal formé ({error}) : aucune donnée n'a été "
                "importée. Téléchargez-le de nouveau."
            ) from error
    if detected.kind == "xlsx":
        detected, header, rows = read_table(path, detected)
        return _import_rows(
            _rows_from_table(rows, header), report, batch_size=batch_size, progress=progress
        )
    if detected.delimiter != ";" and detected.delimiter is not None:
        with open_binary(path) as handle:
            first_line = next(iter_lines(handle), b"")
        check_header(next(csv.reader([decode_line(first_line)], delimiter=";")))
    with open_binary(path) as handle:
        return import_finess(handle, batch_size=batch_size, progress=progress, report=report)


class _Closing:
    """A reader that also closes the raw file under a decompressing wrapper."""

    def __init__(self, reader, raw):
        self.reader = reader
        self.raw = raw

    def read(self, size=-1):
        return self.reader.read(size)

    def close(self):
        if hasattr(self.reader, "close") and self.reader is not self.raw:
            self.reader.close()
        self.raw.close()
