"""One format detector for every importer (FINESS, Hospi Diag, and any future one).

Real files arrive in the shape their holders left them in: the ANS JSON flux (plain or
gzipped), a CSV written by a spreadsheet with `;`, `,` or tabs, in UTF-8 with or without a
BOM or in Windows-1252, with CRLF, LF or old-Mac CR-only line endings, with title lines
above the column names, or an .xlsx workbook whose data sit on the second sheet. `detect()`
looks once and says what it found in French (`Detected.notes`); `read_table()` then yields
the rows whatever the container, and `iter_lines()` splits raw bytes on any line ending.

Errors: `FormatError` (a ValueError with a French message saying what the file is and what
to do) for containers no importer reads (.xls, PDF, ZIP archives, other binaries, empty).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_BYTES = 256 * 1024
HEADER_SEARCH_LINES = 20
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {
    ";": "point-virgule (;)",
    ",": "virgule (,)",
    "\t": "tabulation",
    "|": "barre (|)",
}
LINE_ENDING_NAMES = {
    "CRLF": "fins de ligne Windows (CRLF)",
    "LF": "fins de ligne Unix (LF)",
    "CR": "fins de ligne CR seul (ancien format Mac)",
}
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, .doc: Microsoft's old binary containers

# JSON flux of the FINESS register (ANS, 2026): keys seen only in one of the two files.
STRUCTURES_MARKERS = (
    '"informationsGeneralesPMEJ"',
    '"informationsGeneralesPmej"',
    '"gcc"',
    '"gco"',
)
ACTIVITIES_MARKERS = ('"activitesAutorisees"', '"activitesExercees"')
JSON_FLAVOURS = {
    "finess-structures": "ceci est le format JSON FINESS 2026 (flux « Structures »)",
    "finess-activities": "ceci est le format JSON FINESS 2026 (flux « Activités »)",
}


class FormatError(ValueError):
    """The file is in a container no importer reads; the message says what to do (French)."""


@dataclass
class Detected:
    """What `detect()` found. `kind` is "json", "csv" or "xlsx"."""

    kind: str
    name: str = ""
    compressed: bool = False
    encoding: str | None = None
    bom: bool = False
    delimiter: str | None = None
    line_ending: str | None = None
    header_row: int = 0  # index (0-based) of the line or row holding the column names
    sheet: str | None = None
    json_flavour: str | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """The notes as one French sentence-like line, for reports."""
        return " ; ".join(self.notes)


def normalise_column(name: object) -> str:
    """Column name as compared: no accents, lower case, no spaces around, no BOM or quotes."""
    text = str(name or "").replace("\ufeff", "").strip().strip('"').strip()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def open_binary(path: Path | str):
    """The file's bytes, gunzipped on the fly when it is gzip-compressed (streamed)."""
    path = Path(path)
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return gzip.open(path, "rb")
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def _read_sample(path: Path) -> tuple[bytes, bool]:
    with open(path, "rb") as probe:
        head = probe.read(SAMPLE_BYTES)
    if head[:2] != GZIP_MAGIC:
        return head, False
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(SAMPLE_BYTES), True
    except (OSError, EOFError) as error:
        raise FormatError(
            f"Ce fichier compressé (gzip) est illisible ou tronqué ({error}) : "
            "téléchargez-le de nouveau."
        ) from error


def _decode_sample(sample: bytes) -> tuple[str, str, bool, str]:
    """(text, encoding, bom, French note)."""
    if sample.startswith(codecs.BOM_UTF8):
        return (
            sample[3:].decode("utf-8", errors="replace"),
            "utf-8-sig",
            True,
            "encodage UTF-8 avec BOM",
        )
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (
            sample.decode("utf-16", errors="replace"),
            "utf-16",
            True,
            "encodage UTF-16 (texte Unicode d'Excel)",
        )
    try:
        return sample.decode("utf-8"), "utf-8", False, "encodage UTF-8"
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if error.start >= len(sample) - 3:
            return sample[: error.start].decode("utf-8"), "utf-8", False, "encodage UTF-8"
    # Bytes that Windows-1252 leaves undefined mean plain Latin-1.
    if any(byte in sample for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)):
        return sample.decode("latin-1"), "latin-1", False, "encodage Latin-1 (ISO-8859-1)"
    return sample.decode("cp1252"), "cp1252", False, "encodage Windows-1252 (Latin-1)"


def _line_ending(sample: bytes) -> str:
    crlf = sample.count(b"\r\n")
    lf = sample.count(b"\n") - crlf
    cr = sample.count(b"\r") - crlf
    counts = {"CRLF": crlf, "LF": lf, "CR": cr}
    best = max(counts, key=counts.get)
    return best if counts[best] else "LF"


def _split_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\n|\r", text)


def _parse_lines(lines: list[str], delimiter: str) -> list[list[str]]:
    rows = []
    for line in lines:
        try:
            rows.append(next(csv.reader([line], delimiter=delimiter)) if line else [])
        except (csv.Error, StopIteration):
            rows.append([line])
    return rows


