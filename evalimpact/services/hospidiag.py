"""Hospi Diag open data: parse the ATIH CSV files and prefill quantitative indicators.

Files (see shared/domain/hospidiag.md): `hd2022.csv` (one row per FINESS, mostly legal
entities), `pdmza_2022.csv` (market shares per attractiveness zone; the row where
finess == zone is the establishment's own share) and `pdmreg_2022.csv` (market shares in
the region, A1bis to A5bis; zone is the region code, one row per establishment). Numbers are space-padded with a decimal
comma; `.z`, `.c`, `.v`, `.m` and blanks mean "no value".

Files of 2019 to 2023 as people hold them: read through core.tabular (separator `;` in
2019, `,` in 2022, tab; UTF-8 with or without BOM or Windows-1252; CRLF, LF or CR-only
line endings; title lines above the column names; .xlsx workbooks, whose data sheet is
found; gzip). Columns are matched by name, whatever the case, accents, spacing or a label
after the code ("P1 - IP-DMS médecine"); `COLUMN_CHANGES` lists the columns whose name or
meaning changed between years, and the report names every indicator the file lacks.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from core import documents, imports
from core.tabular import FormatError, detect, normalise_column, read_table
from evalimpact.models import HospidiagImport, HospidiagValue, Indicator
from territories.identifiers import normalise_finess_number

MISSING_MARKERS = {".z": "non concerné", ".c": "non calculé", ".v": "non validé", ".m": "manquant"}
FINESS_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
MAX_SKIPPED_IN_REPORT = 200

CODE_LABELS = {
    "A1": "part de marché en médecine (zone d'attractivité)",
    "A2": "part de marché en chirurgie",
    "A3": "part de marché en obstétrique",
    "A4": "part de marché en chirurgie ambulatoire",
    "A5": "part de marché en cancérologie",
    "A6": "part de marché en chimiothérapie",
    "A1bis": "part de marché régionale en médecine",
    "A2bis": "part de marché régionale en chirurgie",
    "A3bis": "part de marché régionale en obstétrique",
    "A4bis": "part de marché régionale en chirurgie ambulatoire",
    "A5bis": "part de marché régionale en cancérologie",
    "A13": "taux d'occupation des lits en médecine",
    "A14": "taux d'occupation des lits en chirurgie",
    "A15": "taux d'occupation des lits en obstétrique",
    "P14": "taux d'utilisation des places en chirurgie ambulatoire",
    "P1": "IP-DMS médecine",
    "P2": "IP-DMS chirurgie",
    "P3": "IP-DMS obstétrique",
    "RH8": "absentéisme du personnel non médical",
    "RH9": "turn-over du personnel non médical",
}


class HospidiagFormatError(ValueError):
    """The file is not one of the Hospi Diag layouts we know (message in French)."""


def parse_number(raw: str | None) -> tuple[Decimal | None, str | None]:
    """(value, marker): `"        15,2"` → 15.2; `.z` → (None, ".z"); blank → (None, "")."""
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None, ""
    if text in MISSING_MARKERS:
        return None, text
    try:
        return Decimal(text.replace(",", ".")), None
    except InvalidOperation as error:
        raise ValueError(f"valeur illisible « {raw.strip()} »") from error


@dataclass
class ImportReport:
    file_name: str
    file_kind: str
    year: int
    lines_read: int = 0
    values_stored: int = 0
    missing: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # [(line number, reason)]
    other_zone_rows: int = 0
    format_description: str = ""
    missing_columns: list = field(default_factory=list)  # [(code, French explanation)]
    corrections: list = field(default_factory=list)  # [(line number, note)]

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append((line, reason))

    def summary(self) -> str:
        lines = [
            f"Fichier {self.file_name} ({self.file_kind}, {self.year}) : {self.lines_read} lignes lues, "
            f"{self.values_stored} valeurs enregistrées, {len(self.skipped)} lignes écartées."
        ]
        if self.format_description:
            lines.append(f"Format : {self.format_description}.")
        for code, explanation in self.missing_columns:
            lines.append(f"Colonne absente du fichier {self.year} : {code} ({explanation}).")
        for line, note in self.corrections[:MAX_SKIPPED_IN_REPORT]:
            lines.append(f"Ligne {line} corrigée : {note}")
        if self.other_zone_rows:
            lines.append(
                f"{self.other_zone_rows} lignes décrivent la part d'un établissement dans la zone "
                "d'un autre : elles ne sont pas reprises."
            )
        for marker, count in sorted(self.missing.items()):
            meaning = MISSING_MARKERS.get(marker, "case vide")
            lines.append(f"Valeurs absentes « {marker or 'vide'} » ({meaning}) : {count}.")
        for line, reason in self.skipped[:MAX_SKIPPED_IN_REPORT]:
            lines.append(f"Ligne {line} écartée : {reason}")
        if len(self.skipped) > MAX_SKIPPED_IN_REPORT:
            lines.append(
                f"… et {len(self.skipped) - MAX_SKIPPED_IN_REPORT} autres lignes écartées."
            )
        return "\n".join(lines)


def wanted_codes() -> set[str]:
    """The Hospi Diag codes that some catalogue indicator uses; other columns are not kept."""
    codes = set()
    for mapping in Indicator.objects.values_list("hospidiag_codes", flat=True):
        codes.update(mapping or [])
    return codes


def _year_from_name(name: str) -> int | None:
    match = re.search(r"(20\d\d)", name)
    return int(match.group(1)) if match else None


# Columns that identify a row, as spelt across years and exports.
FINESS_COLUMNS = (
    "finess",
    "n finess",
    "no finess",
    "num finess",
    "numero finess",
    "nofiness",
    "finess ej",
)
NAME_COLUMNS = ("rs", "raison sociale", "libelle")
ZONE_COLUMNS = ("zone",)
YEAR_COLUMNS = ("annee", "an", "year")
# Codes whose column changed between years: the older column does not mean the same thing
# and is never read in place of the newer one (shared/domain/hospidiag.md).
COLUMN_CHANGES = {
    "CI_E4_v2": ("CI_E4", "l'ancienne colonne CI_E4 comptait les tables de coronarographie"),
    "CI_E7_v2": ("CI_E7", "l'ancienne colonne CI_E7 comptait des « B » de biologie"),
}


def _key(name: str) -> str:
    """Column name compared: normalised, separators as single spaces ("N° FINESS" → "n finess")."""
    text = normalise_column(name).replace("°", " ")
    return " ".join(re.split(r"[\s_.\-/:]+", text)).strip()


def _code_key(code: str) -> str:
    return normalise_column(code)


def match_columns(header: list[str], codes: set[str]) -> dict[str, int]:
    """{code: index of its column} for the codes the header holds.

    A column matches a code when its name is the code (any case) or the code followed by a
    space, a dash or a colon and a label ("P1 - IP-DMS médecine"). "P12_bis" is not "P12".
    """
    result: dict[str, int] = {}
    normalised = [normalise_column(h) for h in header]
    for code in codes:
        target = _code_key(code)
        for index, name in enumerate(normalised):
            if name == target or re.match(re.escape(target) + r"(\s*[-:]|\s)", name):
                result[code] = index
                break
    return result


def _find(header: list[str], names: tuple) -> int | None:
    keys = [_key(h) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _kind(header: list[str]) -> str:
    keys = {_key(h) for h in header}
    if "zone" in keys and "a1" in keys:
        return "parts de marché"
    if "zone" in keys and "a1bis" in keys:
        return "parts de marché régionales"
    return "indicateurs"


KIND_CODES = {
    "parts de marché": re.compile(r"^A[1-6]$"),
    "parts de marché régionales": re.compile(r"^A[1-5]bis$"),
}


def _missing_columns(kind: str, header: list[str], codes: set[str], found: dict) -> list:
    """The wanted codes this kind of file should hold but this one lacks, explained."""
    pattern = KIND_CODES.get(kind)
    relevant = {
        c for c in codes if (pattern.match(c) if pattern else not re.match(r"^A[1-6](bis)?$", c))
    }
    keys = {normalise_column(h) for h in header}
    missing = []
    for code in sorted(relevant - set(found)):
        label = CODE_LABELS.get(code, "indicateur du catalogue")
        older = COLUMN_CHANGES.get(code)
        if older and normalise_column(older[0]) in keys:
            missing.append((code, f"{label} ; {older[1]} : elle n'est pas reprise"))
        else:
            missing.append((code, f"{label} ; les valeurs ne seront pas préremplies"))
    return missing


def parse_rows(
    header: list[str], rows, *, file_name: str, year: int, codes: set[str], pad: bool = False
):
    """Return (report, {(finess, code): (value, entity_name)}) from rows of (line, cells)."""
    finess_index = _find(header, FINESS_COLUMNS)
    if finess_index is None:
        raise HospidiagFormatError(
            "Ce fichier n'a pas de colonne « finess » : ce n'est pas un fichier Hospi Diag "
            f"(colonnes lues : {', '.join(h for h in header[:8] if h) or 'aucune'})."
        )
    kind = _kind(header)
    zone_index = _find(header, ZONE_COLUMNS)
    name_index = _find(header, NAME_COLUMNS)
    found = match_columns(header, codes)
    report = ImportReport(file_name=file_name, file_kind=kind, year=year)
    report.missing_columns = _missing_columns(kind, header, codes, found)
    values: dict = {}
    width = len(header)
    for line, row in rows:
        report.lines_read += 1
        if pad:
            # A workbook's rows are as wide as its widest: pad or trim empty cells.
            if len(row) < width:
                row = row + [""] * (width - len(row))
            elif not any(cell.strip() for cell in row[width:]):
                row = row[:width]
        if len(row) != width:
            report.skip(line, "nombre de colonnes inattendu.")
            continue
        raw = row[finess_index].strip()
        finess = normalise_finess_number(raw)
        if not finess.ok:
            report.skip(line, f"numéro FINESS invalide « {raw} ».")
            continue
        if finess.note:
            report.corrections.append((line, finess.note))
        number = finess.value
        if kind == "parts de marché" and zone_index is not None:
            zone = normalise_finess_number(row[zone_index]).value or row[zone_index].strip().upper()
            if zone != number:
                report.other_zone_rows += 1
                continue
        parsed = {}
        try:
            for code, index in found.items():
                column = code
                value, marker = parse_number(row[index])
                if value is None:
                    report.missing[marker] = report.missing.get(marker, 0) + 1
                else:
                    parsed[code] = value
        except ValueError as error:
            report.skip(line, f"{error} en colonne {column}.")
            continue
        name = row[name_index].strip() if name_index is not None else ""
        for code, value in parsed.items():
            values[(number, code)] = (value, name)
    return report, values


def parse_file(handle, *, file_name: str, year: int, codes: set[str]):
    """Return (report, {(finess, code): (value, entity_name)}) from a text CSV handle."""
    reader = csv.reader(handle)
    header = next(reader, [])
    rows = ((reader.line_num, row) for row in reader if row)
    return parse_rows(header, rows, file_name=file_name, year=year, codes=codes)


def _year_of(path: Path, detected, header: list[str], first_row) -> int | None:
    for text in (path.name, detected.sheet or ""):
        year = _year_from_name(text)
        if year:
            return year
    index = _find(header, YEAR_COLUMNS)
    if index is not None and first_row is not None and len(first_row) > index:
        value = first_row[index].strip()
        if re.fullmatch(r"20\d\d", value):
            return int(value)
    return None


@transaction.atomic
def import_hospidiag(
    path: Path | str,
    *,
    year: int | None = None,
    run: HospidiagImport | None = None,
):
    """Load one Hospi Diag file; all or nothing. Returns the HospidiagImport with its
    report (`.report`): a new run recorded as done, or `run` (a background job's row,
    filled in but not saved: core.documents.finish saves it). Raises HospidiagFormatError
    (French message, nothing written)."""
    path = Path(path)
    try:
        detected = detect(path, expected_columns=("finess",))
        detected, header, rows = read_table(path, detected)
    except FormatError as error:
        raise HospidiagFormatError(str(error)) from error
    first_row = next(rows, None)
    if first_row is not None:
        rows = _chain(first_row, rows)
    year = year or _year_of(path, detected, header, first_row[1] if first_row else None)
    if not year:
        raise HospidiagFormatError(
            "Impossible de déduire l'année du nom du fichier, de sa feuille ou d'une colonne "
            "« annee » : précisez-la (champ « Année des données » de la page d'import, option "
            "--year de la commande)."
        )
    codes = wanted_codes()
    report, values = parse_rows(
        header, rows, file_name=path.name, year=year, codes=codes, pad=detected.kind == "xlsx"
    )
    report.format_description = detected.describe()
    source = f"Hospi Diag {year} ({path.name})"
    existing = {
        (v.finess, v.code): v
        for v in HospidiagValue.objects.filter(year=year, code__in={c for _f, c in values})
    }
    to_create, to_update = [], []
    for (finess, code), (value, name) in values.items():
        current = existing.get((finess, code))
        if current is None:
            to_create.append(
                HospidiagValue(
                    finess=finess,
                    year=year,
                    code=code,
                    value=value,
                    source=source,
                    entity_name=name,
                )
            )
        elif current.value != value or current.source != source:
            current.value, current.source = value, source
            current.entity_name = name or current.entity_name
            to_update.append(current)
    HospidiagValue.objects.bulk_create(to_create, batch_size=1000)
    HospidiagValue.objects.bulk_update(
        to_update, ["value", "source", "entity_name"], batch_size=1000
    )
    report.values_stored = len(values)
    fields = {
        "file_name": path.name,
        "file_kind": report.file_kind,
        "year": year,
        "lines_read": report.lines_read,
        "values_stored": report.values_stored,
        "missing_values": report.missing,
        "skipped": [{"ligne": line, "motif": reason} for line, reason in report.skipped],
        "summary": report.summary(),
    }
    if run is None:
        now = timezone.now()
        run = HospidiagImport.objects.create(
            **fields,
            status=HospidiagImport.Status.DONE,
            progress=100,
            finished_at=now,
            updated_at=now,
        )
    else:
        for name, value in fields.items():
            setattr(run, name, value)
    run.report = report
    return run


# What a background run writes on its row, besides the life-cycle fields of core.documents.
REPORT_FIELDS = (
    "file_name",
    "file_kind",
    "year",
    "lines_read",
    "values_stored",
    "missing_values",
    "skipped",
    "summary",
)


def hospidiag_run_create(*, path: Path | str, year: int | None = None, user=None):
    """Store the file on a pending run and enqueue its import after commit (a broker that
    cannot be reached fails the run with a French message). Returns the run."""
    path = Path(path)
    run = HospidiagImport(
        file_name=path.name[:255],
        year=year,
        started_by=user if user is not None and user.is_authenticated else None,
    )
    with open(path, "rb") as handle:
        run.file.save(path.name, File(handle), save=False)
    run.save()
    documents.enqueue_on_commit(HospidiagImport, run.pk)
    return run


# Suffixes kept on the stored copy of an uploaded file (its storage name is never the user's).
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".csv.gz", ".txt.gz")


def hospidiag_run_upload(*, uploaded, year: int | None = None, user=None) -> HospidiagImport:
    """A file uploaded on the import page (core.imports.ImportFileForm, checked): stored on a
    pending run under a name of our own, its own name kept in `file_name` (the import reads
    the year from it when `year` is None), and its import enqueued after commit (a broker
    that cannot be reached fails the run with a French message). Returns the run."""
    run = HospidiagImport(file_name=Path(uploaded.name).name[:255], year=year, started_by=user)
    return imports.store_upload(run, uploaded, prefix="hospidiag", suffixes=UPLOAD_SUFFIXES)


def hospidiag_run_execute(*, run_id: int) -> HospidiagImport:
    """The task's work (inside core.documents.run_in_task): import the run's stored file,
    under the name it was given (the year is read from it). A run done, failed or on a
    live worker is left alone: a message delivered twice does nothing. Raises
    GenerationRefused for a file that is not Hospi Diag (the run fails with that French
    message, without retrying)."""
    run = documents.start(HospidiagImport, run_id)
    if run is None:
        return HospidiagImport.objects.get(pk=run_id)
    with tempfile.TemporaryDirectory(prefix="kitcoop-hospidiag-") as folder:
        path = Path(folder) / Path(run.file_name).name
        with run.file.open("rb") as source, open(path, "wb") as copy:
            shutil.copyfileobj(source, copy)
        documents.set_progress(run, 20)
        try:
            import_hospidiag(path, year=run.year, run=run)
        except HospidiagFormatError as error:
            # The file itself is refused: "Relancer" would fail the same way.
            raise documents.GenerationRefused(str(error), permanent=True) from error
    return documents.finish(run, {}, fields=REPORT_FIELDS)


@dataclass(frozen=True)
class Prefill:
    value: Decimal
    code: str
    year: int
    finess: str
    via_legal_entity: bool
    source: str

    @property
    def text(self) -> str:
        label = CODE_LABELS.get(self.code, self.code)
        whose = (
            f"valeur de l'entité juridique {self.finess}"
            if self.via_legal_entity
            else f"FINESS {self.finess}"
        )
        return f"Hospi Diag {self.year}, {self.code} ({label}), {whose}"


def member_finess(membership) -> list[tuple[str, bool]]:
    """FINESS to look up for a member, best first, with "taken from its legal entity" flags."""
    if membership.establishment_id:
        et = membership.establishment
        return [(et.finess, False), (et.legal_entity.finess, True)]
    return [(membership.legal_entity.finess, False)]


def codes_for(indicator, activity) -> list[str]:
    """Hospi Diag codes that measure `indicator` for the evaluated `activity`, best first.

    An activity-dependent indicator (F1 market share, E5 IP-DMS) takes the codes its
    activity lists (surgery: A2, A2bis; P2), none when the activity has no Hospi Diag
    measure (imaging, biology, logistics) or when no activity was chosen; the others
    (T1 ← RH8, T4 ← RH9) keep their own codes.
    """
    if not indicator.is_quantitative:
        return []
    if not getattr(indicator, "by_activity", False):
        return list(indicator.hospidiag_codes or [])
    if activity is None:
        return []
    return list((activity.hospidiag or {}).get(indicator.code, []))


def activity_notes(indicators, activity) -> dict:
    """{indicator_id: French note} for activity-dependent indicators Hospi Diag cannot feed."""
    notes = {}
    for indicator in indicators:
        if not (indicator.is_quantitative and getattr(indicator, "by_activity", False)):
            continue
        if codes_for(indicator, activity):
            continue
        if activity is None:
            notes[indicator.pk] = (
                "Pas de valeur Hospi Diag : aucune activité n'a été choisie pour cette "
                "évaluation ; renseignez la valeur de vos propres données."
            )
        else:
            extra = f" {activity.note}" if activity.note else ""
            notes[indicator.pk] = (
                f"Aucun indicateur Hospi Diag ne mesure {indicator.code} pour l'activité "
                f"« {activity.label} » : la valeur de référence n'est pas préremplie.{extra}"
            )
    return notes


def prefills(indicators, memberships, activity=None) -> dict:
    """{(indicator_id, membership_id): Prefill} for Hospi Diag-fed indicators; one query.

    `activity`: the evaluation's Activity (or None), which chooses the codes of
    activity-dependent indicators (see codes_for).
    """
    wanted = {i.pk: codes_for(i, activity) for i in indicators}
    fed = [i for i in indicators if wanted[i.pk]]
    if not fed or not memberships:
        return {}
    codes = {c for i in fed for c in wanted[i.pk]}
    finess = {f for m in memberships for f, _ in member_finess(m)}
    found = {}
    for row in HospidiagValue.objects.filter(finess__in=finess, code__in=codes).order_by("year"):
        found[(row.finess, row.code)] = row  # latest year wins
    result = {}
    for indicator in fed:
        for membership in memberships:
            match = None
            for number, via_ej in member_finess(membership):
                for code in wanted[indicator.pk]:
                    if (number, code) in found:
                        match = (found[(number, code)], via_ej)
                        break
                if match:
                    break
            if match:
                row, via_ej = match
                result[(indicator.pk, membership.pk)] = Prefill(
                    row.value, row.code, row.year, row.finess, via_ej, row.source
                )
    return result


def _chain(first, rest):
    yield first
    yield from rest
