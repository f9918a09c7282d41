import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from territories import importers
from territories.importers import NotAFinessFile, import_finess
from territories.models import Establishment, LegalEntity, LegalStatus, Sector

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures_data" / "finess_sample.csv"


@pytest.fixture
def sample_lines():
    return SAMPLE.read_bytes().splitlines(keepends=True)


def test_imports_a_real_format_latin1_extract(db, sample_lines):
    report = import_finess(sample_lines)

    assert report.created == 4
    assert report.updated == 0
    assert report.geolocations == 1
    fleyriat = Establishment.objects.select_related("legal_entity", "departement").get(
        finess="010000024"
    )
    assert fleyriat.name == "CH DE FLEYRIAT"
    assert fleyriat.long_name == "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"
    assert fleyriat.legal_entity.finess == "010780054"
    assert fleyriat.departement.code == "01"
    assert fleyriat.legal_status == LegalStatus.PUBLIC
    assert fleyriat.sector == Sector.SANITAIRE
    assert (fleyriat.postcode, fleyriat.commune) == ("01440", "VIRIAT")
    assert fleyriat.address == "900 RTE DE PARIS"
    assert str(fleyriat.opened_on) == "1979-02-13"
    # Doubled quotes inside a quoted field, DD/MM/YYYY dates, Corsica.
    maquis = Establishment.objects.get(finess="2A0000030")
    assert maquis.name == 'LIEU DE VIE "LE MAQUIS"'
    assert maquis.departement.code == "2A"
    assert str(maquis.finess_updated_on) == "2019-01-10"
    # Overseas: FINESS département code 9A is Guadeloupe (971); Latin-1 accents survive.
    ehpad = Establishment.objects.get(finess="970100012")
    assert ehpad.departement.code == "971"
    assert ehpad.sector == Sector.MEDICO_SOCIAL
    assert "âgées" in ehpad.category_label
    # Wallis-et-Futuna has no ARS: kept, without département.
    assert Establishment.objects.get(finess="980000012").departement is None
    assert report.without_ars == 1


def test_rejected_lines_are_reported_with_their_number_and_reason(db, sample_lines):
    report = import_finess(sample_lines)
    reasons = {item["line"]: item["reason"] for item in report.rejected_lines}
    assert report.rejected == 4
    assert "clé de contrôle" in reasons[7]
    assert "date illisible « 31/13/2020 »" in reasons[8]
    assert "4 champs au lieu de 32" in reasons[9]
    assert "type de ligne inconnu « autre »" in reasons[10]
    assert not Establishment.objects.filter(finess__in=["010000025", "010000032"]).exists()


def test_reimport_updates_and_never_duplicates(db, sample_lines):
    import_finess(sample_lines)
    changed = [line.replace(b"CH DE FLEYRIAT;", b"CH FLEYRIAT RENOMME;") for line in sample_lines]
    report = import_finess(changed)
    assert (report.created, report.updated) == (0, 4)
    assert Establishment.objects.count() == 4
    assert LegalEntity.objects.count() == 4
    assert Establishment.objects.get(finess="010000024").name == "CH FLEYRIAT RENOMME"


def test_utf8_extract_is_read_too(db):
    text = SAMPLE.read_bytes().decode("latin-1").encode("utf-8")
    import_finess(text.splitlines(keepends=True))
    assert "âgées" in Establishment.objects.get(finess="970100012").category_label