def _header_index(rows: list[list[str]], expected: set[str]) -> tuple[int, int]:
    """(index of the row that holds the most expected columns, how many it holds)."""
    best, best_hits = 0, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        hits = len(expected & {normalise_column(cell) for cell in row})
        if hits > best_hits:
            best, best_hits = index, hits
    return best, best_hits


def _modal_width_start(rows: list[list[str]]) -> tuple[int, int]:
    """(first row having the most common width among non-empty rows, that width)."""
    widths = Counter(len(row) for row in rows if len(row) > 1)
    if not widths:
        return 0, 1
    width = widths.most_common(1)[0][0]
    for index, row in enumerate(rows):
        if len(row) == width:
            return index, width
    return 0, width  # pragma: no cover - the width comes from a row


def _choose_delimiter(lines: list[str], expected: set[str]) -> tuple[str, int, int]:
    """(delimiter, header row index, expected columns found)."""
    candidates = []
    for delimiter in DELIMITERS:
        rows = _parse_lines(lines, delimiter)
        index, hits = _header_index(rows, expected) if expected else (0, 0)
        if not hits:
            index, width = _modal_width_start(rows)
        else:
            width = len(rows[index])
        # Data rows after the header should have the header's width.
        following = [len(r) for r in rows[index + 1 : index + 30] if r]
        steady = sum(1 for w in following if w == width)
        candidates.append(((hits, width > 1, steady, width), delimiter, index, hits))
    candidates.sort(key=lambda c: c[0], reverse=True)
    _score, delimiter, index, hits = candidates[0]
    return delimiter, index, hits


def _looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:4096]


def detect(
    path: Path | str, *, expected_columns: Iterable[str] = (), name: str | None = None
) -> Detected:
    """Look at a file once and say what it is.

    `expected_columns` (e.g. {"finess"}) helps find the line of column names below
    spreadsheet title lines, the delimiter, and the sheet of a workbook. Raises FormatError
    for containers no importer reads. Never reads more than SAMPLE_BYTES of a text file.
    """
    path = Path(path)
    name = name or path.name
    expected = {normalise_column(c) for c in expected_columns}
    sample, compressed = _read_sample(path)
    notes = ["fichier compressé gzip (décompressé à la lecture)"] if compressed else []
    if not sample.strip():
        raise FormatError("Le fichier est vide : aucune donnée n'a été importée.")
    if sample.startswith(ZIP_MAGIC):
        if compressed:
            raise FormatError("Une archive ZIP dans un fichier gzip n'est pas prise en charge.")
        return _detect_xlsx(path, name, expected, notes)
    if sample.startswith(OLE_MAGIC):
        raise FormatError(
            "Ce fichier est au format Excel 97-2003 (.xls), que KitCoop ne lit pas : ouvrez-le "
            "dans votre tableur et enregistrez-le en .xlsx ou en CSV."
        )
    if sample.startswith(b"%PDF"):
        raise FormatError("Ce fichier est un document PDF, pas un fichier de données.")
    text, encoding, bom, encoding_note = _decode_sample(sample)
    if encoding != "utf-16" and _looks_binary(sample):
        raise FormatError(
            "Ce fichier est un fichier binaire non reconnu (ni texte, ni JSON, ni Excel .xlsx)."
        )
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        detected = Detected("json", name=name, compressed=compressed, encoding=encoding, bom=bom)
        flavour = _json_flavour(text)
        detected.json_flavour = flavour
        detected.notes = [*notes, JSON_FLAVOURS.get(flavour, "fichier JSON")]
        return detected
    line_ending = _line_ending(sample)
    lines = _split_lines(text)
    if len(lines) > 1 and len(sample) == SAMPLE_BYTES and not compressed:
        lines = lines[:-1]  # the last line of a sample may be cut
    detected = Detected(
        "csv",
        name=name,
        compressed=compressed,
        encoding=encoding,
        bom=bom,
        line_ending=line_ending,
    )
    notes.append(encoding_note)
    notes.append(LINE_ENDING_NAMES[line_ending])
    skip = 0
    if lines and lines[0].lower().startswith("sep=") and len(lines[0]) <= 6:
        # Excel's own hint line: "sep=;".
        detected.delimiter = lines[0][4:5] or ";"
        skip = 1
        notes.append(f"ligne « {lines[0]} » d'Excel lue puis ignorée")
        rows = _parse_lines(lines[1:], detected.delimiter)
        index, _hits = _header_index(rows, expected) if expected else (0, 0)
    else:
        detected.delimiter, index, _hits = _choose_delimiter(lines, expected)
    detected.header_row = index + skip
    notes.append(f"séparateur {DELIMITER_NAMES[detected.delimiter]} détecté")
    if index:
        notes.append(
            f"{index} ligne{'s' if index > 1 else ''} de titre ignorée{'s' if index > 1 else ''} "
            f"avant les noms de colonnes (ligne {detected.header_row + 1})"
        )
    detected.notes = notes
    return detected


def _json_flavour(text: str) -> str | None:
    head = text[:SAMPLE_BYTES]
    if any(marker in head for marker in ACTIVITIES_MARKERS):
        return "finess-activities"
    if any(marker in head for marker in STRUCTURES_MARKERS):
        return "finess-structures"
    if '"pmej"' in head and '"numFiness"' in head:
        return "finess-activities"
    return None


