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
        (b"nom;prenom\nDupont;Jean\n", "Ce fichier n'est pas un extrait FINESS"),
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