@pytest.mark.parametrize(
    "content,message",
    [
        (b"nom;prenom\nDupont;Jean\n", "sa première ligne commence par « nom;prenom »"),
        (
            b"finess,etalab,1,2026-01-01\nstructureet,010000024\n",
            "séparateur de ce fichier est la virgule",
        ),
        (b"", "Le fichier est vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "Ce fichier n'est pas un extrait FINESS"),
    ],
)
def test_a_file_that_is_not_a_finess_extract_changes_nothing(db, content, message):
    with pytest.raises(NotAFinessFile) as error:
        import_finess(io.BytesIO(content))
    assert message in str(error.value)
    assert Establishment.objects.count() == 0


def test_a_crash_in_the_middle_leaves_the_database_unchanged(db, sample_lines, monkeypatch):
    calls = {"n": 0}
    real_flush = importers._flush

    def flaky_flush(batch, report):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disque plein")
        real_flush(batch, report)

    monkeypatch.setattr(importers, "_flush", flaky_flush)
    with pytest.raises(RuntimeError):
        import_finess(sample_lines, batch_size=1)
    assert Establishment.objects.count() == 0
    assert LegalEntity.objects.count() == 0


def test_command_prints_the_report_and_refuses_a_wrong_file(db, tmp_path, capsys):
    out = io.StringIO()
    call_command("import_finess", str(SAMPLE), "--quiet-progress", stdout=out)
    text = out.getvalue()
    assert "Établissements créés : 4" in text
    assert "ligne 7 :" in text and "clé de contrôle" in text
    wrong = tmp_path / "autre.csv"
    wrong.write_text("a;b;c\n1;2;3\n")
    with pytest.raises(CommandError, match="n'est pas un extrait FINESS"):
        call_command("import_finess", str(wrong), "--quiet-progress", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_finess", str(tmp_path / "absent.csv"), stdout=io.StringIO())


# --- The extract as spreadsheets and old Macs leave it -------------------------------------


def test_a_cr_only_extract_imports_every_line(db):
    content = SAMPLE.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    report = import_finess(io.BytesIO(content))
    assert report.created == 4  # not "nothing, silently"
    report = importers.import_finess(content.splitlines(keepends=True))
    assert report.updated == 4


def test_the_extract_saved_by_a_spreadsheet_as_xlsx_or_gzipped(db, tmp_path):
    import gzip

    import openpyxl

    from territories.importers import import_register_file

    workbook = openpyxl.Workbook()
    for line in SAMPLE.read_bytes().decode("latin-1").splitlines():
        workbook.active.append(next(iter([line.split(";")])))
    path = tmp_path / "extrait.xlsx"
    workbook.save(path)
    report = import_register_file(path)
    assert "fichier Excel" in report.format_description
    # In a sheet, the short line 9 ("CH DE TREVOUX", 4 fields) is a row with empty cells:
    # it cannot be told from a complete line whose last fields are empty, and is imported.
    assert report.created == 5
    assert Establishment.objects.get(finess="010000065").name == "CH DE TREVOUX"
    gz = tmp_path / "extrait.csv.gz"
    gz.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    report = import_register_file(gz)
    assert "gzip" in report.format_description and report.updated == 4 and report.created == 0


def test_identifiers_damaged_by_a_spreadsheet_are_corrected_or_refused_per_line(db):
    header = b"finess;etalab;2;2026-01-01\n"
    fields = ["structureet", "10000024", "10780054", "CH DE FLEYRIAT", "", "", "", "900", "RTE",
              "DE PARIS", "", "", "451", "1", "AIN", "1440 VIRIAT", "474454647", "", "355", "CH",
              "1102", "CH", "2,601E+13", "", "03", "", "1", "", "", "", "", ""]  # fmt: skip
    report = import_finess(io.BytesIO(header + (";".join(fields) + "\n").encode()))
    site = Establishment.objects.get(finess="010000024")
    assert site.legal_entity.finess == "010780054"
    assert (site.postcode, site.phone, site.siret) == ("01440", "0474454647", "")
    assert site.departement.code == "01"
    assert site.commune_code == "01451"
    notes = [n["note"] for n in report.notes if n["line"] == 2]
    assert any("FINESS ET « 10000024 » complété en 010000024" in n for n in notes)
    assert any("FINESS EJ « 10780054 » complété en 010780054" in n for n in notes)
    assert any(n.startswith("refus : SIRET « 2,601E+13 » en notation scientifique") for n in notes)
    assert any("code postal « 1440 » complété en 01440" in n for n in notes)
    assert any("département « 1 » complété en 01" in n for n in notes)


def test_legal_entities_of_a_csv_extract_are_not_named_after_a_site(db, sample_lines):
    import_finess(sample_lines)
    entity = LegalEntity.objects.get(finess="010780054")
    assert entity.name == ""
    assert entity.display_name == "entité juridique 010780054 (nom inconnu)"