def _open_workbook(path: Path):
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - a locked dependency
        raise FormatError("La lecture des fichiers Excel n'est pas installée.") from error
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object: openpyxl would refuse a path whose extension is not .xlsx.
    handle = open(path, "rb")  # noqa: SIM115 - closed by _close_workbook
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as error:
        handle.close()
        raise FormatError(
            "Ce fichier est une archive ZIP mais pas un classeur Excel (.xlsx) lisible : "
            "décompressez-la et importez le fichier qu'elle contient."
        ) from error
    workbook._kc_handle = handle
    return workbook


def _close_workbook(workbook) -> None:
    workbook.close()
    workbook._kc_handle.close()


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _detect_xlsx(path: Path, name: str, expected: set[str], notes: list[str]) -> Detected:
    workbook = _open_workbook(path)
    try:
        best = None  # (score, sheet title, header index)
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(max_row=HEADER_SEARCH_LINES, values_only=True):
                rows.append([cell_text(v) for v in row])
            if not any(any(cell for cell in row) for row in rows):
                continue
            index, hits = _header_index(rows, expected) if expected else (0, 0)
            if not hits:
                index, _width = _modal_width_start([[c for c in r if c] for r in rows])
            filled = sum(1 for row in rows for cell in row if cell)
            score = (hits, filled)
            if best is None or score > best[0]:
                best = (score, sheet.title, index)
        sheets = len(workbook.worksheets)
    finally:
        _close_workbook(workbook)
    if best is None:
        raise FormatError("Ce classeur Excel ne contient aucune feuille remplie.")
    _score, title, index = best
    detected = Detected("xlsx", name=name, sheet=title, header_row=index)
    plural = "s" if sheets > 1 else ""
    detected.notes = [*notes, f"fichier Excel : feuille « {title} » lue ({sheets} feuille{plural})"]
    if index:
        detected.notes.append(
            f"{index} ligne{'s' if index > 1 else ''} de titre ignorée{'s' if index > 1 else ''} "
            f"avant les noms de colonnes (ligne {index + 1})"
        )
    return detected


def iter_lines(binary) -> Iterator[bytes]:
    """Split a binary stream on CRLF, LF or a lone CR, in constant memory.

    Each yielded line keeps no line ending. A CR at the end of a chunk waits for the next
    chunk, so that a CRLF cut in two is still one line ending.
    """
    pending = b""
    while True:
        chunk = binary.read(1 << 16)
        if not chunk:
            break
        data = pending + chunk
        parts = re.split(rb"\r\n|\n|\r", data)
        pending = parts.pop()
        if data.endswith(b"\r") and not pending:
            # "…\r" at the chunk's end: maybe the first half of "\r\n"; keep it open.
            pending = parts.pop() + b"\r" if parts else b"\r"
        yield from parts
    if pending:
        if pending.endswith(b"\r"):
            pending = pending[:-1]
        yield pending


def read_table(
    path: Path | str, detected: Detected | None = None, *, expected_columns: Iterable[str] = ()
) -> tuple[Detected, list[str], Iterator[tuple[int, list[str]]]]:
    """(detected, header, rows): rows are (line number in the file, cells as text).

    CSV is decoded with the detected encoding; quoted fields may hold line breaks; any line
    ending works. Workbooks are read row by row (openpyxl read-only). Lines before the header
    are skipped; empty lines are skipped.
    """
    path = Path(path)
    detected = detected or detect(path, expected_columns=expected_columns)
    if detected.kind == "json":
        raise FormatError(
            "Ce fichier est au format JSON, pas un tableau (CSV ou Excel) : "
            + (JSON_FLAVOURS.get(detected.json_flavour) or "fichier JSON")
            + "."
        )
    if detected.kind == "xlsx":
        return detected, *_xlsx_rows(path, detected)
    return detected, *_csv_rows(path, detected)


def _csv_rows(path: Path, detected: Detected):
    binary = open_binary(path)
    text = io.TextIOWrapper(binary, encoding=detected.encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=detected.delimiter)
    header: list[str] = []
    skip = detected.header_row
    try:
        for _ in range(skip):
            next(reader)
        header = next(reader)
    except StopIteration:
        text.close()
        return header, iter(())
    header = [cell.replace("\ufeff", "").strip() for cell in header]

    def rows():
        try:
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, row
        finally:
            text.close()

    return header, rows()


def _xlsx_rows(path: Path, detected: Detected):
    workbook = _open_workbook(path)
    sheet = workbook[detected.sheet]
    iterator = sheet.iter_rows(values_only=True)
    header: list[str] = []
    for index, row in enumerate(iterator):
        if index == detected.header_row:
            header = [cell_text(v).strip() for v in row]
            break
    while header and not header[-1]:
        header.pop()

    def rows():
        try:
            for number, row in enumerate(iterator, start=detected.header_row + 2):
                cells = [cell_text(v) for v in row]
                if not any(cell.strip() for cell in cells):
                    continue
                yield number, cells
        finally:
            _close_workbook(workbook)

    return header, rows()
