"""Hospi Diag open data: parse the ATIH CSV files and prefill quantitative indicators.

Files (see shared/domain/hospidiag.md): `hd2022.csv` (one row per FINESS, mostly legal
entities), `pdmza_2022.csv` (market shares per attractiveness zone; the row where
finess == zone is the establishment's own share) and `pdmreg_2022.csv` (market shares in
the region, A1bis to A5bis; zone is the region code, one row per establishment). Numbers are space-padded with a decimal
comma; `.z`, `.c`, `.v`, `.m` and blanks mean "no value".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from evalimpact.models import HospidiagImport, HospidiagValue, Indicator

MISSING_MARKERS = {".z": "non concerné", ".c": "non calculé", ".v": "non validé", ".m": "manquant"}
FINESS_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
MARKET_SHARE_CODES = ["A1", "A2", "A3", "A4", "A5", "A6"]
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

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append((line, reason))

    def summary(self) -> str:
        lines = [
            f"Fichier {self.file_name} ({self.file_kind}, {self.year}) : {self.lines_read} lignes lues, "
            f"{self.values_stored} valeurs enregistrées, {len(self.skipped)} lignes écartées."
        ]
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


def parse_file(handle, *, file_name: str, year: int, codes: set[str]):
    """Yield nothing; return (report, {(finess, code): (value, entity_name)})."""
    reader = csv.DictReader(handle)
    header = reader.fieldnames or []
    if "finess" not in header:
        raise HospidiagFormatError(
            "Ce fichier n'a pas de colonne « finess » : ce n'est pas un fichier Hospi Diag."
        )
    market_share = "zone" in header and "A1" in header
    regional_share = "zone" in header and "A1bis" in header
    if market_share:
        kind = "parts de marché"
    elif regional_share:
        kind = "parts de marché régionales"
    else:
        kind = "indicateurs"
    columns = [c for c in header if c in codes]
    report = ImportReport(file_name=file_name, file_kind=kind, year=year)
    values: dict = {}
    for row in reader:
        line = reader.line_num
        report.lines_read += 1
        if None in row or any(v is None for v in row.values()):
            report.skip(line, "nombre de colonnes inattendu.")
            continue
        finess = (row.get("finess") or "").strip().upper()
        if not FINESS_RE.match(finess):
            report.skip(line, f"numéro FINESS invalide « {finess} ».")
            continue
        if market_share and (row.get("zone") or "").strip().upper() != finess:
            report.other_zone_rows += 1
            continue
        parsed = {}
        try:
            for column in columns:
                value, marker = parse_number(row[column])
                if value is None:
                    report.missing[marker] = report.missing.get(marker, 0) + 1
                else:
                    parsed[column] = value
        except ValueError as error:
            report.skip(line, f"{error} en colonne {column}.")
            continue
        for column, value in parsed.items():
            values[(finess, column)] = (value, (row.get("rs") or "").strip())
    return report, values


@transaction.atomic
def import_hospidiag(path: Path | str, *, year: int | None = None, content: bytes | None = None):
    """Load one Hospi Diag file; all or nothing. Returns the saved HospidiagImport."""
    path = Path(path)
    year = year or _year_from_name(path.name)
    if not year:
        raise HospidiagFormatError(
            "Impossible de déduire l'année du nom du fichier : précisez-la (option --year)."
        )
    raw = content if content is not None else path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    codes = wanted_codes()
    report, values = parse_file(
        io.StringIO(text, newline=""), file_name=path.name, year=year, codes=codes
    )
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
    run = HospidiagImport.objects.create(
        file_name=path.name,
        file_kind=report.file_kind,
        year=year,
        lines_read=report.lines_read,
        values_stored=report.values_stored,
        missing_values=report.missing,
        skipped=[{"ligne": line, "motif": reason} for line, reason in report.skipped],
    )
    run.report = report
    return run


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


def prefills(indicators, memberships) -> dict:
    """{(indicator_id, membership_id): Prefill} for Hospi Diag-fed indicators; one query."""
    fed = [i for i in indicators if i.is_quantitative and i.hospidiag_codes]
    if not fed or not memberships:
        return {}
    codes = {c for i in fed for c in i.hospidiag_codes}
    finess = {f for m in memberships for f, _ in member_finess(m)}
    found = {}
    for row in HospidiagValue.objects.filter(finess__in=finess, code__in=codes).order_by("year"):
        found[(row.finess, row.code)] = row  # latest year wins
    result = {}
    for indicator in fed:
        for membership in memberships:
            match = None
            for number, via_ej in member_finess(membership):
                for code in indicator.hospidiag_codes:
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
