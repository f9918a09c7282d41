"""The one format detector: real-file variants, and what it says about them."""

import gzip

import openpyxl
import pytest

from core.tabular import FormatError, detect, iter_lines, read_table

ROWS = [
    ["finess", "rs", "P1"],
    ["010780054", "CH BOURG EN BRESSE", "1,108"],
    ["310781406", "CHU TOULOUSE", "0,856"],
]


def write_csv(path, rows, *, delimiter=";", newline="\n", encoding="utf-8", prefix=""):
    text = (
        prefix
        + newline.join(
            delimiter.join(f'"{c}"' if "," in c and delimiter == "," else c for c in row)
            for row in rows
        )
        + newline
    )
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "delimiter,name", [(";", "point-virgule (;)"), (",", "virgule (,)"), ("\t", "tabulation")]
)
def test_the_delimiter_is_detected_and_said(tmp_path, delimiter, name):
    path = write_csv(tmp_path / "hd.csv", ROWS, delimiter=delimiter)
    detected = detect(path, expected_columns=["finess"])
    assert detected.delimiter == delimiter
    assert f"séparateur {name} détecté" in detected.describe()
    _detected, header, rows = read_table(path, detected)
    assert header == ["finess", "rs", "P1"]
    assert [row for _line, row in rows][0] == ["010780054", "CH BOURG EN BRESSE", "1,108"]


@pytest.mark.parametrize("newline,label", [("\r\n", "CRLF"), ("\n", "LF"), ("\r", "CR seul")])
def test_every_line_ending_reads_every_line(tmp_path, newline, label):
    path = write_csv(tmp_path / "hd.csv", ROWS, newline=newline)
    detected, header, rows = read_table(path, expected_columns=["finess"])
    assert label in detected.describe()
    assert [line for line, _row in rows] == [2, 3]


@pytest.mark.parametrize(
    "encoding,prefix,said",
    [
        ("utf-8", "\ufeff", "UTF-8 avec BOM"),
        ("utf-8", "", "encodage UTF-8"),
        ("cp1252", "", "Windows-1252"),
    ],
)
def test_encodings(tmp_path, encoding, prefix, said):
    rows = [*ROWS, ["130786049", "AP-HM – HÔPITAL DE LA TIMONE ŒUVRE", "1"]]
    path = write_csv(tmp_path / "hd.csv", rows, encoding=encoding, prefix=prefix)
    detected, header, data = read_table(path, expected_columns=["finess"])
    assert said in detected.describe()
    assert header[0] == "finess"  # no BOM left on the first column name
    assert list(data)[-1][1][1] == "AP-HM – HÔPITAL DE LA TIMONE ŒUVRE"


def test_spreadsheet_title_lines_above_the_column_names(tmp_path):
    rows = [["Hospi Diag 2019 - extraction du 12/03/2020"], [""], *ROWS]
    path = write_csv(tmp_path / "hd2019.csv", rows)
    detected, header, data = read_table(path, expected_columns=["finess"])
    assert detected.header_row == 2
    assert "2 lignes de titre ignorées avant les noms de colonnes (ligne 3)" in detected.describe()
    assert header == ["finess", "rs", "P1"] and len(list(data)) == 2


def test_excel_sep_hint_line(tmp_path):
    path = write_csv(tmp_path / "export.csv", ROWS, delimiter=",", prefix="sep=,\n")
    detected, header, _rows = read_table(path, expected_columns=["finess"])
    assert detected.delimiter == "," and header[0] == "finess"


def test_gzip_is_opened_transparently(tmp_path):
    plain = write_csv(tmp_path / "hd.csv", ROWS)
    path = tmp_path / "hd.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    detected, header, rows = read_table(path, expected_columns=["finess"])
    assert detected.compressed and "gzip" in detected.describe()
    assert len(list(rows)) == 2


def test_a_workbook_is_read_from_the_sheet_that_holds_the_data(tmp_path):
    workbook = openpyxl.Workbook()
    notice = workbook.active
    notice.title = "Notice"
    notice.append(["Lisez-moi : indicateurs Hospi Diag"])
    data = workbook.create_sheet("hd2019")
    data.append(["Hospi Diag 2019"])
    data.append(["FINESS", "RS", "P1"])
    data.append([10780054, "CH BOURG EN BRESSE", 1.108])  # the number lost its zero
    path = tmp_path / "hospidiag.xlsx"
    workbook.save(path)
    detected, header, rows = read_table(path, expected_columns=["finess"])
    assert detected.kind == "xlsx" and detected.sheet == "hd2019"
    assert "fichier Excel : feuille « hd2019 » lue (2 feuilles)" in detected.describe()
    assert header == ["FINESS", "RS", "P1"]
    assert list(rows) == [(3, ["10780054", "CH BOURG EN BRESSE", "1.108"])]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "Le fichier est vide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 (.xls)"),
        (b"%PDF-1.7\n", "document PDF"),
        (b"PK\x03\x04notaworkbook", "pas un classeur Excel (.xlsx) lisible"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "fichier binaire non reconnu"),
    ],
)
def test_containers_no_importer_reads_are_named(tmp_path, content, message):
    path = tmp_path / "fichier.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect(path)


def test_json_flavours_of_the_finess_flux(tmp_path):
    structures = tmp_path / "s.json"
    structures.write_text(
        '{"schemaVersion": "v1", "gcc": [], "pmej": [{"informationsGeneralesPMEJ": {}}]}'
    )
    activities = tmp_path / "a.json"
    activities.write_text('{"pmej": [{"numFiness": "010000156", "activitesAutorisees": []}]}')
    assert detect(structures).json_flavour == "finess-structures"
    assert (
        "ceci est le format JSON FINESS 2026 (flux « Structures »)" in detect(structures).describe()
    )
    assert detect(activities).json_flavour == "finess-activities"
    with pytest.raises(FormatError, match="pas un tableau"):
        read_table(structures)


class _Chunks:
    def __init__(self, parts):
        self.parts = list(parts)

    def read(self, _size=-1):
        return self.parts.pop(0) if self.parts else b""


def test_iter_lines_splits_on_any_ending_even_across_chunks():
    assert list(iter_lines(_Chunks([b"a\r", b"\nb\rc\n", b"d"]))) == [b"a", b"b", b"c", b"d"]
    assert list(iter_lines(_Chunks([b"a\r", b"b\r"]))) == [b"a", b"b"]
    assert list(iter_lines(_Chunks([b"a\n\nb"]))) == [b"a", b"", b"b"]
